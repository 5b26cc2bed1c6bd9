package org.sparknmf.solver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.ByteBuffer;
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
   * The sums as {@link FactorStatistics#writeTo} writes them, read without a view, which would tell
   * the statistics that they may be written.
   */
  private static double[] sums(FactorStatistics s) {
    ByteBuffer b = ByteBuffer.allocate(s.encodedBytes());
    s.writeTo(b);
    b.flip().position(4 + 8 + 4 + 4);
    double[] d = new double[b.remaining() / 8];
    b.asDoubleBuffer().get(d);
    return d;
  }

  /**
   * Sums that a reset leaves untouched while they are known to be zero must still be cleared once
   * anything may have written them: a view handed out, an accumulation, a merge, a read of written
   * sums.
   */
  @Test
  void aResetClearsWhateverWroteTheSumsSinceTheLastOne() {
    Random r = new Random(3);
    DataMatrix x = CsrMatrix.fromDense(DenseMatrix.of(TestMatrices.randomArray(r, 12, 9, 0.5)));
    DenseMatrix w = random(r, 12, 4);
    DenseMatrix ht = random(r, 9, 4);
    for (BetaLoss loss : new BetaLoss[] {BetaLoss.FROBENIUS, BetaLoss.KULLBACK_LEIBLER, new BetaLoss(0.5)}) {
      FactorStatistics filled = FactorStatistics.of(Side.H, loss, x, w, ht);
      double[] zero = new double[sums(filled).length];

      FactorStatistics viewed = FactorStatistics.zeros(Side.H, loss, 9, 4);
      viewed.numerator().set(2, 1, 7.0); // written through the view a caller got
      assertArrayEquals(zero, sums(viewed.reset()), loss + ": written through numerator()");

      FactorStatistics accumulated = FactorStatistics.zeros(Side.H, loss, 9, 4).accumulate(x, w, ht);
      assertArrayEquals(sums(filled), sums(accumulated), loss.toString());
      assertArrayEquals(zero, sums(accumulated.reset()), loss + ": accumulated");

      FactorStatistics merged = FactorStatistics.zeros(Side.H, loss, 9, 4).merge(filled);
      assertArrayEquals(zero, sums(merged.reset()), loss + ": merged into");

      ByteBuffer b = ByteBuffer.allocate(filled.encodedBytes());
      filled.writeTo(b);
      FactorStatistics read = FactorStatistics.readFrom(b.flip());
      assertArrayEquals(sums(filled), sums(read), loss.toString());
      assertArrayEquals(zero, sums(read.reset()), loss + ": read back");

      if (loss.isFrobenius()) {
        FactorStatistics g = FactorStatistics.zeros(Side.H, loss, 9, 4);
        g.gram().set(0, 0, 1.0);
        assertArrayEquals(zero, sums(g.reset()), "written through gram()");
      }
    }
  }

  @Test
  void aLongerResetAfterAShorterOneClearsWhatTheShorterLeft() {
    Random r = new Random(4);
    DataMatrix x = CsrMatrix.fromDense(DenseMatrix.of(TestMatrices.randomArray(r, 6, 5, 0.3)));
    DenseMatrix ht = random(r, 5, 3);
    FactorStatistics s = FactorStatistics.zeros(Side.W, BetaLoss.FROBENIUS, 6, 3)
        .accumulate(x, random(r, 6, 3), ht);
    s.reset(2); // clears the first 2 rows' sums only
    assertArrayEquals(new double[2 * 3 + 9], sums(s));
    s.reset(6); // must clear rows 2–5 too, though the first 2 are known to be zero
    assertArrayEquals(new double[6 * 3 + 9], sums(s));
  }
}
