package org.sparknmf.solver;

import static org.sparknmf.testing.TestMatrices.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sparknmf.linalg.CsrMatrix;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;

/** The coordinate-descent fit on several threads: the same fit as on one, bit for bit. */
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
          Fit many = fit(x, o, true, null, threads);
          String what = x.getClass().getSimpleName() + ", " + threads + " threads";
          assertEquals(one.result().nIter(), many.result().nIter(), what);
          assertEquals(one.result().history(), many.result().history(), what);
          assertArrayEquals(one.w().data(), many.w().data(), what);
          assertArrayEquals(one.ht().data(), many.ht().data(), what);
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
