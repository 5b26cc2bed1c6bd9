package org.sparknmf.solver;

import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.linalg.Svd;
import org.sparknmf.util.NumpyRandomState;

/**
 * Starting factors, as scikit-learn's {@code _initialize_nmf} makes them: {@code random} (|N(0,1)|
 * scaled by sqrt(mean(X)/k), NumPy's generator so seeds agree) and the NNDSVD family (Boutsidis &amp;
 * Gallopoulos 2008) from a truncated SVD.
 */
public final class Initialization {

  /** W ({@code m × k}) and Hᵀ ({@code n × k}). */
  public record Factors(DenseMatrix w, DenseMatrix ht) {}

  /** NNDSVD entries below this are zeroed, as in scikit-learn. */
  private static final double NNDSVD_EPS = 1e-6;

  private Initialization() {}

  /**
   * @param init random, nndsvd, nndsvda or nndsvdar (resolve null with {@link NmfOptions#resolveInit})
   * @param seed NumPy-compatible seed, or null for a non-deterministic draw
   */
  public static Factors initialize(DataMatrix x, int k, String init, Long seed) {
    int m = x.rows();
    int n = x.cols();
    if (!"random".equals(init) && k > Math.min(m, n)) {
      throw new IllegalArgumentException("init='" + init + "' needs n_components <= min(n_samples, n_features) = "
          + Math.min(m, n) + ", got n_components = " + k + "; use init='random'");
    }
    if ("random".equals(init)) {
      return random(x, k, seed);
    }
    if (!init.startsWith("nndsvd")) {
      throw new IllegalArgumentException("init must be one of " + NmfOptions.INITS + " here, got '" + init + "'");
    }
    Factors f = nndsvd(x, k);
    if ("nndsvda".equals(init)) {
      double avg = x.mean();
      fillZeros(f, () -> avg);
    } else if ("nndsvdar".equals(init)) {
      double avg = x.mean();
      NumpyRandomState rng = NumpyRandomState.fromSeedOrEntropy(seed);
      fillZeros(f, () -> Math.abs(avg * rng.standardNormal() / 100.0));
    }
    return f;
  }

  private static Factors random(DataMatrix x, int k, Long seed) {
    double avg = Math.sqrt(x.mean() / k);
    NumpyRandomState rng = NumpyRandomState.fromSeedOrEntropy(seed);
    // scikit-learn draws H (k × n) first, then W (m × k), both in row-major order.
    DenseMatrix ht = new DenseMatrix(x.cols(), k);
    for (int t = 0; t < k; t++) {
      for (int j = 0; j < x.cols(); j++) {
        ht.set(j, t, Math.abs(avg * rng.standardNormal()));
      }
    }
    DenseMatrix w = new DenseMatrix(x.rows(), k);
    double[] wd = w.data();
    for (int i = 0; i < wd.length; i++) {
      wd[i] = Math.abs(avg * rng.standardNormal());
    }
    return new Factors(w, ht);
  }

  private static Factors nndsvd(DataMatrix x, int k) {
    Svd.Result svd = Svd.truncated(x, k);
    int m = x.rows();
    int n = x.cols();
    DenseMatrix w = new DenseMatrix(m, k);
    DenseMatrix ht = new DenseMatrix(n, k);
    double[] u = new double[m];
    double[] v = new double[n];
    for (int t = 0; t < k; t++) {
      for (int i = 0; i < m; i++) {
        u[i] = svd.u().get(i, t);
      }
      for (int j = 0; j < n; j++) {
        v[j] = svd.vt().get(t, j);
      }
      double s = svd.s()[t];
      if (t == 0) {
        // The leading singular pair of a non-negative matrix is non-negative up to sign.
        double r = Math.sqrt(s);
        for (int i = 0; i < m; i++) {
          w.set(i, 0, r * Math.abs(u[i]));
        }
        for (int j = 0; j < n; j++) {
          ht.set(j, 0, r * Math.abs(v[j]));
        }
        continue;
      }
      // Keep the larger of the positive and negative parts of the pair (the sign is arbitrary).
      double upN = partNorm(u, 1);
      double vpN = partNorm(v, 1);
      double unN = partNorm(u, -1);
      double vnN = partNorm(v, -1);
      double mp = upN * vpN;
      double mn = unN * vnN;
      int sign = mp > mn ? 1 : -1;
      double lambda = Math.sqrt(s * (sign > 0 ? mp : mn));
      double uNorm = sign > 0 ? upN : unN;
      double vNorm = sign > 0 ? vpN : vnN;
      if (lambda == 0.0) {
        continue; // a zero singular value, or a pair with no part of that sign: leave the column 0
      }
      for (int i = 0; i < m; i++) {
        w.set(i, t, lambda * Math.max(sign * u[i], 0.0) / uNorm);
      }
      for (int j = 0; j < n; j++) {
        ht.set(j, t, lambda * Math.max(sign * v[j], 0.0) / vNorm);
      }
    }
    zeroBelow(w, NNDSVD_EPS);
    zeroBelow(ht, NNDSVD_EPS);
    return new Factors(w, ht);
  }

  /** Norm of the positive (sign 1) or negative (sign −1) part of {@code a}. */
  private static double partNorm(double[] a, int sign) {
    double s = 0.0;
    for (double v : a) {
      double p = Math.max(sign * v, 0.0);
      s += p * p;
    }
    return Math.sqrt(s);
  }

  private static void zeroBelow(DenseMatrix f, double eps) {
    double[] d = f.data();
    for (int i = 0; i < d.length; i++) {
      if (d[i] < eps) {
        d[i] = 0.0;
      }
    }
  }

  /** Replaces zeros of W (row-major), then of H (k × n, row-major), in scikit-learn's order. */
  private static void fillZeros(Factors f, java.util.function.DoubleSupplier value) {
    double[] wd = f.w().data();
    for (int i = 0; i < wd.length; i++) {
      if (wd[i] == 0.0) {
        wd[i] = value.getAsDouble();
      }
    }
    DenseMatrix ht = f.ht();
    for (int t = 0; t < ht.cols(); t++) {
      for (int j = 0; j < ht.rows(); j++) {
        if (ht.get(j, t) == 0.0) {
          ht.set(j, t, value.getAsDouble());
        }
      }
    }
  }

  /**
   * Checks a custom factor as scikit-learn's {@code _check_init} does: shape, finite, non-negative,
   * not all zeros.
   */
  public static void checkCustom(DenseMatrix a, int rows, int cols, String whom) {
    if (a == null) {
      throw new IllegalArgumentException(whom + " is required with init='custom'");
    }
    if (a.rows() != rows || a.cols() != cols) {
      throw new IllegalArgumentException(whom + " has shape (" + a.rows() + ", " + a.cols()
          + "), expected (" + rows + ", " + cols + ")");
    }
    DataChecks.requireNonNegativeFinite(a, whom);
    double max = 0.0;
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        max = Math.max(max, a.get(i, j));
      }
    }
    if (max == 0.0) {
      throw new IllegalArgumentException(whom + " is full of zeros");
    }
  }
}
