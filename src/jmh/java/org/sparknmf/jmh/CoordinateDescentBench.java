package org.sparknmf.jmh;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.solver.BetaLoss;
import org.sparknmf.solver.CoordinateDescent;
import org.sparknmf.solver.FactorStatistics;
import org.sparknmf.solver.Side;

/**
 * One coordinate-descent sweep over a factor of {@code rows × k} ({@link CoordinateDescent#update},
 * no penalties), from the Frobenius statistics of a dense X of {@code rows × n} against a fixed Hᵀ.
 * The factor is updated in place from one invocation to the next, so after warm-up it sits at the
 * sweep's fixed point, as in the late iterations of a fit; the work does not depend on the values.
 *
 * <p>Flops per sweep: {@code rows·k·(2k + 4)} (the gradient's dot product, the step, the violation).
 * Bytes: the factor read and written, the numerator {@code X·Hᵀ} read, and the Gram matrix.
 */
public class CoordinateDescentBench extends KernelBenchmark {

  @Param({"10", "20"})
  int k;

  @Param({"500", "5000"})
  int rows;

  /** Features of X (only the statistics' values depend on it). */
  @Param("1000")
  int n;

  DenseMatrix f;
  FactorStatistics stats;
  int[] permutation;
  long flops;
  long bytes;

  @Setup
  public void setUp() {
    DenseMatrix w = Data.factor(rows, k, 1.0, 11);
    DenseMatrix ht = Data.factor(n, k, 1.0, 12);
    DenseMatrix x = new DenseMatrix(rows, n);
    w.timesTransposeInto(ht, x);
    double[] xd = x.data();
    DenseMatrix noise = Data.uniform(rows, n, 0.2, 13);
    for (int i = 0; i < xd.length; i++) {
      xd[i] += noise.data()[i];
    }
    stats = FactorStatistics.of(Side.W, BetaLoss.FROBENIUS, x, w, ht);
    f = Data.factor(rows, k, 1.0, 14);
    permutation = Data.identity(k);
    flops = (long) rows * k * (2L * k + 4);
    bytes = 8L * (3L * rows * k + (long) k * k);
  }

  @Benchmark
  public double update(Work work) {
    work.add(flops, bytes);
    return CoordinateDescent.update(f, stats, 0.0, 0.0, permutation);
  }
}
