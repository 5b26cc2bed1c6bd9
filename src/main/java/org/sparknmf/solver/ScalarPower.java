package org.sparknmf.solver;

/**
 * {@code v ** e} as NumPy computes {@code array ** scalar}: for the exponents −1, 0.5 and 2 its
 * {@code fast_scalar_power} takes the reciprocal, the square root and the square, and only other
 * exponents go through {@code pow}. The solvers raise every entry of a factor or of WH to γ, 1/γ or
 * β − 1, which are these values for the common losses (β = 0: γ = 0.5, 1/γ = 2, β − 1 = −1), so
 * this gives scikit-learn's bits, correctly rounded, at a fraction of {@code Math.pow}'s cost.
 */
final class ScalarPower {

  private ScalarPower() {}

  static double of(double v, double e) {
    if (e == -1.0) {
      return 1.0 / v;
    } else if (e == 0.5) {
      return Math.sqrt(v);
    } else if (e == 2.0) {
      return v * v;
    } else if (e == 1.0) {
      return v;
    }
    return Math.pow(v, e);
  }
}
