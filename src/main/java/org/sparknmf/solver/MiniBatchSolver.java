package org.sparknmf.solver;

import java.util.Arrays;
import java.util.List;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;

/**
 * MiniBatchNMF on one JVM (scikit-learn's {@code MiniBatchNMF}): W rows of each batch by
 * multiplicative updates, H by the online update with forget factor ρ ({@link MiniBatchState}),
 * and early stopping on the change of H and on an exponentially weighted average of the batch cost.
 * {@link #partialStep} continues a fit with a new chunk.
 */
public final class MiniBatchSolver {

  /** Outcome of {@link #fit}: the final W and the counters. */
  public record Result(DenseMatrix w, int nIter, int nSteps) {}

  private final NmfOptions options;
  private final BetaLoss loss;
  private final MiniBatchState state;
  private final FactorStatistics wStats;
  private final FactorStatistics hStats;

  /**
   * @param nSamples rows of the first data seen (fixes batch size and ρ)
   * @param ht the starting Hᵀ ({@code n × k})
   */
  public MiniBatchSolver(NmfOptions options, int nSamples, DenseMatrix ht) {
    this.options = options;
    this.loss = options.betaLoss();
    this.state = new MiniBatchState(options, nSamples, ht);
    this.wStats = FactorStatistics.zeros(Side.W, loss, state.batchSize(), ht.cols());
    this.hStats = FactorStatistics.zeros(Side.H, loss, ht.rows(), ht.cols());
  }

  /**
   * Continues a saved fit: {@code state} is the saved {@link MiniBatchState} (accumulators,
   * smoothed cost, cost history), used as is.
   */
  public MiniBatchSolver(NmfOptions options, MiniBatchState state, DenseMatrix ht) {
    this.options = options;
    this.loss = options.betaLoss();
    this.state = state;
    this.wStats = FactorStatistics.zeros(Side.W, loss, state.batchSize(), ht.cols());
    this.hStats = FactorStatistics.zeros(Side.H, loss, ht.rows(), ht.cols());
  }

  /** Fits on all of {@code x}, updating {@code w} (rows warm-started in place) and {@code ht}. */
  public Result fit(DataMatrix x, DenseMatrix w, DenseMatrix ht) {
    return fit(x, w, ht, new MiniBatchProgress(), FitListener.NONE);
  }

  /**
   * Fits from where {@code progress} stands (a fresh one starts the fit), telling {@code listener}
   * after every epoch; {@code progress} follows the loop, so the listener can save it with
   * {@code w}, {@code ht} and {@link #state()}. A finished progress runs no step.
   */
  public Result fit(DataMatrix x, DenseMatrix w, DenseMatrix ht, MiniBatchProgress progress,
      FitListener listener) {
    int m = x.rows();
    int batchSize = state.batchSize();
    int stepsPerIter = (m + batchSize - 1) / batchSize;
    int maxSteps = options.maxIter() * stepsPerIter;
    DenseMatrix hBuffer = ht.copy();
    double[] batchNorms = new double[stepsPerIter]; // ‖X‖² of each batch, kept for the step's cost
    Arrays.fill(batchNorms, Double.NaN);
    if (progress.fresh()) {
      state.startFit();
    }
    int done = progress.stepsDone();
    for (int i = progress.finished() ? maxSteps : progress.nextStep(); i < maxSteps; i++) {
      int b = i % stepsPerIter;
      int from = b * batchSize;
      int to = Math.min(m, from + batchSize);
      DataMatrix xb = x.rowRange(from, to);
      if (Double.isNaN(batchNorms[b])) {
        batchNorms[b] = xb.squaredNorm();
      }
      double cost = step(xb, batchNorms[b], w.rowRange(from, to), ht);
      done = i + 1;
      boolean converged = state.converged(xb.rows(), cost, ht, hBuffer, m, i, maxSteps);
      state.reportStep(i, stepsPerIter, maxSteps, cost, converged);
      if (converged) {
        break;
      }
      hBuffer.copyFrom(ht);
      progress.at(i + 1, done);
      if ((i + 1) % stepsPerIter == 0 && i + 1 < maxSteps) {
        listener.completed((i + 1) / stepsPerIter, false);
      }
    }
    state.setSteps(done);
    int nIter = (done + stepsPerIter - 1) / stepsPerIter;
    if (!progress.finished()) {
      progress.finish(done);
      listener.completed(nIter, true);
    }
    DenseMatrix finalW = options.freshRestarts()
        ? solveW(options, x, ht, options.effectiveTransformMaxIter()) : w;
    return new Result(finalW, nIter, done);
  }

  /** One {@code partial_fit} step on a new chunk: W solved afresh, then H updated. */
  public void partialStep(DataMatrix x, DenseMatrix ht) {
    step(x, Double.NaN, null, ht);
    state.countStep();
  }

  /**
   * One mini-batch: updates the batch's W ({@code wb}, in place; solved afresh when null or with
   * fresh restarts), then Hᵀ. {@code xSquaredNorm} is ‖xb‖²_F, or NaN to have it computed.
   * Returns the batch cost per sample.
   */
  double step(DataMatrix xb, double xSquaredNorm, DenseMatrix wb, DenseMatrix ht) {
    Regularization reg = options.regularization(xb.rows(), xb.cols());
    DenseMatrix hht = gramOfUpdate(options, wb, wStats);
    wb = updateW(options, xb, wb, ht, wStats, hStats);
    double cost = state.recordCost(BetaDivergence.withStatistics(xb, xSquaredNorm, wb, ht, loss, hStats, hht),
        wb.sum(), wb.squaredNorm(), ht, reg, xb.rows());
    state.updateH(ht, hStats, reg);
    return cost;
  }

  /**
   * The W part of a mini-batch step, for the rows of {@code xb}: one multiplicative update of
   * {@code wb} in place, or a fresh solve when {@code wb} is null or with fresh restarts. Returns
   * the new W rows. {@code wStats} is a workspace. Row-separable: also runs on a slice of a batch.
   */
  public static DenseMatrix updateW(NmfOptions options, DataMatrix xb, DenseMatrix wb,
      DenseMatrix ht, FactorStatistics wStats) {
    if (options.freshRestarts() || wb == null) {
      wb = solveW(options, xb, ht, options.freshRestartsMaxIter());
    } else {
      Regularization reg = options.regularization(xb.rows(), xb.cols());
      MultiplicativeUpdate.update(wb, wStats.reset(xb.rows()).accumulate(xb, wb, ht), reg.l1W(),
          reg.l2W(), options.betaLoss().gamma());
    }
    if (options.betaLoss().beta() < 1.0) {
      MultiplicativeUpdate.clampTiny(wb);
    }
    return wb;
  }

  /**
   * Whether {@link #updateW} leaves HHᵀ in its {@code wStats}' Gram matrix (the bits of
   * {@code ht.gram()}): when it updates given W rows with the Frobenius loss, not when it solves
   * them afresh.
   */
  public static boolean formsGram(NmfOptions options, DenseMatrix wb) {
    return wb != null && !options.freshRestarts() && options.betaLoss().isFrobenius();
  }

  /**
   * The matrix in which {@link #updateW} will leave HHᵀ ({@code wStats}' Gram matrix, filled by
   * the update, for the step's cost), or null where it forms none ({@link #formsGram}).
   */
  public static DenseMatrix gramOfUpdate(NmfOptions options, DenseMatrix wb, FactorStatistics wStats) {
    return formsGram(options, wb) ? wStats.gram() : null;
  }

  /**
   * {@link #updateW}, then H's statistics of the new W rows into {@code hStats} (cleared first): on
   * dense X with the Frobenius loss and W rows to update, both in one pass over {@code xb}
   * ({@code DataProducts.formAround}). Returns the new W rows. {@code wStats} is a workspace; null
   * is allowed when {@code wb} is null. With {@code hStats} null the W rows are updated alone, with
   * the same bits, and {@link #statistics} gives the statistics the pass would have.
   */
  public static DenseMatrix updateW(NmfOptions options, DataMatrix xb, DenseMatrix wb,
      DenseMatrix ht, FactorStatistics wStats, FactorStatistics hStats) {
    DataProducts pass = onePass(options, xb, wb, ht);
    if (pass != null) {
      Regularization reg = options.regularization(xb.rows(), xb.cols());
      MultiplicativeUpdate.updateWInPass(pass, wb, ht, wStats.reset(xb.rows()),
          hStats == null ? null : hStats.reset(), reg.l1W(), reg.l2W());
      return wb;
    }
    DenseMatrix w = updateW(options, xb, wb, ht, wStats);
    if (hStats != null) {
      hStats.reset().accumulate(xb, w, ht);
    }
    return w;
  }

  /**
   * H's statistics, into {@code hStats} (cleared first), of W rows {@code wb} that
   * {@link #updateW(NmfOptions, DataMatrix, DenseMatrix, DenseMatrix, FactorStatistics, FactorStatistics)}
   * updated without them: the bits its one pass would have given, so that a step taken in two jobs
   * (W, then the statistics) is the step taken in one.
   */
  public static void statistics(NmfOptions options, DataMatrix xb, DenseMatrix wb, DenseMatrix ht,
      FactorStatistics hStats) {
    hStats.reset();
    DataProducts pass = onePass(options, xb, wb, ht);
    if (pass != null) {
      pass.formAround(wb, ht, null, null, hStats.numerator());
      wb.transposeTimesAdd(wb, hStats.gram());
    } else {
      hStats.accumulate(xb, wb, ht);
    }
  }

  /**
   * The one pass over {@code xb} of a step's W update and H's statistics, or null where the step
   * takes two: sparse or too wide X, another loss than Frobenius, W solved afresh.
   */
  private static DataProducts onePass(NmfOptions options, DataMatrix xb, DenseMatrix wb,
      DenseMatrix ht) {
    if (!formsGram(options, wb)) { // W solved afresh, or another loss than Frobenius
      return null;
    }
    DataProducts pass = new DataProducts(xb, RowParallel.serial());
    return pass.formsAround(ht.cols()) ? pass : null;
  }

  /**
   * W for fixed H by multiplicative updates from a constant start, stopping when W changes by at
   * most tol (relative): scikit-learn's {@code _solve_W}, the heart of {@code transform}.
   */
  public static DenseMatrix solveW(NmfOptions options, DataMatrix x, DenseMatrix ht, int maxIter) {
    int k = ht.cols();
    BetaLoss loss = options.betaLoss();
    DenseMatrix w = DenseMatrix.filled(x.rows(), k, Math.sqrt(x.mean() / k));
    DenseMatrix buffer = w.copy();
    Regularization reg = options.regularization(x.rows(), x.cols());
    FactorStatistics stats = FactorStatistics.zeros(Side.W, loss, x.rows(), k);
    // H is fixed, so the Frobenius statistics of W (X·Hᵀ, HHᵀ) are computed once.
    boolean fixed = loss.isFrobenius();
    if (fixed) {
      stats.accumulate(x, w, ht);
    }
    for (int it = 0; it < maxIter; it++) {
      if (!fixed) {
        stats.reset().accumulate(x, w, ht);
      }
      MultiplicativeUpdate.update(w, stats, reg.l1W(), reg.l2W(), loss.gamma());
      double change = w.relativeDistance(buffer);
      if (options.tol() > 0 && change <= options.tol()) {
        break;
      }
      buffer.copyFrom(w);
    }
    return w;
  }

  /** W for {@code x} with H fixed, as {@code transform} computes it. */
  public DenseMatrix transform(DataMatrix x, DenseMatrix ht) {
    return solveW(options, x, ht, options.effectiveTransformMaxIter());
  }

  /** The state kept between batches (accumulators, smoothed cost, step count). */
  public MiniBatchState state() {
    return state;
  }

  /** Mini-batch steps taken so far (scikit-learn's {@code n_steps_}). */
  public int nSteps() {
    return state.nSteps();
  }

  /** The cost per sample of every batch processed, in order. */
  public List<Double> costHistory() {
    return state.costHistory();
  }
}
