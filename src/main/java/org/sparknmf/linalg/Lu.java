package org.sparknmf.linalg;

import org.netlib.util.intW;

/**
 * LAPACK's {@code dgetrf} (LU with partial pivoting) run by the Java LAPACK, whose bits do not
 * depend on the run (see {@link JavaLapack}), with its unblocked case in plain Java: for
 * min(m, n) ≤ 64 (ILAENV's block size) {@code dgetrf} runs {@code dgetf2}, and the same operations
 * in the same order give the same bits without the Java LAPACK's first calls, which take hundreds
 * of milliseconds before the JIT compiles them (every NNDSVD start makes 8 or 14 of them).
 */
final class Lu {

  /** ILAENV's block size for dgetrf: up to it, dgetrf is dgetf2. */
  static final int UNBLOCKED_MAX = 64;
  /** DLAMCH('S'), below which dgetf2 divides by the pivot instead of scaling by its reciprocal. */
  private static final double SAFE_MIN = JavaLapack.LAPACK.dlamch("S");

  private Lu() {}

  /**
   * Factorises the column-major {@code m × n} matrix {@code a} in place (L below the diagonal with
   * its unit diagonal implied, U on and above it) and fills {@code pivots} (1-based, LAPACK's
   * IPIV). Returns LAPACK's INFO: 0, or j + 1 for the first exactly zero pivot j.
   */
  static int factor(int m, int n, double[] a, int[] pivots) {
    if (Math.min(m, n) > UNBLOCKED_MAX) {
      intW info = new intW(0);
      JavaLapack.LAPACK.dgetrf(m, n, a, m, pivots, info);
      if (info.val < 0) {
        throw new ArithmeticException("LAPACK dgetrf: argument " + -info.val + " is invalid");
      }
      return info.val;
    }
    return unblocked(m, n, a, pivots);
  }

  /** Reference LAPACK's dgetf2, loop for loop (IDAMAX, DSWAP, DSCAL or division, DGER). */
  static int unblocked(int m, int n, double[] a, int[] pivots) {
    int info = 0;
    int p = Math.min(m, n);
    for (int j = 0; j < p; j++) {
      int cj = j * m;
      int jp = j; // IDAMAX: the first largest |a|
      double max = Math.abs(a[cj + j]);
      for (int i = j + 1; i < m; i++) {
        if (Math.abs(a[cj + i]) > max) {
          max = Math.abs(a[cj + i]);
          jp = i;
        }
      }
      pivots[j] = jp + 1;
      if (a[cj + jp] != 0.0) {
        if (jp != j) {
          for (int c = 0; c < n; c++) {
            double t = a[c * m + j];
            a[c * m + j] = a[c * m + jp];
            a[c * m + jp] = t;
          }
        }
        double pivot = a[cj + j];
        if (Math.abs(pivot) >= SAFE_MIN) {
          double reciprocal = 1.0 / pivot;
          for (int i = j + 1; i < m; i++) {
            a[cj + i] = reciprocal * a[cj + i];
          }
        } else {
          for (int i = j + 1; i < m; i++) {
            a[cj + i] = a[cj + i] / pivot;
          }
        }
      } else if (info == 0) {
        info = j + 1;
      }
      // DGER with alpha = −1: columns whose entry in row j is 0 are skipped, as the reference does.
      for (int c = j + 1; c < n && j < p - 1; c++) {
        double y = a[c * m + j];
        if (y != 0.0) {
          double temp = -1.0 * y;
          int cc = c * m;
          for (int i = j + 1; i < m; i++) {
            a[cc + i] = a[cc + i] + a[cj + i] * temp;
          }
        }
      }
    }
    return info;
  }
}
