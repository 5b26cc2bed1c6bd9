package org.sparknmf.solver;

import org.sparknmf.linalg.DenseMatrix;

/**
 * Coordinate descent on one factor (HALS), the kernel of scikit-learn's {@code _cdnmf_fast}: it needs
 * only the Gram matrix of the other factor and the product of X with it.
 */
public final class CoordinateDescent {

  private CoordinateDescent() {}

  /**
   * Updates {@code f} ({@code rows × k}) from its Frobenius statistics with the penalties folded in
   * (L2 on the Gram diagonal, L1 off the numerator), components in {@code permutation} order.
   * Modifies {@code f} and the statistics' numerator; returns the projected-gradient violation.
   */
  public static double update(DenseMatrix f, FactorStatistics stats, double l1, double l2,
      int[] permutation) {
    int k = f.cols();
    DenseMatrix gram = stats.gram().copy();
    if (l2 != 0.0) {
      for (int t = 0; t < k; t++) {
        gram.set(t, t, gram.get(t, t) + l2);
      }
    }
    DenseMatrix xg = stats.numerator();
    if (l1 != 0.0) {
      double[] d = xg.data();
      for (int i = 0, n = xg.rows() * k; i < n; i++) {
        d[xg.offset() + i] -= l1;
      }
    }
    return sweep(f, gram, xg, permutation);
  }

  /**
   * One sweep: for each component t (in permutation order) and each row i, the Newton step on
   * {@code F[i,t]} projected on ≥ 0. Rows are independent, so this also runs on row blocks.
   * Modifies {@code f}; returns Σ|projected gradient|.
   */
  public static double sweep(DenseMatrix f, DenseMatrix gram, DenseMatrix xg, int[] permutation) {
    int k = f.cols();
    double[] fd = f.data();
    double[] gd = gram.data();
    double[] xd = xg.data();
    double violation = 0.0;
    for (int s = 0; s < k; s++) {
      int t = permutation[s];
      int gt = gram.offset() + t * k;
      double hess = gd[gt + t];
      for (int i = 0; i < f.rows(); i++) {
        int fi = f.offset() + i * k;
        double grad = -xd[xg.offset() + i * k + t];
        for (int r = 0; r < k; r++) {
          grad += gd[gt + r] * fd[fi + r];
        }
        if (Double.isNaN(grad)) {
          // ∞ − ∞: the products of three entries overflowed (|X| near 1e150). scikit-learn writes
          // NaN into the factor; leaving the entry as it is keeps the fit finite.
          violation = Double.POSITIVE_INFINITY;
          continue;
        }
        double pg = fd[fi + t] == 0.0 ? Math.min(0.0, grad) : grad;
        violation += Math.abs(pg);
        if (hess != 0.0) {
          fd[fi + t] = Math.max(fd[fi + t] - grad / hess, 0.0);
        }
      }
    }
    return violation;
  }
}
