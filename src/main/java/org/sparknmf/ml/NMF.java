package org.sparknmf.ml;

import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;

/**
 * Non-negative matrix factorization as a Spark ML Estimator: scikit-learn's {@code NMF} (solvers
 * cd and mu, every beta loss, its penalties), fitted by the distributed engine. Produces an
 * {@link NMFModel}.
 */
public final class NMF extends NMFEstimator<NMF> implements FullBatchParams {

  private static final long serialVersionUID = 1L;

  public NMF() {
    this(Identifiable$.MODULE$.randomUID("nmf"));
  }

  public NMF(String uid) {
    super(uid, true, false);
  }

  @Override
  boolean miniBatch() {
    return false;
  }

  /** cd or mu. */
  public NMF setSolver(String v) {
    return setParam(solver(), v);
  }

  public NMF setShuffle(boolean v) {
    return setParam(shuffle(), v);
  }

  /** Declared here so that {@code copy} returns this class (Spark's checkParams looks it up by reflection). */
  @Override
  public NMF copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<NMF> read() {
    return reader(NMF.class);
  }

  public static NMF load(String path) {
    return read().load(path);
  }
}
