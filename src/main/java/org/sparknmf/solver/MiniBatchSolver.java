package org.sparknmf.solver;

import java.util.ArrayList;
import java.util.List;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;

/**
 * MiniBatchNMF on one JVM (scikit-learn's {@code MiniBatchNMF}): W rows of each batch by
 * multiplicative updates, H by the online update with forget factor ρ, and early stopping on the
 * change of H and on an exponentially weighted average of the batch cost.
 *
 * <p>An instance holds what scikit-learn keeps on the estimator between calls: the accumulators
 * A and B, ρ and the batch size (fixed by the first data seen, as in scikit-learn), the smoothed
 * cost state and the step count, so that {@link #partialStep} continues a fit.
 */
public final class MiniBatchSolver {

  /** Outcome of {@link #fit}: the final W and the counters. */
  public record Result(DenseMatrix w, int nIter, int nSteps) {}

  private final NmfOptions options;
  private final BetaLoss loss;
  private final double gamma;
  private final int batchSize;
  private final double rho;
  private final DenseMatrix numeratorAcc;
  private final DenseMatrix denominatorAcc;
  private final FactorStatistics wStats;
  private final FactorStatistics hStats;
  private Double ewaCost;
  private Double ewaCostMin;
  private int noImprovement;
  private int nSteps;
  private final List<Double> costHistory = new ArrayList<>();

  /**
   * @param nSamples rows of the first data seen (fixes batch size and ρ)
   * @param ht the starting Hᵀ ({@code n × k}); A starts as its copy, B as ones
   */
  public MiniBatchSolver(NmfOptions options, int nSamples, DenseMatrix ht) {
    this.options = options;
    this.loss = options.betaLoss();
    this.gamma = loss.gamma();
    this.batchSize = Math.min(options.batchSize(), nSamples);
    this.rho = Math.pow(options.forgetFactor(), (double) batchSize / nSamples);
    this.numeratorAcc = ht.copy();
    this.denominatorAcc = DenseMatrix.filled(ht.rows(), ht.cols(), 1.0);
    this.wStats = FactorStatistics.zeros(Side.W, loss, batchSize, ht.cols());
    this.hStats = FactorStatistics.zeros(Side.H, loss, ht.rows(), ht.cols());
  }

  /** Fits on all of {@code x}, updating {@code w} (rows warm-started in place) and {@code ht}. */
  public Result fit(DataMatrix x, DenseMatrix w, DenseMatrix ht) {
    int m = x.rows();
    int stepsPerIter = (m + batchSize - 1) / batchSize;
    int maxSteps = options.maxIter() * stepsPerIter;
    DenseMatrix hBuffer = ht.copy();
    ewaCost = null;
    ewaCostMin = null;
    noImprovement = 0;
    int done = 0;
    for (int i = 0; i < maxSteps; i++) {
      int from = (i % stepsPerIter) * batchSize;
      int to = Math.min(m, from + batchSize);
      DataMatrix xb = x.rowRange(from, to);
      double cost = step(xb, w.rowRange(from, to), ht, true);
      done = i + 1;
      if (converged(xb.rows(), cost, ht, hBuffer, m, i, maxSteps)) {
        break;
      }
      hBuffer.copyFrom(ht);
    }
    nSteps = done;
    DenseMatrix finalW = options.freshRestarts() ? solveW(x, ht, options.effectiveTransformMaxIter()) : w;
    int nIter = (done + stepsPerIter - 1) / stepsPerIter;
    return new Result(finalW, nIter, done);
  }

  /** One {@code partial_fit} step on a new chunk: W solved afresh, then H updated. */
  public void partialStep(DataMatrix x, DenseMatrix ht) {
    step(x, null, ht, true);
    nSteps++;
  }

  /**
   * One mini-batch: updates the batch's W ({@code wb}, in place; solved afresh when null or with
   * fresh restarts) and, when {@code updateH}, Hᵀ. Returns the batch cost per sample.
   */
  double step(DataMatrix xb, DenseMatrix wb, DenseMatrix ht, boolean updateH) {
    Regularization reg = options.regularization(xb.rows(), xb.cols());
    if (options.freshRestarts() || wb == null) {
      wb = solveW(xb, ht, options.freshRestartsMaxIter());
    } else {
      MultiplicativeUpdate.update(wb, wStats.reset(xb.rows()).accumulate(xb, wb, ht), reg.l1W(), reg.l2W(), gamma);
    }
    if (loss.beta() < 1.0) {
      MultiplicativeUpdate.clampTiny(wb);
    }
    double cost = (BetaDivergence.of(xb, wb, ht, loss)
        + reg.l1W() * wb.sum() + reg.l1H() * ht.sum()
        + reg.l2W() * wb.squaredNorm() + reg.l2H() * ht.squaredNorm()) / xb.rows();
    costHistory.add(cost);
    if (updateH) {
      FactorStatistics sh = hStats.reset().accumulate(xb, wb, ht);
      MultiplicativeUpdate.updateOnline(ht, sh.numerator(), sh.denominator(ht), reg.l1H(), reg.l2H(),
          gamma, numeratorAcc, denominatorAcc, rho);
      if (loss.beta() <= 1.0) {
        MultiplicativeUpdate.clampTiny(ht);
      }
    }
    return cost;
  }

  /**
   * W for fixed H by multiplicative updates from a constant start, stopping when W changes by at
   * most tol (relative): scikit-learn's {@code _solve_W}, the heart of {@code transform}.
   */
  public DenseMatrix solveW(DataMatrix x, DenseMatrix ht, int maxIter) {
    int k = ht.cols();
    DenseMatrix w = DenseMatrix.filled(x.rows(), k, Math.sqrt(x.mean() / k));
    DenseMatrix buffer = w.copy();
    Regularization reg = options.regularization(x.rows(), x.cols());
    // H is fixed, so the Frobenius statistics of W (X·Hᵀ, HHᵀ) are computed once.
    boolean fixed = loss.isFrobenius();
    if (fixed) {
      wStats.reset(x.rows()).accumulate(x, w, ht);
    }
    for (int it = 0; it < maxIter; it++) {
      if (!fixed) {
        wStats.reset(x.rows()).accumulate(x, w, ht);
      }
      MultiplicativeUpdate.update(w, wStats, reg.l1W(), reg.l2W(), gamma);
      double change = w.distance(buffer) / Math.sqrt(w.squaredNorm());
      if (options.tol() > 0 && change <= options.tol()) {
        break;
      }
      buffer.copyFrom(w);
    }
    return w;
  }

  /** scikit-learn's {@code _minibatch_convergence}; {@code step} counts from 0. */
  private boolean converged(int batchRows, double cost, DenseMatrix ht, DenseMatrix hBuffer,
      int nSamples, int step, int maxSteps) {
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
    double hChange = ht.distance(hBuffer) / Math.sqrt(ht.squaredNorm());
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

  /** Mini-batch steps taken so far (scikit-learn's {@code n_steps_}). */
  public int nSteps() {
    return nSteps;
  }

  /** The cost per sample of every batch processed, in order. */
  public List<Double> costHistory() {
    return List.copyOf(costHistory);
  }
}
