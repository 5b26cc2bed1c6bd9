package org.sparknmf.engine;

import java.io.Serializable;
import java.nio.ByteBuffer;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.solver.BetaDivergence;
import org.sparknmf.solver.BetaLoss;
import org.sparknmf.solver.FactorStatistics;
import org.sparknmf.solver.MiniBatchSolver;
import org.sparknmf.solver.NmfOptions;
import org.sparknmf.solver.Side;

/**
 * What one step sends from the executors to the driver, summed over row blocks (the shape of
 * Spark's {@code ALS.NormalEquation}): the statistics for updating H from the blocks' X and new W
 * rows, and the scalars of the stopping rules — the blocks' divergence and W sums for the
 * mini-batch cost, and the coordinate-descent violation of the W update.
 *
 * <p>Size on the wire: {@code n·k} doubles for the numerator, plus {@code k²} (Frobenius), {@code k}
 * (KL) or {@code n·k} (other betas) for the denominator.
 */
final class BatchStatistics implements Serializable {

  private static final long serialVersionUID = 1L;

  private final FactorStatistics h;
  private double divergence;
  private double wSum;
  private double wSquaredNorm;
  private double violation;
  private long rows;

  private BatchStatistics(FactorStatistics h) {
    this.h = h;
  }

  /**
   * The statistics of rows {@code xb} with their (updated) W rows {@code wb}, against Hᵀ, without
   * the cost.
   *
   * @param violation the projected-gradient violation of the W update (cd), else 0
   */
  static BatchStatistics of(DataMatrix xb, DenseMatrix wb, DenseMatrix ht, BetaLoss loss, double violation) {
    BatchStatistics s = new BatchStatistics(
        FactorStatistics.zeros(Side.H, loss, ht.rows(), ht.cols()).accumulate(xb, wb, ht));
    s.violation = violation;
    s.rows = xb.rows();
    return s;
  }

  /**
   * The statistics of rows {@code xb} with their (updated) W rows {@code wb}, against Hᵀ, and the
   * divergence and W sums of the mini-batch cost. {@code xSquaredNorm} is ‖xb‖²_F, or NaN to have it
   * computed (a fixed slice's can be kept from step to step).
   */
  static BatchStatistics withCost(DataMatrix xb, double xSquaredNorm, DenseMatrix wb, DenseMatrix ht,
      BetaLoss loss) {
    return of(xb, wb, ht, loss, 0.0).withCostOf(xb, xSquaredNorm, wb, ht, loss, null);
  }

  /**
   * Sets the cost's divergence and W sums from these statistics of xb and wb (and HHᵀ, or null).
   * Returns this.
   */
  private BatchStatistics withCostOf(DataMatrix xb, double xSquaredNorm, DenseMatrix wb, DenseMatrix ht,
      BetaLoss loss, DenseMatrix hht) {
    divergence = BetaDivergence.withStatistics(xb, xSquaredNorm, wb, ht, loss, h, hht);
    wSum = wb.sum();
    wSquaredNorm = wb.squaredNorm();
    return this;
  }

  /**
   * One mini-batch step on rows {@code xb} (‖xb‖²_F or NaN, as for {@link #withCost}): updates
   * their W rows {@code wb} in place (solves them afresh when {@code wb} is null) and returns the
   * statistics of the updated rows. {@code wWork} is the W update's workspace: a task that runs
   * many steps passes the same one, else null.
   */
  static BatchStatistics step(NmfOptions o, DataMatrix xb, double xSquaredNorm, DenseMatrix wb, DenseMatrix ht,
      FactorStatistics wWork) {
    FactorStatistics work = wb == null || wWork != null ? wWork
        : FactorStatistics.zeros(Side.W, o.betaLoss(), xb.rows(), wb.cols());
    BatchStatistics s = emptyFor(o, xb, ht);
    DenseMatrix hht = MiniBatchSolver.gramOfUpdate(o, wb, work);
    DenseMatrix w = MiniBatchSolver.updateW(o, xb, wb, ht, work, s.h);
    return s.withCostOf(xb, xSquaredNorm, w, ht, o.betaLoss(), hht);
  }

  /**
   * The statistics and cost of W rows {@code wb} that a step updated apart
   * ({@code MiniBatchSolver.updateW} without H's statistics, as a job per step does): the bits of
   * {@link #step}.
   */
  static BatchStatistics ofStep(NmfOptions o, DataMatrix xb, double xSquaredNorm, DenseMatrix wb, DenseMatrix ht) {
    BatchStatistics s = emptyFor(o, xb, ht);
    MiniBatchSolver.statistics(o, xb, wb, ht, s.h);
    return s.withCostOf(xb, xSquaredNorm, wb, ht, o.betaLoss(), null);
  }

  /** Statistics of {@code xb}'s rows still to be summed. */
  private static BatchStatistics emptyFor(NmfOptions o, DataMatrix xb, DenseMatrix ht) {
    BatchStatistics s = new BatchStatistics(FactorStatistics.zeros(Side.H, o.betaLoss(), ht.rows(), ht.cols()));
    s.rows = xb.rows();
    return s;
  }

  /** How many bytes {@link #writeTo} writes. */
  int encodedBytes() {
    return h.encodedBytes() + 4 * 8 + 8;
  }

  /** Writes these statistics as raw numbers (see {@link FactorStatistics#writeTo}). */
  void writeTo(ByteBuffer out) {
    h.writeTo(out);
    out.putDouble(divergence).putDouble(wSum).putDouble(wSquaredNorm).putDouble(violation).putLong(rows);
  }

  /** The statistics {@link #writeTo} wrote, bit for bit. */
  static BatchStatistics readFrom(ByteBuffer in) {
    BatchStatistics s = new BatchStatistics(FactorStatistics.readFrom(in));
    s.divergence = in.getDouble();
    s.wSum = in.getDouble();
    s.wSquaredNorm = in.getDouble();
    s.violation = in.getDouble();
    s.rows = in.getLong();
    return s;
  }

  /** Adds {@code other} into this. Returns this. */
  BatchStatistics merge(BatchStatistics other) {
    h.merge(other.h);
    divergence += other.divergence;
    wSum += other.wSum;
    wSquaredNorm += other.wSquaredNorm;
    violation += other.violation;
    rows += other.rows;
    return this;
  }

  FactorStatistics h() {
    return h;
  }

  double divergence() {
    return divergence;
  }

  double wSum() {
    return wSum;
  }

  double wSquaredNorm() {
    return wSquaredNorm;
  }

  double violation() {
    return violation;
  }

  long rows() {
    return rows;
  }
}
