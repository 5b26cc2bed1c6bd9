package org.sparknmf.solver;

/**
 * The L1 and L2 penalties on W and H, scaled as scikit-learn scales them: {@code alpha_W} by the
 * number of features, {@code alpha_H} by the number of samples (of the batch, for mini-batches), so
 * that the penalty keeps its weight against a loss that sums over all entries.
 */
public record Regularization(double l1W, double l1H, double l2W, double l2H) implements java.io.Serializable {

  public static final Regularization NONE = new Regularization(0, 0, 0, 0);

  /**
   * @param alphaH the H penalty, or {@code null} for scikit-learn's {@code "same"} (= alphaW)
   */
  public static Regularization of(double alphaW, Double alphaH, double l1Ratio, long nSamples,
      int nFeatures) {
    double aH = alphaH == null ? alphaW : alphaH;
    return new Regularization(
        nFeatures * alphaW * l1Ratio,
        nSamples * aH * l1Ratio,
        nFeatures * alphaW * (1.0 - l1Ratio),
        nSamples * aH * (1.0 - l1Ratio));
  }

  public double l1(Side side) {
    return side == Side.W ? l1W : l1H;
  }

  public double l2(Side side) {
    return side == Side.W ? l2W : l2H;
  }
}
