package org.sparknmf.solver;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.util.Arrays;
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
 * <p>An instance is a reusable workspace: {@link #reset} clears it for the next iteration and the
 * buffers for WH, R and Q are kept, so iterating allocates nothing. Zero handling follows
 * scikit-learn: WH is read as float32 epsilon where it is 0 and would be raised to a negative power.
 */
public final class FactorStatistics implements Serializable {

  private static final long serialVersionUID = 1L;

  /** scikit-learn's {@code EPSILON = np.finfo(np.float32).eps}. */
  public static final double EPSILON = Math.ulp(1.0f);

  /** Bound on the rows × cols of the dense WH block formed at once. */
  private static final int WH_BLOCK_ENTRIES = 1 << 20;

  private final Side side;
  private final BetaLoss loss;
  private final int k;
  private int rows;
  private double[] numerator;
  private final DenseMatrix gram;
  private final double[] columnSums;
  private double[] denominator;
  private transient double[] whBuffer;
  private transient double[] qBuffer;
  private transient double[] rBuffer;
  private transient double[] denominatorOut;
  /**
   * The sums of {@code rows} rows are all zero (new or just reset, no view handed out since): the
   * next reset need not clear them again, which for H's statistics of a wide X is a pass over
   * megabytes each mini-batch step. False after deserialization, which is safe.
   */
  private transient boolean knownZero;

  private FactorStatistics(Side side, BetaLoss loss, int rows, int k) {
    this.side = side;
    this.loss = loss;
    this.k = k;
    this.rows = rows;
    this.numerator = new double[rows * k];
    this.gram = loss.isFrobenius() ? new DenseMatrix(k, k) : null;
    this.columnSums = loss.isKullbackLeibler() ? new double[k] : null;
    this.denominator = usesDenominator() ? new double[rows * k] : null;
    this.knownZero = true;
  }

  private boolean usesDenominator() {
    return !loss.isFrobenius() && !loss.isKullbackLeibler();
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

  /** Clears the sums for the next iteration. Returns this. */
  public FactorStatistics reset() {
    return reset(rows);
  }

  /** Clears the sums and sets the number of rows (a mini-batch may be shorter). Returns this. */
  public FactorStatistics reset(int newRows) {
    if (knownZero && newRows <= rows) {
      rows = newRows;
      return this;
    }
    rows = newRows;
    numerator = cleared(numerator, rows * k);
    if (denominator != null) {
      denominator = cleared(denominator, rows * k);
    }
    if (gram != null) {
      Arrays.fill(gram.data(), 0.0);
    }
    if (columnSums != null) {
      Arrays.fill(columnSums, 0.0);
    }
    knownZero = true;
    return this;
  }

  private static double[] cleared(double[] a, int size) {
    if (a == null || a.length < size) {
      return new double[size];
    }
    Arrays.fill(a, 0, size, 0.0);
    return a;
  }

  private static double[] atLeast(double[] a, int size) {
    return a == null || a.length < size ? new double[size] : a;
  }

  /**
   * Adds the contribution of the rows of {@code x}; {@code w} holds the same rows of W. For side W
   * the statistic must have {@code x.rows()} rows. Returns this.
   */
  public FactorStatistics accumulate(DataMatrix x, DenseMatrix w, DenseMatrix ht) {
    if (side.rows(x) != rows) {
      throw new IllegalArgumentException("statistics for " + rows + " rows of " + side
          + " cannot take data giving " + side.rows(x));
    }
    knownZero = false; // before any write below, which may go to the fields directly
    DenseMatrix g = side.other(w, ht);
    if (loss.isFrobenius()) {
      side.contract(x, w, ht, numerator());
      g.transposeTimesAdd(g, gram);
      return this;
    }
    if (loss.isKullbackLeibler()) {
      for (int i = 0; i < g.rows(); i++) {
        for (int t = 0; t < k; t++) {
          columnSums[t] += g.get(i, t);
        }
      }
      if (x instanceof CsrMatrix sparse) {
        // WH only where X is non-zero: nnz·k work instead of rows·cols·k.
        rBuffer = atLeast(rBuffer, sparse.values().length);
        side.contract(sparse.mapEntriesInto(rBuffer, (i, j, v) -> v / safe(rowDot(w, i, ht, j))),
            w, ht, numerator());
        return this;
      }
    }
    accumulateByBlocks(x, w, ht);
    return this;
  }

  /** Forms WH for a block of rows at a time, and from it R (and Q). */
  private void accumulateByBlocks(DataMatrix x, DenseMatrix w, DenseMatrix ht) {
    int n = x.cols();
    int step = Math.max(1, Math.min(x.rows(), WH_BLOCK_ENTRIES / Math.max(1, n)));
    double beta = loss.beta();
    whBuffer = atLeast(whBuffer, step * n);
    if (denominator != null) {
      qBuffer = atLeast(qBuffer, step * n);
    }
    for (int from = 0; from < x.rows(); from += step) {
      int to = Math.min(x.rows(), from + step);
      DenseMatrix wb = w.rowRange(from, to);
      DenseMatrix wh = DenseMatrix.view(to - from, n, whBuffer, 0);
      wb.timesTransposeInto(ht, wh);
      if (denominator != null) {
        DenseMatrix q = DenseMatrix.view(to - from, n, qBuffer, 0);
        double[] qd = q.data();
        for (int e = 0, size = (to - from) * n; e < size; e++) {
          double v = whBuffer[e];
          qd[e] = ScalarPower.of(beta < 1.0 && v == 0.0 ? EPSILON : v, beta - 1.0);
        }
        DenseMatrix out = side == Side.W ? rowsOf(denominator, from, to) : rowsOf(denominator, 0, rows);
        side.contract(q, wb, ht, out);
      }
      DataMatrix r = ratios(x.rowRange(from, to), wh);
      side.contract(r, wb, ht, side == Side.W ? numerator().rowRange(from, to) : numerator());
    }
  }

  /** R = X ∘ (WH)^(β−2) for a block; dense X reuses the WH block itself (overwritten). */
  private DataMatrix ratios(DataMatrix xb, DenseMatrix wh) {
    if (xb instanceof DenseMatrix d) {
      double[] xd = d.data();
      double[] hd = wh.data();
      int n = d.cols();
      for (int i = 0; i < d.rows(); i++) {
        int xo = d.offset() + i * n;
        int ho = wh.offset() + i * n;
        for (int j = 0; j < n; j++) {
          double v = xd[xo + j];
          hd[ho + j] = v == 0.0 ? 0.0 : v * ratio(hd[ho + j]);
        }
      }
      return wh;
    }
    CsrMatrix s = (CsrMatrix) xb;
    rBuffer = atLeast(rBuffer, s.values().length);
    return s.mapEntriesInto(rBuffer, (i, j, v) -> v == 0.0 ? 0.0 : v * ratio(wh.get(i, j)));
  }

  private DenseMatrix rowsOf(double[] data, int from, int to) {
    return DenseMatrix.view(to - from, k, data, from * k);
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

  /** How many bytes {@link #writeTo} writes. */
  public int encodedBytes() {
    long doubles = (long) rows * k * (denominator != null ? 2 : 1) + (gram != null ? k * k : 0)
        + (columnSums != null ? k : 0);
    return Math.toIntExact(4 + 8 + 4 + 4 + 8 * doubles);
  }

  /**
   * Writes the sums as raw doubles (side, beta, k, rows, then the arrays the loss uses), for the
   * barrier stage's replies, where Java serialization took longer than the sums' arithmetic.
   * {@link #readFrom} reads them back, bit for bit. Advances {@code out} by {@link #encodedBytes}.
   */
  public void writeTo(ByteBuffer out) {
    out.putInt(side.ordinal()).putDouble(loss.beta()).putInt(k).putInt(rows);
    DoubleBuffer d = out.asDoubleBuffer();
    d.put(numerator, 0, rows * k);
    if (gram != null) {
      d.put(gram.data(), 0, k * k);
    }
    if (columnSums != null) {
      d.put(columnSums);
    }
    if (denominator != null) {
      d.put(denominator, 0, rows * k);
    }
    out.position(out.position() + 8 * d.position());
  }

  /** The statistics {@link #writeTo} wrote; advances {@code in} past them. */
  public static FactorStatistics readFrom(ByteBuffer in) {
    Side side = Side.values()[in.getInt()];
    double beta = in.getDouble();
    BetaLoss loss = beta == 2.0 ? BetaLoss.FROBENIUS : beta == 1.0 ? BetaLoss.KULLBACK_LEIBLER : new BetaLoss(beta);
    int k = in.getInt();
    int rows = in.getInt();
    FactorStatistics s = new FactorStatistics(side, loss, rows, k);
    s.knownZero = false;
    DoubleBuffer d = in.asDoubleBuffer();
    d.get(s.numerator);
    if (s.gram != null) {
      d.get(s.gram.data(), 0, k * k);
    }
    if (s.columnSums != null) {
      d.get(s.columnSums);
    }
    if (s.denominator != null) {
      d.get(s.denominator);
    }
    in.position(in.position() + 8 * d.position());
    return s;
  }

  /** Adds {@code other} (same side, loss and shape) into this one. Returns this. */
  public FactorStatistics merge(FactorStatistics other) {
    if (other.side != side || !other.loss.equals(loss) || other.rows != rows || other.k != k) {
      throw new IllegalArgumentException("cannot merge statistics of different shapes or losses");
    }
    knownZero = false;
    addInto(other.numerator, numerator, rows * k);
    if (gram != null) {
      addInto(other.gram.data(), gram.data(), k * k);
    }
    if (columnSums != null) {
      addInto(other.columnSums, columnSums, k);
    }
    if (denominator != null) {
      addInto(other.denominator, denominator, rows * k);
    }
    return this;
  }

  private static void addInto(double[] from, double[] to, int size) {
    for (int i = 0; i < size; i++) {
      to[i] += from[i];
    }
  }

  /** {@code op(R)·G}, a view of this workspace ({@code rows × k}). */
  public DenseMatrix numerator() {
    knownZero = false; // the caller may write into it
    return DenseMatrix.view(rows, k, numerator, 0);
  }

  /** GᵀG (Frobenius statistics only). */
  public DenseMatrix gram() {
    if (gram == null) {
      throw new IllegalStateException("gram is only kept for the Frobenius loss");
    }
    knownZero = false; // the caller may write into it
    return gram;
  }

  /**
   * The denominator of the multiplicative update of {@code f} (the factor of this side), before
   * regularisation: {@code F·GᵀG}, the column sums of G (0 read as 1, as scikit-learn does), or
   * {@code op(Q)·G}. A view of a workspace of this object that the caller may modify; it is
   * overwritten by the next call.
   */
  public DenseMatrix denominator(DenseMatrix f) {
    denominatorOut = atLeast(denominatorOut, f.rows() * k);
    return denominator(f, denominatorOut);
  }

  /**
   * {@link #denominator(DenseMatrix)} in the caller's {@code workspace} (at least f's rows × k), for
   * a caller that keeps one from step to step while these statistics are new each step. Returns a
   * view of it.
   */
  public DenseMatrix denominator(DenseMatrix f, double[] workspace) {
    if (workspace.length < f.rows() * k) {
      throw new IllegalArgumentException("workspace has " + workspace.length + " entries, needs " + f.rows() * k);
    }
    DenseMatrix d = DenseMatrix.view(f.rows(), k, workspace, 0);
    if (gram != null) {
      Arrays.fill(workspace, 0, f.rows() * k, 0.0);
      f.timesAdd(gram, d);
    } else if (columnSums != null) {
      for (int i = 0; i < f.rows(); i++) {
        for (int t = 0; t < k; t++) {
          workspace[i * k + t] = columnSums[t] == 0.0 ? 1.0 : columnSums[t];
        }
      }
    } else {
      System.arraycopy(denominator, 0, workspace, 0, f.rows() * k);
    }
    return d;
  }
}
