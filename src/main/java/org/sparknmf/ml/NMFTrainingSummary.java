package org.sparknmf.ml;

import java.io.Serializable;

/** What a fit went through: the objective per step or check, and the counters. */
public final class NMFTrainingSummary implements Serializable {

  private static final long serialVersionUID = 1L;

  private final double[] objectiveHistory;
  private final int nIter;
  private final int nSteps;
  private final double reconstructionErr;

  NMFTrainingSummary(double[] objectiveHistory, int nIter, int nSteps, double reconstructionErr) {
    this.objectiveHistory = objectiveHistory;
    this.nIter = nIter;
    this.nSteps = nSteps;
    this.reconstructionErr = reconstructionErr;
  }

  /**
   * MiniBatchNMF: the cost per sample of every batch (and partial fit); NMF with cd: the violation
   * ratio per iteration; with mu: the reconstruction error every 10 iterations.
   */
  public double[] objectiveHistory() {
    return objectiveHistory.clone();
  }

  public int totalIterations() {
    return nIter;
  }

  public int totalSteps() {
    return nSteps;
  }

  public double reconstructionErr() {
    return reconstructionErr;
  }
}
