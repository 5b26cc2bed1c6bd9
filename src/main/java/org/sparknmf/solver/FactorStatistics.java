package org.sparknmf.solver;

import java.io.Serializable;
import org.sparknmf.linalg.CsrMatrix;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;

/**
 * What the update of one factor F needs from X and the other factor G, for a beta-divergence loss:
 * the numerator {@code op(R)·G} and the denominator's ingredient — {@code GᵀG} for Frobenius, the
 * column sums of G for Kullback–Leibler, {@code op(Q)·G} otherwise — where
 * {@code R = X ∘ (WH)^(β−2)} (R = X for Frobenius) and {@code Q = (WH)^(β−1)}.
 *
 * <p>For side H the statistics are sums over the rows of X, so they can be accumulated block by
 * block and merged (the shape of Spark's {@code ALS.NormalEquation}); for side W a statistic covers
 * the rows of one block. Coordinate descent uses the Frobenius statistics: {@code X·Hᵀ} and
 * {@code HHᵀ}, or {@code XᵀW} and {@code WᵀW}.
 *
 * <p>Zero handling follows scikit-learn: WH is replaced by float32 epsilon where it is 0 and would
 * be raised to a negative power.
 */
public final class FactorStatistics implements Serializable {

  private static final long serialVersionUID = 1L;

  /** scikit-learn's {@code EPSILON = np.finfo(np.float32).eps}. */
  public static final double EPSILON = Math.ulp(1.0f);

  /** Bound on the rows × cols of the dense WH block formed at once. */
  private static final int WH_BLOCK_ENTRIES = 1 << 20;

  private final Side side;
  private final BetaLoss loss;
  private final DenseMatrix numerator;
  private final DenseMatrix gram;
  private final double[] columnSums;
  private final DenseMatrix denominator;

  private FactorStatistics(Side side, BetaLoss loss, int rows, int k) {
    this.side = side;
    this.loss = loss;
    this.numerator = new DenseMatrix(rows, k);
    this.gram = loss.isFrobenius() ? new DenseMatrix(k, k) : null;
    this.columnSums = loss.isKullbackLeibler() ? new double[k] : null;
    this.denominator = !loss.isFrobenius() && !loss.isKullbackLeibler() ? new DenseMatrix(rows, k) : null;
  }

  /** Empty statistics for {@code rows} rows of the updated factor. */
  public static FactorStatistics zeros(Side side, BetaLoss loss, int rows, int k) {
    return new FactorStatistics(side, loss, rows, k);
  }

  /** The statistics of all of {@code x} for updating {@code side}. */
  public static FactorStatistics of(Side side, BetaLoss loss, DataMatrix x, DenseMatrix w,
      DenseMatrix ht) {
    return zeros(side, loss, side.rows(x), w.cols()).accumulate(x, w, ht);
  }

  /**
   * Adds the contribution of the rows of {@code x}; {@code w} holds the same rows of W. For side W
   * the statistic must have {@code x.rows()} rows. Returns this.
   */
  public FactorStatistics accumulate(DataMatrix x, DenseMatrix w, DenseMatrix ht) {
    DenseMatrix g = side.other(w, ht);
    if (loss.isFrobenius()) {
      side.contract(x, w, ht, numerator);
      g.transposeTimesAdd(g, gram);
    } else if (loss.isKullbackLeibler()) {
      double[] s = g.columnSums();
      for (int t = 0; t < s.length; t++) {
        columnSums[t] += s[t];
      }
      if (x instanceof CsrMatrix sparse) {
        // WH only where X is non-zero: nnz·k work instead of rows·cols·k.
        side.contract(sparse.mapEntries((i, j, v) -> v / safe(rowDot(w, i, ht, j))), w, ht, numerator);
      } else {
        accumulateByBlocks(x, w, ht);
      }
    } else {
      accumulateByBlocks(x, w, ht);
    }
    return this;
  }

  /** Forms WH for a block of rows at a time, and from it R (and Q). */
  private void accumulateByBlocks(DataMatrix x, DenseMatrix w, DenseMatrix ht) {
    int n = x.cols();
    int step = Math.max(1, WH_BLOCK_ENTRIES / Math.max(1, n));
    double beta = loss.beta();
    for (int from = 0; from < x.rows(); from += step) {
      int to = Math.min(x.rows(), from + step);
      DenseMatrix wb = w.rowRange(from, to);
      DenseMatrix wh = new DenseMatrix(to - from, n);
      wb.timesTransposeInto(ht, wh);
      DataMatrix r = x.rowRange(from, to).mapEntries((i, j, v) -> v == 0.0 ? 0.0 : v * ratio(wh.get(i, j)));
      DenseMatrix numOut = side == Side.W ? numerator.rowRange(from, to) : numerator;
      side.contract(r, wb, ht, numOut);
      if (denominator != null) {
        DenseMatrix q = wh.mapEntries((i, j, v) -> Math.pow(beta < 1.0 && v == 0.0 ? EPSILON : v, beta - 1.0));
        side.contract(q, wb, ht, side == Side.W ? denominator.rowRange(from, to) : denominator);
      }
    }
  }

  /** {@code (WH)^(β−2)} for one entry, as scikit-learn computes it. */
  private double ratio(double wh) {
    double beta = loss.beta();
    if (beta < 2.0 && wh == 0.0) {
      wh = EPSILON;
    }
    if (beta == 1.0) {
      return 1.0 / wh;
    } else if (beta == 0.0) {
      double inv = 1.0 / wh;
      return inv * inv;
    }
    return Math.pow(wh, beta - 2.0);
  }

  private static double safe(double wh) {
    return wh == 0.0 ? EPSILON : wh;
  }

  private static double rowDot(DenseMatrix w, int i, DenseMatrix ht, int j) {
    int k = w.cols();
    double s = 0.0;
    double[] wd = w.data();
    double[] hd = ht.data();
    int wo = w.offset() + i * k;
    int ho = ht.offset() + j * k;
    for (int t = 0; t < k; t++) {
      s += wd[wo + t] * hd[ho + t];
    }
    return s;
  }

  /** Adds {@code other} (same side, loss and shape) into this one. Returns this. */
  public FactorStatistics merge(FactorStatistics other) {
    if (other.side != side || !other.loss.equals(loss)
        || other.numerator.rows() != numerator.rows() || other.numerator.cols() != numerator.cols()) {
      throw new IllegalArgumentException("cannot merge statistics of different shapes or losses");
    }
    addInto(other.numerator, numerator);
    if (gram != null) {
      addInto(other.gram, gram);
    }
    if (columnSums != null) {
      for (int t = 0; t < columnSums.length; t++) {
        columnSums[t] += other.columnSums[t];
      }
    }
    if (denominator != null) {
      addInto(other.denominator, denominator);
    }
    return this;
  }

  private static void addInto(DenseMatrix from, DenseMatrix to) {
    double[] a = from.data();
    double[] b = to.data();
    for (int i = 0, n = from.rows() * from.cols(); i < n; i++) {
      b[to.offset() + i] += a[from.offset() + i];
    }
  }

  /** {@code op(R)·G}; the caller may modify it. */
  public DenseMatrix numerator() {
    return numerator;
  }

  /** GᵀG (Frobenius statistics only). */
  public DenseMatrix gram() {
    if (gram == null) {
      throw new IllegalStateException("gram is only kept for the Frobenius loss");
    }
    return gram;
  }

  /**
   * The denominator of the multiplicative update of {@code f} (the factor of this side), before
   * regularisation: {@code F·GᵀG}, the column sums of G (0 read as 1, as scikit-learn does), or
   * {@code op(Q)·G}. A new matrix the caller may modify.
   */
  public DenseMatrix denominator(DenseMatrix f) {
    int k = numerator.cols();
    if (gram != null) {
      DenseMatrix d = new DenseMatrix(f.rows(), k);
      f.timesAdd(gram, d);
      return d;
    } else if (columnSums != null) {
      DenseMatrix d = new DenseMatrix(f.rows(), k);
      for (int i = 0; i < f.rows(); i++) {
        for (int t = 0; t < k; t++) {
          d.set(i, t, columnSums[t] == 0.0 ? 1.0 : columnSums[t]);
        }
      }
      return d;
    }
    return denominator.copy();
  }
}
