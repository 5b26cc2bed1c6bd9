package org.sparknmf.solver;

import java.util.ArrayList;
import java.util.List;
import org.sparknmf.util.NumpyRandomState;

/**
 * Where a full-batch NMF fit (cd or mu) stands between iterations, besides W and Hᵀ: the
 * iterations completed, the reference values of scikit-learn's stopping rules (cd: the first
 * violation; mu: the first error and the one last checked), the objective history, cd's shuffle
 * generator (its state, so that a continued fit draws the permutations an uninterrupted one
 * would) and, once stopped, the iteration count reported. The single-JVM solver and the
 * distributed engine keep their loop state in one, so a fit can be saved after any iteration and
 * continued from it to the same bits.
 */
public final class FullBatchProgress {

  private int iterations;
  private double violationInit;
  private double errorInit;
  private double previousError;
  private final List<Double> history = new ArrayList<>();
  private final NumpyRandomState rng;
  private boolean finished;
  private int nIter;

  private FullBatchProgress(NumpyRandomState rng) {
    this.rng = rng;
  }

  /** A fit that has not started: cd with shuffle seeds its generator from the random state. */
  public static FullBatchProgress start(NmfOptions o) {
    boolean shuffled = "cd".equals(o.solver()) && o.shuffle();
    return new FullBatchProgress(shuffled ? NumpyRandomState.fromSeedOrEntropy(o.randomState()) : null);
  }

  /** A saved fit ({@code rng} null when cd does not shuffle, or for mu). */
  public static FullBatchProgress restore(int iterations, double violationInit, double errorInit,
      double previousError, List<Double> history, NumpyRandomState.State rng, boolean finished, int nIter) {
    if (iterations < 0 || (finished && nIter < 1)) {
      throw new IllegalArgumentException("a full-batch fit cannot be at iteration " + iterations
          + (finished ? " with n_iter " + nIter : ""));
    }
    FullBatchProgress p = new FullBatchProgress(rng == null ? null : NumpyRandomState.restore(rng));
    p.iterations = iterations;
    p.violationInit = violationInit;
    p.errorInit = errorInit;
    p.previousError = previousError;
    p.history.addAll(history);
    p.finished = finished;
    p.nIter = nIter;
    return p;
  }

  /** Whether no iteration has run (mu then measures the starting error). */
  public boolean fresh() {
    return iterations == 0 && !finished;
  }

  /** Iterations completed (the fit continues with the next one). */
  public int iterations() {
    return iterations;
  }

  public void completed(int iteration) {
    this.iterations = iteration;
  }

  /** The fit stopped; {@code nIter} is scikit-learn's {@code n_iter_}. */
  public void finish(int nIter) {
    this.iterations = nIter;
    this.nIter = nIter;
    this.finished = true;
  }

  public boolean finished() {
    return finished;
  }

  /** scikit-learn's {@code n_iter_} once finished. */
  public int nIter() {
    return nIter;
  }

  /** cd: the violation of the first iteration. */
  public double violationInit() {
    return violationInit;
  }

  public void violationInit(double v) {
    this.violationInit = v;
  }

  /** mu: the error of the starting point. */
  public double errorInit() {
    return errorInit;
  }

  /** mu: the error at the last check (the starting error before the first). */
  public double previousError() {
    return previousError;
  }

  public void errors(double init, double previous) {
    this.errorInit = init;
    this.previousError = previous;
  }

  public void previousError(double previous) {
    this.previousError = previous;
  }

  /** The objective so far: cd's violation ratio per iteration, mu's error at every check. */
  public List<Double> history() {
    return List.copyOf(history);
  }

  public void record(double value) {
    history.add(value);
  }

  /** cd with shuffle: the generator of the component orders; null otherwise. */
  public NumpyRandomState rng() {
    return rng;
  }
}
