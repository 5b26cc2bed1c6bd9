package org.sparknmf.engine;

import java.io.Serializable;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.solver.BetaDivergence;
import org.sparknmf.solver.BetaLoss;
import org.sparknmf.solver.FactorStatistics;
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
   * The statistics of rows {@code xb} with their (updated) W rows {@code wb}, against Hᵀ.
   *
   * @param withCost also the divergence and W sums (the mini-batch cost)
   * @param violation the projected-gradient violation of the W update (cd), else 0
   */
  static BatchStatistics of(DataMatrix xb, DenseMatrix wb, DenseMatrix ht, BetaLoss loss,
      boolean withCost, double violation) {
    BatchStatistics s = new BatchStatistics(
        FactorStatistics.zeros(Side.H, loss, ht.rows(), ht.cols()).accumulate(xb, wb, ht));
    if (withCost) {
      s.divergence = BetaDivergence.of(xb, wb, ht, loss);
      s.wSum = wb.sum();
      s.wSquaredNorm = wb.squaredNorm();
    }
    s.violation = violation;
    s.rows = xb.rows();
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
