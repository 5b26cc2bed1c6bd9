package org.sparknmf.jmh;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.sparknmf.linalg.DenseMatrix;

/**
 * The dense counterparts of {@link SparseProductBench}: {@code out += X·Hᵀ} and
 * {@code out += Xᵀ·W} on a dense {@code m × n} X ({@link DenseMatrix#timesAdd},
 * {@link DenseMatrix#transposeTimesAdd}: one BLAS dgemm each, multithreaded when native), plus
 * the Gram matrix {@code WᵀW} that the Frobenius statistics form with every accumulation.
 *
 * <p>Flops: {@code 2mnk} ({@code 2mk²} for the Gram). Bytes: X and the factor read once, the
 * output read and written once.
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

  @Setup
  public void setUp() {
    x = Data.uniform(m, n, 1.0, 51);
    w = Data.factor(m, k, 1.0, 52);
    ht = Data.factor(n, k, 1.0, 53);
    xht = new DenseMatrix(m, k);
    xtw = new DenseMatrix(n, k);
    gram = new DenseMatrix(k, k);
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
