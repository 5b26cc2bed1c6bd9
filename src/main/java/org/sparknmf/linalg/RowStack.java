package org.sparknmf.linalg;

import java.util.List;

/** Stacks matrices of the same width on top of each other (scipy's {@code vstack}). */
public final class RowStack {

  private RowStack() {}

  /** One matrix with the rows of {@code parts} in order: dense when every part is, CSR otherwise. */
  public static DataMatrix of(List<? extends DataMatrix> parts, int cols) {
    long rows = 0;
    long stored = 0;
    boolean allDense = true;
    for (DataMatrix p : parts) {
      if (p.cols() != cols) {
        throw new IllegalArgumentException("cannot stack a matrix of " + p.cols() + " columns onto " + cols);
      }
      rows += p.rows();
      stored += p.storedEntries();
      allDense &= p instanceof DenseMatrix;
    }
    if (rows > Integer.MAX_VALUE || stored > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("a matrix of " + rows + " rows and " + stored
          + " stored entries does not fit in one JVM array");
    }
    return allDense ? dense(parts, (int) rows, cols) : csr(parts, (int) rows, cols, (int) stored);
  }

  private static DenseMatrix dense(List<? extends DataMatrix> parts, int rows, int cols) {
    DenseMatrix out = new DenseMatrix(rows, cols);
    double[] d = out.data();
    int at = 0;
    for (DataMatrix p : parts) {
      DenseMatrix q = (DenseMatrix) p;
      int size = q.rows() * cols;
      System.arraycopy(q.data(), q.offset(), d, at, size);
      at += size;
    }
    return out;
  }

  private static CsrMatrix csr(List<? extends DataMatrix> parts, int rows, int cols, int stored) {
    int[] indptr = new int[rows + 1];
    int[] indices = new int[stored];
    double[] values = new double[stored];
    int[] cursor = {0, 0};
    for (DataMatrix p : parts) {
      int base = cursor[0];
      p.forEachEntry((i, j, v) -> {
        indices[cursor[1]] = j;
        values[cursor[1]] = v;
        cursor[1]++;
        indptr[base + i + 1] = cursor[1];
      });
      // rows without stored entries keep the running count
      for (int i = 0; i < p.rows(); i++) {
        indptr[base + i + 1] = Math.max(indptr[base + i + 1], indptr[base + i]);
      }
      cursor[0] += p.rows();
    }
    return new CsrMatrix(rows, cols, indptr, indices, values);
  }
}
