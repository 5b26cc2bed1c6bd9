package org.sparknmf.solver;

import static org.sparknmf.testing.TestMatrices.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sparknmf.linalg.CsrMatrix;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;

/** The mini-batch cost from a step's statistics against the divergence summed from WH. */
class BetaDivergenceTest {

  private static double fromStatistics(DataMatrix x, double xSquaredNorm, DenseMatrix w, DenseMatrix ht,
      BetaLoss loss) {
    FactorStatistics h = FactorStatistics.of(Side.H, loss, x, w, ht);
    return BetaDivergence.withStatistics(x, xSquaredNorm, w, ht, loss, h, null);
  }

  /**
   * A mini-batch step hands the cost the HHᵀ that W's update formed ({@code MiniBatchSolver.formsGram})
   * instead of forming it again: the same bits as HHᵀ formed afresh, on dense X (one pass) and sparse
   * X (two), and so the same cost.
   */
  @Test
  void theWUpdatesGramIsHhtBitForBit() {
    Random r = new Random(11);
    DenseMatrix ht = random(r, 40, 5, 0.0);
    NmfOptions options = new NmfOptions().nComponents(5).solver("mu").batchSize(300);
    for (DataMatrix x : new DataMatrix[] {random(r, 300, 40, 0.0), CsrMatrix.fromDense(random(r, 300, 40, 0.9))}) {
      DenseMatrix w = random(r, 300, 5, 0.0);
      assertTrue(MiniBatchSolver.formsGram(options, w));
      FactorStatistics wStats = FactorStatistics.zeros(Side.W, BetaLoss.FROBENIUS, 300, 5);
      FactorStatistics hStats = FactorStatistics.zeros(Side.H, BetaLoss.FROBENIUS, 40, 5);
      MiniBatchSolver.updateW(options, x, w, ht, wStats, hStats);
      assertArrayEquals(ht.gram().data(), wStats.gram().data(), x.getClass().getSimpleName());
      assertEquals(BetaDivergence.withStatistics(x, Double.NaN, w, ht, BetaLoss.FROBENIUS, hStats, null),
          BetaDivergence.withStatistics(x, Double.NaN, w, ht, BetaLoss.FROBENIUS, hStats, wStats.gram()), 0.0);
    }
    assertFalse(MiniBatchSolver.formsGram(options, null), "W solved afresh: no Gram formed");
    assertFalse(MiniBatchSolver.formsGram(new NmfOptions().nComponents(5).freshRestarts(true), random(r, 3, 5, 0.0)));
    assertFalse(MiniBatchSolver.formsGram(new NmfOptions().nComponents(5).betaLoss("kullback-leibler"),
        random(r, 3, 5, 0.0)));
  }

  @Test
  void statisticsGiveTheSummedFrobeniusErrorOnDenseAndSparseRows() {
    Random r = new Random(3);
    DenseMatrix dense = random(r, 300, 40, 0.0);
    CsrMatrix sparse = CsrMatrix.fromDense(random(r, 300, 40, 0.9));
    DenseMatrix w = random(r, 300, 5, 0.0);
    DenseMatrix ht = random(r, 40, 5, 0.0);
    for (DataMatrix x : new DataMatrix[] {dense, sparse}) {
      double summed = BetaDivergence.of(x, w, ht, BetaLoss.FROBENIUS);
      double viaNorm = fromStatistics(x, x.squaredNorm(), w, ht, BetaLoss.FROBENIUS);
      double computedNorm = fromStatistics(x, Double.NaN, w, ht, BetaLoss.FROBENIUS);
      assertEquals(summed, viaNorm, 1e-12 * summed, x.getClass().getSimpleName());
      assertEquals(viaNorm, computedNorm, 0.0, "NaN: ‖X‖² computed, the same value");
    }
  }

  @Test
  void aNearlyExactFitIsSummedFromWhNotCancelled() {
    Random r = new Random(5);
    DenseMatrix w = random(r, 200, 4, 0.0);
    DenseMatrix ht = random(r, 30, 4, 0.0);
    DenseMatrix x = new DenseMatrix(200, 30);
    w.timesTransposeInto(ht, x);
    x.set(7, 3, x.get(7, 3) + 1e-6); // error 1e-12 against ‖X‖² near 1e4: the difference would be noise
    double summed = BetaDivergence.of(x, w, ht, BetaLoss.FROBENIUS);
    assertEquals(summed, fromStatistics(x, x.squaredNorm(), w, ht, BetaLoss.FROBENIUS), 0.0);
    assertEquals(0.5e-12, summed, 1e-16);
  }

  @Test
  void otherLossesAreSummedAsBefore() {
    Random r = new Random(7);
    DenseMatrix x = random(r, 100, 20, 0.3);
    DenseMatrix w = random(r, 100, 3, 0.0);
    DenseMatrix ht = random(r, 20, 3, 0.0);
    for (BetaLoss loss : new BetaLoss[] {BetaLoss.KULLBACK_LEIBLER, BetaLoss.ITAKURA_SAITO, new BetaLoss(1.5)}) {
      double summed = BetaDivergence.of(x, w, ht, loss);
      assertTrue(summed > 0.0);
      assertEquals(summed, fromStatistics(x, Double.NaN, w, ht, loss), 0.0, "beta " + loss.beta());
    }
  }
}
