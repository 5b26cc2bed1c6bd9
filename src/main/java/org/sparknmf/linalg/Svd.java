package org.sparknmf.linalg;

import dev.ludovic.netlib.lapack.LAPACK;
import org.netlib.util.intW;

/**
 * The exact singular value decomposition {@code X = U·diag(s)·Vt} of a small matrix: the projected
 * matrix of a randomized SVD ({@link RandomizedSvd}, and the distributed one of the engine).
 */
public final class Svd {

  /** {@code X ≈ U · diag(s) · Vt}: U is {@code rows × k}, Vt is {@code k × cols}, s descending. */
  public record Result(DenseMatrix u, double[] s, DenseMatrix vt) {}

  private Svd() {}

  /** The exact leading {@code k} triplets: {@code dgesdd} on a dense copy, whatever its size. */
  public static Result exact(DataMatrix x, int k) {
    int m = x.rows();
    int n = x.cols();
    int p = Math.min(m, n);
    if (k < 1 || k > p) {
      throw new IllegalArgumentException("k = " + k + " must be in [1, min(rows, cols) = " + p + "]");
    }
    // Row-major X is column-major Xᵀ (n × m): Xᵀ = U'·S·VT' gives U = VT'ᵀ and Vt = U'ᵀ, and both
    // come out of LAPACK already in the row-major layout we want.
    double[] a = x.toDense().data();
    double[] s = new double[p];
    double[] uPrime = new double[n * p];
    double[] vtPrime = new double[p * m];
    int[] iwork = new int[8 * p];
    intW info = new intW(0);
    LAPACK lapack = JavaLapack.LAPACK;
    double[] query = new double[1];
    lapack.dgesdd("S", n, m, a, n, s, uPrime, n, vtPrime, p, query, -1, iwork, info);
    double[] work = new double[(int) query[0]];
    lapack.dgesdd("S", n, m, a, n, s, uPrime, n, vtPrime, p, work, work.length, iwork, info);
    if (info.val != 0) {
      throw new ArithmeticException("LAPACK dgesdd did not converge (info = " + info.val + ")");
    }
    DenseMatrix u = new DenseMatrix(m, k);
    for (int i = 0; i < m; i++) {
      System.arraycopy(vtPrime, i * p, u.data(), i * k, k);
    }
    double[] vt = new double[k * n];
    System.arraycopy(uPrime, 0, vt, 0, k * n);
    double[] sk = new double[k];
    System.arraycopy(s, 0, sk, 0, k);
    return new Result(u, sk, new DenseMatrix(k, n, vt));
  }
}
