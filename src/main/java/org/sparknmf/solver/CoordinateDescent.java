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
    return update(f, stats.gram(), stats.numerator(), l1, l2, permutation, RowParallel.serial());
  }

  /**
   * The same update from the other factor's Gram matrix {@code gram} and {@code numerator} =
   * {@code X·G} for f's rows, on {@code par}'s threads: the rows are independent within a sweep,
   * so ranges of rows are swept apart. For each component t (in permutation order) and each row i,
   * the Newton step on {@code F[i,t]} projected on ≥ 0. Modifies {@code f} and {@code numerator};
   * returns Σ|projected gradient|, added component by component and row by row as scikit-learn
   * adds it, so the same bits for any number of threads.
   */
  public static double update(DenseMatrix f, DenseMatrix gram, DenseMatrix numerator, double l1,
      double l2, int[] permutation, RowParallel par) {
    Sweep sweep = new Sweep(f, gram, numerator, l1, l2, permutation);
    par.forEachRange(f.rows(), (long) f.rows() * f.cols() * f.cols(), sweep::rows);
    return sweep.violation();
  }

  /**
   * One sweep of a factor's rows, taken in ranges of rows in any order and on any threads (a
   * sweep's rows are independent), then {@link #violation}: what {@link #update} does, for a
   * caller that has each range's numerator at a different time.
   */
  static final class Sweep {
    private final DenseMatrix f;
    private final DenseMatrix penalised;
    private final DenseMatrix numerator;
    private final double l1;
    private final int[] permutation;
    private final double[] terms;

    /** The sweep of {@code f} from {@code gram} and {@code numerator} = X·G, as in {@link #update}. */
    Sweep(DenseMatrix f, DenseMatrix gram, DenseMatrix numerator, double l1, double l2,
        int[] permutation) {
      this.f = f;
      this.penalised = withL2(gram, l2);
      this.numerator = numerator;
      this.l1 = l1;
      this.permutation = permutation;
      this.terms = new double[f.cols() * f.rows()];
    }

    /**
     * Sweeps rows {@code [from, to)}, once their numerator is in place. Modifies those rows of f
     * and of the numerator.
     */
    void rows(int from, int to) {
      DenseMatrix xg = numerator.rowRange(from, to);
      minusL1(xg, l1);
      sweepRows(f.rowRange(from, to), penalised, xg, permutation, terms, f.rows(), from);
    }

    /** Σ|projected gradient| once every row has been swept, in scikit-learn's order. */
    double violation() {
      return inOrder(terms);
    }
  }

  /** A copy of {@code gram} with {@code l2} added to its diagonal. */
  private static DenseMatrix withL2(DenseMatrix gram, double l2) {
    DenseMatrix g = gram.copy();
    if (l2 != 0.0) {
      for (int t = 0; t < g.cols(); t++) {
        g.set(t, t, g.get(t, t) + l2);
      }
    }
    return g;
  }

  /** Subtracts {@code l1} from every entry of {@code xg}. Modifies xg. */
  private static void minusL1(DenseMatrix xg, double l1) {
    if (l1 != 0.0) {
      double[] d = xg.data();
      for (int i = xg.offset(), end = xg.offset() + xg.rows() * xg.cols(); i < end; i++) {
        d[i] -= l1;
      }
    }
  }

  /** Rows swept together: their columns of the factor and the numerator stay in L1 cache. */
  private static final int SWEEP_ROWS = 128;

  /**
   * The sweep of {@code f}'s rows, which are rows {@code [first, first + f.rows())} of a factor of
   * {@code rows} rows: each |projected gradient| goes to {@code terms[s·rows + first + i]} for the
   * s-th component of the permutation (+∞ where the gradient overflowed). Modifies {@code f} and
   * those entries of {@code terms}.
   *
   * <p>A row's step at t reads only that row, so a group of rows takes the steps of one component
   * together, with the group's columns copied into arrays of their own: each gradient gets the
   * same terms in the same order as row by row (the same bits), and the loops over the group's
   * rows run on SIMD lanes, which the JIT does not do for a dot product or across offsets.
   */
  private static void sweepRows(DenseMatrix f, DenseMatrix gram, DenseMatrix xg, int[] permutation,
      double[] terms, int rows, int first) {
    int k = f.cols();
    int block = Math.min(SWEEP_ROWS, Math.max(1, f.rows()));
    double[][] fc = new double[k][block];
    double[][] xc = new double[k][block];
    double[] grad = new double[block];
    for (int from = 0; from < f.rows(); from += block) {
      int n = Math.min(block, f.rows() - from);
      toColumns(f, from, n, fc);
      toColumns(xg, from, n, xc);
      sweepColumns(n, fc, gram, xc, grad, permutation, terms, rows, first + from);
      fromColumns(fc, n, f, from);
    }
  }

  /**
   * The sweep of {@code n} rows held by columns ({@code fc[t][i]} = F[i,t], the same for the
   * numerator), whose first is row {@code first} of {@code rows}. Modifies {@code fc},
   * {@code grad} and the rows' entries of {@code terms}.
   */
  private static void sweepColumns(int n, double[][] fc, DenseMatrix gram, double[][] xc,
      double[] grad, int[] permutation, double[] terms, int rows, int first) {
    int k = fc.length;
    double[] gd = gram.data();
    for (int s = 0; s < k; s++) {
      int t = permutation[s];
      int gt = gram.offset() + t * k;
      double[] x = xc[t];
      for (int i = 0; i < n; i++) {
        grad[i] = -x[i];
      }
      for (int r = 0; r < k; r++) {
        double g = gd[gt + r];
        double[] c = fc[r];
        for (int i = 0; i < n; i++) {
          grad[i] += g * c[i];
        }
      }
      double hess = gd[gt + t];
      double[] ft = fc[t];
      int out = s * rows + first;
      for (int i = 0; i < n; i++) {
        double gi = grad[i];
        if (Double.isNaN(gi)) {
          // ∞ − ∞: the products of three entries overflowed (|X| near 1e150). scikit-learn writes
          // NaN into the factor; leaving the entry as it is keeps the fit finite.
          terms[out + i] = Double.POSITIVE_INFINITY;
          continue;
        }
        terms[out + i] = Math.abs(ft[i] == 0.0 ? Math.min(0.0, gi) : gi);
        if (hess != 0.0) {
          ft[i] = Math.max(ft[i] - gi / hess, 0.0);
        }
      }
    }
  }

  /** Σ terms in index order: component by component, row by row, as scikit-learn adds them. */
  private static double inOrder(double[] terms) {
    double violation = 0.0;
    for (double v : terms) {
      violation += v;
    }
    return violation;
  }

  /** Rows {@code [from, from + n)} of {@code m} into {@code out[t][i]}. Modifies out. */
  private static void toColumns(DenseMatrix m, int from, int n, double[][] out) {
    int k = m.cols();
    double[] d = m.data();
    for (int i = 0; i < n; i++) {
      int row = m.offset() + (from + i) * k;
      for (int t = 0; t < k; t++) {
        out[t][i] = d[row + t];
      }
    }
  }

  /** The inverse of {@link #toColumns}. Modifies m. */
  private static void fromColumns(double[][] in, int n, DenseMatrix m, int from) {
    int k = m.cols();
    double[] d = m.data();
    for (int i = 0; i < n; i++) {
      int row = m.offset() + (from + i) * k;
      for (int t = 0; t < k; t++) {
        d[row + t] = in[t][i];
      }
    }
  }
}
