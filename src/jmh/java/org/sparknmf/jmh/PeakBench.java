package org.sparknmf.jmh;

import dev.ludovic.netlib.blas.BLAS;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * This machine's peaks, against which {@link BenchReport} rates the kernels: dgemm of the BLAS the
 * project uses (netlib; native OpenBLAS, with its own threads, when installed) on large square
 * matrices for GFLOP/s, and a large array copy and sum, on one thread and on every core, for memory
 * GB/s (a copy moves 16 bytes per entry as counted here; the write-allocate read of the
 * destination is not counted). The arrays are larger than the caches.
 */
public class PeakBench extends KernelBenchmark {

  /** Parameter names are shared by every benchmark of a run: these have names of their own. */
  @State(Scope.Benchmark)
  public static class Gemm {
    @Param("2000")
    int gemmSize;
    int n;
    double[] a;
    double[] b;
    double[] c;
    final BLAS blas = BLAS.getInstance();

    @Setup
    public void setUp() {
      n = gemmSize;
      a = Data.uniform(n, n, 1.0, 1).data();
      b = Data.uniform(n, n, 1.0, 2).data();
      c = new double[n * n];
    }
  }

  /** Per thread: the all-cores variants give every thread arrays of its own. */
  @State(Scope.Thread)
  public static class Stream {
    /** 2^26 doubles: 512 MiB per array, twice the L3 cache these machines report (260 MiB). */
    @Param("67108864")
    int streamLength;
    int length;
    double[] src;
    double[] dst;

    @Setup
    public void setUp() {
      length = streamLength;
      src = Data.uniform(1, length, 1.0, 3).data();
      dst = new double[length];
    }
  }

  @Benchmark
  public double[] dgemm(Gemm g, Work work) {
    int n = g.n;
    g.blas.dgemm("N", "N", n, n, n, 1.0, g.a, n, g.b, n, 0.0, g.c, n);
    work.add(2L * n * n * n, 3L * 8 * n * n);
    return g.c;
  }

  @Benchmark
  public double[] copy(Stream s, Work work) {
    return copyInto(s, work);
  }

  @Benchmark
  public double sum(Stream s, Work work) {
    return sumOf(s, work);
  }

  @Benchmark
  @Threads(Threads.MAX)
  public double[] copyAllCores(Stream s, Work work) {
    return copyInto(s, work);
  }

  @Benchmark
  @Threads(Threads.MAX)
  public double sumAllCores(Stream s, Work work) {
    return sumOf(s, work);
  }

  private static double[] copyInto(Stream s, Work work) {
    System.arraycopy(s.src, 0, s.dst, 0, s.length);
    work.add(0, 16L * s.length);
    return s.dst;
  }

  /** Eight independent sums, so the loop is bound by memory, not by the latency of one add chain. */
  private static double sumOf(Stream s, Work work) {
    double[] x = s.src;
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    int i = 0;
    for (int n = x.length - 7; i < n; i += 8) {
      s0 += x[i];
      s1 += x[i + 1];
      s2 += x[i + 2];
      s3 += x[i + 3];
      s4 += x[i + 4];
      s5 += x[i + 5];
      s6 += x[i + 6];
      s7 += x[i + 7];
    }
    for (; i < x.length; i++) {
      s0 += x[i];
    }
    work.add(x.length, 8L * x.length);
    return s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
  }
}
