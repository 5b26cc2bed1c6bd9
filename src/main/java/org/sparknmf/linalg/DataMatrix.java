package org.sparknmf.linalg;

/**
 * The data matrix X (rows = samples, columns = features), dense or CSR sparse.
 *
 * <p>Only the operations the NMF solvers need: products with a factor stored as a tall
 * {@code rows × k} matrix (W, or Hᵀ), row ranges for mini-batches, and a per-entry walk. Every
 * solver and kernel accepts both implementations, as scikit-learn accepts dense and CSR input.
 */
public sealed interface DataMatrix extends java.io.Serializable permits DenseMatrix, CsrMatrix {

  int rows();

  int cols();

  /** Stored entries: {@code rows·cols} for dense, the non-zeros for CSR. */
  long storedEntries();

  /** A view of rows {@code [from, to)}; shares storage with this matrix. */
  DataMatrix rowRange(int from, int to);

  /** {@code out += this · g}; g is {@code cols × k}, out is {@code rows × k}. */
  void timesAdd(DenseMatrix g, DenseMatrix out);

  /** {@code out += thisᵀ · g}; g is {@code rows × k}, out is {@code cols × k}. */
  void transposeTimesAdd(DenseMatrix g, DenseMatrix out);

  /** Visits every stored entry in row-major order. */
  void forEachEntry(EntryVisitor visitor);

  /** A matrix with this one's shape and stored entries, values replaced by {@code f(row, col, value)}. */
  DataMatrix mapEntries(EntryFunction f);

  default double sum() {
    double[] s = new double[1];
    forEachEntry((i, j, v) -> s[0] += v);
    return s[0];
  }

  default double squaredNorm() {
    double[] s = new double[1];
    forEachEntry((i, j, v) -> s[0] += v * v);
    return s[0];
  }

  /** Mean over all {@code rows·cols} entries, implicit zeros included (scikit-learn's {@code X.mean()}). */
  default double mean() {
    return sum() / ((double) rows() * cols());
  }

  /** Smallest entry, implicit zeros included. */
  default double min() {
    double[] m = {Double.POSITIVE_INFINITY};
    forEachEntry((i, j, v) -> m[0] = Math.min(m[0], v));
    boolean hasImplicitZeros = storedEntries() < (long) rows() * cols();
    return hasImplicitZeros ? Math.min(m[0], 0.0) : m[0];
  }

  /** Whether every stored entry is finite and ≥ 0 (NaN is neither). */
  default boolean nonNegativeFinite() {
    boolean[] ok = {true};
    forEachEntry((i, j, v) -> ok[0] &= v >= 0.0 && v < Double.POSITIVE_INFINITY);
    return ok[0];
  }

  /** A dense copy (row-major). */
  DenseMatrix toDense();

  @FunctionalInterface
  interface EntryVisitor {
    void accept(int row, int col, double value);
  }

  @FunctionalInterface
  interface EntryFunction {
    double apply(int row, int col, double value);
  }
}
