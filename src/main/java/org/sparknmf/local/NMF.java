package org.sparknmf.local;

import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.solver.FullBatchSolver;
import org.sparknmf.solver.BetaDivergence;
import org.sparknmf.solver.Initialization;

/**
 * Non-negative matrix factorisation on one JVM, scikit-learn's {@code sklearn.decomposition.NMF}:
 * find non-negative W and H with X ≈ W·H, by coordinate descent ({@code solver="cd"}) or
 * multiplicative updates ({@code solver="mu"}, any beta-divergence).
 *
 * <pre>{@code
 * NMF model = new NMF().setNComponents(2).setInit("random").setRandomState(0);
 * double[][] w = model.fitTransform(x);
 * double[][] h = model.components();
 * }</pre>
 */
public final class NMF extends BaseNMF<NMF> {

  private int threads = Runtime.getRuntime().availableProcessors();

  public NMF() {}

  public NMF(int nComponents) {
    setNComponents(nComponents);
  }

  /** {@code "cd"} (default) or {@code "mu"}. */
  public NMF setSolver(String solver) {
    options.solver(solver);
    return this;
  }

  /** Randomise the order of coordinates in the cd solver. */
  public NMF setShuffle(boolean shuffle) {
    options.shuffle(shuffle);
    return this;
  }

  /**
   * Threads for the cd solver's sweeps and sparse products, and for the passes over dense X of cd
   * and of mu with the Frobenius loss (beyond scikit-learn, whose sweeps use one core): all of the
   * JVM's processors by default, as BLAS takes them. The result is the same
   * for any number. Set 1 where the cores are counted out already, as in a Spark task.
   */
  public NMF setThreads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    this.threads = threads;
    return this;
  }

  public int getThreads() {
    return threads;
  }

  public String getSolver() {
    return options.solver();
  }

  public boolean getShuffle() {
    return options.shuffle();
  }

  @Override
  public double[][] fitTransform(DataMatrix x, DenseMatrix w, DenseMatrix h) {
    options.checkSolverLoss();
    checkFitInput(x);
    if ("mu".equals(options.solver()) && "nndsvd".equals(options.init())) {
      LOG.warn("The multiplicative update ('mu') solver cannot update zeros present in the "
          + "initialization, and so leads to poorer results when used jointly with init='nndsvd'. "
          + "You may try init='nndsvda' or init='nndsvdar' instead.");
    }
    Initialization.Factors start = initialFactors(x, w, h);
    FullBatchSolver.Result result = FullBatchSolver.fit(x, start.w(), start.ht(), options, true, threads);
    warnIfNotConverged(result.nIter());
    setFitted(start.ht(), x.cols());
    nIter = result.nIter();
    reconstructionErr = BetaDivergence.reconstructionError(x, start.w(), start.ht(), options.betaLoss());
    return start.w().toArray();
  }

  /** W for new data with H fixed, by the fit's solver from W = 0 (cd) or a constant (mu). */
  @Override
  public double[][] transform(DataMatrix x) {
    checkTransformInput(x);
    int k = ht.cols();
    DenseMatrix w = "mu".equals(options.solver())
        ? DenseMatrix.filled(x.rows(), k, Math.sqrt(x.mean() / k))
        : new DenseMatrix(x.rows(), k);
    FullBatchSolver.Result result = FullBatchSolver.fit(x, w, ht.copy(), options, false, threads);
    warnIfNotConverged(result.nIter());
    return w.toArray();
  }

  private void warnIfNotConverged(int iterations) {
    if (iterations == options.maxIter() && options.tol() > 0) {
      LOG.warn("Maximum number of iterations {} reached. Increase it to improve convergence.",
          options.maxIter());
    }
  }
}
