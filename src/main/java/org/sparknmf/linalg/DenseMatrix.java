package org.sparknmf.linalg;

import java.util.Arrays;

/**
 * A dense row-major matrix, possibly a view of consecutive rows of a larger one ({@code offset}).
 * Used both for dense X and for the factors W ({@code n_samples × k}) and Hᵀ ({@code n_features × k}).
 */
public final class DenseMatrix implements DataMatrix {

  private final int rows;
  private final int cols;
  private final double[] data;
  private final int offset;

  public DenseMatrix(int rows, int cols) {
    this(rows, cols, new double[Math.multiplyExact(rows, cols)], 0);
  }

  /** Wraps row-major {@code data} of length {@code rows·cols}; no copy. */
  public DenseMatrix(int rows, int cols, double[] data) {
    this(rows, cols, data, 0);
    if (data.length != (long) rows * cols) {
      throw new IllegalArgumentException(
          "data has " + data.length + " values, expected " + rows + "×" + cols);
    }
  }

  private DenseMatrix(int rows, int cols, double[] data, int offset) {
    if (rows < 0 || cols < 0) {
      throw new IllegalArgumentException("negative shape " + rows + "×" + cols);
    }
    this.rows = rows;
    this.cols = cols;
    this.data = data;
    this.offset = offset;
  }

  /**
   * A view of {@code rows × cols} row-major entries of {@code data} starting at {@code offset}
   * (a workspace may be longer than the matrix it currently holds); no copy.
   */
  public static DenseMatrix view(int rows, int cols, double[] data, int offset) {
    if (offset < 0 || (long) offset + (long) rows * cols > data.length) {
      throw new IllegalArgumentException(rows + "×" + cols + " at offset " + offset
          + " does not fit in " + data.length + " values");
    }
    return new DenseMatrix(rows, cols, data, offset);
  }

  /** A copy of {@code values}; every row must have the same length. */
  public static DenseMatrix of(double[][] values) {
    int r = values.length;
    int c = r == 0 ? 0 : values[0].length;
    DenseMatrix m = new DenseMatrix(r, c);
    for (int i = 0; i < r; i++) {
      if (values[i].length != c) {
        throw new IllegalArgumentException(
            "row " + i + " has " + values[i].length + " values, row 0 has " + c);
      }
      System.arraycopy(values[i], 0, m.data, i * c, c);
    }
    return m;
  }

  public static DenseMatrix filled(int rows, int cols, double value) {
    DenseMatrix m = new DenseMatrix(rows, cols);
    m.fill(value);
    return m;
  }

  /** Sets every entry of this matrix (or view) to {@code value}. Modifies this. */
  public void fill(double value) {
    Arrays.fill(data, offset, offset + rows * cols, value);
  }

  @Override
  public int rows() {
    return rows;
  }

  @Override
  public int cols() {
    return cols;
  }

  @Override
  public long storedEntries() {
    return (long) rows * cols;
  }

  /** The backing array; entry (i, j) is at {@code offset() + i·cols() + j}. */
  public double[] data() {
    return data;
  }

  public int offset() {
    return offset;
  }

  public double get(int i, int j) {
    return data[offset + i * cols + j];
  }

  public void set(int i, int j, double v) {
    data[offset + i * cols + j] = v;
  }

  @Override
  public DenseMatrix rowRange(int from, int to) {
    if (from < 0 || to > rows || from > to) {
      throw new IndexOutOfBoundsException("rows [" + from + ", " + to + ") of " + rows);
    }
    return new DenseMatrix(to - from, cols, data, offset + from * cols);
  }

  @Override
  public void timesAdd(DenseMatrix g, DenseMatrix out) {
    checkShape("g", g, cols, out.cols);
    checkShape("out", out, rows, g.cols);
    Blas.gemm(false, false, rows, g.cols, cols, 1.0, data, offset, cols,
        g.data, g.offset, g.cols, 1.0, out.data, out.offset, out.cols);
  }

  @Override
  public void transposeTimesAdd(DenseMatrix g, DenseMatrix out) {
    checkShape("g", g, rows, out.cols);
    checkShape("out", out, cols, g.cols);
    Blas.gemm(true, false, cols, g.cols, rows, 1.0, data, offset, cols,
        g.data, g.offset, g.cols, 1.0, out.data, out.offset, out.cols);
  }

  /** {@code out = this · otherᵀ}; other is {@code n × cols}, out is {@code rows × n}. */
  public void timesTransposeInto(DenseMatrix other, DenseMatrix out) {
    checkShape("other", other, out.cols, cols);
    checkShape("out", out, rows, other.rows);
    Blas.gemm(false, true, rows, other.rows, cols, 1.0, data, offset, cols,
        other.data, other.offset, other.cols, 0.0, out.data, out.offset, out.cols);
  }

  /** {@code thisᵀ · this} ({@code cols × cols}). */
  public DenseMatrix gram() {
    DenseMatrix g = new DenseMatrix(cols, cols);
    transposeTimesAdd(this, g);
    return g;
  }

  @Override
  public void forEachEntry(EntryVisitor visitor) {
    for (int i = 0; i < rows; i++) {
      int base = offset + i * cols;
      for (int j = 0; j < cols; j++) {
        visitor.accept(i, j, data[base + j]);
      }
    }
  }

  @Override
  public DenseMatrix mapEntries(EntryFunction f) {
    DenseMatrix m = new DenseMatrix(rows, cols);
    for (int i = 0; i < rows; i++) {
      int base = offset + i * cols;
      for (int j = 0; j < cols; j++) {
        m.data[i * cols + j] = f.apply(i, j, data[base + j]);
      }
    }
    return m;
  }

  // min, nonNegativeFinite, sum and squaredNorm: DataMatrix's results (and order of summation)
  // without a visitor call per entry, which input checks run once per fit, mostly before the JIT
  // has compiled them (about 0.15 s for 10 M entries).
  @Override
  public double min() {
    double m = Double.POSITIVE_INFINITY;
    for (int e = offset, end = offset + rows * cols; e < end; e++) {
      m = Math.min(m, data[e]);
    }
    return m;
  }

  @Override
  public boolean nonNegativeFinite() {
    for (int e = offset, end = offset + rows * cols; e < end; e++) {
      if (!(data[e] >= 0.0 && data[e] < Double.POSITIVE_INFINITY)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public double sum() {
    double s = 0.0;
    for (int e = offset, end = offset + rows * cols; e < end; e++) {
      s += data[e];
    }
    return s;
  }

  @Override
  public double squaredNorm() {
    double s = 0.0;
    for (int e = offset, end = offset + rows * cols; e < end; e++) {
      s += data[e] * data[e];
    }
    return s;
  }

  /** Sum of each column ({@code cols} values). */
  public double[] columnSums() {
    double[] s = new double[cols];
    for (int i = 0; i < rows; i++) {
      Blas.axpy(cols, 1.0, data, offset + i * cols, s, 0);
    }
    return s;
  }

  @Override
  public DenseMatrix toDense() {
    return copy();
  }

  /** A copy of the first {@code n} columns. */
  public DenseMatrix leadingColumns(int n) {
    DenseMatrix out = new DenseMatrix(rows, n);
    for (int i = 0; i < rows; i++) {
      System.arraycopy(data, offset + i * cols, out.data, i * n, n);
    }
    return out;
  }

  /** A compact copy (offset 0). */
  public DenseMatrix copy() {
    DenseMatrix m = new DenseMatrix(rows, cols);
    System.arraycopy(data, offset, m.data, 0, rows * cols);
    return m;
  }

  /** Copies {@code source} (same shape) into this matrix. */
  public void copyFrom(DenseMatrix source) {
    checkShape("source", source, rows, cols);
    System.arraycopy(source.data, source.offset, data, offset, rows * cols);
  }

  public DenseMatrix transpose() {
    DenseMatrix t = new DenseMatrix(cols, rows);
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        t.data[j * rows + i] = data[offset + i * cols + j];
      }
    }
    return t;
  }

  /** The Frobenius inner product Σ this ∘ other (same shape). */
  public double dot(DenseMatrix other) {
    checkShape("other", other, rows, cols);
    return Blas.dot(rows * cols, data, offset, other.data, other.offset);
  }

  /** Frobenius norm of {@code this − other}. */
  public double distance(DenseMatrix other) {
    checkShape("other", other, rows, cols);
    double s = 0.0;
    for (int i = 0, n = rows * cols; i < n; i++) {
      double d = data[offset + i] - other.data[other.offset + i];
      s += d * d;
    }
    return Math.sqrt(s);
  }

  /**
   * {@code ‖this − other‖_F / ‖this‖_F} in one pass: the bits of {@code distance(other) /
   * Math.sqrt(squaredNorm())}, whose two sums run here side by side in the same order.
   */
  public double relativeDistance(DenseMatrix other) {
    checkShape("other", other, rows, cols);
    double s = 0.0;
    double norm = 0.0;
    for (int i = 0, n = rows * cols; i < n; i++) {
      double a = data[offset + i];
      double d = a - other.data[other.offset + i];
      s += d * d;
      norm += a * a;
    }
    return Math.sqrt(s) / Math.sqrt(norm);
  }

  /** The rows as arrays of their own. */
  public double[][] toArray() {
    double[][] a = new double[rows][];
    for (int i = 0; i < rows; i++) {
      a[i] = Arrays.copyOfRange(data, offset + i * cols, offset + (i + 1) * cols);
    }
    return a;
  }

  private static void checkShape(String name, DenseMatrix m, int r, int c) {
    if (m.rows != r || m.cols != c) {
      throw new IllegalArgumentException(
          name + " is " + m.rows + "×" + m.cols + ", expected " + r + "×" + c);
    }
  }

  @Override
  public String toString() {
    return "DenseMatrix " + rows + "×" + cols;
  }
}
