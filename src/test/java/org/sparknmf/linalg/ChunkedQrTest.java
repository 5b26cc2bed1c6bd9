package org.sparknmf.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparknmf.testing.Assertions2;

class ChunkedQrTest {

  /**
   * Q·R = X·q, Q orthonormal and R upper triangular, for chunks that do and do not divide the
   * rows, dense and CSR X, fewer rows than columns, and a Y whose columns span 300 decades (where
   * the Gram matrix YᵀY has lost all but the largest).
   */
  @ParameterizedTest(name = "{0}x{1}, l {2}, chunk {3}, sparse={4}, huge={5}")
  @CsvSource({
      "100, 30, 7, 40,  false, false",
      "100, 30, 7, 100, false, false",
      "97,  30, 7, 14,  true,  false",
      "5,   30, 7, 14,  false, false",
      "60,  12, 5, 20,  false, true",
  })
  void factorsXTimesQ(int m, int n, int l, int chunk, boolean sparse, boolean huge) {
    Random r = new Random(31L * m + n);
    DenseMatrix dense = new DenseMatrix(m, n);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        dense.set(i, j, sparse && r.nextDouble() < 0.8 ? 0.0 : r.nextDouble());
      }
    }
    if (huge) {
      dense.set(7, 3, 1e150);
    }
    DataMatrix x = sparse ? CsrMatrix.fromDense(dense) : dense;
    DenseMatrix q = new DenseMatrix(n, l);
    for (int i = 0; i < n * l; i++) {
      q.data()[i] = r.nextGaussian();
    }
    DenseMatrix y = new DenseMatrix(m, l);
    x.timesAdd(q, y);

    ChunkedQr qr = new ChunkedQr(x, q, chunk);
    DenseMatrix rf = qr.r();
    int p = Math.min(m, l);
    assertEquals(p, rf.rows());
    for (int i = 0; i < p; i++) {
      for (int j = 0; j < i; j++) {
        assertEquals(0.0, rf.get(i, j), "R below the diagonal at (" + i + ", " + j + ")");
      }
    }
    DenseMatrix qf = new DenseMatrix(m, p);
    int[] next = {0};
    qr.forEachChunk(identity(p), (from, rows) -> {
      assertEquals(next[0], from, "chunks in row order");
      System.arraycopy(rows.data(), 0, qf.data(), from * p, rows.rows() * p);
      next[0] += rows.rows();
    });
    assertEquals(m, next[0], "every row visited");

    DenseMatrix qtq = new DenseMatrix(p, p);
    qf.transposeTimesAdd(qf, qtq);
    Assertions2.assertMatrixClose(identity(p).toArray(), qtq.toArray(), 1e-13, "QᵀQ");
    DenseMatrix product = new DenseMatrix(m, l);
    qf.timesAdd(rf, product);
    double err = Assertions2.relativeError(product.toArray(), y.toArray());
    assertTrue(err < 1e-14, "‖QR − Xq‖ / ‖Xq‖ = " + err);
  }

  private static DenseMatrix identity(int p) {
    DenseMatrix id = new DenseMatrix(p, p);
    for (int i = 0; i < p; i++) {
      id.set(i, i, 1.0);
    }
    return id;
  }
}
