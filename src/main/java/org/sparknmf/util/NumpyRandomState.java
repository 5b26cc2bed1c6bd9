package org.sparknmf.util;

import java.security.SecureRandom;

/**
 * A port of the parts of NumPy's legacy {@code numpy.random.RandomState} (MT19937) that
 * scikit-learn's NMF draws from, so that a fit seeded with {@code random_state=s} starts from
 * exactly the numbers scikit-learn would: {@code standard_normal} for {@code init='random'} and
 * {@code init='nndsvdar'}, {@code permutation} for {@code shuffle=True}. Every method reproduces
 * NumPy's legacy algorithm, including the order in which it consumes the stream. Not thread-safe.
 *
 * <p>Uniforms, permutations and the raw stream are bit-exact. Normals go through {@code log}, and
 * NumPy's is the C library's: Java's {@code Math.log} differs from glibc's in the last bit about
 * once in a few thousand arguments, so a normal may differ from NumPy's by 1 ulp — far below
 * anything an NMF fit can notice.
 */
public final class NumpyRandomState {

  private static final int N = 624;
  private static final int M = 397;
  private static final int MATRIX_A = 0x9908b0df;

  private final int[] mt = new int[N];
  private int pos;
  /** legacy_gauss draws normals in pairs and hands out the second on the next call. */
  private boolean hasGauss;
  private double gauss;

  /** {@code RandomState(seed)} for an int seed, which NumPy only accepts in [0, 2^32 - 1]. */
  public NumpyRandomState(long seed) {
    if (seed < 0 || seed > 0xffffffffL) {
      throw new IllegalArgumentException(
          "random_state = " + seed + " must be None or an integer in [0, 2^32 - 1]");
    }
    // Matsumoto–Nishimura init_genrand, which is what NumPy's mt19937_seed does for an int seed.
    mt[0] = (int) seed;
    for (int i = 1; i < N; i++) {
      mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
    }
    pos = N;
  }

  /** {@code random_state=None}: like NumPy, seeded from OS entropy and so not reproducible. */
  public static NumpyRandomState fromSeedOrEntropy(Long seed) {
    return new NumpyRandomState(seedOrEntropy(seed));
  }

  /** {@code seed}, or for null a seed in [0, 2^32) drawn from OS entropy. */
  public static long seedOrEntropy(Long seed) {
    return seed != null ? seed : Integer.toUnsignedLong(new SecureRandom().nextInt());
  }

  /**
   * The whole state of a generator (NumPy's {@code get_state()}: the 624 key words, the position in
   * them and the cached second normal), to continue its stream elsewhere with {@link #restore}.
   */
  public record State(int[] key, int pos, boolean hasGauss, double gauss) {
    public State {
      if (key == null || key.length != N) {
        throw new IllegalArgumentException("a generator state has " + N + " key words, got "
            + (key == null ? "none" : key.length));
      }
      if (pos < 0 || pos > N) {
        throw new IllegalArgumentException("a generator position is in [0, " + N + "], got " + pos);
      }
      key = key.clone();
    }

    @Override
    public int[] key() {
      return key.clone();
    }
  }

  /** The generator's state now; drawing from it does not change the returned value. */
  public State state() {
    return new State(mt, pos, hasGauss, gauss);
  }

  /** A generator that continues from {@code state}: it draws what the saved one would have drawn next. */
  public static NumpyRandomState restore(State state) {
    NumpyRandomState r = new NumpyRandomState(0);
    System.arraycopy(state.key(), 0, r.mt, 0, N);
    r.pos = state.pos();
    r.hasGauss = state.hasGauss();
    r.gauss = state.gauss();
    return r;
  }

  /** The next raw 32-bit MT19937 output, in [0, 2^32). */
  public long nextUint32() {
    return Integer.toUnsignedLong(next());
  }

  /** {@code random_sample()}: a 53-bit double in [0, 1) built from two 32-bit outputs. */
  public double randomSample() {
    int a = next() >>> 5;
    int b = next() >>> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }

  /** {@code standard_normal()}: NumPy's legacy polar Box–Muller (legacy_gauss). */
  public double standardNormal() {
    if (hasGauss) {
      hasGauss = false;
      return gauss;
    }
    double x1;
    double x2;
    double r2;
    do {
      x1 = 2.0 * randomSample() - 1.0;
      x2 = 2.0 * randomSample() - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 == 0.0);
    double f = Math.sqrt(-2.0 * Math.log(r2) / r2);
    gauss = f * x1;
    hasGauss = true;
    return f * x2;
  }

  /** {@code standard_normal(size=out.length)}: NumPy fills C-order by repeated single draws. */
  public void standardNormal(double[] out) {
    for (int i = 0; i < out.length; i++) {
      out[i] = standardNormal();
    }
  }

  /** {@code permutation(n)}: arange(n) shuffled by legacy Fisher–Yates, last position first. */
  public int[] permutation(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n = " + n + " must be >= 0");
    }
    int[] arr = new int[n];
    for (int i = 0; i < n; i++) {
      arr[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = randomInterval(i);
      int t = arr[i];
      arr[i] = arr[j];
      arr[j] = t;
    }
    return arr;
  }

  /** A uniform int in [0, max] by masked rejection sampling, as NumPy's random_interval. */
  private int randomInterval(int max) {
    // Smallest all-ones mask covering max; max < 2^31 so only 32-bit draws are ever needed.
    int mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    int value;
    do {
      value = next() & mask;
    } while (value > max);
    return value;
  }

  private int next() {
    if (pos == N) {
      regenerate();
    }
    int y = mt[pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y;
  }

  /** Refills all 624 words at once, as the reference genrand_int32 does. */
  private void regenerate() {
    // The wrapped indices read already-refilled words exactly where the reference's tail loops do.
    for (int i = 0; i < N; i++) {
      int y = (mt[i] & 0x80000000) | (mt[(i + 1) % N] & 0x7fffffff);
      mt[i] = mt[(i + M) % N] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    }
    pos = 0;
  }
}
