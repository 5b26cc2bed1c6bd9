package org.sparknmf.jmh;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.solver.BetaLoss;
import org.sparknmf.solver.FactorStatistics;
import org.sparknmf.solver.MiniBatchState;
import org.sparknmf.solver.NmfOptions;
import org.sparknmf.solver.Regularization;
import org.sparknmf.solver.Side;

/**
 * The driver's part of a mini-batch step, which the tasks wait for: the batch cost's H terms, the
 * online H update from the summed statistics ({@link MiniBatchState#updateH}, with the
 * denominator Hᵀ·WᵀW), the H change the stopping rule reads, and the copy of Hᵀ kept for the next
 * step's change. Frobenius loss, no penalties, as the benchmark's fits run. {@code n × k}: 20,000 ×
 * 20 is the sparse set's Hᵀ, 500 × 10 the low-rank set's. Each invocation updates the same state
 * again, the work of one step.
 *
 * <p>Flops: {@code 2nk²} (the denominator) + {@code 8nk} (update, change and norm). Bytes: Hᵀ,
 * A, B and the kept copy read and written, the numerator and the denominator read, the denominator
 * written: {@code 8·11·nk}.
 */
public class DriverStepBench extends KernelBenchmark {

  @Param({"20000"})
  int n;

  @Param({"20"})
  int k;

  DenseMatrix ht;
  DenseMatrix kept;
  MiniBatchState state;
  FactorStatistics stats;
  Regularization reg;
  long flops;
  long bytes;

  @Setup
  public void setUp() {
    int rows = 2048;
    DataMatrix x = Data.sparse(rows, n, Math.min(1.0, 20.0 / n), 31);
    DenseMatrix w = Data.factor(rows, k, 1.0, 32);
    ht = Data.factor(n, k, 1.0, 33);
    kept = ht.copy();
    NmfOptions options = new NmfOptions().nComponents(k).solver("mu").batchSize(rows);
    state = new MiniBatchState(options, 100L * rows, ht);
    stats = FactorStatistics.of(Side.H, BetaLoss.FROBENIUS, x, w, ht);
    reg = options.regularization(rows, n);
    long nk = (long) n * k;
    flops = 2 * nk * k + 8 * nk;
    bytes = 8 * 11 * nk;
  }

  @Benchmark
  public double step(Work work) {
    double cost = state.recordCost(1.0, 1.0, 1.0, ht, reg, 1);
    state.updateH(ht, stats, reg);
    double change = ht.relativeDistance(kept);
    kept.copyFrom(ht);
    work.add(flops, bytes);
    return cost + change;
  }
}
