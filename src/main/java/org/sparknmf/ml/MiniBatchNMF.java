package org.sparknmf.ml;

import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;

/**
 * Mini-batch NMF as a Spark ML Estimator: scikit-learn's {@code MiniBatchNMF}, its mini-batch
 * steps run in barrier stages of several epochs (or one Spark job per step). Produces an {@link NMFModel} that can keep learning with
 * {@link NMFModel#partialFit}.
 */
public final class MiniBatchNMF extends NMFEstimator<MiniBatchNMF> implements MiniBatchParams {

  private static final long serialVersionUID = 1L;

  public MiniBatchNMF() {
    this(Identifiable$.MODULE$.randomUID("miniBatchNMF"));
  }

  public MiniBatchNMF(String uid) {
    super(uid, false, true);
  }

  @Override
  boolean miniBatch() {
    return true;
  }

  public MiniBatchNMF setBatchSize(int v) {
    return setParam(batchSize(), v);
  }

  public MiniBatchNMF setForgetFactor(double v) {
    return setParam(forgetFactor(), v);
  }

  /** 0 disables the stop on lack of improvement (scikit-learn's None). */
  public MiniBatchNMF setMaxNoImprovement(int v) {
    return setParam(maxNoImprovement(), v);
  }

  public MiniBatchNMF setFreshRestarts(boolean v) {
    return setParam(freshRestarts(), v);
  }

  public MiniBatchNMF setFreshRestartsMaxIter(int v) {
    return setParam(freshRestartsMaxIter(), v);
  }

  /** 0: maxIter. */
  public MiniBatchNMF setTransformMaxIter(int v) {
    return setParam(transformMaxIter(), v);
  }

  /** Declared here so that {@code copy} returns this class (Spark's checkParams looks it up by reflection). */
  @Override
  public MiniBatchNMF copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<MiniBatchNMF> read() {
    return reader(MiniBatchNMF.class);
  }

  public static MiniBatchNMF load(String path) {
    return read().load(path);
  }
}
