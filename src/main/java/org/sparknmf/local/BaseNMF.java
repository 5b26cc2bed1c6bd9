package org.sparknmf.local;

import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.solver.BetaLoss;
import org.sparknmf.solver.DataChecks;
import org.sparknmf.solver.Initialization;
import org.sparknmf.solver.NmfOptions;

/**
 * What {@link NMF} and {@link MiniBatchNMF} share, as scikit-learn's {@code _BaseNMF}: the common
 * parameters, input checks, initialisation and the fitted attributes.
 *
 * <p>Naming: {@code setX}/{@code getX} are scikit-learn's parameters (camel-cased); methods named
 * after a fitted attribute ({@code components()}, {@code nIter()}, …) throw
 * {@link IllegalStateException} before a fit, like scikit-learn's {@code NotFittedError}.
 *
 * @param <S> the concrete estimator, so setters chain
 */
public abstract class BaseNMF<S extends BaseNMF<S>> {

  protected static final Logger LOG = LoggerFactory.getLogger(BaseNMF.class);

  protected final NmfOptions options = new NmfOptions();
  private String[] pendingFeatureNames;

  // Fitted attributes.
  protected DenseMatrix ht;
  protected Double reconstructionErr;
  protected int nIter;
  protected int nFeaturesIn;
  protected String[] featureNamesIn;

  @SuppressWarnings("unchecked")
  protected final S self() {
    return (S) this;
  }

  // ---- parameters ----

  public S setNComponents(int k) {
    options.nComponents(k);
    return self();
  }

  /** {@code "auto"} (from custom W/H), a number, or null for all features. */
  public S setNComponents(String k) {
    options.nComponents(k);
    return self();
  }

  public S setInit(String init) {
    options.init(init);
    return self();
  }

  public S setBetaLoss(String betaLoss) {
    options.betaLoss(betaLoss);
    return self();
  }

  public S setBetaLoss(double beta) {
    options.betaLoss(beta);
    return self();
  }

  public S setTol(double tol) {
    options.tol(tol);
    return self();
  }

  public S setMaxIter(int maxIter) {
    options.maxIter(maxIter);
    return self();
  }

  public S setRandomState(long seed) {
    options.randomState(seed);
    return self();
  }

  public S setAlphaW(double alphaW) {
    options.alphaW(alphaW);
    return self();
  }

  public S setAlphaH(double alphaH) {
    options.alphaH(alphaH);
    return self();
  }

  /** A number, or {@code "same"}. */
  public S setAlphaH(String alphaH) {
    options.alphaH(alphaH);
    return self();
  }

  public S setL1Ratio(double l1Ratio) {
    options.l1Ratio(l1Ratio);
    return self();
  }

  public S setVerbose(int verbose) {
    options.verbose(verbose);
    return self();
  }

  /** Names of X's columns for the next fit (scikit-learn takes them from a DataFrame). */
  public S setFeatureNames(String... names) {
    this.pendingFeatureNames = names == null ? null : names.clone();
    return self();
  }

  /** A copy of all parameters (scikit-learn's {@code get_params}). */
  public NmfOptions getOptions() {
    return options.copy();
  }

  /** Takes every parameter from {@code o} (scikit-learn's {@code set_params}). */
  public S setOptions(NmfOptions o) {
    options.setAll(o);
    return self();
  }

  public Integer getNComponents() {
    return options.nComponents();
  }

  public String getInit() {
    return options.init();
  }

  public BetaLoss getBetaLoss() {
    return options.betaLoss();
  }

  public double getTol() {
    return options.tol();
  }

  public int getMaxIter() {
    return options.maxIter();
  }

  public Long getRandomState() {
    return options.randomState();
  }

  public double getAlphaW() {
    return options.alphaW();
  }

  /** The H penalty, null for "same". */
  public Double getAlphaH() {
    return options.alphaH();
  }

  public double getL1Ratio() {
    return options.l1Ratio();
  }

  public int getVerbose() {
    return options.verbose();
  }

  // ---- fitting ----

  public S fit(double[][] x) {
    fitTransform(toMatrix(x, "X"));
    return self();
  }

  public S fit(DataMatrix x) {
    fitTransform(x);
    return self();
  }

  public double[][] fitTransform(double[][] x) {
    return fitTransform(toMatrix(x, "X"), null, null);
  }

  public double[][] fitTransform(DataMatrix x) {
    return fitTransform(x, null, null);
  }

  /** With {@code init="custom"}: W ({@code n_samples × k}) and H ({@code k × n_features}) to start from. */
  public double[][] fitTransform(double[][] x, double[][] w, double[][] h) {
    return fitTransform(toMatrix(x, "X"), w == null ? null : toMatrix(w, "W"), h == null ? null : toMatrix(h, "H"));
  }

  public abstract double[][] fitTransform(DataMatrix x, DenseMatrix w, DenseMatrix h);

  public double[][] transform(double[][] x) {
    return transform(toMatrix(x, "X"));
  }

  public abstract double[][] transform(DataMatrix x);

  /** {@code W · H}: data back in the original space. */
  public double[][] inverseTransform(double[][] w) {
    requireFitted();
    DenseMatrix wm = toMatrix(w, "W");
    if (wm.cols() != ht.cols()) {
      throw new IllegalArgumentException("W has " + wm.cols() + " columns, but the model has "
          + ht.cols() + " components");
    }
    DenseMatrix x = new DenseMatrix(wm.rows(), ht.rows());
    wm.timesTransposeInto(ht, x);
    return x.toArray();
  }

  // ---- fitted attributes ----

  /** H, {@code n_components × n_features} (scikit-learn's {@code components_}). */
  public double[][] components() {
    requireFitted();
    return ht.transpose().toArray();
  }

  public int nComponents() {
    requireFitted();
    return ht.cols();
  }

  /** The beta-divergence between X and WH as sqrt(2·divergence); ‖X − WH‖_F for Frobenius. */
  public double reconstructionErr() {
    requireFitted();
    if (reconstructionErr == null) {
      throw new IllegalStateException("reconstructionErr is set by fit and fitTransform, not by partialFit");
    }
    return reconstructionErr;
  }

  public int nIter() {
    requireFitted();
    return nIter;
  }

  public int nFeaturesIn() {
    requireFitted();
    return nFeaturesIn;
  }

  /** The input's feature names, or null when none were given. */
  public String[] featureNamesIn() {
    requireFitted();
    return featureNamesIn == null ? null : featureNamesIn.clone();
  }

  /** {@code <classname>0 … <classname>{k-1}}, as scikit-learn names the output columns. */
  public String[] getFeatureNamesOut() {
    requireFitted();
    String prefix = getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    String[] names = new String[ht.cols()];
    for (int t = 0; t < names.length; t++) {
      names[t] = prefix + t;
    }
    return names;
  }

  public boolean isFitted() {
    return ht != null;
  }

  // ---- shared steps ----

  protected final void requireFitted() {
    if (ht == null) {
      throw new IllegalStateException("This " + getClass().getSimpleName()
          + " instance is not fitted yet: call fit, fitTransform or partialFit first");
    }
  }

  /** Checks X for a fit and remembers its feature count and names. */
  protected final void checkFitInput(DataMatrix x) {
    DataChecks.requireValidData(x, "X");
    DataChecks.requireNotAllZero(x, "X");
    DataChecks.requireNoZerosFor(options.betaLoss(), x, "X");
    if (pendingFeatureNames != null && pendingFeatureNames.length != x.cols()) {
      throw new IllegalArgumentException("setFeatureNames gave " + pendingFeatureNames.length
          + " names, but X has " + x.cols() + " features");
    }
  }

  /** Checks X for transform against the fitted feature count. */
  protected final void checkTransformInput(DataMatrix x) {
    requireFitted();
    DataChecks.requireValidData(x, "X");
    DataChecks.requireFeatures(x, nFeaturesIn, "X");
    DataChecks.requireNoZerosFor(options.betaLoss(), x, "X");
  }

  /** Starting W and Hᵀ: the custom ones (checked) or those of the init method. */
  protected final Initialization.Factors initialFactors(DataMatrix x, DenseMatrix w, DenseMatrix h) {
    int m = x.rows();
    int n = x.cols();
    boolean custom = "custom".equals(options.init());
    Integer customK = custom && h != null ? Integer.valueOf(h.rows()) : custom && w != null ? w.cols() : null;
    int k = options.resolveComponents(n, customK);
    if (custom) {
      Initialization.checkCustom(h, k, n, "H");
      Initialization.checkCustom(w, m, k, "W");
      return new Initialization.Factors(w.copy(), h.transpose());
    }
    return Initialization.initialize(x, k, options.resolveInit(k, m, n), options.randomState());
  }

  protected final void setFitted(DenseMatrix ht, int nFeatures) {
    this.ht = ht;
    this.nFeaturesIn = nFeatures;
    this.featureNamesIn = pendingFeatureNames == null ? null : pendingFeatureNames.clone();
  }

  /** A dense matrix from rows; names the row that is ragged. */
  protected static DenseMatrix toMatrix(double[][] rows, String whom) {
    if (rows == null) {
      throw new IllegalArgumentException(whom + " must not be null");
    }
    int c = rows.length == 0 ? 0 : rows[0].length;
    for (int i = 0; i < rows.length; i++) {
      if (rows[i] == null || rows[i].length != c) {
        throw new IllegalArgumentException(whom + " row " + i + " has "
            + (rows[i] == null ? "no" : Integer.toString(rows[i].length)) + " values, row 0 has " + c);
      }
    }
    return DenseMatrix.of(rows);
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "(n_components=" + options.nComponents() + ", init="
        + options.init() + ", beta_loss=" + options.betaLoss() + ", tol=" + options.tol()
        + ", max_iter=" + options.maxIter() + ", random_state=" + options.randomState() + ")"
        + (featureNamesIn == null ? "" : " features " + Arrays.toString(featureNamesIn));
  }
}
