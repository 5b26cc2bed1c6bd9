package org.sparknmf.engine;

import java.util.Collections;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.solver.BetaLoss;
import org.sparknmf.solver.CoordinateDescent;
import org.sparknmf.solver.FactorStatistics;
import org.sparknmf.solver.FullBatchProgress;
import org.sparknmf.solver.FullBatchSolver;
import org.sparknmf.solver.MultiplicativeUpdate;
import org.sparknmf.solver.NmfOptions;
import org.sparknmf.solver.ProgressLog;
import org.sparknmf.solver.Regularization;
import org.sparknmf.solver.Side;
import org.sparknmf.util.NumpyRandomState;

/**
 * Full-batch NMF over row-partitioned X, solver {@code cd} or {@code mu}, one Spark job per
 * iteration: with Hᵀ broadcast, every block updates its W rows (row-separable: a W row needs only its
 * X row, Hᵀ and HHᵀ) and sums the statistics for H over the new rows; the driver updates H from them
 * with the same kernel the single-JVM solver uses, and applies scikit-learn's stopping rules (cd:
 * violation over the initial violation; mu: relative drop of the error, checked every 10 iterations
 * with one more job). Results equal the single-JVM solver's up to the order of summation.
 *
 * <p>Cost of one iteration with P partitions: broadcast n·k doubles; aggregate P·(n·k + k²) doubles
 * (Frobenius); compute O(nnz·k + m·k²) (cd, mu Frobenius) or O(m·n·k) (other betas); memory per
 * task: the block's W (rows·k) twice and n·k for the statistics.
 */
final class DistributedFullBatch {

  private final JavaSparkContext jsc;
  private final NmfOptions options;
  private final EngineSettings settings;
  private final boolean reliable;
  private final Checkpointing checkpoints;

  DistributedFullBatch(FitContext context) {
    this.jsc = context.jsc();
    this.options = context.options();
    this.settings = context.settings();
    this.reliable = context.reliable();
    this.checkpoints = context.checkpoints();
  }

  /**
   * Fits Hᵀ (in place) and W from {@code w0} (aligned with X's blocks), or continues the fit saved
   * in {@code from} (then {@code ht} and {@code w0} are its Hᵀ and W). Saves a checkpoint every
   * {@code checkpointInterval} iterations and at the end when the context has a checkpoint folder.
   * {@code ownsW0}: whether the fit may drop w0's cache (the engine made it) once W has versions of
   * its own.
   */
  FitResult fit(BlockedRows x, DenseMatrix ht, JavaRDD<DenseMatrix> w0, FitCheckpoint from, boolean ownsW0) {
    boolean cd = "cd".equals(options.solver());
    BetaLoss loss = options.betaLoss();
    Regularization reg = options.regularization(x.rows(), x.cols());
    int k = ht.cols();
    FullBatchProgress at = from != null ? from.fullBatchProgress() : FullBatchProgress.start(options);
    NumpyRandomState rng = at.rng();
    ProgressLog progress = new ProgressLog();
    FactorLineage<UpdatedRows> w = new FactorLineage<>(
        w0.map(wb -> new UpdatedRows(wb, 0.0)).persist(settings.storageLevel()),
        settings.storageLevel(), settings.checkpointInterval(), reliable);
    try {
      if (at.fresh() && !cd) {
        double e = error(x, rowsOf(w.current()), ht);
        at.errors(e, e);
      }
      double errorInit = at.errorInit();
      double previous = at.previousError();
      int iter;
      for (iter = at.finished() ? at.nIter() : at.iterations() + 1; !at.finished() && iter <= options.maxIter(); iter++) {
        int[] permW = cd ? permutation(rng, k) : null;
        BatchStatistics st = iterate(x, w, ht, permW, reg);
        if (ownsW0 && !StorageLevel.NONE().equals(w0.getStorageLevel())) {
          w0.unpersist(false); // the start's W, now in W's own versions
        }
        if (cd) {
          double violation = st.violation()
              + CoordinateDescent.update(ht, st.h(), reg.l1H(), reg.l2H(), permutation(rng, k));
          if (iter == 1) {
            at.violationInit(violation);
          }
          double violationInit = at.violationInit();
          if (violationInit == 0.0) {
            break;
          }
          double ratio = FullBatchSolver.relativeViolation(violation, violationInit);
          at.record(ratio);
          if (options.verbose() > 0) {
            System.out.println("violation: " + ratio);
          }
          boolean converged = ratio <= options.tol();
          progress.iteration(iter, options.maxIter(), "violation", ratio, converged || iter == options.maxIter());
          if (converged) {
            break;
          }
        } else {
          MultiplicativeUpdate.update(ht, st.h(), reg.l1H(), reg.l2H(), loss.gamma());
          if (loss.beta() <= 1.0) {
            MultiplicativeUpdate.clampTiny(ht);
          }
          if (options.tol() > 0 && iter % 10 == 0) {
            double error = error(x, rowsOf(w.current()), ht);
            at.record(error);
            if (options.verbose() > 0) {
              System.out.printf("Epoch %02d reached, error: %f%n", iter, error);
            }
            boolean converged = (previous - error) / errorInit < options.tol();
            progress.iteration(iter, options.maxIter(), "error", error, converged || iter + 10 > options.maxIter());
            if (converged) {
              break;
            }
            previous = error;
            at.previousError(error);
          }
        }
        at.completed(iter);
        if (iter < options.maxIter() && checkpoints.due(iter)) {
          checkpoints.save(FitCheckpoint.fullBatch(at, ht), rowsOf(w.current()));
        }
      }
      int nIter = at.finished() ? at.nIter() : Math.min(iter, options.maxIter());
      JavaRDD<DenseMatrix> finalW = FactorLineage.cut(rowsOf(w.current()), settings.storageLevel(), reliable);
      if (!at.finished() && checkpoints.on()) {
        at.finish(nIter);
        try {
          checkpoints.save(FitCheckpoint.fullBatch(at, ht), finalW);
        } catch (RuntimeException e) {
          finalW.unpersist(false); // no FitResult will release it
          throw e;
        }
      }
      double err = DistributedTransform.reconstructionError(jsc, x, finalW, ht, loss);
      return new FitResult(ht, finalW, x.blocks(), err, nIter, 0, at.history(), null, true);
    } finally {
      w.close();
      if (ownsW0) {
        w0.unpersist(false);
      }
    }
  }

  /** A block's W rows after an update, with the update's cd violation (a class: Kryo cannot build records). */
  static final class UpdatedRows implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    final DenseMatrix w;
    final double violation;

    UpdatedRows(DenseMatrix w, double violation) {
      this.w = w;
      this.violation = violation;
    }
  }

  /** One iteration's job: new W rows on the executors, and the statistics for H from them. */
  private BatchStatistics iterate(BlockedRows x, FactorLineage<UpdatedRows> w, DenseMatrix ht,
      int[] permW, Regularization reg) {
    Broadcast<DenseMatrix> bh = jsc.broadcast(ht.copy());
    BetaLoss loss = options.betaLoss();
    double gamma = loss.gamma();
    JavaRDD<UpdatedRows> next = w.advance(x.blocks().zipPartitions(w.current(), (blocks, ws) -> {
      if (!blocks.hasNext()) {
        return Collections.emptyIterator();
      }
      DataMatrix xb = blocks.next().x();
      DenseMatrix nw = ws.next().w.copy(); // versions are immutable: update a copy
      DenseMatrix h = bh.value();
      FactorStatistics sw = FactorStatistics.zeros(Side.W, loss, xb.rows(), nw.cols()).accumulate(xb, nw, h);
      double violation = 0.0;
      if (permW != null) {
        violation = CoordinateDescent.update(nw, sw, reg.l1W(), reg.l2W(), permW);
      } else {
        MultiplicativeUpdate.update(nw, sw, reg.l1W(), reg.l2W(), gamma);
        if (loss.beta() < 1.0) {
          MultiplicativeUpdate.clampTiny(nw);
        }
      }
      return List.of(new UpdatedRows(nw, violation)).iterator();
    }), bh);
    JavaRDD<BatchStatistics> partial = x.blocks().zipPartitions(next, (blocks, ws) -> {
      if (!blocks.hasNext()) {
        return Collections.emptyIterator();
      }
      DataMatrix xb = blocks.next().x();
      UpdatedRows u = ws.next();
      return List.of(BatchStatistics.of(xb, u.w, bh.value(), loss, u.violation)).iterator();
    });
    try {
      return SparkErrors.rethrowingBadInput(
          () -> OrderedAggregation.reduce(partial, BatchStatistics::merge, settings.aggregationDepth()));
    } finally {
      w.computed();
    }
  }

  private static JavaRDD<DenseMatrix> rowsOf(JavaRDD<UpdatedRows> w) {
    return w.map(u -> u.w);
  }

  private double error(BlockedRows x, JavaRDD<DenseMatrix> w, DenseMatrix ht) {
    return DistributedTransform.reconstructionError(jsc, x, w, ht, options.betaLoss());
  }

  private static int[] permutation(NumpyRandomState rng, int k) {
    if (rng != null) {
      return rng.permutation(k);
    }
    int[] p = new int[k];
    for (int t = 0; t < k; t++) {
      p[t] = t;
    }
    return p;
  }
}
