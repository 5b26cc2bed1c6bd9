package org.sparknmf.solver;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * Every parameter of scikit-learn's {@code NMF} and {@code MiniBatchNMF}, with scikit-learn's
 * defaults and checks. Setters validate at once and name the parameter (scikit-learn's name) in
 * their {@link IllegalArgumentException}; checks that need the data live in {@link #resolve}.
 */
public final class NmfOptions implements Serializable {

  private static final long serialVersionUID = 1L;

  public static final List<String> INITS = List.of("random", "nndsvd", "nndsvda", "nndsvdar", "custom");
  public static final List<String> SOLVERS = List.of("cd", "mu");

  private Integer nComponents;
  private boolean nComponentsAuto;
  private String init;
  private String solver = "cd";
  private BetaLoss betaLoss = BetaLoss.FROBENIUS;
  private double tol = 1e-4;
  private int maxIter = 200;
  private Long randomState;
  private double alphaW = 0.0;
  private Double alphaH;
  private double l1Ratio = 0.0;
  private int verbose = 0;
  private boolean shuffle = false;
  private int batchSize = 1024;
  private Integer maxNoImprovement = 10;
  private double forgetFactor = 0.7;
  private boolean freshRestarts = false;
  private int freshRestartsMaxIter = 30;
  private Integer transformMaxIter;

  /** A copy of every parameter. */
  public NmfOptions copy() {
    return new NmfOptions().setAll(this);
  }

  /** Takes every parameter of {@code other} (already validated there). Returns this. */
  public NmfOptions setAll(NmfOptions other) {
    nComponents = other.nComponents;
    nComponentsAuto = other.nComponentsAuto;
    init = other.init;
    solver = other.solver;
    betaLoss = other.betaLoss;
    tol = other.tol;
    maxIter = other.maxIter;
    randomState = other.randomState;
    alphaW = other.alphaW;
    alphaH = other.alphaH;
    l1Ratio = other.l1Ratio;
    verbose = other.verbose;
    shuffle = other.shuffle;
    batchSize = other.batchSize;
    maxNoImprovement = other.maxNoImprovement;
    forgetFactor = other.forgetFactor;
    freshRestarts = other.freshRestarts;
    freshRestartsMaxIter = other.freshRestartsMaxIter;
    transformMaxIter = other.transformMaxIter;
    return this;
  }

  // ---- setters (validating) ----

  /** Number of components; {@code null} keeps all features. */
  public NmfOptions nComponents(Integer k) {
    if (k != null && k < 1) {
      throw new IllegalArgumentException("n_components must be >= 1 (or null for all features), got " + k);
    }
    this.nComponents = k;
    this.nComponentsAuto = false;
    return this;
  }

  /** {@code "auto"}: take the number of components from the custom W/H shapes. */
  public NmfOptions nComponents(String k) {
    if (k == null) {
      return nComponents((Integer) null);
    }
    if ("auto".equalsIgnoreCase(k.trim())) {
      this.nComponents = null;
      this.nComponentsAuto = true;
      return this;
    }
    try {
      return nComponents(Integer.valueOf(k.trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("n_components must be a positive integer, 'auto' or null, got '" + k + "'");
    }
  }

  /** {@code null} (scikit-learn's default rule), random, nndsvd, nndsvda, nndsvdar or custom. */
  public NmfOptions init(String init) {
    this.init = init == null ? null : oneOf("init", init, INITS);
    return this;
  }

  public NmfOptions solver(String solver) {
    this.solver = oneOf("solver", solver, SOLVERS);
    return this;
  }

  public NmfOptions betaLoss(String betaLoss) {
    this.betaLoss = BetaLoss.parse(betaLoss);
    return this;
  }

  public NmfOptions betaLoss(double beta) {
    this.betaLoss = new BetaLoss(beta);
    return this;
  }

  public NmfOptions tol(double tol) {
    this.tol = atLeast("tol", tol, 0.0);
    return this;
  }

  public NmfOptions maxIter(int maxIter) {
    if (maxIter < 1) {
      throw new IllegalArgumentException("max_iter must be >= 1, got " + maxIter);
    }
    this.maxIter = maxIter;
    return this;
  }

  /** Seed in [0, 2³²−1], or {@code null} for a non-deterministic fit. */
  public NmfOptions randomState(Long seed) {
    if (seed != null && (seed < 0 || seed > 0xFFFFFFFFL)) {
      throw new IllegalArgumentException("random_state must be in [0, 2^32 - 1], got " + seed);
    }
    this.randomState = seed;
    return this;
  }

  public NmfOptions alphaW(double alphaW) {
    this.alphaW = atLeast("alpha_W", alphaW, 0.0);
    return this;
  }

  /** The H penalty; {@code null} is scikit-learn's {@code "same"} (= alpha_W). */
  public NmfOptions alphaH(Double alphaH) {
    this.alphaH = alphaH == null ? null : atLeast("alpha_H", alphaH, 0.0);
    return this;
  }

  /** A number, or {@code "same"}. */
  public NmfOptions alphaH(String alphaH) {
    if (alphaH == null || "same".equalsIgnoreCase(alphaH.trim())) {
      return alphaH((Double) null);
    }
    try {
      return alphaH(Double.valueOf(alphaH.trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("alpha_H must be a number >= 0 or 'same', got '" + alphaH + "'");
    }
  }

  public NmfOptions l1Ratio(double l1Ratio) {
    if (!(l1Ratio >= 0.0 && l1Ratio <= 1.0)) {
      throw new IllegalArgumentException("l1_ratio must be in [0, 1], got " + l1Ratio);
    }
    this.l1Ratio = l1Ratio;
    return this;
  }

  public NmfOptions verbose(int verbose) {
    this.verbose = Math.max(0, verbose);
    return this;
  }

  public NmfOptions shuffle(boolean shuffle) {
    this.shuffle = shuffle;
    return this;
  }

  public NmfOptions batchSize(int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch_size must be >= 1, got " + batchSize);
    }
    this.batchSize = batchSize;
    return this;
  }

  /** Steps without improvement of the smoothed cost before stopping; {@code null} disables it. */
  public NmfOptions maxNoImprovement(Integer steps) {
    if (steps != null && steps < 1) {
      throw new IllegalArgumentException("max_no_improvement must be >= 1 or null, got " + steps);
    }
    this.maxNoImprovement = steps;
    return this;
  }

  public NmfOptions forgetFactor(double forgetFactor) {
    if (!(forgetFactor >= 0.0 && forgetFactor <= 1.0)) {
      throw new IllegalArgumentException("forget_factor must be in [0, 1], got " + forgetFactor);
    }
    this.forgetFactor = forgetFactor;
    return this;
  }

  public NmfOptions freshRestarts(boolean freshRestarts) {
    this.freshRestarts = freshRestarts;
    return this;
  }

  public NmfOptions freshRestartsMaxIter(int iterations) {
    if (iterations < 1) {
      throw new IllegalArgumentException("fresh_restarts_max_iter must be >= 1, got " + iterations);
    }
    this.freshRestartsMaxIter = iterations;
    return this;
  }

  /** Iterations of {@code transform}; {@code null} means max_iter. */
  public NmfOptions transformMaxIter(Integer iterations) {
    if (iterations != null && iterations < 1) {
      throw new IllegalArgumentException("transform_max_iter must be >= 1 or null, got " + iterations);
    }
    this.transformMaxIter = iterations;
    return this;
  }

  // ---- getters ----

  public Integer nComponents() {
    return nComponents;
  }

  public boolean nComponentsAuto() {
    return nComponentsAuto;
  }

  public String init() {
    return init;
  }

  public String solver() {
    return solver;
  }

  public BetaLoss betaLoss() {
    return betaLoss;
  }

  public double tol() {
    return tol;
  }

  public int maxIter() {
    return maxIter;
  }

  public Long randomState() {
    return randomState;
  }

  public double alphaW() {
    return alphaW;
  }

  public Double alphaH() {
    return alphaH;
  }

  public double l1Ratio() {
    return l1Ratio;
  }

  public int verbose() {
    return verbose;
  }

  public boolean shuffle() {
    return shuffle;
  }

  public int batchSize() {
    return batchSize;
  }

  public Integer maxNoImprovement() {
    return maxNoImprovement;
  }

  public double forgetFactor() {
    return forgetFactor;
  }

  public boolean freshRestarts() {
    return freshRestarts;
  }

  public int freshRestartsMaxIter() {
    return freshRestartsMaxIter;
  }

  public Integer transformMaxIter() {
    return transformMaxIter;
  }

  /** transform_max_iter, or max_iter when unset. */
  public int effectiveTransformMaxIter() {
    return transformMaxIter == null ? maxIter : transformMaxIter;
  }

  /** The penalties scaled for data of {@code nSamples × nFeatures}. */
  public Regularization regularization(long nSamples, int nFeatures) {
    return Regularization.of(alphaW, alphaH, l1Ratio, nSamples, nFeatures);
  }

  /**
   * The number of components for data with {@code nFeatures} columns, and custom factors of
   * {@code customK} components (or {@code null}). Checks the combinations scikit-learn refuses.
   */
  public int resolveComponents(int nFeatures, Integer customK) {
    if (nComponentsAuto) {
      if (customK == null) {
        throw new IllegalArgumentException("n_components='auto' needs custom W or H to take the number of components from");
      }
      return customK;
    }
    return nComponents == null ? nFeatures : nComponents;
  }

  /** The init method that will run for k components on m × n data (scikit-learn's rule for null). */
  public String resolveInit(int k, int m, int n) {
    if (init == null) {
      return k <= Math.min(m, n) ? "nndsvda" : "random";
    }
    return init;
  }

  /** Refuses cd with a loss other than Frobenius, as scikit-learn does. */
  public void checkSolverLoss() {
    if (!"mu".equals(solver) && !betaLoss.isFrobenius()) {
      throw new IllegalArgumentException("beta_loss = " + betaLoss + " needs solver='mu': solver '"
          + solver + "' only handles beta_loss='frobenius'");
    }
  }

  private static String oneOf(String name, String value, List<String> allowed) {
    String v = value == null ? null : value.trim().toLowerCase(Locale.ROOT);
    if (v == null || !allowed.contains(v)) {
      throw new IllegalArgumentException(name + " must be one of " + allowed + ", got '" + value + "'");
    }
    return v;
  }

  private static double atLeast(String name, double value, double min) {
    if (!(value >= min) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name + " must be a finite number >= " + min + ", got " + value);
    }
    return value;
  }
}
