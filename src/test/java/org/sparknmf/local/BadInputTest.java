package org.sparknmf.local;

import org.sparknmf.testing.TestMatrices;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.sparknmf.linalg.CsrMatrix;
import org.sparknmf.linalg.DenseMatrix;

/** Every bad input gets an IllegalArgumentException whose message names the parameter or the cell. */
class BadInputTest {

  private static final double[][] X = {{1, 2, 3}, {4, 5, 6}, {7, 8, 0}, {1, 0, 2}};

  private static void assertRejected(Executable call, String... fragments) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), () -> "message '" + e.getMessage() + "' lacks '" + f + "'");
    }
  }

  private static double[][] with(int i, int j, double v) {
    return TestMatrices.withEntry(X, i, j, v);
  }

  @Test
  void negativeEntryNamesRowAndColumn() {
    assertRejected(() -> new NMF(2).fit(with(2, 1, -0.5)), "negative", "-0.5", "row 2", "column 1");
  }

  @Test
  void nanEntryNamesRowAndColumn() {
    assertRejected(() -> new MiniBatchNMF(2).fit(with(3, 2, Double.NaN)), "NaN", "row 3", "column 2");
  }

  @Test
  void infiniteEntryNamesRowAndColumn() {
    assertRejected(() -> new NMF(2).fit(with(0, 0, Double.POSITIVE_INFINITY)), "infinite", "row 0", "column 0");
  }

  @Test
  void sparseNegativeEntryNamesRowAndColumn() {
    CsrMatrix x = new CsrMatrix(2, 3, new int[] {0, 1, 2}, new int[] {2, 1}, new double[] {1.0, -3.0});
    assertRejected(() -> new NMF(1).fit(x), "negative", "row 1", "column 1");
  }

  @Test
  void zerosWithNonPositiveBeta() {
    assertRejected(() -> new NMF(2).setSolver("mu").setBetaLoss("itakura-saito").fit(X), "zeros", "beta_loss");
    assertRejected(() -> new MiniBatchNMF(2).setBetaLoss(-0.5).fit(X), "zeros", "beta_loss");
  }

  @Test
  void threadsBelowOne() {
    assertRejected(() -> new NMF(2).setThreads(0), "threads", "0");
  }

  @Test
  void unknownStrings() {
    assertRejected(() -> new NMF().setSolver("als"), "solver", "als");
    assertRejected(() -> new NMF().setInit("svd"), "init", "svd");
    assertRejected(() -> new NMF().setBetaLoss("euclid"), "beta_loss", "euclid");
    assertRejected(() -> new NMF().setAlphaH("different"), "alpha_H", "different");
    assertRejected(() -> new NMF().setNComponents("many"), "n_components", "many");
  }

  @Test
  void cdWithOtherLoss() {
    assertRejected(() -> new NMF(2).setBetaLoss("kullback-leibler").fit(X), "beta_loss", "kullback-leibler", "mu");
  }

  @Test
  void nonPositiveComponents() {
    assertRejected(() -> new NMF(0), "n_components", "0");
    assertRejected(() -> new MiniBatchNMF().setNComponents(-3), "n_components", "-3");
  }

  @Test
  void nndsvdNeedsFewComponents() {
    for (String init : new String[] {"nndsvd", "nndsvda", "nndsvdar"}) {
      assertRejected(() -> new NMF(4).setInit(init).fit(X), "init='" + init + "'", "n_components", "3");
    }
  }

  @Test
  void customFactorsOfWrongShapeOrSign() {
    double[][] w = {{1, 1}, {1, 1}, {1, 1}, {1, 1}};
    double[][] h = {{1, 1, 1}, {1, 1, 1}};
    NMF nmf = new NMF(2).setInit("custom");
    assertRejected(() -> nmf.fitTransform(X, w, new double[][] {{1, 1}, {1, 1}}), "H", "(2, 2)", "(2, 3)");
    assertRejected(() -> nmf.fitTransform(X, new double[][] {{1, 1}}, h), "W", "(1, 2)", "(4, 2)");
    assertRejected(() -> nmf.fitTransform(X, w, new double[][] {{1, 1, 1}, {1, -1, 1}}), "H", "negative", "row 1", "column 1");
    assertRejected(() -> nmf.fitTransform(X, w, new double[][] {{0, 0, 0}, {0, 0, 0}}), "H", "zeros");
    assertRejected(() -> nmf.fitTransform(X, null, h), "W", "custom");
    assertRejected(() -> new NMF().setNComponents("auto").fit(X), "auto", "custom");
  }

  @Test
  void outOfRangeNumbers() {
    assertRejected(() -> new NMF().setTol(-1e-3), "tol", "-0.001");
    assertRejected(() -> new NMF().setMaxIter(0), "max_iter", "0");
    assertRejected(() -> new NMF().setL1Ratio(1.5), "l1_ratio", "1.5");
    assertRejected(() -> new NMF().setL1Ratio(Double.NaN), "l1_ratio");
    assertRejected(() -> new NMF().setAlphaW(-1), "alpha_W", "-1");
    assertRejected(() -> new NMF().setAlphaH(-2.0), "alpha_H", "-2");
    assertRejected(() -> new MiniBatchNMF().setBatchSize(0), "batch_size", "0");
    assertRejected(() -> new MiniBatchNMF().setForgetFactor(1.01), "forget_factor", "1.01");
    assertRejected(() -> new MiniBatchNMF().setForgetFactor(-0.1), "forget_factor", "-0.1");
    assertRejected(() -> new MiniBatchNMF().setMaxNoImprovement(0), "max_no_improvement", "0");
    assertRejected(() -> new MiniBatchNMF().setFreshRestartsMaxIter(0), "fresh_restarts_max_iter", "0");
    assertRejected(() -> new MiniBatchNMF().setTransformMaxIter(0), "transform_max_iter", "0");
    assertRejected(() -> new NMF().setRandomState(-1), "random_state", "-1");
  }

  @Test
  void transformWithOtherFeatureCount() {
    NMF nmf = new NMF(2).fit(X);
    assertRejected(() -> nmf.transform(new double[][] {{1, 2}}), "2 features", "3 features");
    MiniBatchNMF mb = new MiniBatchNMF(2).fit(X);
    assertRejected(() -> mb.transform(new double[][] {{1, 2, 3, 4}}), "4 features", "3 features");
    assertRejected(() -> mb.partialFit(new double[][] {{1, 2}}), "2 features", "3 features");
    assertRejected(() -> nmf.inverseTransform(new double[][] {{1, 2, 3}}), "3 columns", "2 components");
  }

  @Test
  void emptyAndRaggedX() {
    assertRejected(() -> new NMF(1).fit(new double[0][]), "X", "empty");
    assertRejected(() -> new NMF(1).fit(new double[][] {{}, {}}), "X", "empty");
    assertRejected(() -> new NMF(1).fit(new DenseMatrix(0, 4)), "X", "empty");
    assertRejected(() -> new NMF(1).fit(new double[][] {{1, 2}, {3}}), "row 1", "1 values");
  }

  @Test
  void allZeroXHasNothingToFactorize() {
    assertRejected(() -> new NMF(1).fit(new double[][] {{0, 0}, {0, 0}}), "X", "all zeros");
    CsrMatrix empty = new CsrMatrix(3, 2, new int[] {0, 0, 0, 0}, new int[0], new double[0]);
    assertRejected(() -> new MiniBatchNMF(1).partialFit(empty), "X", "all zeros");
  }

  @Test
  void featureNamesOfWrongLength() {
    assertRejected(() -> new NMF(1).setFeatureNames("a", "b").fit(X), "2 names", "3 features");
  }

  @Test
  void nullAndMissingRows() {
    assertRejected(() -> new NMF(1).fit((double[][]) null), "X", "null");
    assertRejected(() -> new NMF(1).fit(new double[][] {{1, 2}, null}), "row 1", "no values");
    NMF nmf = new NMF(2).fit(X);
    assertRejected(() -> nmf.transform((double[][]) null), "X", "null");
  }

  @Test
  void sparseNanAndInfiniteEntriesNameRowAndColumn() {
    CsrMatrix nan = new CsrMatrix(3, 3, new int[] {0, 1, 1, 2}, new int[] {0, 2}, new double[] {1.0, Double.NaN});
    assertRejected(() -> new MiniBatchNMF(1).fit(nan), "NaN", "row 2", "column 2");
    CsrMatrix inf = new CsrMatrix(2, 3, new int[] {0, 2, 2}, new int[] {0, 1},
        new double[] {1.0, Double.POSITIVE_INFINITY});
    assertRejected(() -> new NMF(1).fit(inf), "infinite", "row 0", "column 1");
  }

  @Test
  void nonFiniteNumbersForParameters() {
    assertRejected(() -> new NMF().setTol(Double.NaN), "tol", "NaN");
    assertRejected(() -> new NMF().setBetaLoss(Double.NaN), "beta_loss", "NaN");
    assertRejected(() -> new MiniBatchNMF().setBetaLoss(Double.POSITIVE_INFINITY), "beta_loss", "Infinity");
    assertRejected(() -> new NMF().setAlphaW(Double.POSITIVE_INFINITY), "alpha_W", "Infinity");
    assertRejected(() -> new MiniBatchNMF().setAlphaH(Double.NaN), "alpha_H", "NaN");
    assertRejected(() -> new NMF().setRandomState(1L << 32), "random_state", "4294967296");
    assertRejected(() -> new MiniBatchNMF().setNComponents("0"), "n_components", "got 0");
  }

  @Test
  void newDataIsCheckedLikeTrainingData() {
    NMF nmf = new NMF(2).fit(X);
    assertRejected(() -> nmf.transform(with(1, 2, Double.NaN)), "NaN", "row 1", "column 2");
    MiniBatchNMF mb = new MiniBatchNMF(2).fit(X);
    assertRejected(() -> mb.transform(with(0, 1, Double.NEGATIVE_INFINITY)), "infinite", "row 0", "column 1");
    assertRejected(() -> mb.partialFit(with(3, 0, -1)), "negative", "-1", "row 3", "column 0");
    double[][] positive = {{1, 2}, {3, 4}, {5, 6}};
    MiniBatchNMF is = new MiniBatchNMF(1).setBetaLoss("itakura-saito").setMaxIter(5).fit(positive);
    assertRejected(() -> is.transform(new double[][] {{1, 0}}), "zeros", "beta_loss");
  }

  @Test
  void customWNotFiniteOrAllZero() {
    double[][] h = {{1, 1, 1}, {1, 1, 1}};
    NMF nmf = new NMF(2).setInit("custom");
    double[][] nanW = {{1, 1}, {1, 1}, {1, Double.NaN}, {1, 1}};
    assertRejected(() -> nmf.fitTransform(X, nanW, h), "W", "NaN", "row 2", "column 1");
    double[][] zeroW = new double[4][2];
    assertRejected(() -> nmf.fitTransform(X, zeroW, h), "W", "zeros");
    MiniBatchNMF mb = new MiniBatchNMF(2).setInit("custom");
    assertRejected(() -> mb.fitTransform(X, new double[][] {{1, 1}, {1, 1}, {1, 1}, {1, 1}},
        new double[][] {{1, 1, 1}}), "H", "(1, 3)", "(2, 3)");
  }

  @Test
  void miniBatchNndsvdNeedsFewComponents() {
    assertRejected(() -> new MiniBatchNMF(4).setInit("nndsvda").fit(X), "init='nndsvda'", "n_components", "3");
  }

  @Test
  void notFittedIsAnIllegalState() {
    assertThrows(IllegalStateException.class, () -> new NMF().components());
    assertThrows(IllegalStateException.class, () -> new MiniBatchNMF().transform(X));
  }
}
