package org.sparknmf.solver;

import java.io.Serializable;

/**
 * Sums over the entries of X and of its reconstruction X̂ (for NMF, X̂ = W·H) that give, in one
 * pass over the rows, ‖X − X̂‖_F, ‖X‖_F and the beta-divergence of X from X̂ exactly as
 * {@link BetaDivergence#of} defines it from W and H: for β ≠ 2 only entries of X above
 * {@link FactorStatistics#EPSILON} enter the X-dependent terms and X̂ = 0 is read as epsilon
 * there, while Σ X̂ (Kullback–Leibler), the entry count (Itakura–Saito) and Σ X̂^β (other β) run
 * over every entry.
 *
 * <p>Every sum is additive over rows, so partial sums of row sets can be {@link #merge merged} in
 * any grouping (Spark's {@code treeAggregate}); the result equals the whole-matrix value up to
 * rounding. Rows are given as X̂ in full and X dense or sparse (sorted indices).
 */
public final class ReconstructionSums implements Serializable {

  private static final long serialVersionUID = 1L;

  private static final double EPS = FactorStatistics.EPSILON;

  /** β of the divergence, or NaN when only the Frobenius sums are kept. */
  private final double beta;
  private long rows;
  private long entries;
  private double squaredError;
  private double squaredNormX;
  // Divergence terms over the selected entries (x > eps) and, for t2, over all entries:
  // KL: Σ x·log(x/x̂), Σ x, Σ x̂;  IS: Σ x/x̂, Σ log(x/x̂);  other β: Σ x^β, Σ x·x̂^(β−1), Σ x̂^β.
  private double t0;
  private double t1;
  private double t2;

  private ReconstructionSums(double beta) {
    this.beta = beta;
  }

  /** Empty sums; with {@code loss} null only the Frobenius quantities are available. */
  public static ReconstructionSums zero(BetaLoss loss) {
    return new ReconstructionSums(loss == null ? Double.NaN : loss.beta());
  }

  private boolean divergenceTerms() {
    return !Double.isNaN(beta) && beta != 2.0;
  }

  /** Adds one row with dense X. Returns this. */
  public ReconstructionSums addDense(double[] x, double[] xhat) {
    requireSameSize(x.length, xhat.length);
    for (int j = 0; j < x.length; j++) {
      entry(x[j], xhat[j]);
    }
    rows++;
    entries += x.length;
    return this;
  }

  /**
   * Adds one row with sparse X: {@code size} entries, non-zeros at strictly increasing
   * {@code indices}. Returns this.
   */
  public ReconstructionSums addSparse(int size, int[] indices, double[] values, double[] xhat) {
    requireSameSize(size, xhat.length);
    int p = 0;
    for (int j = 0; j < size; j++) {
      double x = 0.0;
      if (p < indices.length && indices[p] == j) {
        x = values[p++];
      }
      entry(x, xhat[j]);
    }
    if (p != indices.length) {
      throw new IllegalArgumentException("sparse row indices must be increasing and below " + size);
    }
    rows++;
    entries += size;
    return this;
  }

  private static void requireSameSize(int x, int xhat) {
    if (x != xhat) {
      throw new IllegalArgumentException("the features have " + x + " entries but the reconstruction has "
          + xhat + "; they must have the same size");
    }
  }

  private void entry(double x, double xhat) {
    double d = x - xhat;
    squaredError += d * d;
    squaredNormX += x * x;
    if (!divergenceTerms()) {
      return;
    }
    if (beta == 1.0) {
      t2 += xhat;
      if (x > EPS) {
        t0 += x * Math.log(x / safe(xhat));
        t1 += x;
      }
    } else if (beta == 0.0) {
      if (x > EPS) {
        double div = x / safe(xhat);
        t0 += div;
        t1 += Math.log(div);
      }
    } else {
      t2 += Math.pow(xhat, beta);
      if (x > EPS) {
        t0 += Math.pow(x, beta);
        t1 += x * Math.pow(safe(xhat), beta - 1.0);
      }
    }
  }

  private static double safe(double xhat) {
    return xhat == 0.0 ? EPS : xhat;
  }

  /** Adds {@code other} (same β) into this. Returns this. */
  public ReconstructionSums merge(ReconstructionSums other) {
    if (Double.compare(other.beta, beta) != 0) {
      throw new IllegalArgumentException("cannot merge sums for beta " + other.beta + " into sums for " + beta);
    }
    rows += other.rows;
    entries += other.entries;
    squaredError += other.squaredError;
    squaredNormX += other.squaredNormX;
    t0 += other.t0;
    t1 += other.t1;
    t2 += other.t2;
    return this;
  }

  /** Rows added so far. */
  public long rows() {
    return rows;
  }

  /** ‖X − X̂‖²_F. */
  public double squaredError() {
    return squaredError;
  }

  /** ‖X‖²_F. */
  public double squaredNormX() {
    return squaredNormX;
  }

  /** ‖X − X̂‖_F. */
  public double frobenius() {
    return Math.sqrt(squaredError);
  }

  /** ‖X − X̂‖_F / ‖X‖_F; NaN when X is all zeros. */
  public double relativeFrobenius() {
    return squaredNormX == 0.0 ? Double.NaN : Math.sqrt(squaredError / squaredNormX);
  }

  /** The beta-divergence of X from X̂ ({@link BetaDivergence#of}'s value; half the squared error for β = 2). */
  public double betaDivergence() {
    if (Double.isNaN(beta)) {
      throw new IllegalStateException("these sums were made without a beta loss");
    }
    if (beta == 2.0) {
      return squaredError / 2.0;
    } else if (beta == 1.0) {
      return t0 + t2 - t1;
    } else if (beta == 0.0) {
      return t0 - (double) entries - t1;
    }
    return (t0 - beta * t1 + t2 * (beta - 1.0)) / (beta * (beta - 1.0));
  }
}
