package org.sparknmf.linalg;

import java.util.Arrays;

/**
 * A compressed-sparse-row matrix (scipy's {@code csr_matrix} layout), possibly a view of
 * consecutive rows of a larger one. Column indices within a row need not be sorted.
 */
public final class CsrMatrix implements DataMatrix {

  private final int rows;
  private final int cols;
  private final int[] indptr;
  private final int[] indices;
  private final double[] values;
  /** First row of the backing arrays that this view shows. */
  private final int rowStart;
  /**
   * Whether every row's column indices ascend, once known (null until then): a view of rows of a
   * matrix known to be in order is in order, without a pass of its own each mini-batch step.
   */
  private transient Boolean ascending;

  /**
   * Wraps scipy-style arrays (no copy): row i holds {@code indices/values[indptr[i] .. indptr[i+1])}.
   *
   * @throws IllegalArgumentException when the arrays do not describe a {@code rows × cols} matrix
   */
  public CsrMatrix(int rows, int cols, int[] indptr, int[] indices, double[] values) {
    this(rows, cols, indptr, indices, values, 0);
    if (rows < 0 || cols < 0) {
      throw new IllegalArgumentException("negative shape " + rows + "×" + cols);
    }
    if (indptr.length != rows + 1 || indptr[0] != 0) {
      throw new IllegalArgumentException(
          "indptr must have rows+1 = " + (rows + 1) + " entries starting at 0, got " + indptr.length);
    }
    if (indices.length != values.length || indptr[rows] != indices.length) {
      throw new IllegalArgumentException("indptr[rows] = " + indptr[rows] + " but there are "
          + indices.length + " indices and " + values.length + " values");
    }
    for (int i = 0; i < rows; i++) {
      if (indptr[i + 1] < indptr[i]) {
        throw new IllegalArgumentException("indptr decreases at row " + i);
      }
      for (int p = indptr[i]; p < indptr[i + 1]; p++) {
        if (indices[p] < 0 || indices[p] >= cols) {
          throw new IllegalArgumentException(
              "row " + i + ": column index " + indices[p] + " outside [0, " + cols + ")");
        }
      }
    }
  }

  private CsrMatrix(int rows, int cols, int[] indptr, int[] indices, double[] values, int rowStart) {
    this.rows = rows;
    this.cols = cols;
    this.indptr = indptr;
    this.indices = indices;
    this.values = values;
    this.rowStart = rowStart;
  }

  /** The non-zeros of {@code dense}. */
  public static CsrMatrix fromDense(DenseMatrix dense) {
    int r = dense.rows();
    int c = dense.cols();
    int[] indptr = new int[r + 1];
    int nnz = 0;
    for (int i = 0; i < r; i++) {
      for (int j = 0; j < c; j++) {
        if (dense.get(i, j) != 0.0) {
          nnz++;
        }
      }
      indptr[i + 1] = nnz;
    }
    int[] indices = new int[nnz];
    double[] values = new double[nnz];
    int p = 0;
    for (int i = 0; i < r; i++) {
      for (int j = 0; j < c; j++) {
        double v = dense.get(i, j);
        if (v != 0.0) {
          indices[p] = j;
          values[p++] = v;
        }
      }
    }
    return new CsrMatrix(r, c, indptr, indices, values, 0);
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
    return indptr[rowStart + rows] - indptr[rowStart];
  }

  /** Position of row i's first stored entry in {@link #indices()} / {@link #values()}. */
  public int rowBegin(int i) {
    return indptr[rowStart + i];
  }

  /** Position just past row i's last stored entry. */
  public int rowEnd(int i) {
    return indptr[rowStart + i + 1];
  }

  public int[] indices() {
    return indices;
  }

  public double[] values() {
    return values;
  }

  @Override
  public CsrMatrix rowRange(int from, int to) {
    if (from < 0 || to > rows || from > to) {
      throw new IndexOutOfBoundsException("rows [" + from + ", " + to + ") of " + rows);
    }
    CsrMatrix view = new CsrMatrix(to - from, cols, indptr, indices, values, rowStart + from);
    view.ascending = Boolean.TRUE.equals(ascending) ? Boolean.TRUE : null; // known only: no scan here
    return view;
  }

  @Override
  public void timesAdd(DenseMatrix g, DenseMatrix out) {
    int k = g.cols();
    checkShapes(g, cols, out, rows, k);
    if (rowsCopyPays(storedEntries(), g.rows())) {
      timesAdd(g.toArray(), out);
      return;
    }
    addProduct(g, out, false, columnBlocks(k, rows)); // out's rows are re-read and re-written per block
  }

  /**
   * Bytes of the factor's rows that one block of X's columns reaches in the sparse products. Past
   * a core's own cache (2 MB of L2 here) each non-zero's factor row comes from the shared cache;
   * blocks of 1 MB keep them in L2 (the sparse benchmark set's 3.2 MB Hᵀ: each product about 10 %
   * faster, a step 11–16 %; 256 KB blocks, and two blocks of 1.6 MB, were slower than none).
   */
  static final long CACHE_BLOCK_BYTES = 1L << 20;

  /**
   * Blocks of X's columns for a product with factor rows of {@code k} entries that passes over
   * {@code streamedRows} rows of k once per block: more than one only when the factor outgrows L2,
   * the streamed rows are at most 4 MB (X·Hᵀ of the sparse set's shape with out's rows re-read and
   * re-written per block: 15–18 % faster at 16,384 and 24,576 rows, 8 % slower at 32,768), and
   * every row's columns ascend (so that blocks keep each output entry's order of terms, and its
   * bits).
   */
  int columnBlocks(int k, int streamedRows) {
    boolean pays = 8L * cols * k > 2 * CACHE_BLOCK_BYTES && 8L * streamedRows * k <= 4 * CACHE_BLOCK_BYTES;
    return pays && ascendingRows() ? (int) ((8L * cols * k + CACHE_BLOCK_BYTES - 1) / CACHE_BLOCK_BYTES) : 1;
  }

  private int[] rowBegins() {
    int[] b = new int[rows];
    for (int i = 0; i < rows; i++) {
      b[i] = rowBegin(i);
    }
    return b;
  }

  /** Whether every row's column indices ascend (scipy's sorted indices; Spark's sparse vectors). */
  boolean ascendingRows() {
    Boolean known = ascending;
    if (known == null) {
      known = Boolean.TRUE;
      for (int i = 0; i < rows && known; i++) {
        for (int p = rowBegin(i) + 1, end = rowEnd(i); p < end; p++) {
          if (indices[p] < indices[p - 1]) {
            known = Boolean.FALSE;
            break;
          }
        }
      }
      ascending = known;
    }
    return known;
  }

  /**
   * Entries per row of G from which {@link #timesAdd} first copies G's rows into arrays of their
   * own: the JIT runs {@code acc[r] += v · row[r]} on SIMD lanes, but not a loop reading an array
   * at an offset while writing another (they might be the same array). The copy pays for itself
   * from about 32 entries per row of G (k = 20 and 30, G of 20,000 rows: 14.8 against 13.8 ms at
   * 32, 30.3 against 25.9 ms at 64; on text's X·Hᵀ, 300 per row, 25 against 15 ms). Same bits.
   */
  private static final int ROWS_COPY_PAYS = 32;

  /** Whether X·G with {@code entries} stored entries is faster after copying G's rows. */
  public static boolean rowsCopyPays(long entries, int gRows) {
    return entries >= ROWS_COPY_PAYS * (long) gRows;
  }

  /**
   * {@link #timesAdd(DenseMatrix, DenseMatrix)} with G given as its rows ({@code cols} arrays of
   * {@code out.cols()}), the same bits; each output row is summed in a buffer of its own.
   */
  public void timesAdd(double[][] g, DenseMatrix out) {
    int k = out.cols();
    if (g.length != cols || out.rows() != rows || (g.length > 0 && g[0].length != k)) {
      throw new IllegalArgumentException("shapes do not match: " + g.length + " rows of G, out "
          + out.rows() + "×" + k + ", expected " + cols + " rows of G and " + rows + " of out");
    }
    double[] od = out.data();
    double[] acc = new double[k];
    for (int i = 0; i < rows; i++) {
      int o = out.offset() + i * k;
      System.arraycopy(od, o, acc, 0, k);
      for (int p = rowBegin(i), end = rowEnd(i); p < end; p++) {
        double v = values[p];
        double[] row = g[indices[p]];
        for (int r = 0; r < k; r++) {
          acc[r] += v * row[r];
        }
      }
      System.arraycopy(acc, 0, od, o, k);
    }
  }

  @Override
  public void transposeTimesAdd(DenseMatrix g, DenseMatrix out) {
    int k = g.cols();
    checkShapes(g, rows, out, cols, k);
    // G's rows are re-read once per block, in order: the prefetcher's work, whatever their size.
    addProduct(g, out, true, columnBlocks(k, 0));
  }

  /**
   * {@code out += X·G} ({@code transposed} false: a gather of G's rows into each row of out) or
   * {@code out += Xᵀ·G} (true: a scatter of G's rows into out's), over {@code blocks} blocks of X's
   * columns (rows whose columns ascend, when more than one): each output entry adds its terms in
   * stored order either way. One loop for both products: only the axpy's source and target swap.
   */
  private void addProduct(DenseMatrix g, DenseMatrix out, boolean transposed, int blocks) {
    int k = g.cols();
    double[] gd = g.data();
    double[] od = out.data();
    int[] next = blocks > 1 ? rowBegins() : null;
    for (int b = 1; b <= blocks; b++) {
      int until = (int) ((long) cols * b / blocks);
      for (int i = 0; i < rows; i++) {
        int p = next != null ? next[i] : rowBegin(i);
        int end = rowEnd(i);
        if (transposed) {
          for (int gi = g.offset() + i * k; p < end && indices[p] < until; p++) {
            Blas.axpy(k, values[p], gd, gi, od, out.offset() + indices[p] * k);
          }
        } else {
          for (int o = out.offset() + i * k; p < end && indices[p] < until; p++) {
            Blas.axpy(k, values[p], gd, g.offset() + indices[p] * k, od, o);
          }
        }
        if (next != null) {
          next[i] = p;
        }
      }
    }
  }

  @Override
  public void forEachEntry(EntryVisitor visitor) {
    for (int i = 0; i < rows; i++) {
      for (int p = rowBegin(i), end = rowEnd(i); p < end; p++) {
        visitor.accept(i, indices[p], values[p]);
      }
    }
  }

  // min, nonNegativeFinite, sum and squaredNorm: DataMatrix's results (and order of summation)
  // without a visitor call per entry (see DenseMatrix).
  @Override
  public double min() {
    double m = Double.POSITIVE_INFINITY;
    for (int p = indptr[rowStart], end = indptr[rowStart + rows]; p < end; p++) {
      m = Math.min(m, values[p]);
    }
    return storedEntries() < (long) rows * cols ? Math.min(m, 0.0) : m;
  }

  @Override
  public boolean nonNegativeFinite() {
    for (int p = indptr[rowStart], end = indptr[rowStart + rows]; p < end; p++) {
      if (!(values[p] >= 0.0 && values[p] < Double.POSITIVE_INFINITY)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public double sum() {
    double s = 0.0;
    for (int p = indptr[rowStart], end = indptr[rowStart + rows]; p < end; p++) {
      s += values[p];
    }
    return s;
  }

  @Override
  public double squaredNorm() {
    double s = 0.0;
    for (int p = indptr[rowStart], end = indptr[rowStart + rows]; p < end; p++) {
      s += values[p] * values[p];
    }
    return s;
  }

  /** A compact matrix with this view's structure and values {@code f(row, col, value)}. */
  @Override
  public CsrMatrix mapEntries(EntryFunction f) {
    int base = rowBegin(0);
    int nnz = (int) storedEntries();
    int[] ptr = new int[rows + 1];
    for (int i = 0; i <= rows; i++) {
      ptr[i] = indptr[rowStart + i] - base;
    }
    int[] idx = Arrays.copyOfRange(indices, base, base + nnz);
    double[] val = new double[nnz];
    for (int i = 0; i < rows; i++) {
      for (int p = ptr[i]; p < ptr[i + 1]; p++) {
        val[p] = f.apply(i, idx[p], values[base + p]);
      }
    }
    CsrMatrix mapped = new CsrMatrix(rows, cols, ptr, idx, val, 0);
    mapped.ascending = ascending;
    return mapped;
  }

  /**
   * Like {@link #mapEntries} but writes the values into {@code buffer} (at least as long as
   * {@link #values()}) and returns a view sharing this matrix's structure: no allocation, for
   * kernels that redo it every iteration. Modifies {@code buffer}.
   */
  public CsrMatrix mapEntriesInto(double[] buffer, EntryFunction f) {
    if (buffer.length < values.length) {
      throw new IllegalArgumentException("buffer has " + buffer.length + " values, needs " + values.length);
    }
    for (int i = 0; i < rows; i++) {
      for (int p = rowBegin(i), end = rowEnd(i); p < end; p++) {
        buffer[p] = f.apply(i, indices[p], values[p]);
      }
    }
    CsrMatrix mapped = new CsrMatrix(rows, cols, indptr, indices, buffer, rowStart);
    mapped.ascending = ascending;
    return mapped;
  }

  /**
   * Blocks of consecutive columns: block b holds columns {@code [starts[b], starts[b + 1])} of the
   * matrix, numbered from 0, with every row and the entries' order kept.
   */
  public record ColumnBlocks(int[] starts, CsrMatrix[] blocks) {}

  /**
   * This matrix cut into at most {@code parts} blocks of consecutive columns holding about equal
   * numbers of stored entries. A block's {@code transposeTimesAdd} adds the same terms in the same
   * order as this matrix's does for those columns, so the blocks can fill their rows of Xᵀ·G on
   * separate threads and give the same bits, each reading G's rows in order.
   */
  public ColumnBlocks splitColumns(int parts) {
    if (parts < 1) {
      throw new IllegalArgumentException("parts must be at least 1, got " + parts);
    }
    long nnz = storedEntries();
    int[] perColumn = new int[cols];
    for (int p = rowBegin(0), end = rowBegin(0) + (int) nnz; p < end; p++) {
      perColumn[indices[p]]++;
    }
    int[] starts = new int[Math.min(parts, Math.max(1, cols)) + 1];
    int b = 1;
    long seen = 0;
    for (int j = 0; j < cols && b < starts.length - 1; j++) {
      seen += perColumn[j];
      if (seen * (starts.length - 1) >= nnz * b) {
        starts[b++] = j + 1;
      }
    }
    while (b < starts.length) {
      starts[b++] = cols;
    }
    return new ColumnBlocks(starts, byColumns(starts));
  }

  /** The blocks of columns {@code [starts[b], starts[b + 1])}, numbered from 0: two passes over X. */
  private CsrMatrix[] byColumns(int[] starts) {
    int parts = starts.length - 1;
    int[] blockOf = new int[cols];
    for (int b = 0; b < parts; b++) {
      for (int j = starts[b]; j < starts[b + 1]; j++) {
        blockOf[j] = b;
      }
    }
    int[][] ptr = new int[parts][rows + 1];
    for (int i = 0; i < rows; i++) {
      for (int p = rowBegin(i), end = rowEnd(i); p < end; p++) {
        ptr[blockOf[indices[p]]][i + 1]++;
      }
    }
    int[][] idx = new int[parts][];
    double[][] val = new double[parts][];
    for (int b = 0; b < parts; b++) {
      for (int i = 0; i < rows; i++) {
        ptr[b][i + 1] += ptr[b][i];
      }
      idx[b] = new int[ptr[b][rows]];
      val[b] = new double[ptr[b][rows]];
    }
    int[] fill = new int[parts];
    for (int i = 0; i < rows; i++) {
      for (int p = rowBegin(i), end = rowEnd(i); p < end; p++) {
        int b = blockOf[indices[p]];
        idx[b][fill[b]] = indices[p] - starts[b];
        val[b][fill[b]++] = values[p];
      }
    }
    CsrMatrix[] blocks = new CsrMatrix[parts];
    for (int b = 0; b < parts; b++) {
      blocks[b] = new CsrMatrix(rows, starts[b + 1] - starts[b], ptr[b], idx[b], val[b], 0);
    }
    return blocks;
  }

  @Override
  public DenseMatrix toDense() {
    DenseMatrix d = new DenseMatrix(rows, cols);
    forEachEntry((i, j, v) -> d.set(i, j, d.get(i, j) + v));
    return d;
  }

  private static void checkShapes(DenseMatrix g, int gRows, DenseMatrix out, int outRows, int k) {
    if (g.rows() != gRows || out.rows() != outRows || out.cols() != k) {
      throw new IllegalArgumentException("shapes do not match: g " + g.rows() + "×" + g.cols()
          + ", out " + out.rows() + "×" + out.cols() + ", expected g " + gRows + "×k, out "
          + outRows + "×k");
    }
  }

  @Override
  public String toString() {
    return "CsrMatrix " + rows + "×" + cols + " (" + storedEntries() + " stored)";
  }
}
