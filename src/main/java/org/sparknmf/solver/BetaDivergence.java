package org.sparknmf.solver;

import java.util.List;
import java.util.function.DoubleConsumer;
import org.sparknmf.linalg.CsrMatrix;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;

/**
 * The beta-divergence between X and W·H, exactly as scikit-learn's {@code _beta_divergence}
 * defines it, including its quirks: for beta ≠ 2 only entries of X above float32 epsilon enter the
 * X-dependent terms, and WH = 0 there is read as epsilon.
 */
public final class BetaDivergence {

  /**
   * WH is formed this many entries at a time (512 KB): a block stays in cache between the product
   * and the sum, and is an ordinary allocation. At 8 MB, a G1 humongous one, the blocks of each
   * mini-batch step's cost were nearly all of an executor's allocation.
   */
  private static final int BLOCK_ENTRIES = 1 << 16;

  /**
   * The share of ‖X‖² + ‖WH‖² below which {@link #withStatistics} sums the error directly: below
   * it the difference of the statistics would keep fewer than twelve of its sixteen digits.
   */
  static final double CANCELLATION = 1e-4;

  private BetaDivergence() {}

  /** The divergence (for Frobenius, half the squared error). W is {@code m × k}, Hᵀ is {@code n × k}. */
  public static double of(DataMatrix x, DenseMatrix w, DenseMatrix ht, BetaLoss loss) {
    double beta = loss.beta();
    if (loss.isFrobenius()) {
      return frobenius(x, w, ht) / 2.0;
    }
    double eps = FactorStatistics.EPSILON;
    // Sums over the selected entries (x > eps) of x^β, x·log(x/wh), x/wh, log(x/wh) or x·wh^(β−1).
    double[] acc = new double[3];
    // Σ WH^β runs over every entry, so it needs WH in full; KL and IS need it only where X is stored.
    boolean needAllWh = beta != 0.0 && beta != 1.0;
    boolean denseWh = needAllWh || !(x instanceof CsrMatrix);
    forEachEntryWithWh(x, w, ht, denseWh,
        (v, wh) -> {
          if (v > eps) {
            double whSafe = wh == 0.0 ? eps : wh;
            if (beta == 1.0) {
              acc[0] += v * Math.log(v / whSafe);
              acc[1] += v;
            } else if (beta == 0.0) {
              double div = v / whSafe;
              acc[0] += div;
              acc[1] += Math.log(div);
            } else {
              acc[0] += Math.pow(v, beta);
              acc[1] += v * Math.pow(whSafe, beta - 1.0);
            }
          }
        },
        needAllWh ? wh -> acc[2] += Math.pow(wh, beta) : null);
    if (beta == 1.0) {
      double sumWh = dot(w.columnSums(), ht.columnSums());
      return acc[0] + sumWh - acc[1];
    } else if (beta == 0.0) {
      return acc[0] - (double) x.rows() * x.cols() - acc[1];
    }
    return (acc[0] - beta * acc[1] + acc[2] * (beta - 1.0)) / (beta * (beta - 1.0));
  }

  /**
   * {@link #of} for rows X whose H statistics {@code hStats} (a mini-batch step forms them anyway)
   * are at hand; {@code xSquaredNorm} is ‖X‖²_F, or NaN to have it computed. For Frobenius, half
   * (‖X‖² + ⟨WᵀW, HHᵀ⟩ − 2⟨XᵀW, Hᵀ⟩), as scikit-learn computes it for sparse X: O(n·k²) where forming
   * WH is O(rows·n·k), half of a dense step's time. For dense X, when the error is under
   * {@link #CANCELLATION} of ‖X‖² + ‖WH‖² that difference keeps too few digits, and the error is
   * summed from WH; sparse X has no other way than this one (as in {@link #of}). {@code hht} is HHᵀ
   * (Hᵀ's Gram matrix) where the step has formed it already, else null to have it formed: on wide X
   * it costs as much as a sparse slice's products.
   */
  public static double withStatistics(DataMatrix x, double xSquaredNorm, DenseMatrix w, DenseMatrix ht,
      BetaLoss loss, FactorStatistics hStats, DenseMatrix hht) {
    if (!loss.isFrobenius()) {
      return of(x, w, ht, loss);
    }
    double normX = Double.isNaN(xSquaredNorm) ? x.squaredNorm() : xSquaredNorm;
    double normWh = hStats.gram().dot(hht != null ? hht : ht.gram());
    double error = normX + normWh - 2.0 * hStats.numerator().dot(ht);
    if (!(x instanceof CsrMatrix) && !(error >= CANCELLATION * (normX + normWh))) {
      return frobenius(x, w, ht) / 2.0;
    }
    return error / 2.0;
  }

  /** scikit-learn's {@code reconstruction_err_}: {@code sqrt(2·divergence)}; ‖X − WH‖_F for Frobenius. */
  public static double reconstructionError(DataMatrix x, DenseMatrix w, DenseMatrix ht, BetaLoss loss) {
    double divergence = of(x, w, ht, loss);
    if (divergence == Double.POSITIVE_INFINITY && loss.isFrobenius()) {
      return norm(List.of(scaledSquaredError(x, w, ht)));
    }
    return Math.sqrt(2.0 * Math.max(divergence, 0.0));
  }

  /**
   * For ‖X − WH‖_F when the sum of squares overflows though the norm does not (differences beyond
   * 1e154: nndsvda fills H's zeros with X.mean(), so |X| near 1e150 gives WH near 1e296, and
   * scikit-learn reports inf): {@code {max |x − wh|, Σ ((x − wh) / max)²}} over every entry.
   * {@link #norm} combines the pairs of row blocks.
   */
  public static double[] scaledSquaredError(DataMatrix x, DenseMatrix w, DenseMatrix ht) {
    double[] acc = {0.0, 0.0};
    forEachDifference(x, w, ht, d -> acc[0] = Math.max(acc[0], Math.abs(d)));
    double max = acc[0];
    if (max > 0.0 && max < Double.POSITIVE_INFINITY) {
      forEachDifference(x, w, ht, d -> {
        double r = d / max;
        acc[1] += r * r;
      });
    }
    return acc;
  }

  /** ‖X − WH‖_F from the {@link #scaledSquaredError} pairs of row blocks. */
  public static double norm(List<double[]> parts) {
    double max = 0.0;
    for (double[] p : parts) {
      max = Math.max(max, p[0]);
    }
    if (max == 0.0 || max == Double.POSITIVE_INFINITY) {
      return max;
    }
    double sum = 0.0;
    for (double[] p : parts) {
      double r = p[0] / max;
      sum += p[1] * r * r;
    }
    return max * Math.sqrt(sum);
  }

  /** Calls {@code visitor} with x − wh for every entry, zeros of sparse X included. */
  private static void forEachDifference(DataMatrix x, DenseMatrix w, DenseMatrix ht,
      DoubleConsumer visitor) {
    forEachWhBlock(x, w, ht, (xb, wh) -> {
      double[] d = xb.toDense().data();
      double[] p = wh.data();
      for (int e = 0; e < d.length; e++) {
        visitor.accept(d[e] - p[e]);
      }
    });
  }

  private interface WhBlock {
    void accept(DataMatrix xRows, DenseMatrix wh);
  }

  /** Calls {@code block} for blocks of rows of X with their WH, formed by BLAS a block at a time. */
  private static void forEachWhBlock(DataMatrix x, DenseMatrix w, DenseMatrix ht, WhBlock block) {
    int n = x.cols();
    int step = Math.max(1, BLOCK_ENTRIES / Math.max(1, n));
    for (int from = 0; from < x.rows(); from += step) {
      int to = Math.min(x.rows(), from + step);
      DenseMatrix wh = new DenseMatrix(to - from, n);
      w.rowRange(from, to).timesTransposeInto(ht, wh);
      block.accept(x.rowRange(from, to), wh);
    }
  }

  /** ‖X − WH‖²_F: directly for dense X, through Gram matrices for sparse X (no dense WH). */
  private static double frobenius(DataMatrix x, DenseMatrix w, DenseMatrix ht) {
    if (x instanceof CsrMatrix) {
      int k = w.cols();
      DenseMatrix xht = new DenseMatrix(x.rows(), k);
      x.timesAdd(ht, xht);
      double cross = dot(xht.data(), w.copy().data());
      double normWh = dot(w.gram().data(), ht.gram().data());
      return x.squaredNorm() + normWh - 2.0 * cross;
    }
    // A plain loop, not the entry visitor: its lambda calls per entry made this the mini-batch
    // step's costliest part. Same order of summation, so the same bits.
    double[] s = new double[1];
    forEachWhBlock(x, w, ht, (xb, wh) -> {
      DenseMatrix d = xb instanceof DenseMatrix dense ? dense : xb.toDense();
      double[] xs = d.data();
      double[] p = wh.data();
      int n = d.cols();
      double acc = s[0];
      for (int i = 0; i < d.rows(); i++) {
        int xBase = d.offset() + i * n;
        int pBase = i * n;
        for (int j = 0; j < n; j++) {
          double diff = xs[xBase + j] - p[pBase + j];
          acc += diff * diff;
        }
      }
      s[0] = acc;
    });
    return s[0];
  }

  private interface EntryWithWh {
    void accept(double x, double wh);
  }

  private interface AllWh {
    void accept(double wh);
  }

  /**
   * Calls {@code stored} with (x, wh) for every stored entry of X and, when {@code all} is given,
   * {@code all} with every entry of WH. With {@code denseWh} WH is formed by blocks of rows (BLAS);
   * otherwise wh is a dot product per stored entry and {@code all} must be null.
   */
  private static void forEachEntryWithWh(DataMatrix x, DenseMatrix w, DenseMatrix ht, boolean denseWh,
      EntryWithWh stored, AllWh all) {
    if (!denseWh) {
      int k = w.cols();
      x.forEachEntry((i, j, v) -> {
        double wh = 0.0;
        for (int t = 0; t < k; t++) {
          wh += w.get(i, t) * ht.get(j, t);
        }
        stored.accept(v, wh);
      });
      return;
    }
    forEachWhBlock(x, w, ht, (xb, wh) -> {
      xb.forEachEntry((i, j, v) -> stored.accept(v, wh.get(i, j)));
      if (all != null) {
        for (double v : wh.data()) {
          all.accept(v);
        }
      }
    });
  }

  private static double dot(double[] a, double[] b) {
    double s = 0.0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
