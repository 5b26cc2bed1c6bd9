package org.sparknmf.solver;

import org.sparknmf.linalg.CsrMatrix;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;

/**
 * The products with X that each coordinate-descent iteration needs, X·Hᵀ and Xᵀ·W, on a
 * {@link RowParallel}'s threads with the same bits as on one. Sparse X: X·Hᵀ by parts of X's
 * rows, Xᵀ·W by blocks of X's columns (a copy of X's entries, made at the first product that is
 * shared), so every part reads the other factor's rows in order. Dense X: one BLAS product (which
 * native BLAS threads itself).
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
