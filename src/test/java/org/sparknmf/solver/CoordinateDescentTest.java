package org.sparknmf.solver;

import static org.sparknmf.testing.TestMatrices.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sparknmf.linalg.DenseMatrix;

/** The sweep against scikit-learn's {@code _update_cdnmf_fast} loop, written out row by row. */
class CoordinateDescentTest {

  /** {@code _update_cdnmf_fast}: for t in permutation, for each row, the projected Newton step. */
  static double referenceSweep(DenseMatrix f, DenseMatrix gram, DenseMatrix xg, int[] permutation) {
    double violation = 0.0;
    for (int t : permutation) {
      double hess = gram.get(t, t);
      for (int i = 0; i < f.rows(); i++) {
        double grad = -xg.get(i, t);
        for (int r = 0; r < f.cols(); r++) {
          grad += gram.get(t, r) * f.get(i, r);
        }
        double pg = f.get(i, t) == 0.0 ? Math.min(0.0, grad) : grad;
        violation += Math.abs(pg);
        if (hess != 0.0) {
          f.set(i, t, Math.max(f.get(i, t) - grad / hess, 0.0));
        }
      }
    }
    return violation;
  }

  /** The update without penalties, on the calling thread: one sweep. */
  private static double sweep(DenseMatrix f, DenseMatrix gram, DenseMatrix xg, int[] permutation) {
    return CoordinateDescent.update(f, gram, xg, 0.0, 0.0, permutation, RowParallel.serial());
  }

  @Test
  void sweepTakesScikitLearnsStepsBitForBit() {
    Random r = new Random(11);
    for (int rows : new int[] {1, 7, 128, 129, 1000}) {
      int k = 6;
      DenseMatrix g = random(r, 30, k, 0.0);
      DenseMatrix gram = g.gram();
      DenseMatrix f = random(r, rows, k, 0.3);
      // X·G minus a little, so that some steps hit the bound at 0.
      DenseMatrix xg = random(r, rows, k, 0.0);
      DenseMatrix expected = f.copy();
      double expectedViolation = referenceSweep(expected, gram, xg, new int[] {3, 0, 5, 1, 4, 2});
      double violation = sweep(f, gram, xg, new int[] {3, 0, 5, 1, 4, 2});
      assertArrayEquals(expected.data(), f.data(), rows + " rows");
      assertEquals(expectedViolation, violation, rows + " rows");
    }
  }

  @Test
  void sweepOfAViewChangesOnlyItsRows() {
    Random r = new Random(12);
    DenseMatrix f = random(r, 300, 4, 0.2);
    DenseMatrix xg = random(r, 300, 4, 0.0);
    DenseMatrix gram = random(r, 50, 4, 0.0).gram();
    DenseMatrix expected = f.copy();
    referenceSweep(expected.rowRange(100, 250), gram, xg.rowRange(100, 250), new int[] {0, 1, 2, 3});
    sweep(f.rowRange(100, 250), gram, xg.rowRange(100, 250), new int[] {0, 1, 2, 3});
    assertArrayEquals(expected.data(), f.data());
  }

  @Test
  void anOverflowedGradientLeavesItsEntryAndReportsAnInfiniteViolation() {
    DenseMatrix f = DenseMatrix.of(new double[][] {{1.0, 2.0}, {3.0, 4.0}});
    DenseMatrix gram = DenseMatrix.of(new double[][] {{2.0, Double.POSITIVE_INFINITY}, {1.0, 2.0}});
    DenseMatrix xg = DenseMatrix.of(new double[][] {{Double.POSITIVE_INFINITY, 1.0}, {1.0, 1.0}});
    double violation = sweep(f, gram, xg, new int[] {0, 1});
    assertEquals(Double.POSITIVE_INFINITY, violation);
    assertEquals(1.0, f.get(0, 0), "∞ − ∞ in row 0: the entry is left as it was");
    for (double v : f.data()) {
      assertFalse(Double.isNaN(v));
    }
  }

  @Test
  void threadedUpdateGivesTheSameBitsAsOneThread() {
    Random r = new Random(13);
    DenseMatrix g = random(r, 40, 5, 0.0);
    DenseMatrix f0 = random(r, 2000, 5, 0.2);
    DenseMatrix xg0 = random(r, 2000, 5, 0.0);
    DenseMatrix[] fs = new DenseMatrix[3];
    double[] violations = new double[3];
    int[] threads = {1, 2, 3};
    for (int c = 0; c < 3; c++) {
      fs[c] = f0.copy();
      try (RowParallel par = RowParallel.start(threads[c], 0)) {
        violations[c] = CoordinateDescent.update(fs[c], g.gram(), xg0.copy(), 0.01, 0.1, new int[] {4, 2, 0, 1, 3}, par);
      }
    }
    for (int c = 1; c < 3; c++) {
      assertArrayEquals(fs[0].data(), fs[c].data(), threads[c] + " threads");
      assertEquals(violations[0], violations[c], threads[c] + " threads");
    }
    // And the same steps as the statistics' form of the update (one thread, one sweep).
    DenseMatrix viaStatistics = f0.copy();
    FactorStatistics stats = FactorStatistics.zeros(Side.W, BetaLoss.FROBENIUS, 2000, 5);
    System.arraycopy(xg0.data(), 0, stats.numerator().data(), 0, 2000 * 5);
    g.transposeTimesAdd(g, stats.gram());
    CoordinateDescent.update(viaStatistics, stats, 0.01, 0.1, new int[] {4, 2, 0, 1, 3});
    assertArrayEquals(fs[0].data(), viaStatistics.data());
  }
}
