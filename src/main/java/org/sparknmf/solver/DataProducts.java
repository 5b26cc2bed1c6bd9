package org.sparknmf.solver;

import org.sparknmf.linalg.CsrMatrix;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;

/**
 * The products with X that each coordinate-descent iteration needs, X·Hᵀ and Xᵀ·W, on a
 * {@link RowParallel}'s threads with the same bits as on one. Sparse X: X·Hᵀ by ranges of rows,
 * Xᵀ·W by blocks of X's columns (a copy of X's entries, made once per fit), so every part reads
 * the other factor's rows in order. Dense X: one BLAS product, which BLAS threads itself.
 */
final class DataProducts {

  private final DataMatrix x;
  private final RowParallel par;
  /** Sparse X cut by columns, one block per thread; null when there is nothing to split. */
  private final CsrMatrix.ColumnBlocks columns;

  DataProducts(DataMatrix x, boolean updateH, RowParallel par) {
    this.x = x;
    this.par = par;
    this.columns = updateH && par.threads() > 1 && x instanceof CsrMatrix sparse
        ? sparse.splitColumns(par.threads()) : null;
  }

  /** {@code out = X·Hᵀ} for side W, {@code Xᵀ·W} for side H. Overwrites out. */
  void form(Side side, DenseMatrix w, DenseMatrix ht, DenseMatrix out) {
    out.fill(0.0);
    if (!(x instanceof CsrMatrix sparse) || !par.worthSharing(x.storedEntries() * w.cols())) {
      side.contract(x, w, ht, out);
    } else if (side == Side.W) {
      // One part per thread: each part copies Hᵀ's rows once (CsrMatrix.timesAdd).
      int parts = par.threads();
      par.run(parts, p -> {
        int from = (int) ((long) p * x.rows() / parts);
        int to = (int) ((long) (p + 1) * x.rows() / parts);
        sparse.rowRange(from, to).timesAdd(ht, out.rowRange(from, to));
        return 0.0;
      });
    } else {
      int[] starts = columns.starts();
      par.run(starts.length - 1, b -> {
        columns.blocks()[b].transposeTimesAdd(w, out.rowRange(starts[b], starts[b + 1]));
        return 0.0;
      });
    }
  }
}
