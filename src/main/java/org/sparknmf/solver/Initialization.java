package org.sparknmf.solver;

import java.io.Serializable;
import java.util.List;
import java.util.function.DoubleSupplier;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.linalg.RandomizedSvd;
import org.sparknmf.linalg.Svd;
import org.sparknmf.util.NumpyRandomState;

/**
 * Starting factors, as scikit-learn's {@code _initialize_nmf} makes them: {@code random} (|N(0,1)|
 * scaled by sqrt(mean(X)/k), NumPy's generator so seeds agree) and the NNDSVD family (Boutsidis &amp;
 * Gallopoulos 2008) from scikit-learn's randomized SVD ({@link RandomizedSvd}), drawn from the same seed.
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
    checkInit(init, k, x.rows(), x.cols());
    if ("random".equals(init)) {
      return random(x, k, seed);
    }
    // scikit-learn passes random_state on to randomized_svd and to nndsvdar's fill: an int seeds a
    // fresh RandomState in each, None shares NumPy's global one (here: one entropy-seeded stream).
    NumpyRandomState svdRng = NumpyRandomState.fromSeedOrEntropy(seed);
    Factors f = nndsvd(RandomizedSvd.of(x, k, svdRng), x.rows(), x.cols(), k);
    if ("nndsvda".equals(init)) {
      double avg = x.mean();
      fillZeros(f.w(), () -> avg);
      fillZerosOfH(f.ht(), () -> avg);
    } else if ("nndsvdar".equals(init)) {
      double avg = x.mean();
      NumpyRandomState rng = seed == null ? svdRng : new NumpyRandomState(seed);
      fillZeros(f.w(), () -> nndsvdarFill(avg, rng));
      fillZerosOfH(f.ht(), () -> nndsvdarFill(avg, rng));
    }
    return f;
  }

  /** Refuses an unknown init, and an NNDSVD init with more components than the SVD has. */
  public static void checkInit(String init, int k, long m, int n) {
    if (!"random".equals(init) && k > Math.min(m, n)) {
      throw new IllegalArgumentException("init='" + init + "' needs n_components <= min(n_samples, n_features) = "
          + Math.min(m, n) + ", got n_components = " + k + "; use init='random'");
    }
    if (!List.of("random", "nndsvd", "nndsvda", "nndsvdar").contains(init)) {
      throw new IllegalArgumentException("init must be one of " + NmfOptions.INITS + " here, got '" + init + "'");
    }
  }

  private static Factors random(DataMatrix x, int k, Long seed) {
    double avg = randomScale(x.mean(), k);
    NumpyRandomState rng = NumpyRandomState.fromSeedOrEntropy(seed);
    // scikit-learn draws H (k × n) first, then W (m × k), both in row-major order.
    DenseMatrix ht = randomHt(x.cols(), k, avg, rng);
    DenseMatrix w = new DenseMatrix(x.rows(), k);
    double[] wd = w.data();
    for (int i = 0; i < wd.length; i++) {
      wd[i] = randomEntry(avg, rng);
    }
    return new Factors(w, ht);
  }

  /** The scale of init='random': {@code sqrt(X.mean() / k)}. */
  public static double randomScale(double mean, int k) {
    return Math.sqrt(mean / k);
  }

  /** One entry of init='random': {@code |avg · N(0,1)|}. */
  public static double randomEntry(double avg, NumpyRandomState rng) {
    return Math.abs(avg * rng.standardNormal());
  }

  /** Hᵀ ({@code n × k}) of init='random', drawn as scikit-learn draws H: k × n, row-major. */
  public static DenseMatrix randomHt(int n, int k, double avg, NumpyRandomState rng) {
    DenseMatrix ht = new DenseMatrix(n, k);
    for (int t = 0; t < k; t++) {
      for (int j = 0; j < n; j++) {
        ht.set(j, t, randomEntry(avg, rng));
      }
    }
    return ht;
  }

  /** What init='nndsvdar' puts in place of a zero: {@code |avg · N(0,1) / 100|}. */
  public static double nndsvdarFill(double avg, NumpyRandomState rng) {
    return Math.abs(avg * rng.standardNormal() / 100.0);
  }

  private static Factors nndsvd(Svd.Result svd, int m, int n, int k) {
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
      NndsvdComponent c = NndsvdComponent.of(t, svd.s()[t],
          partNorm(u, 1), partNorm(u, -1), partNorm(v, 1), partNorm(v, -1));
      for (int i = 0; i < m; i++) {
        w.set(i, t, c.w(u[i]));
      }
      for (int j = 0; j < n; j++) {
        ht.set(j, t, c.h(v[j]));
      }
    }
    return new Factors(w, ht);
  }

  /**
   * How NNDSVD turns singular triplet {@code t} (u, s, v) into non-negative columns of W and Hᵀ:
   * entry-wise maps of u and v, so that they can also be applied where u lives (on executors).
   *
   * @param sign 0 for the leading pair (absolute values), else the sign of the part kept
   */
  public record NndsvdComponent(double lambda, int sign, double uNorm, double vNorm)
      implements Serializable {

    /**
     * Component {@code t} from its singular value and the norms of the positive and negative parts
     * of its left (u) and right (v) singular vectors.
     */
    public static NndsvdComponent of(int t, double s, double uPos, double uNeg, double vPos, double vNeg) {
      if (t == 0) {
        // The leading singular pair of a non-negative matrix is non-negative up to sign.
        return new NndsvdComponent(Math.sqrt(s), 0, 1.0, 1.0);
      }
      // Keep the larger of the positive and negative parts of the pair (the sign is arbitrary).
      double mp = uPos * vPos;
      double mn = uNeg * vNeg;
      return mp > mn
          ? new NndsvdComponent(Math.sqrt(s * mp), 1, uPos, vPos)
          : new NndsvdComponent(Math.sqrt(s * mn), -1, uNeg, vNeg);
    }

    /** The entry of W for entry {@code u} of the left singular vector. */
    public double w(double u) {
      return entry(u, uNorm);
    }

    /** The entry of Hᵀ for entry {@code v} of the right singular vector. */
    public double h(double v) {
      return entry(v, vNorm);
    }

    private double entry(double a, double norm) {
      if (lambda == 0.0) {
        return 0.0; // a zero singular value, or a pair with no part of that sign: the column stays 0
      }
      double e = lambda * (sign == 0 ? Math.abs(a) : Math.max(sign * a, 0.0)) / norm;
      return e < NNDSVD_EPS ? 0.0 : e;
    }
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

  /** Replaces the zeros of W (or of a block of its rows), in scikit-learn's order: row-major. */
  public static void fillZeros(DenseMatrix w, DoubleSupplier value) {
    for (int i = 0; i < w.rows(); i++) {
      for (int t = 0; t < w.cols(); t++) {
        if (w.get(i, t) == 0.0) {
          w.set(i, t, value.getAsDouble());
        }
      }
    }
  }

  /** Replaces the zeros of Hᵀ in scikit-learn's order for H (k × n, row-major). */
  public static void fillZerosOfH(DenseMatrix ht, DoubleSupplier value) {
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
    requireSomePositive(max, whom);
  }

  /** scikit-learn refuses a custom factor whose largest entry is 0. */
  public static void requireSomePositive(double max, String whom) {
    if (max == 0.0) {
      throw new IllegalArgumentException(whom + " is full of zeros");
    }
  }
}
