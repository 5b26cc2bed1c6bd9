package org.sparknmf.solver;

import java.util.List;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.util.NumpyRandomState;

/**
 * Full-batch NMF on one JVM: scikit-learn's {@code _fit_coordinate_descent} (solver "cd") and
 * {@code _fit_multiplicative_update} (solver "mu"), with their stopping rules.
 */
public final class FullBatchSolver {

  /**
   * @param nIter iterations run
   * @param history per iteration for cd: violation / initial violation; for mu: the
   *     reconstruction error at each check (every 10 iterations)
   */
  public record Result(int nIter, List<Double> history) {}

  private FullBatchSolver() {}

  /**
   * Fits W (and Hᵀ when {@code updateH}) in place, on the calling thread alone (as a Spark task
   * does).
   *
   * @param w {@code m × k} starting W, overwritten
   * @param ht {@code n × k} starting Hᵀ, overwritten when updateH
   */
  public static Result fit(DataMatrix x, DenseMatrix w, DenseMatrix ht, NmfOptions options,
      boolean updateH) {
    return fit(x, w, ht, options, updateH, 1);
  }

  /** {@link #fit(DataMatrix, DenseMatrix, DenseMatrix, NmfOptions, boolean)} on {@code threads} threads. */
  public static Result fit(DataMatrix x, DenseMatrix w, DenseMatrix ht, NmfOptions options,
      boolean updateH, int threads) {
    return fit(x, w, ht, options, updateH, FullBatchProgress.start(options), FitListener.NONE, threads);
  }

  /**
   * Fits W and Hᵀ from where {@code at} stands (a fresh one starts the fit), telling
   * {@code listener} after every iteration; {@code at} follows the loop, so the listener can save
   * it with {@code w} and {@code ht}. A finished progress runs no iteration. The coordinate
   * descent's sweeps and the passes over dense X run on {@code threads} threads, with the same
   * result for any number.
   */
  public static Result fit(DataMatrix x, DenseMatrix w, DenseMatrix ht, NmfOptions options,
      FullBatchProgress at, FitListener listener, int threads) {
    return fit(x, w, ht, options, true, at, listener, threads);
  }

  private static Result fit(DataMatrix x, DenseMatrix w, DenseMatrix ht, NmfOptions options,
      boolean updateH, FullBatchProgress at, FitListener listener, int threads) {
    try (RowParallel par = RowParallel.start(threads)) {
      return fit(x, w, ht, options, updateH, at, listener, par);
    }
  }

  /** The fit on {@code par}'s threads (tests pass one that shares small work too). */
  static Result fit(DataMatrix x, DenseMatrix w, DenseMatrix ht, NmfOptions options,
      boolean updateH, FullBatchProgress at, FitListener listener, RowParallel par) {
    Regularization reg = options.regularization(x.rows(), x.cols());
    if ("cd".equals(options.solver())) {
      return coordinateDescent(x, w, ht, options, reg, updateH, at, listener, par);
    }
    return multiplicativeUpdate(x, w, ht, options, reg, updateH, at, listener, par);
  }

  private static Result coordinateDescent(DataMatrix x, DenseMatrix w, DenseMatrix ht,
      NmfOptions o, Regularization reg, boolean updateH, FullBatchProgress at, FitListener listener,
      RowParallel par) {
    int k = w.cols();
    NumpyRandomState rng = at.rng();
    ProgressLog progress = updateH ? new ProgressLog() : null;
    Side[] sides = updateH ? Side.values() : new Side[] {Side.W};
    DataProducts products = new DataProducts(x, par);
    DenseMatrix[] numerators = {new DenseMatrix(x.rows(), k), new DenseMatrix(updateH ? x.cols() : 0, k)};
    // Dense X: W's sweep inside the pass that forms X·Hᵀ, the pass also forming H's Xᵀ·W.
    boolean around = updateH && products.formsAround(k);
    int iter;
    for (iter = at.finished() ? at.nIter() : at.iterations() + 1; !at.finished() && iter <= o.maxIter(); iter++) {
      double violation = 0.0;
      for (Side side : sides) {
        DenseMatrix numerator = numerators[side.ordinal()];
        int[] order = rng != null ? rng.permutation(k) : identity(k);
        if (!around) {
          products.form(side, w, ht, numerator);
        } else if (side == Side.W) {
          CoordinateDescent.Sweep sweep = new CoordinateDescent.Sweep(w, ht.gram(), numerator,
              reg.l1(side), reg.l2(side), order);
          products.formAround(w, ht, numerator, sweep::rows, numerators[Side.H.ordinal()]);
          violation += sweep.violation();
          continue;
        }
        violation += CoordinateDescent.update(side.own(w, ht), side.other(w, ht).gram(), numerator,
            reg.l1(side), reg.l2(side), order, par);
      }
      if (iter == 1) {
        at.violationInit(violation);
      }
      double violationInit = at.violationInit();
      if (violationInit == 0.0) {
        break;
      }
      double ratio = relativeViolation(violation, violationInit);
      at.record(ratio);
      if (o.verbose() > 0) {
        System.out.println("violation: " + ratio);
      }
      boolean converged = ratio <= o.tol();
      if (progress != null) {
        progress.iteration(iter, o.maxIter(), "violation", ratio, converged || iter == o.maxIter());
      }
      if (converged) {
        if (o.verbose() > 0) {
          System.out.println("Converged at iteration " + (iter + 1));
        }
        break;
      }
      completed(at, listener, iter, o.maxIter());
    }
    return finished(at, listener, Math.min(iter, o.maxIter()));
  }

  /** After an iteration that does not end the fit. */
  private static void completed(FullBatchProgress at, FitListener listener, int iter, int maxIter) {
    at.completed(iter);
    if (iter < maxIter) {
      listener.completed(iter, false);
    }
  }

  private static Result finished(FullBatchProgress at, FitListener listener, int nIter) {
    if (!at.finished()) {
      at.finish(nIter);
      listener.completed(nIter, true);
    }
    return new Result(at.nIter(), at.history());
  }

  private static Result multiplicativeUpdate(DataMatrix x, DenseMatrix w, DenseMatrix ht,
      NmfOptions o, Regularization reg, boolean updateH, FullBatchProgress at, FitListener listener,
      RowParallel par) {
    BetaLoss loss = o.betaLoss();
    double gamma = loss.gamma();
    long start = System.nanoTime();
    if (at.fresh()) {
      double e = BetaDivergence.reconstructionError(x, w, ht, loss);
      at.errors(e, e);
    }
    double errorInit = at.errorInit();
    double previous = at.previousError();
    ProgressLog progress = updateH ? new ProgressLog() : null;
    int k = w.cols();
    FactorStatistics sw = FactorStatistics.zeros(Side.W, loss, x.rows(), k);
    FactorStatistics sh = FactorStatistics.zeros(Side.H, loss, x.cols(), k);
    // With H fixed (transform) the Frobenius statistics of W do not change between iterations.
    boolean fixedW = !updateH && loss.isFrobenius();
    if (fixedW) {
      sw.accumulate(x, w, ht);
    }
    int iter;
    DataProducts products = new DataProducts(x, par);
    // Frobenius on dense X: W's update inside the pass that forms X·Hᵀ and Xᵀ·W (DataProducts).
    boolean around = updateH && loss.isFrobenius() && products.formsAround(k);
    for (iter = at.finished() ? at.nIter() : at.iterations() + 1; !at.finished() && iter <= o.maxIter(); iter++) {
      if (around) {
        MultiplicativeUpdate.updateWInPass(products, w, ht, sw.reset(), sh.reset(), reg.l1W(), reg.l2W());
      } else {
        if (!fixedW) {
          sw.reset().accumulate(x, w, ht);
        }
        MultiplicativeUpdate.update(w, sw, reg.l1W(), reg.l2W(), gamma);
        if (loss.beta() < 1.0) {
          MultiplicativeUpdate.clampTiny(w);
        }
        if (updateH) {
          sh.reset().accumulate(x, w, ht);
        }
      }
      if (updateH) {
        MultiplicativeUpdate.update(ht, sh, reg.l1H(), reg.l2H(), gamma);
        if (loss.beta() <= 1.0) {
          MultiplicativeUpdate.clampTiny(ht);
        }
      }
      if (o.tol() > 0 && iter % 10 == 0) {
        double error = BetaDivergence.reconstructionError(x, w, ht, loss);
        at.record(error);
        if (o.verbose() > 0) {
          System.out.printf("Epoch %02d reached after %.3f seconds, error: %f%n", iter,
              (System.nanoTime() - start) / 1e9, error);
        }
        boolean converged = (previous - error) / errorInit < o.tol();
        if (progress != null) {
          progress.iteration(iter, o.maxIter(), "error", error, converged || iter + 10 > o.maxIter());
        }
        if (converged) {
          break;
        }
        previous = error;
        at.previousError(error);
      }
      completed(at, listener, iter, o.maxIter());
    }
    return finished(at, listener, Math.min(iter, o.maxIter()));
  }

  /**
   * cd's stopping ratio, violation / first violation. The gradients multiply three factor entries,
   * so they overflow when the factors are near 1e103 (nndsvda fills their zeros with X.mean(), so
   * |X| near 1e150 is enough); the first violation is then infinite and the first ratio Inf/Inf.
   * scikit-learn gets NaN, which is not ≤ tol, and records it; 1 (no measurable progress) decides
   * the same for any tol &lt; 1 and keeps the history finite.
   */
  public static double relativeViolation(double violation, double violationInit) {
    return Double.isInfinite(violation) && Double.isInfinite(violationInit) ? 1.0 : violation / violationInit;
  }

  static int[] identity(int k) {
    int[] p = new int[k];
    for (int t = 0; t < k; t++) {
      p[t] = t;
    }
    return p;
  }
}
