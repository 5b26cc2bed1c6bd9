package org.sparknmf.linalg;

import org.netlib.util.intW;

/**
 * The economic Householder QR factorisation {@code Y = Q·R}: Q is {@code rows × p} with orthonormal
 * columns, R is {@code p × cols} upper triangular (trapezoidal), p = min(rows, cols). It is
 * LAPACK's {@code dgeqrf} + {@code dorgqr}, scipy's {@code qr(Y, mode='economic')}, run by the Java
 * LAPACK for the reason given in {@link JavaLapack}: the same input gives the same bits.
 */
public record Qr(DenseMatrix q, DenseMatrix r) {

  /** Factorises {@code y} (not modified). */
  public static Qr of(DenseMatrix y) {
    int rows = y.rows();
    int p = Math.min(rows, y.cols());
    if (p == 0) {
      return new Qr(new DenseMatrix(rows, 0), new DenseMatrix(0, y.cols()));
    }
    Reflectors h = Reflectors.of(y);
    return new Qr(h.q(), h.r());
  }

  /** R alone ({@code min(rows, cols) × cols}): the same bits as {@code of(y).r()}, Q not formed. */
  public static DenseMatrix rOf(DenseMatrix y) {
    if (Math.min(y.rows(), y.cols()) == 0) {
      return new DenseMatrix(0, y.cols());
    }
    return Reflectors.of(y).r();
  }

  /**
   * dgeqrf's output: R on and above the diagonal of {@code a}, the reflectors below it. Kept by
   * {@link ChunkedQr} so that a chunk's Q is formed later without factorising it again.
   */
  record Reflectors(double[] a, double[] tau, int rows, int cols) {

    static Reflectors of(DenseMatrix y) {
      int rows = y.rows();
      int cols = y.cols();
      double[] a = columnMajor(y);
      double[] tau = new double[Math.min(rows, cols)];
      intW info = new intW(0);
      double[] query = new double[1];
      JavaLapack.LAPACK.dgeqrf(rows, cols, a, rows, tau, query, -1, info);
      double[] work = new double[Math.max(1, (int) query[0])];
      JavaLapack.LAPACK.dgeqrf(rows, cols, a, rows, tau, work, work.length, info);
      if (info.val != 0) {
        throw new ArithmeticException("LAPACK dgeqrf failed (info = " + info.val + ")");
      }
      return new Reflectors(a, tau, rows, cols);
    }

    DenseMatrix r() {
      int p = tau.length;
      DenseMatrix r = new DenseMatrix(p, cols);
      for (int i = 0; i < p; i++) {
        for (int j = i; j < cols; j++) {
          r.set(i, j, a[i + j * rows]);
        }
      }
      return r;
    }

    /** Q ({@code rows × p}) by {@code dorgqr}, on a copy: the reflectors stay as they are. */
    DenseMatrix q() {
      int p = tau.length;
      double[] qa = java.util.Arrays.copyOf(a, a.length);
      intW info = new intW(0);
      double[] query = new double[1];
      JavaLapack.LAPACK.dorgqr(rows, p, p, qa, rows, tau, query, -1, info);
      double[] work = new double[Math.max(1, (int) query[0])];
      JavaLapack.LAPACK.dorgqr(rows, p, p, qa, rows, tau, work, work.length, info);
      if (info.val != 0) {
        throw new ArithmeticException("LAPACK dorgqr failed (info = " + info.val + ")");
      }
      DenseMatrix q = new DenseMatrix(rows, p);
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < p; j++) {
          q.set(i, j, qa[i + j * rows]);
        }
      }
      return q;
    }
  }

  /** {@code y}'s entries in LAPACK's column-major order. */
  static double[] columnMajor(DenseMatrix y) {
    int rows = y.rows();
    int cols = y.cols();
    double[] a = new double[rows * cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        a[i + j * rows] = y.get(i, j);
      }
    }
    return a;
  }
}
