package org.sparknmf.solver;

import org.sparknmf.linalg.DenseMatrix;

/**
 * The multiplicative update of one factor (Lee &amp; Seung; Févotte &amp; Idier for any beta), as
 * scikit-learn's {@code _multiplicative_update_w/_h} compute it, written once for W and for Hᵀ.
 */
public final class MultiplicativeUpdate {

  /** Entries below this are set to 0 after an update with beta &lt; 1 (W) or ≤ 1 (H), for stability. */
  public static final double FLOAT64_EPS = Math.ulp(1.0);

  private MultiplicativeUpdate() {}

  /** {@code F ← F ∘ (num / (den + l1 + l2·F))^γ}. Modifies {@code f} and {@code den}. */
  public static void update(DenseMatrix f, DenseMatrix num, DenseMatrix den, double l1, double l2,
      double gamma) {
    regularize(den, f, l1, l2);
    double[] fd = f.data();
    double[] nd = num.data();
    double[] dd = den.data();
    for (int i = 0, n = f.rows() * f.cols(); i < n; i++) {
      double delta = nd[num.offset() + i] / dd[den.offset() + i];
      delta = ScalarPower.of(delta, gamma);
      // A zero stays zero: multiplying would give 0·∞ = NaN when num / den overflows. It does when
      // a zero row of W makes den 0 (read as epsilon) while num = X·Hᵀ is near 1e300, as with |X|
      // near 1e150 and nndsvda's fill of X.mean() in H; scikit-learn gets NaN there.
      if (fd[f.offset() + i] != 0.0) {
        fd[f.offset() + i] *= delta;
      }
    }
  }

  /**
   * The online update of MiniBatchNMF (Lefèvre, Bach &amp; Févotte 2011): with forget factor
   * {@code rho}, {@code A ← ρA + num ∘ F^(1/γ)}, {@code B ← ρB + den}, {@code F ← (A/B)^γ}.
   * Modifies {@code f}, {@code den}, {@code a} and {@code b}.
   */
  public static void updateOnline(DenseMatrix f, DenseMatrix num, DenseMatrix den, double l1,
      double l2, double gamma, DenseMatrix a, DenseMatrix b, double rho) {
    regularize(den, f, l1, l2);
    double[] fd = f.data();
    double[] nd = num.data();
    double[] dd = den.data();
    double[] ad = a.data();
    double[] bd = b.data();
    for (int i = 0, n = f.rows() * f.cols(); i < n; i++) {
      double fi = fd[f.offset() + i];
      fi = ScalarPower.of(fi, 1.0 / gamma);
      int ai = a.offset() + i;
      int bi = b.offset() + i;
      ad[ai] = ad[ai] * rho + (fi == 0.0 ? 0.0 : nd[num.offset() + i] * fi); // 0·∞: as in update
      bd[bi] = bd[bi] * rho + dd[den.offset() + i];
      double h = ad[ai] / bd[bi];
      fd[f.offset() + i] = ScalarPower.of(h, gamma);
    }
  }

  /** The multiplicative update of {@code f} from its statistics. Modifies {@code f}. */
  public static void update(DenseMatrix f, FactorStatistics stats, double l1, double l2, double gamma) {
    update(f, stats.numerator(), stats.denominator(f), l1, l2, gamma);
  }

  /**
   * The Frobenius update of W and the statistics for H's, in one pass over dense X
   * ({@link DataProducts#formAround}): each block's W rows are updated from {@code X_b·Hᵀ} and
   * {@code W_b·HHᵀ} as soon as the block's product is formed, then Xᵀ·W of the new rows is added up.
   * The same W as {@link #update} from {@code FactorStatistics.of(Side.W, ...)}. Modifies {@code w},
   * {@code sw} and {@code sh}, which must be cleared; {@code sh} null updates W alone.
   */
  static void updateWInPass(DataProducts products, DenseMatrix w, DenseMatrix ht, FactorStatistics sw,
      FactorStatistics sh, double l1, double l2) {
    DenseMatrix hht = sw.gram();
    ht.transposeTimesAdd(ht, hht);
    DenseMatrix numerator = sw.numerator();
    products.formAround(w, ht, numerator, (from, to) -> {
      DenseMatrix rows = w.rowRange(from, to);
      DenseMatrix denominator = new DenseMatrix(to - from, w.cols());
      rows.timesAdd(hht, denominator);
      update(rows, numerator.rowRange(from, to), denominator, l1, l2, 1.0);
    }, sh == null ? null : sh.numerator());
    if (sh != null) {
      w.transposeTimesAdd(w, sh.gram());
    }
  }

  /** {@code den ← den + l1 + l2·F}, with exact zeros replaced by epsilon. Modifies {@code den}. */
  private static void regularize(DenseMatrix den, DenseMatrix f, double l1, double l2) {
    double[] dd = den.data();
    double[] fd = f.data();
    for (int i = 0, n = den.rows() * den.cols(); i < n; i++) {
      double d = dd[den.offset() + i];
      if (l1 > 0) {
        d += l1;
      }
      if (l2 > 0) {
        d += l2 * fd[f.offset() + i];
      }
      dd[den.offset() + i] = d == 0.0 ? FactorStatistics.EPSILON : d;
    }
  }

  /** Sets entries below {@link #FLOAT64_EPS} to 0. Modifies {@code f}. */
  public static void clampTiny(DenseMatrix f) {
    double[] fd = f.data();
    for (int i = 0, n = f.rows() * f.cols(); i < n; i++) {
      if (fd[f.offset() + i] < FLOAT64_EPS) {
        fd[f.offset() + i] = 0.0;
      }
    }
  }
}
