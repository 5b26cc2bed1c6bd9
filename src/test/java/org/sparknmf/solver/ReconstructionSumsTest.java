package org.sparknmf.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sparknmf.linalg.CsrMatrix;
import org.sparknmf.linalg.DenseMatrix;

class ReconstructionSumsTest {

  @Test
  void handComputedValues() {
    double[][] x = {{1, 2}, {3, 0}};
    double[][] xhat = {{1, 1}, {2, 1}};
    ReconstructionSums kl = ReconstructionSums.zero(BetaLoss.KULLBACK_LEIBLER);
    for (int i = 0; i < 2; i++) {
      kl.addDense(x[i], xhat[i]);
    }
    assertEquals(Math.sqrt(3), kl.frobenius(), 1e-15);
    assertEquals(Math.sqrt(3.0 / 14.0), kl.relativeFrobenius(), 1e-15);
    // Σ_{x>0} x·log(x/x̂) + Σ x̂ − Σ_{x>0} x: the zero of X enters only Σ x̂.
    assertEquals(2 * Math.log(2) + 3 * Math.log(1.5) + 5 - 6, kl.betaDivergence(), 1e-14);
    ReconstructionSums is = ReconstructionSums.zero(BetaLoss.ITAKURA_SAITO);
    is.addDense(x[0], xhat[0]).addDense(x[1], xhat[1]);
    // Σ_{x>0} (x/x̂ − log(x/x̂)) − (number of entries, zeros included)
    assertEquals(1 + 2 + 1.5 - Math.log(2) - Math.log(1.5) - 4, is.betaDivergence(), 1e-14);
    ReconstructionSums fro = ReconstructionSums.zero(BetaLoss.FROBENIUS);
    fro.addDense(x[0], xhat[0]).addDense(x[1], xhat[1]);
    assertEquals(1.5, fro.betaDivergence(), 0.0);
    ReconstructionSums half = ReconstructionSums.zero(new BetaLoss(0.5));
    half.addDense(x[0], xhat[0]).addDense(x[1], xhat[1]);
    // (Σ_{x>0} x^β − β Σ_{x>0} x·x̂^(β−1) + (β−1) Σ x̂^β) / (β(β−1))
    double t0 = 1 + Math.sqrt(2) + Math.sqrt(3);
    double t1 = 1 + 2 + 3 / Math.sqrt(2);
    double t2 = 1 + 1 + Math.sqrt(2) + 1;
    assertEquals((t0 - 0.5 * t1 - 0.5 * t2) / (0.5 * -0.5), half.betaDivergence(), 1e-14);
  }

  /** Random X with zeros and entries below epsilon, and W with a zero row (so W·H has a zero row). */
  @Test
  void equalsBetaDivergenceOfTheFactors() {
    Random rnd = new Random(7);
    int m = 9;
    int n = 6;
    int k = 3;
    DenseMatrix w = new DenseMatrix(m, k);
    DenseMatrix ht = new DenseMatrix(n, k);
    DenseMatrix x = new DenseMatrix(m, n);
    for (int i = 0; i < m; i++) {
      for (int t = 0; t < k; t++) {
        w.set(i, t, i == 4 ? 0.0 : rnd.nextDouble());
      }
      for (int j = 0; j < n; j++) {
        double u = rnd.nextDouble();
        x.set(i, j, u < 0.3 ? 0.0 : u < 0.35 ? 1e-9 : 2 * rnd.nextDouble());
      }
    }
    for (int j = 0; j < n; j++) {
      for (int t = 0; t < k; t++) {
        ht.set(j, t, rnd.nextDouble());
      }
    }
    DenseMatrix xhat = new DenseMatrix(m, n);
    w.timesTransposeInto(ht, xhat);
    CsrMatrix sparse = CsrMatrix.fromDense(x);
    for (double beta : new double[] {2, 1, 0, 0.5, 1.5, 3}) {
      BetaLoss loss = new BetaLoss(beta);
      double expected = BetaDivergence.of(x, w, ht, loss);
      // Two partial sums merged, one dense and one sparse, as a treeAggregate would make them.
      ReconstructionSums a = ReconstructionSums.zero(loss);
      ReconstructionSums b = ReconstructionSums.zero(loss);
      for (int i = 0; i < m; i++) {
        double[] xh = xhat.rowRange(i, i + 1).copy().data();
        if (i < 5) {
          a.addDense(x.rowRange(i, i + 1).copy().data(), xh);
        } else {
          int from = sparse.rowBegin(i);
          int to = sparse.rowEnd(i);
          int[] idx = java.util.Arrays.copyOfRange(sparse.indices(), from, to);
          double[] val = java.util.Arrays.copyOfRange(sparse.values(), from, to);
          b.addSparse(n, idx, val, xh);
        }
      }
      double got = a.merge(b).betaDivergence();
      assertTrue(Double.isFinite(expected), "beta " + beta);
      assertEquals(expected, got, 1e-12 * Math.max(1, Math.abs(expected)), "beta " + beta);
      assertEquals(m, a.rows());
      assertEquals(BetaDivergence.reconstructionError(x, w, ht, BetaLoss.FROBENIUS), a.frobenius(), 1e-12);
    }
  }

  @Test
  void rejectsDifferentSizesAndMixedLosses() {
    ReconstructionSums s = ReconstructionSums.zero(null);
    assertThrows(IllegalArgumentException.class, () -> s.addDense(new double[3], new double[2]));
    assertThrows(IllegalArgumentException.class, () -> s.addSparse(3, new int[] {0}, new double[] {1}, new double[4]));
    assertThrows(IllegalStateException.class, s::betaDivergence);
    assertThrows(IllegalArgumentException.class,
        () -> ReconstructionSums.zero(BetaLoss.FROBENIUS).merge(ReconstructionSums.zero(BetaLoss.KULLBACK_LEIBLER)));
  }
}
