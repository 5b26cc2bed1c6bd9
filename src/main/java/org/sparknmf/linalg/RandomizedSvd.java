package org.sparknmf.linalg;

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
  private RandomizedSvd() {}

  /** The leading {@code k} triplets, with {@code rng} in the state scikit-learn's would be. */
  public static Svd.Result of(DataMatrix x, int k, NumpyRandomState rng) {
    int m = x.rows();
    int n = x.cols();
    if (k < 1 || k > Math.min(m, n)) {
      throw new IllegalArgumentException("k = " + k + " must be in [1, min(rows, cols) = " + Math.min(m, n) + "]");
    }
    boolean transpose = m < n; // then A = Xᵀ, which is tall
    Operator a = new Operator(x, transpose);
    DenseMatrix q = testMatrix(a.cols(), k, rng);
    for (int i = 0; i < powerIterations(k, m, n); i++) {
      q = permutedLower(a.times(q));
      q = permutedLower(a.transposeTimes(q));
    }
    q = Qr.of(a.times(q)).q();
    DenseMatrix b = a.transposeTimes(q).transpose(); // Qᵀ·A
    Svd.Result small = Svd.exact(b, Math.min(b.rows(), b.cols()));
    DenseMatrix u = new DenseMatrix(q.rows(), small.u().cols());
    q.timesAdd(small.u(), u);
    DenseMatrix uk = u.leadingColumns(k);
    DenseMatrix vtk = small.vt().rowRange(0, k).copy();
    double[] s = java.util.Arrays.copyOf(small.s(), k);
    return transpose ? new Svd.Result(vtk.transpose(), s, uk.transpose()) : new Svd.Result(uk, s, vtk);
  }

  /**
   * The Gaussian test matrix ({@code cols × (k + 10)}) that scikit-learn draws, advancing
   * {@code rng} as it does.
   */
  public static DenseMatrix testMatrix(int cols, int k, NumpyRandomState rng) {
    DenseMatrix q = new DenseMatrix(cols, k + OVERSAMPLES);
    rng.standardNormal(q.data());
    return q;
  }

  /** scikit-learn's {@code n_iter='auto'} for an {@code m × n} matrix. */
  public static int powerIterations(int k, long m, int n) {
    return k < 0.1 * Math.min(m, n) ? 7 : 4;
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
  public static DenseMatrix permutedLower(DenseMatrix y) {
    int rows = y.rows();
    int cols = y.cols();
    int p = Math.min(rows, cols);
    double[] a = Qr.columnMajor(y);
    int[] pivots = new int[p];
    // A zero pivot (INFO > 0) leaves L as scipy returns it.
    Lu.factor(rows, cols, a, pivots);
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
}
