package org.sparknmf.linalg;

import dev.ludovic.netlib.blas.BLAS;

/**
 * Row-major facade over netlib BLAS: native OpenBLAS when the machine has it ({@code libblas.so.3}),
 * the pure-Java implementation otherwise. Dense products are 15–25× faster with the native library,
 * so every dense product of the project goes through here.
 */
public final class Blas {

  private static final BLAS BLAS_INSTANCE = BLAS.getInstance();

  /**
   * OpenBLAS computes a product of fewer multiply-adds than this on the calling thread (its
   * {@code SMP_THRESHOLD_MIN} 65,536 × {@code GEMM_MULTITHREAD_THRESHOLD} 4).
   */
  public static final long OPENBLAS_SERIAL_BELOW = 262_144L;

  /**
   * Products of up to this many multiply-adds go to OpenBLAS in blocks of rows under
   * {@link #OPENBLAS_SERIAL_BELOW}, so on the calling thread: waking OpenBLAS's threads and their
   * spinning afterwards cost more than they save on such products (digits' 1,797 × 64 × 16 product:
   * 0.18–0.45 ms threaded, 0.04 ms in blocks), and the spinning takes a core from the JIT while a
   * fit warms up.
   */
  static final long CALLING_THREAD_UP_TO = 4L << 20;

  /** Fewest rows per block: thinner ones would read a transposed A column by column, call after call. */
  private static final int MIN_BLOCK_ROWS = 8;

  private static final boolean NATIVE = "JNIBLAS".equals(BLAS_INSTANCE.getClass().getSimpleName());

  private Blas() {}

  /** The implementation in use, e.g. {@code JNIBLAS} (native) or {@code VectorBLAS} (Java). */
  public static String implementation() {
    return BLAS_INSTANCE.getClass().getSimpleName();
  }

  /**
   * {@code C = alpha · op(A) · op(B) + beta · C} on row-major arrays with offsets; op(A) is
   * {@code m × k}, op(B) is {@code k × n}, C is {@code m × n}. Modifies C only.
   */
  public static void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
      double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
      double beta, double[] c, int cOff, int ldc) {
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0) {
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          c[cOff + i * ldc + j] *= beta;
        }
      }
      return;
    }
    long work = (long) m * n * k;
    int blockRows = (int) Math.min(m, (OPENBLAS_SERIAL_BELOW - 1) / ((long) n * k));
    if (NATIVE && work >= OPENBLAS_SERIAL_BELOW && work <= CALLING_THREAD_UP_TO && blockRows >= MIN_BLOCK_ROWS) {
      for (int i = 0; i < m; i += blockRows) {
        int rows = Math.min(blockRows, m - i);
        dgemm(transA, transB, rows, n, k, alpha, a, transA ? aOff + i : aOff + i * lda, lda, b, bOff, ldb,
            beta, c, cOff + i * ldc, ldc);
      }
      return;
    }
    dgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
  }

  private static void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
      double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
      double beta, double[] c, int cOff, int ldc) {
    // Row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ, so the operands swap.
    BLAS_INSTANCE.dgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, alpha,
        b, bOff, Math.max(1, ldb), a, aOff, Math.max(1, lda), beta, c, cOff, Math.max(1, ldc));
  }

  // dot and axpy run over k-length rows of the factors (k is small): a JNI call would cost more
  // than the loop, so they stay in Java.

  /** Dot product of {@code n} consecutive entries. */
  public static double dot(int n, double[] x, int xOff, double[] y, int yOff) {
    double s = 0.0;
    for (int i = 0; i < n; i++) {
      s += x[xOff + i] * y[yOff + i];
    }
    return s;
  }

  /** {@code y += alpha · x} over {@code n} consecutive entries. Modifies y. */
  public static void axpy(int n, double alpha, double[] x, int xOff, double[] y, int yOff) {
    for (int i = 0; i < n; i++) {
      y[yOff + i] += alpha * x[xOff + i];
    }
  }
}
