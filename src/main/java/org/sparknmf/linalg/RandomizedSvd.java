package org.sparknmf.linalg;

import dev.ludovic.netlib.lapack.JavaLAPACK;
import dev.ludovic.netlib.lapack.LAPACK;
import org.netlib.util.intW;
import org.sparknmf.util.NumpyRandomState;

/**
 * scikit-learn's {@code randomized_svd} (Halko, Martinsson &amp; Tropp 2011) with its defaults, the
 * SVD that its NNDSVD initialisation uses: k + 10 Gaussian test vectors drawn from
 * {@code RandomState}, 7 power iterations when k &lt; 0.1·min(m, n) and 4 otherwise, each
 * normalised by an LU factorisation, a QR of the range, and {@code dgesdd} of the small projected
 * matrix; X is transposed first when it is wide. It approximates the exact SVD, so following it
 * step by step is what gives scikit-learn's starting factors, not only its fixed point.
 *
 * <p>Singular vectors come without scikit-learn's {@code svd_flip}: NNDSVD is invariant to the sign
 * of each (u, v) pair.
 */
public final class RandomizedSvd {

  private static final int OVERSAMPLES = 10;
  /** The Java LAPACK, for the reason given in {@link Svd}: the same input gives the same bits. */
  private static final LAPACK LAPACK_JAVA = JavaLAPACK.getInstance();

  private RandomizedSvd() {}

  /** The leading {@code k} triplets, with {@code rng} in the state scikit-learn's would be. */
  public static Svd.Result of(DataMatrix x, int k, NumpyRandomState rng) {
    int m = x.rows();
    int n = x.cols();
    if (k < 1 || k > Math.min(m, n)) {
      throw new IllegalArgumentException("k = " + k + " must be in [1, min(rows, cols) = " + Math.min(m, n) + "]");
    }
    int iterations = k < 0.1 * Math.min(m, n) ? 7 : 4;
    boolean transpose = m < n; // then A = Xᵀ, which is tall
    Operator a = new Operator(x, transpose);
    DenseMatrix q = new DenseMatrix(a.cols(), k + OVERSAMPLES);
    rng.standardNormal(q.data());
    for (int i = 0; i < iterations; i++) {
      q = permutedLower(a.times(q));
      q = permutedLower(a.transposeTimes(q));
    }
    q = orthonormalBasis(a.times(q));
    DenseMatrix b = a.transposeTimes(q).transpose(); // Qᵀ·A
    Svd.Result small = Svd.truncated(b, Math.min(b.rows(), b.cols()), Long.MAX_VALUE);
    DenseMatrix u = new DenseMatrix(q.rows(), small.u().cols());
    q.timesAdd(small.u(), u);
    DenseMatrix uk = new DenseMatrix(u.rows(), k);
    for (int i = 0; i < u.rows(); i++) {
      System.arraycopy(u.data(), i * u.cols(), uk.data(), i * k, k);
    }
    DenseMatrix vtk = small.vt().rowRange(0, k).copy();
    double[] s = java.util.Arrays.copyOf(small.s(), k);
    return transpose ? new Svd.Result(vtk.transpose(), s, uk.transpose()) : new Svd.Result(uk, s, vtk);
  }

  /** A = X or Xᵀ, applied to dense matrices through X's own products. */
  private record Operator(DataMatrix x, boolean transposed) {

    int cols() {
      return transposed ? x.rows() : x.cols();
    }

    DenseMatrix times(DenseMatrix v) {
      DenseMatrix out = new DenseMatrix(transposed ? x.cols() : x.rows(), v.cols());
      if (transposed) {
        x.transposeTimesAdd(v, out);
      } else {
        x.timesAdd(v, out);
      }
      return out;
    }

    DenseMatrix transposeTimes(DenseMatrix v) {
      DenseMatrix out = new DenseMatrix(transposed ? x.rows() : x.cols(), v.cols());
      if (transposed) {
        x.timesAdd(v, out);
      } else {
        x.transposeTimesAdd(v, out);
      }
      return out;
    }
  }

  /**
   * P·L of the partial-pivoting LU factorisation Y = P·L·U ({@code scipy.linalg.lu(Y,
   * permute_l=True)[0]}): {@code rows × min(rows, cols)}.
   */
  static DenseMatrix permutedLower(DenseMatrix y) {
    int rows = y.rows();
    int cols = y.cols();
    int p = Math.min(rows, cols);
    double[] a = columnMajor(y);
    int[] pivots = new int[p];
    intW info = new intW(0);
    LAPACK_JAVA.dgetrf(rows, cols, a, rows, pivots, info);
    if (info.val < 0) {
      throw new ArithmeticException("LAPACK dgetrf: argument " + -info.val + " is invalid");
    }
    // info > 0 is an exact zero pivot of U; L is still what scipy returns.
    DenseMatrix l = new DenseMatrix(rows, p);
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < Math.min(i, p); j++) {
        l.set(i, j, a[i + j * rows]);
      }
      if (i < p) {
        l.set(i, i, 1.0);
      }
    }
    // dgetrf swapped row t with row pivots[t] - 1, in order: undo the swaps, last first.
    double[] ld = l.data();
    for (int t = p - 1; t >= 0; t--) {
      int r = pivots[t] - 1;
      if (r != t) {
        for (int j = 0; j < p; j++) {
          double tmp = ld[t * p + j];
          ld[t * p + j] = ld[r * p + j];
          ld[r * p + j] = tmp;
        }
      }
    }
    return l;
  }

  /** Q of the economic QR factorisation ({@code scipy.linalg.qr(Y, mode='economic')[0]}). */
  static DenseMatrix orthonormalBasis(DenseMatrix y) {
    int rows = y.rows();
    int cols = y.cols();
    int p = Math.min(rows, cols);
    double[] a = columnMajor(y);
    double[] tau = new double[p];
    intW info = new intW(0);
    double[] query = new double[1];
    LAPACK_JAVA.dgeqrf(rows, cols, a, rows, tau, query, -1, info);
    double[] work = new double[Math.max(1, (int) query[0])];
    LAPACK_JAVA.dgeqrf(rows, cols, a, rows, tau, work, work.length, info);
    LAPACK_JAVA.dorgqr(rows, p, p, a, rows, tau, query, -1, info);
    work = new double[Math.max(work.length, (int) query[0])];
    LAPACK_JAVA.dorgqr(rows, p, p, a, rows, tau, work, work.length, info);
    if (info.val != 0) {
      throw new ArithmeticException("LAPACK dgeqrf/dorgqr failed (info = " + info.val + ")");
    }
    DenseMatrix q = new DenseMatrix(rows, p);
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < p; j++) {
        q.set(i, j, a[i + j * rows]);
      }
    }
    return q;
  }

  private static double[] columnMajor(DenseMatrix y) {
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
