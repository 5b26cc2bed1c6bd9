package org.sparknmf.jmh;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.solver.BetaLoss;
import org.sparknmf.solver.FactorStatistics;
import org.sparknmf.solver.MiniBatchSolver;
import org.sparknmf.solver.NmfOptions;
import org.sparknmf.solver.Side;

/**
 * A mini-batch step's work on one task's slice (W's update and H's statistics,
 * {@code MiniBatchSolver.updateW} with {@code hStats}), each thread on X of its own, so that runs
 * with {@code -t 1} and {@code -t 2} (half the rows) give the kernels' own scaling from one core to
 * two, apart from Spark. Each call takes the next slice of X, so X streams from memory as in a fit
 * ({@code newH} also gives each step a new Hᵀ, as a task gets one). {@code dense} is the benchmark's
 * low-rank set (20,480 × 500, k = 10, batch 4,096), {@code sparse} a part of its 20,000-column
 * sparse set (20 non-zeros a row, k = 20, batch 16,384).
 *
 * <p>Flops: {@code 4·rows·n·k} dense, {@code 4·nnz·k} sparse (both products).
 */
@State(Scope.Thread)
public class StepScalingBench extends KernelBenchmark {

  /** dense or sparse. */
  @Param({"dense", "sparse"})
  String kind;

  /** Rows of a step's slice: the batch, or half of it for two threads. */
  @Param({"full", "half"})
  String share;

  /**
   * Whether each step takes a new Hᵀ, as a fit's task does (the driver's update writes a new one):
   * then the step reads it from memory, not from the cache the last step left it in.
   */
  @Param({"false", "true"})
  boolean newH;

  DataMatrix x;
  DenseMatrix w;
  DenseMatrix ht;
  NmfOptions options;
  FactorStatistics wStats;
  FactorStatistics hStats;
  int rows;
  int slices;
  int next;
  long flopsPerStep;

  @Setup
  public void setUp() {
    boolean dense = kind.equals("dense");
    int k = dense ? 10 : 20;
    int batch = dense ? 4096 : 16384;
    rows = share.equals("half") ? batch / 2 : batch;
    slices = 5;
    int n = dense ? 500 : 20_000;
    long seed = Thread.currentThread().getId();
    x = dense ? Data.uniform(rows * slices, n, 1.0, seed) : Data.sparse(rows * slices, n, 20.0 / n, seed);
    w = Data.factor(rows * slices, k, 1.0, seed + 1);
    ht = Data.factor(n, k, 1.0, 53);
    options = new NmfOptions().nComponents(k).solver("mu").batchSize(rows);
    wStats = FactorStatistics.zeros(Side.W, BetaLoss.FROBENIUS, rows, k);
    hStats = FactorStatistics.zeros(Side.H, BetaLoss.FROBENIUS, n, k);
    flopsPerStep = 4L * (dense ? (long) rows * n : 20L * rows) * k;
  }

  @Benchmark
  public DenseMatrix step(Work work) {
    int from = next * rows;
    next = (next + 1) % slices;
    DenseMatrix wb = w.rowRange(from, from + rows);
    MiniBatchSolver.updateW(options, x.rowRange(from, from + rows), wb, newH ? ht.copy() : ht, wStats, hStats);
    work.add(flopsPerStep, 0);
    return wb;
  }
}
