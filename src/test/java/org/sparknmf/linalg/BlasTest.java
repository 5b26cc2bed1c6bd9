package org.sparknmf.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Blas#gemm} against the product summed in plain loops, for shapes that native BLAS gets
 * whole, in blocks of rows (between {@link Blas#OPENBLAS_SERIAL_BELOW} and
 * {@link Blas#CALLING_THREAD_UP_TO} multiply-adds), or whole again because a block would be too
 * thin; with every transpose, offsets, row strides longer than a row, and beta.
 */
class BlasTest {

  @Test
  void everyShapeGivesTheProduct() {
    Random r = new Random(17);
    int[][] shapes = {
        {40, 30, 20}, // small: one call
        {1797, 16, 64}, // 1.8 M multiply-adds: blocks of 255 rows
        {64, 16, 1797}, // blocks of 9 rows of a transposed A
        {3000, 3, 300}, // blocks of 291 rows and a last one of 9
        {5, 16, 20000}, // within the range, but blocks would be 0 rows: whole
        {700, 60, 120}, // 5 M multiply-adds: above the range, whole
    };
    for (int[] s : shapes) {
      for (boolean transA : new boolean[] {false, true}) {
        for (boolean transB : new boolean[] {false, true}) {
          check(r, s[0], s[1], s[2], transA, transB);
        }
      }
    }
  }

  private static void check(Random r, int m, int n, int k, boolean transA, boolean transB) {
    int lda = (transA ? m : k) + 2;
    int ldb = (transB ? k : n) + 1;
    int ldc = n + 3;
    int aOff = 5;
    int bOff = 7;
    int cOff = 11;
    double[] a = random(r, aOff + (transA ? k : m) * lda);
    double[] b = random(r, bOff + (transB ? n : k) * ldb);
    double[] c = random(r, cOff + m * ldc);
    double[] expected = c.clone();
    double alpha = 1.5;
    double beta = 0.5;
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0.0;
        for (int p = 0; p < k; p++) {
          double av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
          double bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
          sum += av * bv;
        }
        int e = cOff + i * ldc + j;
        expected[e] = alpha * sum + beta * c[e];
      }
    }
    Blas.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    String shape = m + "×" + n + "×" + k + (transA ? " Aᵀ" : "") + (transB ? " Bᵀ" : "");
    for (int e = 0; e < c.length; e++) {
      boolean inC = e >= cOff && (e - cOff) % ldc < n && (e - cOff) / ldc < m;
      double tolerance = inC ? 1e-12 * (1 + Math.abs(expected[e])) * Math.sqrt(k) : 0.0;
      assertEquals(expected[e], c[e], tolerance, shape + ", entry " + e + (inC ? "" : " (outside C: untouched)"));
    }
  }

  private static double[] random(Random r, int size) {
    double[] d = new double[size];
    for (int i = 0; i < size; i++) {
      d[i] = r.nextDouble();
    }
    return d;
  }
}
