package org.sparknmf.solver;

import java.util.function.IntConsumer;
import org.sparknmf.linalg.CsrMatrix;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;

/**
 * The products with X that each coordinate-descent iteration needs, X·Hᵀ and Xᵀ·W, on a
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
   * two products (32,768 doubles, 256 KB), and its products stay under 256 K multiply-adds, below
   * which OpenBLAS computes on the calling thread rather than start its own.
   */
  static int blockRows(int cols, int k) {
    long byCache = 32_768L / Math.max(1, cols);
    long byThreads = ((256L << 10) - 1) / ((long) Math.max(1, cols) * Math.max(1, k));
    return (int) Math.max(1, Math.min(byCache, byThreads));
  }

  /** Chunks of rows whose Xᵀ·W parts are added in order: at most 32, of 256 rows or more. */
  static int chunkRows(int rows) {
    return Math.max(RowParallel.RANGE_ROWS, (rows + 31) / 32);
  }

  /** Xᵀ·W of each chunk of rows, kept from one pass to the next. */
  private double[][] chunkParts;

  /** Whether {@link #formAround} serves this X: dense X, read from memory once instead of twice. */
  boolean formsAround() {
    return x instanceof DenseMatrix;
  }

  /**
   * Both products of an iteration in one pass over dense X's rows, with W's update between them:
   * for each block of rows, {@code numeratorW}'s rows = X_b·Hᵀ, then {@code updateW} changes W's
   * (and may change numeratorW's) rows of the block, then X_bᵀ·W_b is added to its chunk's part;
   * at the end {@code xtw} = Xᵀ·W of the updated W, the chunks' parts added in order, so the same
   * bits for any number of threads. A block is read from memory once and then from cache: the two
   * products cost about what one does alone. Overwrites numeratorW and xtw.
   */
  void formAround(DenseMatrix w, DenseMatrix ht, DenseMatrix numeratorW,
      RowParallel.RangeTask updateW, DenseMatrix xtw) {
    DenseMatrix dense = (DenseMatrix) x;
    int rows = dense.rows();
    int k = w.cols();
    int size = dense.cols() * k;
    int block = blockRows(dense.cols(), k);
    int chunk = chunkRows(rows);
    int chunks = (rows + chunk - 1) / chunk;
    if (chunkParts == null || chunkParts.length != chunks || chunkParts[0].length != size) {
      chunkParts = new double[chunks][size];
    }
    IntConsumer pass = c -> {
      DenseMatrix part = DenseMatrix.view(dense.cols(), k, chunkParts[c], 0);
      part.fill(0.0);
      for (int from = c * chunk, end = Math.min(rows, from + chunk); from < end; from += block) {
        int to = Math.min(end, from + block);
        DenseMatrix xb = dense.rowRange(from, to);
        DenseMatrix num = numeratorW.rowRange(from, to);
        num.fill(0.0);
        xb.timesAdd(ht, num);
        updateW.run(from, to);
        xb.transposeTimesAdd(w.rowRange(from, to), part);
      }
    };
    if (par.worthSharing(dense.storedEntries() * k * 2)) {
      par.run(chunks, c -> {
        pass.accept(c);
        return 0.0;
      });
    } else {
      for (int c = 0; c < chunks; c++) {
        pass.accept(c);
      }
    }
    double[] out = xtw.data();
    for (int e = 0; e < size; e++) {
      double s = 0.0;
      for (double[] part : chunkParts) {
        s += part[e];
      }
      out[xtw.offset() + e] = s;
    }
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
