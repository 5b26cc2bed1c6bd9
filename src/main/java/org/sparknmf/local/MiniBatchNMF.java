package org.sparknmf.local;

import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.solver.BetaDivergence;
import org.sparknmf.solver.Initialization;
import org.sparknmf.solver.MiniBatchSolver;

/**
 * Mini-batch NMF on one JVM, scikit-learn's {@code sklearn.decomposition.MiniBatchNMF}: online
 * multiplicative updates over batches of rows, with {@link #partialFit} for data that arrives in
 * chunks.
 */
public final class MiniBatchNMF extends BaseNMF<MiniBatchNMF> {

  private MiniBatchSolver solver;
  private int nSteps;

  public MiniBatchNMF() {}

  public MiniBatchNMF(int nComponents) {
    setNComponents(nComponents);
  }

  public MiniBatchNMF setBatchSize(int batchSize) {
    options.batchSize(batchSize);
    return this;
  }

  /** Batches without improvement of the smoothed cost before stopping; null disables it. */
  public MiniBatchNMF setMaxNoImprovement(Integer steps) {
    options.maxNoImprovement(steps);
    return this;
  }

  public MiniBatchNMF setForgetFactor(double forgetFactor) {
    options.forgetFactor(forgetFactor);
    return this;
  }

  public MiniBatchNMF setFreshRestarts(boolean freshRestarts) {
    options.freshRestarts(freshRestarts);
    return this;
  }

  public MiniBatchNMF setFreshRestartsMaxIter(int iterations) {
    options.freshRestartsMaxIter(iterations);
    return this;
  }

  /** Iterations of transform; null means max_iter. */
  public MiniBatchNMF setTransformMaxIter(Integer iterations) {
    options.transformMaxIter(iterations);
    return this;
  }

  public int getBatchSize() {
    return options.batchSize();
  }

  public Integer getMaxNoImprovement() {
    return options.maxNoImprovement();
  }

  public double getForgetFactor() {
    return options.forgetFactor();
  }

  public boolean getFreshRestarts() {
    return options.freshRestarts();
  }

  public int getFreshRestartsMaxIter() {
    return options.freshRestartsMaxIter();
  }

  public Integer getTransformMaxIter() {
    return options.transformMaxIter();
  }

  @Override
  public double[][] fitTransform(DataMatrix x, DenseMatrix w, DenseMatrix h) {
    checkFitInput(x);
    Initialization.Factors start = initialFactors(x, w, h);
    MiniBatchSolver s = new MiniBatchSolver(options.copy(), x.rows(), start.ht());
    MiniBatchSolver.Result result = s.fit(x, start.w(), start.ht());
    if (result.nIter() == options.maxIter() && options.tol() > 0) {
      LOG.warn("Maximum number of iterations {} reached. Increase it to improve convergence.",
          options.maxIter());
    }
    solver = s;
    setFitted(start.ht(), x.cols());
    nIter = result.nIter();
    nSteps = result.nSteps();
    reconstructionErr = BetaDivergence.reconstructionError(x, result.w(), start.ht(), options.betaLoss());
    return result.w().toArray();
  }

  /** W for new data with H fixed: multiplicative updates until W changes by at most tol. */
  @Override
  public double[][] transform(DataMatrix x) {
    checkTransformInput(x);
    return solver.transform(x, ht).toArray();
  }

  public MiniBatchNMF partialFit(double[][] x) {
    return partialFit(toMatrix(x, "X"), null, null);
  }

  public MiniBatchNMF partialFit(DataMatrix x) {
    return partialFit(x, null, null);
  }

  /**
   * Updates H with one more chunk of rows. The first call initialises (W and H are only used then,
   * with {@code init="custom"}); batch size and forget factor are fixed by that first chunk, as in
   * scikit-learn.
   */
  public MiniBatchNMF partialFit(DataMatrix x, DenseMatrix w, DenseMatrix h) {
    if (solver == null) {
      checkFitInput(x);
      Initialization.Factors start = initialFactors(x, w, h);
      solver = new MiniBatchSolver(options.copy(), x.rows(), start.ht());
      setFitted(start.ht(), x.cols());
    } else {
      checkTransformInput(x);
    }
    solver.partialStep(x, ht);
    nSteps = solver.nSteps();
    return this;
  }

  /** Mini-batches processed (scikit-learn's {@code n_steps_}). */
  public int nSteps() {
    requireFitted();
    return nSteps;
  }

  /** Cost per sample of each batch processed, in order (the objective history). */
  public double[] batchCosts() {
    requireFitted();
    return solver.costHistory().stream().mapToDouble(Double::doubleValue).toArray();
  }
}
