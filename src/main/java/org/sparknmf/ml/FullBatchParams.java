package org.sparknmf.ml;

import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.Param;

/** The parameters only full-batch NMF has (scikit-learn's {@code NMF}): the solver and its shuffle. */
public interface FullBatchParams extends NMFParams {

  default Param<String> solver() {
    return declared().solver;
  }

  default BooleanParam shuffle() {
    return declared().shuffle;
  }

  default String getSolver() {
    return valueOf(solver());
  }

  default boolean getShuffle() {
    return valueOf(shuffle());
  }
}
