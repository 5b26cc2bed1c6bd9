package org.sparknmf.solver;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.sparknmf.linalg.DenseMatrix;

/**
 * What MiniBatchNMF keeps between mini-batches, on the driver: the accumulators A and B of the
 * online H update, ρ and the batch size (fixed by the first data seen, as in scikit-learn), the
 * exponentially weighted batch cost and the step count. The single-JVM solver and the distributed
 * engine both drive it: they differ only in where the batch statistics are computed.
 */
public final class MiniBatchState implements Serializable {

  private static final long serialVersionUID = 1L;

  private final NmfOptions options;
  private final int batchSize;
  private final double rho;
  private final DenseMatrix numeratorAcc;
  private final DenseMatrix denominatorAcc;
  private Double ewaCost;
  private transient ProgressLog progress;
  private Double ewaCostMin;
  private int noImprovement;
  private int nSteps;
  private final List<Double> costHistory = new ArrayList<>();
  /** The H update's denominator, kept from step to step (the statistics are new each step). */
  private transient double[] denominatorWork;

  /**
   * @param nSamples rows of the first data seen (fixes batch size and ρ)
   * @param ht the starting Hᵀ ({@code n × k}); A starts as its copy, B as ones
   */
  public MiniBatchState(NmfOptions options, long nSamples, DenseMatrix ht) {
    this.options = options;
    this.batchSize = (int) Math.min(options.batchSize(), nSamples);
    this.rho = Math.pow(options.forgetFactor(), (double) batchSize / nSamples);
    this.numeratorAcc = ht.copy();
    this.denominatorAcc = DenseMatrix.filled(ht.rows(), ht.cols(), 1.0);
  }

  private MiniBatchState(NmfOptions options, int batchSize, double rho, DenseMatrix a, DenseMatrix b) {
    this.options = options;
    this.batchSize = batchSize;
    this.rho = rho;
    this.numeratorAcc = a;
    this.denominatorAcc = b;
  }

  /** A state saved with {@link #numeratorAccumulator()} and the other accessors, to continue a fit. */
  public static MiniBatchState restore(NmfOptions options, int batchSize, double rho, DenseMatrix a,
      DenseMatrix b, Double ewaCost, Double ewaCostMin, int noImprovement, int nSteps,
      List<Double> costHistory) {
    MiniBatchState s = new MiniBatchState(options, batchSize, rho, a.copy(), b.copy());
    s.ewaCost = ewaCost;
    s.ewaCostMin = ewaCostMin;
    s.noImprovement = noImprovement;
    s.nSteps = nSteps;
    s.costHistory.addAll(costHistory);
    return s;
  }

  /** A (scikit-learn's {@code _components_numerator}), {@code n × k}. */
  public DenseMatrix numeratorAccumulator() {
    return numeratorAcc;
  }

  /** B (scikit-learn's {@code _components_denominator}), {@code n × k}. */
  public DenseMatrix denominatorAccumulator() {
    return denominatorAcc;
  }

  /** The smoothed batch cost, or null before the second step of a fit. */
  public Double ewaCost() {
    return ewaCost;
  }

  public Double ewaCostMin() {
    return ewaCostMin;
  }

  public int noImprovement() {
    return noImprovement;
  }

  public int batchSize() {
    return batchSize;
  }

  public double rho() {
    return rho;
  }

  /** Forgets the smoothed cost (a new fit starts; the accumulators are kept). */
  public void startFit() {
    ewaCost = null;
    ewaCostMin = null;
    noImprovement = 0;
  }

  /**
   * scikit-learn's batch cost per sample: divergence plus penalties of the batch's W and of H,
   * over the batch's rows. Recorded in the cost history.
   */
  public double recordCost(double divergence, double wSum, double wSquaredNorm, DenseMatrix ht,
      Regularization reg, int batchRows) {
    // H's sums are passes over n × k entries each step; a zero penalty adds 0 to the same bits
    // (for finite H; once H overflows the divergence is not finite either).
    double hSum = reg.l1H() == 0.0 ? 0.0 : ht.sum();
    double hSquaredNorm = reg.l2H() == 0.0 ? 0.0 : ht.squaredNorm();
    double cost = (divergence + reg.l1W() * wSum + reg.l1H() * hSum
        + reg.l2W() * wSquaredNorm + reg.l2H() * hSquaredNorm) / batchRows;
    costHistory.add(cost);
    return cost;
  }

  /** The online update of Hᵀ from a batch's statistics (side H). Modifies {@code ht} and A, B. */
  public void updateH(DenseMatrix ht, FactorStatistics hStats, Regularization reg) {
    BetaLoss loss = options.betaLoss();
    int size = ht.rows() * ht.cols();
    if (denominatorWork == null || denominatorWork.length < size) {
      denominatorWork = new double[size];
    }
    MultiplicativeUpdate.updateOnline(ht, hStats.numerator(), hStats.denominator(ht, denominatorWork),
        reg.l1H(), reg.l2H(), loss.gamma(), numeratorAcc, denominatorAcc, rho);
    if (loss.beta() <= 1.0) {
      MultiplicativeUpdate.clampTiny(ht);
    }
  }

  /**
   * Takes over the state of {@code other}, a copy of this fit's state (to replay steps from it);
   * keeps this one's progress log.
   */
  public void copyFrom(MiniBatchState other) {
    numeratorAcc.copyFrom(other.numeratorAcc);
    denominatorAcc.copyFrom(other.denominatorAcc);
    ewaCost = other.ewaCost;
    ewaCostMin = other.ewaCostMin;
    noImprovement = other.noImprovement;
    nSteps = other.nSteps;
    costHistory.clear();
    costHistory.addAll(other.costHistory);
  }

  /** Counts one more step (scikit-learn's {@code n_steps_}). */
  public void countStep() {
    nSteps++;
  }

  /** Sets the step count (a fit's total, which scikit-learn reports instead of a running count). */
  public void setSteps(int steps) {
    nSteps = steps;
  }

  /**
   * scikit-learn's {@code _minibatch_convergence}; {@code step} counts from 0 within this fit.
   * {@code hBuffer} is Hᵀ before the step.
   */
  public boolean converged(int batchRows, double cost, DenseMatrix ht, DenseMatrix hBuffer,
      long nSamples, int step, int maxSteps) {
    boolean verbose = options.verbose() > 0;
    if (step == 0) {
      // H has not moved yet.
      if (verbose) {
        System.out.println("Minibatch step 1/" + maxSteps + ": mean batch cost: " + cost);
      }
      return false;
    }
    if (ewaCost == null) {
      ewaCost = cost;
    } else {
      double alpha = Math.min((double) batchRows / (nSamples + 1), 1.0);
      ewaCost = ewaCost * (1 - alpha) + cost * alpha;
    }
    if (verbose) {
      System.out.println("Minibatch step " + (step + 1) + "/" + maxSteps + ": mean batch cost: "
          + cost + ", ewa cost: " + ewaCost);
    }
    double hChange = ht.relativeDistance(hBuffer);
    if (options.tol() > 0 && hChange <= options.tol()) {
      if (verbose) {
        System.out.println("Converged (small H change) at step " + (step + 1) + "/" + maxSteps);
      }
      return true;
    }
    if (ewaCostMin == null || ewaCost < ewaCostMin) {
      noImprovement = 0;
      ewaCostMin = ewaCost;
    } else {
      noImprovement++;
    }
    if (options.maxNoImprovement() != null && noImprovement >= options.maxNoImprovement()) {
      if (verbose) {
        System.out.println("Converged (lack of improvement in objective function) at step "
            + (step + 1) + "/" + maxSteps);
      }
      return true;
    }
    return false;
  }

  /**
   * Logs the end of an epoch, or the last step of the fit ({@code step} counts from 0 within it).
   */
  public void reportStep(int step, int stepsPerEpoch, int maxSteps, double cost, boolean stopping) {
    boolean last = stopping || step + 1 == maxSteps;
    if (last || (step + 1) % stepsPerEpoch == 0) {
      if (progress == null) {
        progress = new ProgressLog();
      }
      progress.epoch(step / stepsPerEpoch + 1, maxSteps / stepsPerEpoch, step + 1, cost, ewaCost, last);
    }
  }

  /** Mini-batch steps taken so far (scikit-learn's {@code n_steps_}). */
  public int nSteps() {
    return nSteps;
  }

  /** The cost per sample of every batch processed, in order. */
  public List<Double> costHistory() {
    return List.copyOf(costHistory);
  }
}
