package org.sparknmf.linalg;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparknmf.testing.Assertions2;

/** {@link Svd#exact}: all triplets rebuild X, U and V are orthonormal, s descends; k is checked. */
class SvdTest {

  @ParameterizedTest(name = "{0}×{1} sparse={2}")
  @CsvSource({"40, 15, false", "15, 40, false", "40, 15, true", "15, 40, true"})
  void allTripletsRebuildX(int m, int n, boolean sparse) {
    Random r = new Random(7L * m + n);
    DenseMatrix dense = new DenseMatrix(m, n);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        dense.set(i, j, sparse && r.nextDouble() < 0.7 ? 0.0 : r.nextDouble());
      }
    }
    int p = Math.min(m, n);
    Svd.Result svd = Svd.exact(sparse ? CsrMatrix.fromDense(dense) : dense, p);
    DenseMatrix us = svd.u().copy();
    for (int i = 0; i < m; i++) {
      for (int t = 0; t < p; t++) {
        us.set(i, t, us.get(i, t) * svd.s()[t]);
      }
    }
    DenseMatrix rebuilt = new DenseMatrix(m, n);
    us.timesAdd(svd.vt(), rebuilt);
    Assertions2.assertMatrixClose(dense.toArray(), rebuilt.toArray(), 1e-13, "U·diag(s)·Vt");
    DenseMatrix utu = new DenseMatrix(p, p);
    svd.u().transposeTimesAdd(svd.u(), utu);
    DenseMatrix vvt = new DenseMatrix(p, p);
    svd.vt().timesTransposeInto(svd.vt(), vvt);
    double[][] id = new double[p][p];
    for (int t = 0; t < p; t++) {
      id[t][t] = 1.0;
    }
    Assertions2.assertMatrixClose(id, utu.toArray(), 1e-13, "UᵀU");
    Assertions2.assertMatrixClose(id, vvt.toArray(), 1e-13, "V·Vᵀ");
    for (int t = 1; t < p; t++) {
      assertTrue(svd.s()[t] <= svd.s()[t - 1], "s descends at " + t);
    }
    assertThrows(IllegalArgumentException.class, () -> Svd.exact(dense, p + 1));
  }
}
