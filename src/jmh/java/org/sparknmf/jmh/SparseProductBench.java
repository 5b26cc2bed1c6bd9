package org.sparknmf.jmh;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.sparknmf.linalg.CsrMatrix;
import org.sparknmf.linalg.DenseMatrix;

/**
 * The CSR products of the solvers, {@code out += X·Hᵀ} ({@link CsrMatrix#timesAdd}: a gather of
 * Hᵀ rows) and {@code out += Xᵀ·W} ({@link CsrMatrix#transposeTimesAdd}: a scatter into out rows),
 * on an {@code m × n} X with uniformly placed non-zeros. The output keeps accumulating across
 * invocations (the work does not depend on the values).
 *
 * <p>Flops: {@code 2·nnz·k}. Bytes: X's arrays (12 per non-zero, 4 per row), the dense factor read
 * once and the output read and written once; the gathers and scatters re-read factor rows from the
 * caches, which this does not count.
 */
public class SparseProductBench extends KernelBenchmark {

  @Param({"0.001", "0.01"})
  double density;

  @Param({"10", "20"})
  int k;

  @Param("50000")
  int m;

  @Param("10000")
  int n;

  CsrMatrix x;
  DenseMatrix w;
  DenseMatrix ht;
  DenseMatrix xht;
  DenseMatrix xtw;
  long flops;
  long bytesXht;
  long bytesXtw;

  @Setup
  public void setUp() {
    x = Data.sparse(m, n, density, 41);
    w = Data.factor(m, k, 1.0, 42);
    ht = Data.factor(n, k, 1.0, 43);
    xht = new DenseMatrix(m, k);
    xtw = new DenseMatrix(n, k);
    flops = 2L * x.storedEntries() * k;
    long xb = Data.csrBytes(x);
    bytesXht = xb + 8L * n * k + 16L * m * k;
    bytesXtw = xb + 8L * m * k + 16L * n * k;
  }

  /** {@code X·Hᵀ} ({@code m × k}), the numerator of the W update. */
  @Benchmark
  public DenseMatrix timesHt(Work work) {
    x.timesAdd(ht, xht);
    work.add(flops, bytesXht);
    return xht;
  }

  /** {@code Xᵀ·W} ({@code n × k}), i.e. (Wᵀ·X)ᵀ, the numerator of the H update. */
  @Benchmark
  public DenseMatrix transposeTimesW(Work work) {
    x.transposeTimesAdd(w, xtw);
    work.add(flops, bytesXtw);
    return xtw;
  }
}
