package org.sparknmf.solver;

/**
 * Told when a fit has completed an epoch (MiniBatchNMF) or an iteration (NMF), and once more when
 * it stops. The distributed engine uses it to checkpoint a fit running on the driver; the state to
 * save is in the solver's progress object ({@link MiniBatchProgress}, {@link FullBatchProgress}),
 * its W and Hᵀ, and for MiniBatchNMF its {@link MiniBatchState}.
 */
@FunctionalInterface
public interface FitListener {

  /** Does nothing. */
  FitListener NONE = (progress, last) -> { };

  /**
   * @param progress epochs (iterations) completed
   * @param last true once, after the loop: the fit has converged or run out of iterations. A
   *     completed epoch (iteration) that ends the fit is only reported this way.
   */
  void completed(int progress, boolean last);
}
