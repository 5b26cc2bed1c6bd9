package org.sparknmf.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ludovic.netlib.lapack.JavaLAPACK;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.netlib.util.intW;

/** The unblocked LU in plain Java against the Java LAPACK's dgetrf: the same bits and pivots. */
class LuTest {

  private static void assertSameAsLapack(int m, int n, double[] a, String what) {
    double[] expected = a.clone();
    int[] expectedPivots = new int[Math.min(m, n)];
    intW info = new intW(0);
    JavaLAPACK.getInstance().dgetrf(m, n, expected, m, expectedPivots, info);
    double[] actual = a.clone();
    int[] pivots = new int[Math.min(m, n)];
    assertEquals(info.val, Lu.unblocked(m, n, actual, pivots), what + ": INFO");
    assertArrayEquals(expectedPivots, pivots, what + ": pivots");
    assertArrayEquals(expected, actual, what + ": factors");
  }

  private static double[] gaussian(Random r, int size) {
    double[] a = new double[size];
    for (int i = 0; i < size; i++) {
      a[i] = r.nextGaussian();
    }
    return a;
  }

  @Test
  void unblockedLuIsLapacksDgetrfBitForBit() {
    Random r = new Random(21);
    int[][] shapes = {{1, 1}, {5, 5}, {7, 3}, {3, 7}, {1797, 26}, {20000, 20}, {26, 64}, {300, 64},
        {65, 64}, {64, 65}};
    for (int[] s : shapes) {
      assertSameAsLapack(s[0], s[1], gaussian(r, s[0] * s[1]), s[0] + "×" + s[1]);
    }
  }

  @Test
  void zeroColumnsTiesAndTinyPivotsAsLapack() {
    Random r = new Random(22);
    int m = 40;
    int n = 6;
    double[] a = gaussian(r, m * n);
    for (int i = 0; i < m; i++) {
      a[2 * m + i] = 0.0; // an exactly zero column: INFO = 3, the rank-1 update skips it
      a[4 * m + i] = 1e-310 * (i % 3 == 0 ? 1 : -1); // subnormal pivots: division, not reciprocal
    }
    a[m + 5] = a[m + 9] = 100.0; // a tie for the largest: the first one wins
    assertSameAsLapack(m, n, a, "special columns");
    double[] withNaN = gaussian(r, m * n);
    withNaN[3 * m + 7] = Double.NaN;
    withNaN[5 * m + 1] = Double.POSITIVE_INFINITY;
    assertSameAsLapack(m, n, withNaN, "NaN and ∞");
  }

  @Test
  void largerMatricesGoToLapack() {
    Random r = new Random(23);
    int m = 200;
    int n = Lu.UNBLOCKED_MAX + 1;
    double[] a = gaussian(r, m * n);
    double[] expected = a.clone();
    int[] expectedPivots = new int[n];
    JavaLAPACK.getInstance().dgetrf(m, n, expected, m, expectedPivots, new intW(0));
    int[] pivots = new int[n];
    Lu.factor(m, n, a, pivots);
    assertArrayEquals(expectedPivots, pivots);
    assertArrayEquals(expected, a);
  }
}
