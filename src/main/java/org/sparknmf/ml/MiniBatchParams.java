package org.sparknmf.ml;

import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;

/** The parameters only MiniBatchNMF has (scikit-learn's {@code MiniBatchNMF}). */
public interface MiniBatchParams extends NMFParams {

  default IntParam batchSize() {
    return declared().batchSize;
  }

  default DoubleParam forgetFactor() {
    return declared().forgetFactor;
  }

  default IntParam maxNoImprovement() {
    return declared().maxNoImprovement;
  }

  default BooleanParam freshRestarts() {
    return declared().freshRestarts;
  }

  default IntParam freshRestartsMaxIter() {
    return declared().freshRestartsMaxIter;
  }

  default IntParam transformMaxIter() {
    return declared().transformMaxIter;
  }

  default int getBatchSize() {
    return valueOf(batchSize());
  }

  default double getForgetFactor() {
    return valueOf(forgetFactor());
  }

  default int getMaxNoImprovement() {
    return valueOf(maxNoImprovement());
  }

  default boolean getFreshRestarts() {
    return valueOf(freshRestarts());
  }

  default int getFreshRestartsMaxIter() {
    return valueOf(freshRestartsMaxIter());
  }

  default int getTransformMaxIter() {
    return valueOf(transformMaxIter());
  }
}
