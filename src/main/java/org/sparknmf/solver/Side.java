package org.sparknmf.solver;

import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;

/**
 * Which factor an update changes. Both factors are kept as tall {@code rows × k} matrices (W, and
 * Hᵀ), so one kernel serves both: updating W reads X and Hᵀ, updating Hᵀ reads Xᵀ and W.
 */
public enum Side {
  W,
  H;

  /** The factor this side updates. */
  public DenseMatrix own(DenseMatrix w, DenseMatrix ht) {
    return this == W ? w : ht;
  }

  /** The factor held fixed while this side updates. */
  public DenseMatrix other(DenseMatrix w, DenseMatrix ht) {
    return this == W ? ht : w;
  }

  /** Rows of this side's factor for data {@code x}: samples for W, features for Hᵀ. */
  public int rows(DataMatrix x) {
    return this == W ? x.rows() : x.cols();
  }

  /** {@code out += op(m) · other}: {@code m · Hᵀ} for W, {@code mᵀ · W} for H. */
  public void contract(DataMatrix m, DenseMatrix w, DenseMatrix ht, DenseMatrix out) {
    if (this == W) {
      m.timesAdd(ht, out);
    } else {
      m.transposeTimesAdd(w, out);
    }
  }
}
