package org.sparknmf.solver;

import java.util.function.ObjIntConsumer;
import org.sparknmf.linalg.Blas;
import org.sparknmf.linalg.CsrMatrix;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;

/**
 * The products with X that each iteration (and mini-batch step) needs, X·Hᵀ and Xᵀ·W, on a
 * {@link RowParallel}'s threads with the same bits as on one. Sparse X: X·Hᵀ by parts of X's
 * rows, Xᵀ·W by blocks of X's columns (a copy of X's entries, made at the first product that is
 * shared), so every part reads the other factor's rows in order. Dense X: one BLAS product (which
 * native BLAS threads itself), or, where W's update is done between the two, both products in one
 * pass over X ({@link #formAround}).
 */
final class DataProducts {

  private final DataMatrix x;
  private final RowParallel par;
  /** Sparse X cut by columns, one block per thread, once a shared Xᵀ·W needs it. */
  private CsrMatrix.ColumnBlocks columns;

  DataProducts(DataMatrix x, RowParallel par) {
    this.x = x;
    this.par = par;
  }

  /**
   * Rows of dense X per block of {@link #formAround}: a block stays in a core's L2 cache between its
   * two products (32,768 doubles, 256 KB), and its products stay under
   * {@link Blas#OPENBLAS_SERIAL_BELOW} multiply-adds, on the calling thread.
   */
  static int blockRows(int cols, int k) {
    long byCache = 32_768L / Math.max(1, cols);
    long byThreads = (Blas.OPENBLAS_SERIAL_BELOW - 1) / ((long) Math.max(1, cols) * Math.max(1, k));
    return (int) Math.max(1, Math.min(byCache, byThreads));
  }

  /**
   * Fewest rows per block for which {@link #formAround} pays: thinner blocks (X wide, k large)
   * would read and write a whole chunk part of Xᵀ·W for each few rows, so such X takes two passes.
   */
  static final int MIN_BLOCK_ROWS = 8;

  /** Bound on the chunks' parts of Xᵀ·W held at once when threads share a pass (64 MB). */
  static final long PARTS_BYTES = 64L << 20;

  /**
   * Rows per chunk, whose parts of Xᵀ·W are added in order: at most 32 chunks, of 256 rows or more,
   * and no more than {@link #PARTS_BYTES} of parts. A function of X's shape and k alone, so that a
   * fit has the same bits on any number of threads.
   */
  static int chunkRows(int rows, int cols, int k) {
    long partBytes = 8L * Math.max(1, cols) * Math.max(1, k);
    long chunks = Math.max(1, Math.min(32, PARTS_BYTES / partBytes));
    return (int) Math.max(RowParallel.RANGE_ROWS, (rows + chunks - 1) / chunks);
  }

  /** Parts of Xᵀ·W, kept from one pass to the next. */
  private double[][] chunkParts;

  /**
   * Whether {@link #formAround} serves this X and k: dense X, read from memory once instead of
   * twice, in blocks of at least {@link #MIN_BLOCK_ROWS} rows.
   */
  boolean formsAround(int k) {
    return x instanceof DenseMatrix && blockRows(x.cols(), k) >= MIN_BLOCK_ROWS;
  }

  /**
   * Both products of an iteration in one pass over dense X's rows, with W's update between them:
   * for each block of rows, {@code numeratorW}'s rows = X_b·Hᵀ, then {@code updateW} changes W's
   * (and may change numeratorW's) rows of the block, then X_bᵀ·W_b is added to its chunk's part;
   * at the end {@code xtw} = Xᵀ·W of the updated W, the chunks' parts added to 0 in order, so the
   * same bits for any number of threads. A block is read from memory once and then from cache: the
   * two products cost about what one does alone. Without {@code updateW} (and numeratorW) the pass
   * forms Xᵀ·W alone, with the same bits; without {@code xtw} it updates W alone. Overwrites
   * numeratorW and xtw.
   */
  void formAround(DenseMatrix w, DenseMatrix ht, DenseMatrix numeratorW,
      RowParallel.RangeTask updateW, DenseMatrix xtw) {
    DenseMatrix dense = (DenseMatrix) x;
    int rows = dense.rows();
    int n = dense.cols();
    int k = w.cols();
    if (xtw != null && (xtw.rows() != n || xtw.cols() != k)) {
      throw new IllegalArgumentException("Xᵀ·W is " + n + " × " + k + ", got " + xtw.rows() + " × " + xtw.cols());
    }
    int size = n * k;
    int block = blockRows(n, k);
    int chunk = chunkRows(rows, n, k);
    int chunks = (rows + chunk - 1) / chunk;
    boolean shared = chunks > 1 && par.worthSharing(dense.storedEntries() * k * 2);
    double[][] parts = xtw == null ? null : parts(shared ? chunks : 1, size);
    ObjIntConsumer<double[]> pass = (part, c) -> {
      DenseMatrix sum = part == null ? null : DenseMatrix.view(n, k, part, 0);
      if (sum != null) {
        sum.fill(0.0);
      }
      for (int from = c * chunk, end = Math.min(rows, from + chunk); from < end; from += block) {
        int to = Math.min(end, from + block);
        DenseMatrix xb = dense.rowRange(from, to);
        if (updateW != null) {
          DenseMatrix num = numeratorW.rowRange(from, to);
          num.fill(0.0);
          xb.timesAdd(ht, num);
          updateW.run(from, to);
        }
        if (sum != null) {
          xb.transposeTimesAdd(w.rowRange(from, to), sum);
        }
      }
    };
    if (xtw != null) {
      xtw.fill(0.0);
    }
    if (shared) {
      par.run(chunks, c -> {
        pass.accept(parts == null ? null : parts[c], c);
        return 0.0;
      });
      for (int c = 0; xtw != null && c < chunks; c++) {
        Blas.axpy(size, 1.0, parts[c], 0, xtw.data(), xtw.offset());
      }
    } else {
      for (int c = 0; c < chunks; c++) {
        pass.accept(parts == null ? null : parts[0], c);
        if (xtw != null) {
          Blas.axpy(size, 1.0, parts[0], 0, xtw.data(), xtw.offset());
        }
      }
    }
  }

  /** {@code count} buffers of {@code size} doubles, this instance's from the last pass where they fit. */
  private double[][] parts(int count, int size) {
    if (chunkParts == null || chunkParts.length < count || chunkParts[0].length < size) {
      chunkParts = new double[count][size];
    }
    return chunkParts;
  }

  /** {@code out = X·Hᵀ} for side W, {@code Xᵀ·W} for side H. Overwrites out. */
  void form(Side side, DenseMatrix w, DenseMatrix ht, DenseMatrix out) {
    out.fill(0.0);
    if (!(x instanceof CsrMatrix sparse) || !par.worthSharing(x.storedEntries() * w.cols())) {
      side.contract(x, w, ht, out);
    } else if (side == Side.W) {
      // Hᵀ's rows copied once for all parts, where the copy pays (CsrMatrix.timesAdd).
      double[][] htRows = CsrMatrix.rowsCopyPays(sparse.storedEntries(), ht.rows()) ? ht.toArray() : null;
      int parts = par.threads();
      par.run(parts, p -> {
        int from = (int) ((long) p * x.rows() / parts);
        int to = (int) ((long) (p + 1) * x.rows() / parts);
        if (htRows != null) {
          sparse.rowRange(from, to).timesAdd(htRows, out.rowRange(from, to));
        } else {
          sparse.rowRange(from, to).timesAdd(ht, out.rowRange(from, to));
        }
        return 0.0;
      });
    } else {
      if (columns == null) {
        columns = sparse.splitColumns(par.threads());
      }
      int[] starts = columns.starts();
      par.run(starts.length - 1, b -> {
        columns.blocks()[b].transposeTimesAdd(w, out.rowRange(starts[b], starts[b + 1]));
        return 0.0;
      });
    }
  }
}
