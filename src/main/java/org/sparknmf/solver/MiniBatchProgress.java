package org.sparknmf.solver;

/**
 * Where a MiniBatchNMF fit's loop stands, besides W, Hᵀ and the {@link MiniBatchState}: the next
 * step to run (counted from 0 over the fit: epoch e, batch s is step e·steps_per_epoch + s), the
 * steps that did run (steps on empty batches are skipped) and whether the fit has stopped. A fresh
 * fit starts at step 0; a saved one continues where it was.
 */
public final class MiniBatchProgress {

  private int nextStep;
  private int stepsDone;
  private boolean finished;

  /** A fit that has not started. */
  public MiniBatchProgress() {}

  /** A saved fit: {@code nextStep} is the first step still to run. */
  public static MiniBatchProgress restore(int nextStep, int stepsDone, boolean finished) {
    if (nextStep < 0 || stepsDone < 0 || stepsDone > nextStep) {
      throw new IllegalArgumentException("a mini-batch fit cannot be at step " + nextStep + " with "
          + stepsDone + " steps done");
    }
    MiniBatchProgress p = new MiniBatchProgress();
    p.nextStep = nextStep;
    p.stepsDone = stepsDone;
    p.finished = finished;
    return p;
  }

  /** Whether nothing has run yet (the fit then forgets the smoothed cost of any earlier fit). */
  public boolean fresh() {
    return nextStep == 0 && stepsDone == 0 && !finished;
  }

  /** After a step: the next one to run and the steps that ran so far. */
  public void at(int nextStep, int stepsDone) {
    this.nextStep = nextStep;
    this.stepsDone = stepsDone;
  }

  /** The fit stopped after {@code stepsDone} steps. */
  public void finish(int stepsDone) {
    at(Math.max(nextStep, stepsDone), stepsDone);
    this.finished = true;
  }

  public int nextStep() {
    return nextStep;
  }

  public int stepsDone() {
    return stepsDone;
  }

  public boolean finished() {
    return finished;
  }
}
