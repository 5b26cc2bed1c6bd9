package org.sparknmf.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sparknmf.testing.TestMatrices;

/**
 * What every {@link DataMatrix} must do, checked against plain loops over a {@code double[][]}; a
 * subclass supplies the implementation. Products are compared within a few ulps of their size
 * (BLAS may add in another order); exact kernels are checked for bits in the subclasses.
 */
abstract class DataMatrixContract {

  /** The implementation under test holding {@code x}. */
  abstract DataMatrix of(double[][] x);

  static double[][] random(Random r, int rows, int cols, double zeroShare) {
    return TestMatrices.randomArray(r, rows, cols, zeroShare);
  }

  static DenseMatrix dense(double[][] x) {
    return DenseMatrix.of(x);
  }

  /** {@code out + op(x)·g} by plain loops, op = transpose when asked. */
  static double[][] product(double[][] x, boolean transpose, double[][] g, double[][] out) {
    double[][] r = new double[out.length][];
    for (int i = 0; i < out.length; i++) {
      r[i] = out[i].clone();
    }
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < x[i].length; j++) {
        for (int t = 0; t < g[0].length; t++) {
          if (transpose) {
            r[j][t] += x[i][j] * g[i][t];
          } else {
            r[i][t] += x[i][j] * g[j][t];
          }
        }
      }
    }
    return r;
  }

  static void assertClose(double[][] expected, DenseMatrix actual) {
    assertEquals(expected.length, actual.rows());
    for (int i = 0; i < expected.length; i++) {
      for (int t = 0; t < expected[i].length; t++) {
        assertEquals(expected[i][t], actual.get(i, t), 1e-12 * (1 + Math.abs(expected[i][t])),
            "entry (" + i + ", " + t + ")");
      }
    }
  }

  @Test
  void productsAddXTimesGAndXTransposedTimesG() {
    Random r = new Random(1);
    double[][] x = random(r, 37, 23, 0.7);
    for (boolean transpose : new boolean[] {false, true}) {
      double[][] g = random(r, transpose ? 37 : 23, 6, 0.0);
      double[][] out = random(r, transpose ? 23 : 37, 6, 0.0);
      DenseMatrix result = dense(out);
      if (transpose) {
        of(x).transposeTimesAdd(dense(g), result);
      } else {
        of(x).timesAdd(dense(g), result);
      }
      assertClose(product(x, transpose, g, out), result);
    }
  }

  @Test
  void rowRangeIsAViewOfThoseRows() {
    Random r = new Random(3);
    double[][] x = random(r, 40, 12, 0.5);
    double[][] g = random(r, 12, 4, 0.0);
    DataMatrix view = of(x).rowRange(10, 25);
    assertEquals(15, view.rows());
    assertEquals(12, view.cols());
    double[][] rows = java.util.Arrays.copyOfRange(x, 10, 25);
    assertArrayEquals(dense(rows).data(), view.toDense().data());
    DenseMatrix result = new DenseMatrix(15, 4);
    view.timesAdd(dense(g), result);
    assertClose(product(rows, false, g, new double[15][4]), result);
    double[][] g2 = random(r, 15, 4, 0.0);
    DenseMatrix result2 = new DenseMatrix(12, 4);
    view.transposeTimesAdd(dense(g2), result2);
    assertClose(product(rows, true, g2, new double[12][4]), result2);
  }

  @Test
  void sumsAndNormsCountEveryEntry() {
    double[][] x = random(new Random(4), 30, 9, 0.6);
    double sum = 0;
    double squares = 0;
    for (double[] row : x) {
      for (double v : row) {
        sum += v;
        squares += v * v;
      }
    }
    DataMatrix m = of(x);
    assertEquals(sum, m.sum(), 1e-12 * sum);
    assertEquals(squares, m.squaredNorm(), 1e-12 * squares);
    assertEquals(sum / (30 * 9), m.mean(), 1e-12);
  }

  @Test
  void minAndTheNonNegativeFiniteCheckSeeEveryEntry() {
    double[][] x = random(new Random(5), 12, 7, 0.5);
    assertEquals(0.0, of(x).min(), "implicit or stored zeros");
    assertTrue(of(x).nonNegativeFinite());
    double[][] full = random(new Random(6), 12, 7, 0.0);
    double least = Double.POSITIVE_INFINITY;
    for (double[] row : full) {
      for (double v : row) {
        least = Math.min(least, v);
      }
    }
    assertEquals(least, of(full).min());
    assertEquals(least, of(full).rowRange(0, 12).min(), "a view");
    double[] bad = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -1e-300};
    for (double v : bad) {
      double[][] y = TestMatrices.withEntry(full, 11, 6, v);
      assertFalse(of(y).nonNegativeFinite(), "entry " + v);
      assertTrue(of(y).rowRange(0, 11).nonNegativeFinite(), "a view without row 11, entry " + v);
    }
    assertEquals(-1e-300, of(TestMatrices.withEntry(full, 3, 2, -1e-300)).min());
  }

  @Test
  void productsRejectMismatchedShapes() {
    DataMatrix m = of(random(new Random(5), 6, 4, 0.5));
    assertThrows(IllegalArgumentException.class, () -> m.timesAdd(new DenseMatrix(5, 2), new DenseMatrix(6, 2)));
    assertThrows(IllegalArgumentException.class, () -> m.transposeTimesAdd(new DenseMatrix(6, 2), new DenseMatrix(5, 2)));
  }
}
