package org.sparknmf.jmh;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.solver.BetaLoss;
import org.sparknmf.solver.FactorStatistics;
import org.sparknmf.solver.MiniBatchSolver;
import org.sparknmf.solver.NmfOptions;
import org.sparknmf.solver.Side;

/**
 * The dense counterparts of {@link SparseProductBench}: {@code out += X·Hᵀ} and
 * {@code out += Xᵀ·W} on a dense {@code m × n} X ({@link DenseMatrix#timesAdd},
 * {@link DenseMatrix#transposeTimesAdd}: one BLAS dgemm each, multithreaded when native), plus
 * the Gram matrix {@code WᵀW} that the Frobenius statistics form with every accumulation; and a
 * mini-batch step's W update with H's statistics (both products), in one pass over X
 * ({@code MiniBatchSolver.updateW} with {@code hStats}, on the calling thread) and in two.
 *
 * <p>Flops: {@code 2mnk} per product ({@code 2mk²} for the Gram). Bytes: X and the factor read
 * once per pass, the output read and written once.
 */
public class DenseProductBench extends KernelBenchmark {

  @Param({"10", "20"})
  int k;

  @Param("10000")
  int m;

  @Param("2000")
  int n;

  DenseMatrix x;
  DenseMatrix w;
  DenseMatrix ht;
  DenseMatrix xht;
  DenseMatrix xtw;
  DenseMatrix gram;
  NmfOptions options;
  FactorStatistics wStats;
  FactorStatistics hStats;

  @Setup
  public void setUp() {
    x = Data.uniform(m, n, 1.0, 51);
    w = Data.factor(m, k, 1.0, 52);
    ht = Data.factor(n, k, 1.0, 53);
    xht = new DenseMatrix(m, k);
    xtw = new DenseMatrix(n, k);
    gram = new DenseMatrix(k, k);
    options = new NmfOptions().nComponents(k).batchSize(m);
    wStats = FactorStatistics.zeros(Side.W, BetaLoss.FROBENIUS, m, k);
    hStats = FactorStatistics.zeros(Side.H, BetaLoss.FROBENIUS, n, k);
  }

  /** W's rows updated between the two products, block by block, while the block is in cache. */
  @Benchmark
  public DenseMatrix stepInOnePass(Work work) {
    MiniBatchSolver.updateW(options, x, w, ht, wStats, hStats);
    work.add(4L * m * n * k, 8L * ((long) m * n + 2L * n * k + 4L * m * k));
    return w;
  }

  /** The same step as two dgemm passes over X: X·Hᵀ, W's update, then Xᵀ·W. */
  @Benchmark
  public DenseMatrix stepInTwoPasses(Work work) {
    MiniBatchSolver.updateW(options, x, w, ht, wStats);
    hStats.reset().accumulate(x, w, ht);
    work.add(4L * m * n * k, 8L * (2L * m * n + 2L * n * k + 4L * m * k));
    return w;
  }

  @Benchmark
  public DenseMatrix timesHt(Work work) {
    x.timesAdd(ht, xht);
    work.add(2L * m * n * k, 8L * ((long) m * n + (long) n * k + 2L * m * k));
    return xht;
  }

  @Benchmark
  public DenseMatrix transposeTimesW(Work work) {
    x.transposeTimesAdd(w, xtw);
    work.add(2L * m * n * k, 8L * ((long) m * n + (long) m * k + 2L * n * k));
    return xtw;
  }

  @Benchmark
  public DenseMatrix gramW(Work work) {
    w.transposeTimesAdd(w, gram);
    work.add(2L * m * k * k, 8L * ((long) m * k + 2L * k * k));
    return gram;
  }
}
