package org.sparknmf.jmh;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.sparknmf.linalg.CsrMatrix;
import org.sparknmf.linalg.DenseMatrix;

/** Seeded random inputs for the benchmarks. */
final class Data {

  private Data() {}

  /** Entries uniform in [0, scale). */
  static DenseMatrix uniform(int rows, int cols, double scale, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    DenseMatrix m = new DenseMatrix(rows, cols);
    double[] d = m.data();
    for (int i = 0; i < d.length; i++) {
      d[i] = scale * r.nextDouble();
    }
    return m;
  }

  /** A factor as scikit-learn's random init draws it: uniform, scaled so that W·H has mean {@code mean}. */
  static DenseMatrix factor(int rows, int k, double mean, long seed) {
    return uniform(rows, k, 2.0 * Math.sqrt(mean / k), seed);
  }

  /**
   * A CSR matrix with {@code max(1, round(density·cols))} non-zeros in every row, at distinct random
   * columns (uniform: no popular columns, unlike text), sorted, values uniform in (0, 1].
   */
  static CsrMatrix sparse(int rows, int cols, double density, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int perRow = (int) Math.max(1, Math.min(cols, Math.round(density * cols)));
    int[] indptr = new int[rows + 1];
    int[] indices = new int[Math.multiplyExact(rows, perRow)];
    double[] values = new double[indices.length];
    int[] seen = new int[cols];
    int stamp = 0;
    int p = 0;
    for (int i = 0; i < rows; i++) {
      stamp++;
      int start = p;
      while (p - start < perRow) {
        int j = r.nextInt(cols);
        if (seen[j] != stamp) {
          seen[j] = stamp;
          indices[p++] = j;
        }
      }
      Arrays.sort(indices, start, p);
      for (int q = start; q < p; q++) {
        values[q] = 1.0 - r.nextDouble();
      }
      indptr[i + 1] = p;
    }
    return new CsrMatrix(rows, cols, indptr, indices, values);
  }

  static int[] identity(int k) {
    int[] p = new int[k];
    for (int t = 0; t < k; t++) {
      p[t] = t;
    }
    return p;
  }

  /** Bytes of a CSR matrix's arrays: 12 per stored entry and 4 per row pointer. */
  static long csrBytes(CsrMatrix x) {
    return 12L * x.storedEntries() + 4L * (x.rows() + 1);
  }
}
