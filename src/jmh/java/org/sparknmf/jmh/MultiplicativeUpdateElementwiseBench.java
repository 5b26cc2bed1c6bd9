package org.sparknmf.jmh;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.sparknmf.linalg.CsrMatrix;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.solver.BetaLoss;
import org.sparknmf.solver.FactorStatistics;
import org.sparknmf.solver.MultiplicativeUpdate;
import org.sparknmf.solver.Side;

/**
 * The multiplicative update alone, from statistics already accumulated: the denominator
 * ({@link FactorStatistics#denominator}: F·Gram for beta 2, the column sums for beta 1, a copy for
 * other betas) and {@link MultiplicativeUpdate#update}. With fixed statistics a repeated update
 * would drive F to 0 or overflow, so every invocation first restores F from a copy; that copy is
 * part of the measured work.
 *
 * <p>Flops: {@code 2fk² + 2fk} (beta 2), {@code 2fk} (beta 1), {@code 3fk} (beta 0: a square root
 * per entry). Bytes per entry of F: 16 (restore) + the denominator (24, 8, 16) + 40 (the update
 * reads F, numerator and denominator and writes F and the regularised denominator).
 */
public class MultiplicativeUpdateElementwiseBench extends KernelBenchmark {

  @Param({"2", "1", "0"})
  double beta;

  @Param({"10", "20"})
  int k;

  /** Rows of the updated factor (Hᵀ: the features). */
  @Param("20000")
  int rows;

  DenseMatrix f;
  DenseMatrix start;
  FactorStatistics stats;
  double gamma;
  long flops;
  long bytes;

  @Setup
  public void setUp() {
    BetaLoss loss = new BetaLoss(beta);
    int samples = 2000;
    CsrMatrix x = Data.sparse(samples, rows, 0.01, 31);
    double mean = x.mean();
    DenseMatrix w = Data.factor(samples, k, mean, 32);
    start = Data.factor(rows, k, mean, 33);
    f = start.copy();
    stats = FactorStatistics.of(Side.H, loss, x, w, start);
    gamma = loss.gamma();
    long e = (long) rows * k;
    if (beta == 2.0) {
      flops = 2 * e * k + 2 * e;
      bytes = (16 + 24 + 40) * e;
    } else if (beta == 1.0) {
      flops = 2 * e;
      bytes = (16 + 8 + 40) * e;
    } else {
      flops = 3 * e;
      bytes = (16 + 16 + 40) * e;
    }
  }

  @Benchmark
  public DenseMatrix update(Work work) {
    f.copyFrom(start);
    MultiplicativeUpdate.update(f, stats, 0.0, 0.0, gamma);
    work.add(flops, bytes);
    return f;
  }
}
