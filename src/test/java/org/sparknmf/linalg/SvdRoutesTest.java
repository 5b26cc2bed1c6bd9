package org.sparknmf.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The three routes of {@link Svd#truncated} — dense dgesdd, ARPACK on the Gram operator, dsyevr on
 * the formed Gram matrix — give the same leading triplets, on tall and wide, dense and sparse X.
 */
class SvdRoutesTest {

  @ParameterizedTest(name = "{0}×{1} k={2} sparse={3}")
  @CsvSource({
      "60, 25, 3, false", "60, 25, 3, true", // k small: ARPACK
      "25, 60, 3, true", // wide: eigenvectors of XXᵀ
      "60, 25, 20, false", "25, 60, 20, true"}) // k large: formed Gram + dsyevr
  void routesAgreeWithDenseSvd(int m, int n, int k, boolean sparse) {
    DataMatrix x = randomMatrix(m, n, sparse, 11L * m + n);
    Svd.Result exact = Svd.truncated(x, k, Long.MAX_VALUE);
    Svd.Result gram = Svd.truncated(x, k, 0);
    for (int c = 0; c < k; c++) {
      assertEquals(exact.s()[c], gram.s()[c], 1e-8 * exact.s()[0], "singular value " + c);
      // Singular vectors are defined up to sign: compare u·u' and v·v', which must be ±1.
      assertEquals(1.0, Math.abs(columnDot(exact.u(), gram.u(), c)), 1e-6, "u " + c);
      assertEquals(1.0, Math.abs(rowDot(exact.vt(), gram.vt(), c)), 1e-6, "v " + c);
    }
  }

  /** Non-negative with a decaying spectrum, so the leading triplets are well separated. */
  private static DataMatrix randomMatrix(int m, int n, boolean sparse, long seed) {
    Random r = new Random(seed);
    DenseMatrix x = new DenseMatrix(m, n);
    for (int t = 0; t < Math.min(m, n); t++) {
      double weight = Math.pow(0.7, t);
      double[] a = new double[m];
      double[] b = new double[n];
      for (int i = 0; i < m; i++) {
        a[i] = r.nextDouble();
      }
      for (int j = 0; j < n; j++) {
        b[j] = r.nextDouble();
      }
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          x.set(i, j, x.get(i, j) + weight * a[i] * b[j]);
        }
      }
    }
    if (sparse) {
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          if (r.nextDouble() < 0.6) {
            x.set(i, j, 0.0);
          }
        }
      }
      return CsrMatrix.fromDense(x);
    }
    return x;
  }

  private static double columnDot(DenseMatrix a, DenseMatrix b, int c) {
    double s = 0;
    for (int i = 0; i < a.rows(); i++) {
      s += a.get(i, c) * b.get(i, c);
    }
    return s;
  }

  private static double rowDot(DenseMatrix a, DenseMatrix b, int c) {
    double s = 0;
    for (int j = 0; j < a.cols(); j++) {
      s += a.get(c, j) * b.get(c, j);
    }
    return s;
  }
}
