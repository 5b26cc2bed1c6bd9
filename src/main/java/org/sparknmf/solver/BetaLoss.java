package org.sparknmf.solver;

import java.io.Serializable;
import java.util.Locale;

/**
 * The beta-divergence minimised by the solvers: 2 is Frobenius, 1 Kullback–Leibler, 0 Itakura–Saito,
 * any other finite number the general beta-divergence. A class, not a record: it travels inside
 * statistics that Spark's Kryo serializes, and Kryo cannot build records.
 */
public final class BetaLoss implements Serializable {

  private static final long serialVersionUID = 1L;

  public static final BetaLoss FROBENIUS = new BetaLoss(2.0);
  public static final BetaLoss KULLBACK_LEIBLER = new BetaLoss(1.0);
  public static final BetaLoss ITAKURA_SAITO = new BetaLoss(0.0);

  private final double beta;

  public BetaLoss(double beta) {
    if (!Double.isFinite(beta)) {
      throw new IllegalArgumentException("beta_loss must be a finite number, got " + beta);
    }
    this.beta = beta;
  }

  public double beta() {
    return beta;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BetaLoss b && Double.compare(b.beta, beta) == 0;
  }

  @Override
  public int hashCode() {
    return Double.hashCode(beta);
  }

  /** scikit-learn's names ({@code frobenius}, {@code kullback-leibler}, {@code itakura-saito}) or a number. */
  public static BetaLoss parse(String name) {
    if (name == null) {
      throw new IllegalArgumentException("beta_loss must not be null");
    }
    switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "frobenius":
        return FROBENIUS;
      case "kullback-leibler":
        return KULLBACK_LEIBLER;
      case "itakura-saito":
        return ITAKURA_SAITO;
      default:
        try {
          return new BetaLoss(Double.parseDouble(name.trim()));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("beta_loss must be 'frobenius', 'kullback-leibler', "
              + "'itakura-saito' or a number, got '" + name + "'");
        }
    }
  }

  public boolean isFrobenius() {
    return beta == 2.0;
  }

  public boolean isKullbackLeibler() {
    return beta == 1.0;
  }

  /**
   * The exponent of the multiplicative update that makes it a majorisation–minimisation step
   * (Févotte &amp; Idier 2011): 1/(2−β) below 1, 1/(β−1) above 2, else 1.
   */
  public double gamma() {
    if (beta < 1.0) {
      return 1.0 / (2.0 - beta);
    } else if (beta > 2.0) {
      return 1.0 / (beta - 1.0);
    }
    return 1.0;
  }

  /** scikit-learn's name where it has one, otherwise the number. */
  public String name() {
    if (beta == 2.0) {
      return "frobenius";
    } else if (beta == 1.0) {
      return "kullback-leibler";
    } else if (beta == 0.0) {
      return "itakura-saito";
    }
    return Double.toString(beta);
  }

  @Override
  public String toString() {
    return name();
  }
}
