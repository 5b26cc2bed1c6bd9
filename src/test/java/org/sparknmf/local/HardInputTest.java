package org.sparknmf.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparknmf.linalg.CsrMatrix;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.solver.BetaDivergence;
import org.sparknmf.solver.BetaLoss;
import org.sparknmf.solver.FullBatchSolver;
import org.sparknmf.solver.Initialization;
import org.sparknmf.solver.MultiplicativeUpdate;
import org.sparknmf.solver.NmfOptions;

/**
 * Valid but awkward inputs — all-zero rows and columns, a single row or column, k = 1 or
 * k = n_features, batches larger than the data — must fit without NaN or infinity anywhere.
 */
class HardInputTest {

  /** 12 × 8 with row 3 and column 5 all zero, and scattered zeros. */
  private static DenseMatrix withZeroRowAndColumn() {
    Random r = new Random(7);
    DenseMatrix x = new DenseMatrix(12, 8);
    for (int i = 0; i < 12; i++) {
      for (int j = 0; j < 8; j++) {
        boolean zero = i == 3 || j == 5 || r.nextDouble() < 0.2;
        x.set(i, j, zero ? 0.0 : r.nextDouble() * 3);
      }
    }
    return x;
  }

  static Stream<Arguments> configurations() {
    List<Arguments> list = new ArrayList<>();
    for (boolean sparse : new boolean[] {false, true}) {
      for (String init : new String[] {"random", "nndsvd", "nndsvda", "nndsvdar"}) {
        list.add(Arguments.of("cd", "frobenius", init, sparse));
        for (String beta : new String[] {"frobenius", "kullback-leibler", "1.5", "3", "0.5"}) {
          list.add(Arguments.of("mu", beta, init, sparse));
          list.add(Arguments.of("minibatch", beta, init, sparse));
        }
      }
    }
    return list.stream();
  }

  @ParameterizedTest(name = "{0} beta={1} init={2} sparse={3}")
  @MethodSource("configurations")
  void zeroRowsAndColumnsGiveFiniteFactors(String solver, String beta, String init, boolean sparse) {
    DenseMatrix dense = withZeroRowAndColumn();
    DataMatrix x = sparse ? CsrMatrix.fromDense(dense) : dense;
    BaseNMF<?> model = solver.equals("minibatch")
        ? new MiniBatchNMF(3).setBatchSize(5).setFreshRestarts(init.equals("nndsvd"))
        : new NMF(3).setSolver(solver);
    model.setBetaLoss(beta).setInit(init).setRandomState(1).setMaxIter(50);
    double[][] w = model.fitTransform(x);
    assertFiniteNonNegative(w, "W");
    assertFiniteNonNegative(model.components(), "H");
    assertTrue(Double.isFinite(model.reconstructionErr()), "reconstruction_err");
    assertFiniteNonNegative(model.transform(x), "transform");
    assertEquals(0.0, maxOfRow(w, 3), "an all-zero row of X gets an all-zero row of W");
  }

  @Test
  void singleRowSingleColumnAndExtremeComponentCounts() {
    double[][] oneRow = {{1, 2, 3, 4}};
    double[][] oneColumn = {{1}, {2}, {0}, {4}};
    double[][] x = withZeroRowAndColumn().toArray();
    check(new NMF(1).fitTransform(oneRow), "NMF one row");
    check(new NMF(1).setSolver("mu").fitTransform(oneColumn), "NMF one column");
    check(new MiniBatchNMF(1).fitTransform(oneRow), "MiniBatchNMF one row");
    check(new NMF(1).fitTransform(x), "k = 1");
    NMF all = new NMF();
    check(all.fitTransform(x), "k = n_features (n_components unset)");
    assertEquals(8, all.nComponents());
    MiniBatchNMF big = new MiniBatchNMF(2).setBatchSize(1000);
    check(big.fitTransform(x), "batch larger than the data");
    assertEquals(big.nIter(), big.nSteps(), "one batch per epoch when batch_size > n_samples");
    check(new NMF(10).setInit("random").fitTransform(x), "k > n_features with random init");
  }

  @Test
  void tinyAndHugeScalesStayFinite() {
    double[][] x = withZeroRowAndColumn().toArray();
    for (double scale : new double[] {1e-150, 1e-30, 1e30, 1e100, 1e150}) {
      double[][] s = scaled(x, scale);
      NMF cd = new NMF(3);
      check(cd.fitTransform(s), "cd at scale " + scale);
      assertTrue(Double.isFinite(cd.reconstructionErr()), "cd error at scale " + scale);
      MiniBatchNMF mb = new MiniBatchNMF(3).setBatchSize(4);
      double[][] w = mb.fitTransform(s);
      check(w, "minibatch at scale " + scale);
      // At 1e150 ‖X − WH‖² overflows (WH near 1e300 from nndsvda's fill) but ‖X − WH‖ does not.
      double expected = frobeniusDistance(s, w, mb.components());
      assertEquals(expected, mb.reconstructionErr(), 1e-12 * expected, "minibatch error at scale " + scale);
      check(mb.transform(s), "minibatch transform at scale " + scale);
    }
  }

  /**
   * cd from nndsvda at 1e150: the first violation overflows (the fill of X.mean() cubed), and
   * scikit-learn's first ratio is Inf/Inf = NaN; it goes on and stops at iteration 2 (ratio 0).
   * Same stop here, with a finite history.
   */
  @Test
  void cdStopRatioStaysFiniteWhenTheFirstViolationOverflows() {
    double[][] x = scaled(withZeroRowAndColumn().toArray(), 1e150);
    DenseMatrix xm = DenseMatrix.of(x);
    Initialization.Factors start = Initialization.initialize(xm, 3, "nndsvda", 0L);
    NmfOptions options = new NmfOptions().nComponents(3).maxIter(50);
    FullBatchSolver.Result r = FullBatchSolver.fit(xm, start.w(), start.ht(), options, true);
    assertEquals(List.of(1.0, 0.0), r.history(), "no measurable progress, then scikit-learn's stop");
    assertEquals(2, r.nIter());
    assertTrue(Double.isFinite(BetaDivergence.reconstructionError(xm, start.w(), start.ht(), BetaLoss.FROBENIUS)));
  }

  /**
   * MiniBatchNMF's transform at 1e150: H keeps nndsvda's fill (X.mean()), the first update sets W
   * to 0 (W·HHᵀ overflows), the next one's ratio X·Hᵀ / epsilon overflows, and 0·∞ was NaN in
   * every row (scikit-learn raises "array must not contain infs or NaNs" there). A zero stays zero.
   */
  @Test
  void multiplicativeUpdateKeepsZerosWhenTheRatioOverflows() {
    Random r = new Random(3);
    double[][] x = new double[12][8];
    for (double[] row : x) {
      for (int j = 0; j < 8; j++) {
        row[j] = (r.nextDouble() < 0.2 ? 0 : 0.1 + 4.9 * r.nextDouble()) * 1e150;
      }
    }
    MiniBatchNMF mb = new MiniBatchNMF(3).setBatchSize(5).setRandomState(0).setMaxIter(30).fit(x);
    assertFiniteNonNegative(mb.transform(x), "transform");

    DenseMatrix w = DenseMatrix.of(new double[][] {{0.0, 2.0}});
    DenseMatrix num = DenseMatrix.of(new double[][] {{1e300, 3.0}});
    DenseMatrix den = DenseMatrix.of(new double[][] {{0.0, 1.5}}); // 0 is read as epsilon
    MultiplicativeUpdate.update(w, num, den, 0.0, 0.0, 1.0);
    assertEquals(0.0, w.get(0, 0));
    assertEquals(4.0, w.get(0, 1));
  }

  private static double[][] scaled(double[][] x, double scale) {
    double[][] s = new double[x.length][x[0].length];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < x[0].length; j++) {
        s[i][j] = x[i][j] * scale;
      }
    }
    return s;
  }

  /** ‖X − WH‖_F with the squares summed in BigDecimal (they do not fit in a double at 1e150). */
  private static double frobeniusDistance(double[][] x, double[][] w, double[][] h) {
    BigDecimal sum = BigDecimal.ZERO;
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < x[0].length; j++) {
        double wh = 0;
        for (int t = 0; t < h.length; t++) {
          wh += w[i][t] * h[t][j];
        }
        BigDecimal d = new BigDecimal(x[i][j] - wh);
        sum = sum.add(d.multiply(d));
      }
    }
    return sum.sqrt(MathContext.DECIMAL64).doubleValue();
  }

  private static void check(double[][] w, String what) {
    assertFiniteNonNegative(w, what);
  }

  private static double maxOfRow(double[][] a, int i) {
    double m = 0;
    for (double v : a[i]) {
      m = Math.max(m, v);
    }
    return m;
  }

  private static void assertFiniteNonNegative(double[][] a, String what) {
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[i].length; j++) {
        if (!Double.isFinite(a[i][j]) || a[i][j] < 0) {
          fail(what + "[" + i + "][" + j + "] = " + a[i][j]);
        }
      }
    }
  }
}
