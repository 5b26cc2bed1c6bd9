package org.sparknmf.linalg;

import dev.ludovic.netlib.arpack.ARPACK;
import dev.ludovic.netlib.lapack.JavaLAPACK;
import dev.ludovic.netlib.lapack.LAPACK;
import java.util.function.BiConsumer;
import org.netlib.util.doubleW;
import org.netlib.util.intW;

/**
 * Truncated singular value decomposition {@code X ≈ U·diag(s)·Vt}.
 *
 * <p>Small X: LAPACK's {@code dgesdd} on a dense copy (exact, all triplets). Larger X: the leading
 * eigenpairs of the smaller Gram matrix (XᵀX or XXᵀ) — by ARPACK without ever forming it when k
 * is small against that side, as Spark's {@code RowMatrix.computeSVD} does, or by LAPACK's
 * {@code dsyevr} on the formed Gram matrix otherwise — then the other side's vectors as
 * {@code X·v/σ}. The Gram route squares the condition number, which is harmless for the leading
 * triplets that NMF initialisation uses.
 */
public final class Svd {

  /** {@code X ≈ U · diag(s) · Vt}: U is {@code rows × k}, Vt is {@code k × cols}, s descending. */
  public record Result(DenseMatrix u, double[] s, DenseMatrix vt) {}

  /** Up to this many entries X is densified for {@code dgesdd}. */
  static final long DENSE_LIMIT = 1L << 18;
  private static final double ARPACK_TOL = 1e-10;
  /**
   * The Java LAPACK, not the native one: OpenBLAS's LAPACK gives results that differ in the last
   * bits from call to call (its vector kernels sum in an order that depends on the arrays'
   * addresses), and NNDSVD's start must be the same on every run for fits to be reproducible. The
   * SVD is of a small matrix (at most {@link #DENSE_LIMIT} entries or a k-sized Gram), so speed is
   * not at stake.
   */
  private static final LAPACK LAPACK_JAVA = JavaLAPACK.getInstance();
  private static final Object ARPACK_LOCK = new Object();

  private Svd() {}

  /** The leading {@code k} singular triplets of X. */
  public static Result truncated(DataMatrix x, int k) {
    return truncated(x, k, DENSE_LIMIT);
  }

  /** As {@link #truncated(DataMatrix, int)}, densifying only up to {@code denseLimit} entries. */
  static Result truncated(DataMatrix x, int k, long denseLimit) {
    int m = x.rows();
    int n = x.cols();
    int p = Math.min(m, n);
    if (k < 1 || k > p) {
      throw new IllegalArgumentException("k = " + k + " must be in [1, min(rows, cols) = " + p + "]");
    }
    if ((long) m * n <= denseLimit) {
      return dense(x, k);
    }
    boolean featureSide = n <= m; // eigenvectors of XᵀX are V; of XXᵀ, U
    double[][] eig = 2 * k < p ? arpack(gramOperator(x, featureSide), p, k) : denseGram(x, featureSide, k);
    return fromEigen(x, featureSide, eig[0], eig[1], k);
  }

  /** {@code dgesdd} on a dense copy. */
  private static Result dense(DataMatrix x, int k) {
    int m = x.rows();
    int n = x.cols();
    int p = Math.min(m, n);
    // Row-major X is column-major Xᵀ (n × m): Xᵀ = U'·S·VT' gives U = VT'ᵀ and Vt = U'ᵀ, and both
    // come out of LAPACK already in the row-major layout we want.
    double[] a = x.toDense().data();
    double[] s = new double[p];
    double[] uPrime = new double[n * p];
    double[] vtPrime = new double[p * m];
    int[] iwork = new int[8 * p];
    intW info = new intW(0);
    LAPACK lapack = LAPACK_JAVA;
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

  /** {@code y = XᵀX·v} (feature side) or {@code y = XXᵀ·v}, without forming the Gram matrix. */
  private static BiConsumer<double[], double[]> gramOperator(DataMatrix x, boolean featureSide) {
    int inner = featureSide ? x.rows() : x.cols();
    int outer = featureSide ? x.cols() : x.rows();
    DenseMatrix t = new DenseMatrix(inner, 1);
    return (v, y) -> {
      DenseMatrix in = new DenseMatrix(outer, 1, v);
      DenseMatrix out = new DenseMatrix(outer, 1, y);
      java.util.Arrays.fill(t.data(), 0.0);
      java.util.Arrays.fill(y, 0.0);
      if (featureSide) {
        x.timesAdd(in, t);
        x.transposeTimesAdd(t, out);
      } else {
        x.transposeTimesAdd(in, t);
        x.timesAdd(t, out);
      }
    };
  }

  /**
   * Leading k eigenpairs of a symmetric n × n operator by ARPACK's implicitly restarted Lanczos
   * ({@code dsaupd/dseupd}, mode 1). Returns {eigenvalues descending, eigenvectors n × k row-major}.
   */
  private static double[][] arpack(BiConsumer<double[], double[]> op, int n, int k) {
    // The Java ARPACK keeps its routines' saved variables in static fields: one caller at a time.
    synchronized (ARPACK_LOCK) {
      return arpackLocked(op, n, k);
    }
  }

  private static double[][] arpackLocked(BiConsumer<double[], double[]> op, int n, int k) {
    ARPACK arpack = ARPACK.getInstance();
    int ncv = Math.min(2 * k + 1, n);
    doubleW tol = new doubleW(ARPACK_TOL);
    intW ido = new intW(0);
    // Our own start vector (info = 1): ARPACK's random one comes from a generator whose state lives
    // on between calls, so the same X would get a different start, and other last bits, each time.
    intW info = new intW(1);
    int[] iparam = new int[11];
    iparam[0] = 1; // exact shifts
    iparam[2] = Math.max(300, 3 * k); // maximum restarts
    iparam[6] = 1; // mode 1: A·x = λ·x
    int[] ipntr = new int[11];
    double[] resid = new java.util.SplittableRandom(n).doubles(n, -1.0, 1.0).toArray();
    double[] v = new double[n * ncv];
    double[] workd = new double[3 * n];
    double[] workl = new double[ncv * (ncv + 8)];
    double[] in = new double[n];
    double[] out = new double[n];
    while (true) {
      arpack.dsaupd(ido, "I", n, "LM", k, tol, resid, ncv, v, n, iparam, ipntr, workd, workl,
          workl.length, info);
      if (ido.val == 99) {
        break;
      }
      if (ido.val != -1 && ido.val != 1) {
        throw new ArithmeticException("ARPACK asked for ido = " + ido.val + ", which mode 1 does not use");
      }
      System.arraycopy(workd, ipntr[0] - 1, in, 0, n);
      op.accept(in, out);
      System.arraycopy(out, 0, workd, ipntr[1] - 1, n);
    }
    if (info.val != 0) {
      throw new ArithmeticException("ARPACK dsaupd failed (info = " + info.val + ")");
    }
    double[] d = new double[k];
    double[] z = new double[n * k];
    intW nev = new intW(k);
    arpack.dseupd(true, "A", new boolean[ncv], d, z, n, 0.0, "I", n, "LM", nev, ARPACK_TOL, resid,
        ncv, v, n, iparam, ipntr, workd, workl, workl.length, info);
    if (info.val != 0 || iparam[4] < k) {
      throw new ArithmeticException("ARPACK found " + iparam[4] + " of " + k
          + " eigenvalues (info = " + info.val + ")");
    }
    // dseupd returns ascending eigenvalues, vectors column-major (n × k).
    double[] values = new double[k];
    double[] vectors = new double[n * k];
    for (int c = 0; c < k; c++) {
      int src = k - 1 - c;
      values[c] = d[src];
      for (int i = 0; i < n; i++) {
        vectors[i * k + c] = z[src * n + i];
      }
    }
    return new double[][] {values, vectors};
  }

  /** Leading k eigenpairs of the formed Gram matrix by LAPACK {@code dsyevr}. */
  private static double[][] denseGram(DataMatrix x, boolean featureSide, int k) {
    int p = featureSide ? x.cols() : x.rows();
    DenseMatrix gram = new DenseMatrix(p, p);
    if (featureSide) {
      x.transposeTimesAdd(x.toDense(), gram);
    } else {
      DenseMatrix d = x.toDense();
      d.timesTransposeInto(d, gram);
    }
    return eigenOfGram(gram, k);
  }

  /**
   * Leading k eigenpairs of a symmetric {@code n × n} Gram matrix known through its products
   * ({@code times}: y = G·v) — X spread over a cluster, say, one pass over X per product: by ARPACK
   * when 2k &lt; n and n ≥ 100, else by {@code dsyevr} on the matrix {@code formed} gives (MLlib's
   * {@code computeSVD} rule: below 100 columns one pass forming G beats ARPACK's dozens of passes).
   * Returns {eigenvalues descending, eigenvectors n × k row-major}.
   */
  public static double[][] gramEigen(int n, int k, BiConsumer<double[], double[]> times,
      java.util.function.Supplier<DenseMatrix> formed) {
    if (k < 1 || k > n) {
      throw new IllegalArgumentException("k = " + k + " must be in [1, " + n + "]");
    }
    return 2 * k < n && n >= 100 ? arpack(times, n, k) : eigenOfGram(formed.get(), k);
  }

  /** Leading k eigenpairs of {@code gram} (overwritten) by LAPACK {@code dsyevr}. */
  private static double[][] eigenOfGram(DenseMatrix gram, int k) {
    int p = gram.rows();
    double[] w = new double[p];
    double[] z = new double[p * k];
    int[] isuppz = new int[2 * p]; // the Java LAPACK writes 2·p entries, more than the 2·k documented
    intW found = new intW(0);
    intW info = new intW(0);
    LAPACK lapack = LAPACK_JAVA;
    double[] work = new double[1];
    int[] iwork = new int[1];
    lapack.dsyevr("V", "I", "U", p, gram.data(), p, 0, 0, p - k + 1, p, 0.0, found, w, z, p, isuppz,
        work, -1, iwork, -1, info);
    work = new double[(int) work[0]];
    iwork = new int[iwork[0]];
    lapack.dsyevr("V", "I", "U", p, gram.data(), p, 0, 0, p - k + 1, p, 0.0, found, w, z, p, isuppz,
        work, work.length, iwork, iwork.length, info);
    if (info.val != 0 || found.val != k) {
      throw new ArithmeticException("LAPACK dsyevr failed (info = " + info.val + ")");
    }
    double[] values = new double[k];
    double[] vectors = new double[p * k];
    for (int c = 0; c < k; c++) {
      int src = k - 1 - c;
      values[c] = w[src];
      for (int i = 0; i < p; i++) {
        vectors[i * k + c] = z[src * p + i];
      }
    }
    return new double[][] {values, vectors};
  }

  /** Assembles U, s, Vt from the Gram eigenpairs; the other side's vectors are X·v/σ. */
  private static Result fromEigen(DataMatrix x, boolean featureSide, double[] values,
      double[] vectors, int k) {
    double[] s = new double[k];
    for (int c = 0; c < k; c++) {
      s[c] = Math.sqrt(Math.max(values[c], 0.0));
    }
    int p = featureSide ? x.cols() : x.rows();
    DenseMatrix known = new DenseMatrix(p, k, vectors);
    DenseMatrix other = new DenseMatrix(featureSide ? x.rows() : x.cols(), k);
    if (featureSide) {
      x.timesAdd(known, other);
    } else {
      x.transposeTimesAdd(known, other);
    }
    for (int i = 0; i < other.rows(); i++) {
      for (int c = 0; c < k; c++) {
        other.set(i, c, s[c] == 0.0 ? 0.0 : other.get(i, c) / s[c]);
      }
    }
    DenseMatrix u = featureSide ? other : known;
    DenseMatrix v = featureSide ? known : other;
    return new Result(u, s, v.transpose());
  }
}
