package org.sparknmf.solver;

import static org.sparknmf.testing.TestMatrices.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparknmf.testing.Assertions2.assertMatrixClose;
import static org.sparknmf.testing.Assertions2.assertRelClose;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sparknmf.linalg.CsrMatrix;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;

/**
 * The full-batch fits: cd as scikit-learn's loop and mu as the update of all rows at once, and on
 * several threads the same fit as on one, bit for bit.
 */
class FullBatchSolverTest {

  /** A rank-6 product plus noise, with a share of its entries set to 0. */
  private static DenseMatrix lowRankPlusNoise(Random r, double zeroShare) {
    DenseMatrix a = random(r, 1500, 6, 0.0);
    DenseMatrix bt = random(r, 60, 6, 0.0);
    DenseMatrix x = new DenseMatrix(1500, 60);
    a.timesTransposeInto(bt, x);
    for (int i = 0; i < 1500; i++) {
      for (int j = 0; j < 60; j++) {
        x.set(i, j, r.nextDouble() < zeroShare ? 0.0 : x.get(i, j) + 0.01 * r.nextDouble());
      }
    }
    return x;
  }

  private record Fit(DenseMatrix w, DenseMatrix ht, FullBatchSolver.Result result) {}

  private static Fit fit(DataMatrix x, NmfOptions options, boolean updateH, DenseMatrix ht0, int threads) {
    Initialization.Factors start = Initialization.initialize(x, 4, "nndsvda", 0L);
    DenseMatrix w = updateH ? start.w() : new DenseMatrix(x.rows(), 4);
    DenseMatrix ht = updateH ? start.ht() : ht0.copy();
    FullBatchSolver.Result r;
    // Threads share even this small work, so that every threaded path runs.
    try (RowParallel par = RowParallel.start(threads, 0)) {
      r = FullBatchSolver.fit(x, w, ht, options, updateH, FullBatchProgress.start(options), FitListener.NONE, par);
    }
    return new Fit(w, ht, r);
  }

  /** scikit-learn's {@code _fit_coordinate_descent} without shuffle, with its loop written out. */
  private static Fit referenceFit(DataMatrix x, NmfOptions o) {
    Initialization.Factors start = Initialization.initialize(x, 4, "nndsvda", 0L);
    DenseMatrix w = start.w();
    DenseMatrix ht = start.ht();
    Regularization reg = o.regularization(x.rows(), x.cols());
    List<Double> history = new ArrayList<>();
    double first = 0.0;
    int iter;
    for (iter = 1; iter <= o.maxIter(); iter++) {
      double violation = 0.0;
      for (Side side : Side.values()) {
        FactorStatistics s = FactorStatistics.of(side, BetaLoss.FROBENIUS, x, w, ht);
        DenseMatrix gram = s.gram().copy();
        DenseMatrix xg = s.numerator();
        for (int t = 0; t < 4; t++) {
          gram.set(t, t, gram.get(t, t) + reg.l2(side));
          for (int i = 0; i < xg.rows(); i++) {
            xg.set(i, t, xg.get(i, t) - reg.l1(side));
          }
        }
        violation += CoordinateDescentTest.referenceSweep(side.own(w, ht), gram, xg, new int[] {0, 1, 2, 3});
      }
      if (iter == 1) {
        first = violation;
      }
      double ratio = FullBatchSolver.relativeViolation(violation, first);
      history.add(ratio);
      if (ratio <= o.tol()) {
        break;
      }
    }
    return new Fit(w, ht, new FullBatchSolver.Result(Math.min(iter, o.maxIter()), history));
  }

  /** The same iterations, history, W and Hᵀ, bit for bit. */
  private static void assertSameFit(Fit expected, Fit actual, String what) {
    assertEquals(expected.result().nIter(), actual.result().nIter(), what);
    assertEquals(expected.result().history(), actual.result().history(), what);
    assertArrayEquals(expected.w().data(), actual.w().data(), what);
    assertArrayEquals(expected.ht().data(), actual.ht().data(), what);
  }

  /**
   * The same iterations, and history, W and Hᵀ within {@code 1e-12} (relative): dense X's products
   * are added up by blocks of rows, in another order than one product over all rows.
   */
  private static void assertCloseFit(Fit expected, Fit actual, String what) {
    assertEquals(expected.result().nIter(), actual.result().nIter(), what);
    List<Double> h = expected.result().history();
    for (int i = 0; i < h.size(); i++) {
      assertRelClose(h.get(i), actual.result().history().get(i), 1e-12, what + ": violation " + i);
    }
    assertMatrixClose(expected.w().toArray(), actual.w().toArray(), 1e-12, what + ": W");
    assertMatrixClose(expected.ht().toArray(), actual.ht().toArray(), 1e-12, what + ": Hᵀ");
  }

  @Test
  void cdIsScikitLearnsLoop() {
    Random r = new Random(15);
    NmfOptions o = new NmfOptions().nComponents(4).solver("cd").tol(1e-6).maxIter(80).alphaW(0.01).l1Ratio(0.5);
    DenseMatrix dense = lowRankPlusNoise(r, 0.0);
    CsrMatrix sparse = CsrMatrix.fromDense(lowRankPlusNoise(r, 0.9));
    for (int threads : new int[] {1, 2}) {
      assertCloseFit(referenceFit(dense, o), fit(dense, o, true, null, threads), "dense, " + threads + " threads");
      assertSameFit(referenceFit(sparse, o), fit(sparse, o, true, null, threads), "sparse, " + threads + " threads");
    }
  }

  /** scikit-learn's {@code _fit_multiplicative_update} for the Frobenius loss, tol 0, written out. */
  private static Fit referenceMu(DataMatrix x, NmfOptions o) {
    Initialization.Factors start = Initialization.initialize(x, 4, "nndsvda", 0L);
    DenseMatrix w = start.w();
    DenseMatrix ht = start.ht();
    Regularization reg = o.regularization(x.rows(), x.cols());
    for (int iter = 1; iter <= o.maxIter(); iter++) {
      MultiplicativeUpdate.update(w, FactorStatistics.of(Side.W, BetaLoss.FROBENIUS, x, w, ht), reg.l1W(), reg.l2W(), 1.0);
      MultiplicativeUpdate.update(ht, FactorStatistics.of(Side.H, BetaLoss.FROBENIUS, x, w, ht), reg.l1H(), reg.l2H(), 1.0);
    }
    return new Fit(w, ht, new FullBatchSolver.Result(o.maxIter(), List.of()));
  }

  @Test
  void muOnDenseXIsTheUpdateOfAllRowsAtOnce() {
    DenseMatrix x = lowRankPlusNoise(new Random(16), 0.0);
    NmfOptions o = new NmfOptions().nComponents(4).solver("mu").tol(0.0).maxIter(40).alphaW(0.01).l1Ratio(0.5);
    Fit expected = referenceMu(x, o);
    Fit one = fit(x, o, true, null, 1);
    assertEquals(40, one.result().nIter());
    assertMatrixClose(expected.w().toArray(), one.w().toArray(), 1e-12, "W");
    assertMatrixClose(expected.ht().toArray(), one.ht().toArray(), 1e-12, "Hᵀ");
    for (int threads : new int[] {2, 3}) {
      Fit more = fit(x, o, true, null, threads);
      assertArrayEquals(one.w().data(), more.w().data(), threads + " threads: W");
      assertArrayEquals(one.ht().data(), more.ht().data(), threads + " threads: Hᵀ");
    }
  }

  @Test
  void moreThreadsThanRows() {
    CsrMatrix x = CsrMatrix.fromDense(DenseMatrix.of(new double[][] {{1, 0, 2, 0, 1}, {0, 3, 0, 1, 0}, {2, 1, 0, 0, 4}}));
    NmfOptions o = new NmfOptions().nComponents(2).solver("cd").init("nndsvda").maxIter(30);
    Initialization.Factors a = Initialization.initialize(x, 2, "nndsvda", 0L);
    Initialization.Factors b = Initialization.initialize(x, 2, "nndsvda", 0L);
    FullBatchSolver.fit(x, a.w(), a.ht(), o, true, 1);
    try (RowParallel par = RowParallel.start(8, 0)) {
      FullBatchSolver.fit(x, b.w(), b.ht(), o, true, FullBatchProgress.start(o), FitListener.NONE, par);
    }
    assertArrayEquals(a.w().data(), b.w().data());
    assertArrayEquals(a.ht().data(), b.ht().data());
  }

  @Test
  void cdOnThreadsIsTheFitOfOneThread() {
    Random r = new Random(14);
    // Enough rows and entries for several row ranges and for Hᵀ's column blocks.
    DenseMatrix dense = lowRankPlusNoise(r, 0.0);
    CsrMatrix sparse = CsrMatrix.fromDense(lowRankPlusNoise(r, 0.9));
    NmfOptions plain = new NmfOptions().nComponents(4).solver("cd").tol(1e-6).maxIter(60);
    NmfOptions penalised = plain.copy().alphaW(0.01).l1Ratio(0.5).shuffle(true).randomState(3L);
    for (DataMatrix x : new DataMatrix[] {dense, sparse}) {
      for (NmfOptions o : new NmfOptions[] {plain, penalised}) {
        Fit one = fit(x, o, true, null, 1);
        assertTrue(one.result().nIter() > 5, "the fit runs some iterations: " + one.result().nIter());
        for (int threads : new int[] {2, 3}) {
          assertSameFit(one, fit(x, o, true, null, threads), x.getClass().getSimpleName() + ", " + threads + " threads");
        }
        // transform: W alone against a fixed H.
        Fit t1 = fit(x, o, false, one.ht(), 1);
        Fit t2 = fit(x, o, false, one.ht(), 2);
        assertArrayEquals(t1.w().data(), t2.w().data());
        assertArrayEquals(one.ht().data(), t2.ht().data(), "H stays fixed");
      }
    }
  }
}
