package org.sparknmf.solver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sparknmf.linalg.CsrMatrix;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.testing.TestMatrices;

class FactorStatisticsTest {

  private static DenseMatrix random(Random r, int rows, int cols) {
    return DenseMatrix.of(TestMatrices.randomArray(r, rows, cols, 0.0));
  }

  /**
   * Statistics that a reset leaves untouched while they are known to be zero must still be cleared
   * once anything may have written them: a view handed out, a merge, an accumulation.
   */
  @Test
  void aResetClearsWhateverWroteTheSumsSinceTheLastOne() {
    Random r = new Random(3);
    DataMatrix x = CsrMatrix.fromDense(DenseMatrix.of(TestMatrices.randomArray(r, 12, 9, 0.5)));
    DenseMatrix w = random(r, 12, 4);
    DenseMatrix ht = random(r, 9, 4);
    for (BetaLoss loss : new BetaLoss[] {BetaLoss.FROBENIUS, BetaLoss.KULLBACK_LEIBLER, new BetaLoss(0.5)}) {
      FactorStatistics fresh = FactorStatistics.of(Side.H, loss, x, w, ht);
      FactorStatistics s = FactorStatistics.zeros(Side.H, loss, 9, 4);
      s.numerator().set(2, 1, 7.0); // written through the view a caller got
      s.reset().accumulate(x, w, ht);
      assertStatistics(fresh, s, ht, loss);

      s.reset().accumulate(x, w, ht); // accumulated, then reset
      assertStatistics(fresh, s, ht, loss);

      FactorStatistics merged = FactorStatistics.zeros(Side.H, loss, 9, 4).merge(fresh);
      merged.reset().accumulate(x, w, ht); // merged into, then reset
      assertStatistics(fresh, merged, ht, loss);

      if (loss.isFrobenius()) {
        FactorStatistics g = FactorStatistics.zeros(Side.H, loss, 9, 4);
        g.gram().set(0, 0, 1.0);
        g.reset().accumulate(x, w, ht);
        assertStatistics(fresh, g, ht, loss);
      }
    }
  }

  @Test
  void aShorterResetOfZeroSumsThenALongerOneStayZero() {
    FactorStatistics s = FactorStatistics.zeros(Side.W, BetaLoss.FROBENIUS, 6, 3);
    s.reset(2);
    assertEquals(2, s.numerator().rows());
    s.reset(6);
    assertArrayEquals(new double[18], s.numerator().data());
  }

  private static void assertStatistics(FactorStatistics expected, FactorStatistics actual, DenseMatrix ht,
      BetaLoss loss) {
    assertArrayEquals(expected.numerator().data(), actual.numerator().data(), loss.toString());
    assertArrayEquals(expected.denominator(ht).data(), actual.denominator(ht).data(), loss.toString());
  }
}
