package org.sparknmf.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.linalg.RowStack;
import org.sparknmf.solver.BetaLoss;
import org.sparknmf.solver.FactorStatistics;
import org.sparknmf.solver.MiniBatchProgress;
import org.sparknmf.solver.MiniBatchSolver;
import org.sparknmf.solver.MiniBatchState;
import org.sparknmf.solver.NmfOptions;
import org.sparknmf.solver.Regularization;
import org.sparknmf.solver.Side;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * MiniBatchNMF over row-partitioned X. When all partitions can run at once, the steps of several
 * epochs run in one barrier stage whose tasks take Hᵀ from the driver over a socket
 * ({@link BarrierMiniBatch}); otherwise each step is one Spark job. Either way, with Hᵀ given, every
 * partition updates the W rows of its slice of the batch ({@link Slicing}) and sums the statistics
 * for H and the batch cost over them ({@link BatchStatistics}, {@link OrderedAggregation}); the driver then
 * runs the online H update and the stopping rules of {@link MiniBatchState}, exactly as the
 * single-JVM solver does. Both ways give the same bits.
 *
 * <p>One job per step: W is kept per slice: slice s of every partition is one {@link FactorLineage}, a new version per
 * epoch (W rows are warm-started from the previous epoch), so a lost block is recomputed, never
 * read stale. With {@code fresh_restarts} W is solved afresh each step and not kept.
 *
 * <p>Cost of one step with P partitions, batch b, k components, n features: broadcast n·k doubles
 * (once per executor; sent to each task in barrier stages); aggregated P·(n·k + k²) doubles for Frobenius (a tree of depth
 * d sends about P^(1/d) of them to the driver); compute O(nnz_batch·k + b·k²) for Frobenius and
 * O(b·n·k) for other betas, spread over the partitions; memory per task n·k doubles (plus b/P·n for
 * other betas). Driver: O(n·k).
 */
final class DistributedMiniBatch {

  private static final Logger LOG = LoggerFactory.getLogger(DistributedMiniBatch.class);


  private final JavaSparkContext jsc;
  private final NmfOptions options;
  private final EngineSettings settings;
  private final boolean reliable;
  private final Checkpointing checkpoints;

  DistributedMiniBatch(FitContext context) {
    this.jsc = context.jsc();
    this.options = context.options();
    this.settings = context.settings();
    this.reliable = context.reliable();
    this.checkpoints = context.checkpoints();
  }

  /**
   * Fits Hᵀ (modified in place) and W from {@code w0} (aligned with X's blocks), or continues the
   * fit saved in {@code from} (then {@code ht} and {@code w0} are its Hᵀ and W; {@code w0} is null
   * with fresh restarts). Saves a checkpoint every {@code checkpointInterval} epochs and at the end
   * when the context has a checkpoint folder. {@code ownsW0}: whether the fit may drop w0's cache
   * (the engine made it); a caller's W is read through an RDD of the fit's own.
   */
  FitResult fit(BlockedRows x, DenseMatrix ht, JavaRDD<DenseMatrix> w0, FitCheckpoint from, boolean ownsW0) {
    long m = x.rows();
    MiniBatchState state = from != null ? from.miniBatchState(options) : new MiniBatchState(options, m, ht);
    MiniBatchProgress progress = from != null ? from.miniBatchProgress() : new MiniBatchProgress();
    Slicing slicing = new Slicing(x.partitionRows(), state.batchSize());
    int stepsPerEpoch = slicing.steps();
    long maxStepsLong = (long) options.maxIter() * stepsPerEpoch;
    int maxSteps = (int) Math.min(Integer.MAX_VALUE, maxStepsLong);
    boolean fresh = options.freshRestarts();
    boolean barrier = BarrierMiniBatch.usable(jsc.sc(), x, fresh ? null : w0);
    JavaRDD<DenseMatrix> start = fresh ? null : (ownsW0 ? w0 : w0.map(wb -> wb)).persist(settings.storageLevel());
    List<FactorLineage<DenseMatrix>> slices = new ArrayList<>();
    for (int s = 0; !fresh && !barrier && s < stepsPerEpoch; s++) {
      slices.add(new FactorLineage<>(sliceOf(start, slicing, s), settings.storageLevel(),
          settings.checkpointInterval(), reliable));
    }
    // Barrier stages: every version of W is cut, so no later job recomputes a barrier stage. The
    // first version is a view of start, which is released below, not by the lineage.
    FactorLineage<DenseMatrix> stages = !barrier ? null
        : new FactorLineage<>(fresh ? null : start.mapPartitions(ws -> ws, true), settings.storageLevel(), 1, reliable);
    if (progress.fresh()) {
      state.startFit();
    }
    try {
      int done = barrier ? barrierStages(x, ht, state, progress, slicing, maxSteps, stages)
          : jobPerStep(x, ht, state, progress, slicing, maxSteps, slices);
      state.setSteps(done);
      int nIter = (int) ((done + stepsPerEpoch - 1) / stepsPerEpoch);
      Broadcast<DenseMatrix> finalH = fresh ? jsc.broadcast(ht.copy()) : null;
      JavaRDD<DenseMatrix> w = fresh
          ? DistributedTransform.miniBatchW(x, finalH, options, settings.storageLevel(), reliable)
          : barrier ? FactorLineage.cut(stages.current().mapPartitions(ws -> ws, true), settings.storageLevel(), reliable)
          : assemble(x, slices);
      if (!progress.finished() && checkpoints.on()) {
        progress.finish(done);
        try {
          checkpoints.save(FitCheckpoint.miniBatch(nIter, progress, state, ht), fresh ? null : w);
        } catch (RuntimeException e) {
          w.unpersist(false); // no FitResult will release it
          if (finalH != null) {
            FactorLineage.release(finalH);
          }
          throw e;
        }
      }
      double err = DistributedTransform.reconstructionError(jsc, x, w, ht, options.betaLoss());
      return new FitResult(ht, w, x.blocks(), err, nIter, done, state.costHistory(), state, true,
          finalH == null ? List.of() : List.of(finalH));
    } finally {
      slices.forEach(FactorLineage::close);
      if (stages != null) {
        stages.close();
      }
      if (start != null) {
        start.unpersist(false);
      }
    }
  }

  /** The steps from {@code progress}'s next one, one Spark job each. Returns the steps done. */
  private int jobPerStep(BlockedRows x, DenseMatrix ht, MiniBatchState state, MiniBatchProgress progress,
      Slicing slicing, int maxSteps, List<FactorLineage<DenseMatrix>> slices) {
    int stepsPerEpoch = slicing.steps();
    boolean fresh = options.freshRestarts();
    DenseMatrix hBuffer = ht.copy();
    int done = progress.stepsDone();
    for (int i = progress.finished() ? maxSteps : progress.nextStep(); i < maxSteps; i++) {
      int s = i % stepsPerEpoch;
      int batchRows = slicing.batchRows(s);
      if (batchRows > 0) {
        BatchStatistics st = step(x, ht, slicing, s, fresh ? null : slices.get(s));
        done = i + 1;
        if (afterStep(state, st, ht, hBuffer, batchRows, x.rows(), i, stepsPerEpoch, maxSteps)) {
          break;
        }
      }
      progress.at(i + 1, done);
      int epochs = (i + 1) / stepsPerEpoch;
      if ((i + 1) % stepsPerEpoch == 0 && i + 1 < maxSteps && checkpoints.due(epochs)) {
        checkpoints.save(FitCheckpoint.miniBatch(epochs, progress, state, ht), fresh ? null : gathered(x, slices));
      }
    }
    return done;
  }

  /**
   * The steps from {@code progress}'s next one in barrier stages ({@link BarrierMiniBatch}): each
   * runs the lineage checkpoint interval in epochs, or a multiple of it ({@link StageLength}), and
   * stops where a fit checkpoint is due.
   * Returns the steps done; W's versions are in {@code stages}.
   */
  private int barrierStages(BlockedRows x, DenseMatrix ht, MiniBatchState state, MiniBatchProgress progress,
      Slicing slicing, int maxSteps, FactorLineage<DenseMatrix> stages) {
    int stepsPerEpoch = slicing.steps();
    boolean fresh = options.freshRestarts();
    DenseMatrix hBuffer = ht.copy();
    int done = progress.stepsDone();
    int first = progress.finished() ? maxSteps : progress.nextStep();
    StageLength length = new StageLength(settings.checkpointInterval(), stepsPerEpoch);
    while (first < maxSteps) {
      int until = first;
      int epochs = 0;
      do {
        until = (int) Math.min(maxSteps, ((long) until / stepsPerEpoch + 1) * stepsPerEpoch);
        epochs++;
      } while (until < maxSteps && epochs < length.epochs() && !checkpoints.due(until / stepsPerEpoch));
      // Where the stage starts from, to replay its steps if Spark reruns it after losing a task.
      DenseMatrix ht0 = ht.copy();
      byte[] state0 = Frames.bytes(state);
      int done0 = done;
      boolean converged = false;
      boolean replayed = false;
      int i = first;
      long started = System.nanoTime();
      long stepsFrom = started;
      long stepsUntil = started;
      try (StepServer server = BarrierMiniBatch.server(jsc.sc(), x.numPartitions())) {
        JavaRDD<DenseMatrix> out = BarrierMiniBatch.stage(x, fresh ? null : stages.current(), server.address(),
            options, slicing);
        if (!fresh) {
          stages.advance(out, null);
        }
        // Synchronous on a thread of its own: the job's end cuts W's lineage, no second job needed.
        BackgroundJob job = BackgroundJob.count(out, "spark-nmf barrier stage " + first + "-" + until);
        try {
          while (true) {
            awaitTasks(server, job);
            stepsFrom = System.nanoTime();
            long awaitingTasks = 0;
            int rounds = 0;
            try {
              for (i = first; i < until && !converged; i++) {
                int batchRows = slicing.batchRows(i % stepsPerEpoch);
                if (batchRows > 0) {
                  List<BatchStatistics> parts = new ArrayList<>();
                  long sent = System.nanoTime();
                  for (Object reply : server.round(new BarrierMiniBatch.Step(i % stepsPerEpoch, ht), job)) {
                    parts.add((BatchStatistics) reply);
                  }
                  awaitingTasks += System.nanoTime() - sent;
                  rounds++;
                  BatchStatistics st = OrderedAggregation.reduceLocally(parts, BatchStatistics::merge,
                      settings.aggregationDepth());
                  converged = afterStep(state, st, ht, hBuffer, batchRows, x.rows(), i, stepsPerEpoch, maxSteps);
                  done = i + 1;
                }
              }
              stepsUntil = System.nanoTime();
              if (rounds > 0) { // where a step's time goes: the tasks' work and the exchange, or the driver's update
                LOG.info("mini-batch steps {} to {} in one stage: {} ms a step from sending Hᵀ to the last "
                    + "task's statistics, {} ms a step on the driver", first, i, StepServer.millis(awaitingTasks / rounds),
                    StepServer.millis((stepsUntil - stepsFrom - awaitingTasks) / rounds));
              }
              server.finish();
              server.awaitEnd(job);
              break;
            } catch (StepServer.AttemptLost e) {
              LOG.warn("mini-batch steps {} to {}: {}; replaying them on the stage's next attempt", first, until, e.getMessage());
              ht.copyFrom(ht0);
              hBuffer.copyFrom(ht0);
              state.copyFrom((MiniBatchState) Frames.object(state0));
              done = done0;
              converged = false;
              replayed = true;
            }
          }
          awaitJob(job);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for the barrier stage", e);
        } finally {
          if (!job.isDone()) {
            job.cancel(true); // the fit failed here: stop the stage, not let its tasks find the socket closed
          }
        }
        if (!fresh) {
          stages.computed();
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("cannot open the mini-batch step server", e);
      }
      if (converged) {
        break;
      }
      if (!replayed) { // a replay's time says nothing about the stage's own start and end
        length.measured(System.nanoTime() - started - (stepsUntil - stepsFrom), stepsUntil - stepsFrom, i - first);
      }
      first = i;
      progress.at(first, done);
      if (first % stepsPerEpoch == 0 && first < maxSteps && checkpoints.due(first / stepsPerEpoch)) {
        checkpoints.save(FitCheckpoint.miniBatch(first / stepsPerEpoch, progress, state, ht),
            fresh ? null : stages.current());
      }
    }
    return done;
  }

  /** Waits for a full attempt of the stage's tasks; a failed job's error comes out as the job's. */
  private static void awaitTasks(StepServer server, BackgroundJob job) {
    try {
      server.awaitAttempt(job);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      job.cancel(true);
      throw new IllegalStateException("interrupted while waiting for the barrier stage's tasks", e);
    } catch (IllegalStateException e) {
      awaitJob(job); // the job's own failure, when it failed
      throw e;
    }
  }

  /** Waits for the job; its failure is thrown as the one-job-per-step path throws it. */
  private static void awaitJob(BackgroundJob job) {
    try {
      job.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      job.cancel(true);
      throw new IllegalStateException("interrupted while waiting for the barrier stage", e);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      SparkErrors.rethrowingBadInput(() -> SparkErrors.<RuntimeException>sneaky(cause));
    }
  }

  /**
   * After a step's statistics: records the cost, updates Hᵀ, applies the stopping rules and logs.
   * {@code hBuffer} holds Hᵀ before the step and, unless the fit converged, after it on return.
   * Returns whether the fit converged.
   */
  private boolean afterStep(MiniBatchState state, BatchStatistics st, DenseMatrix ht, DenseMatrix hBuffer,
      int batchRows, long samples, int i, int stepsPerEpoch, int maxSteps) {
    Regularization reg = options.regularization(batchRows, ht.rows());
    double cost = state.recordCost(st.divergence(), st.wSum(), st.wSquaredNorm(), ht, reg, batchRows);
    state.updateH(ht, st.h(), reg);
    boolean converged = state.converged(batchRows, cost, ht, hBuffer, samples, i, maxSteps);
    state.reportStep(i, stepsPerEpoch, maxSteps, cost, converged);
    if (!converged) {
      hBuffer.copyFrom(ht);
    }
    return converged;
  }

  /**
   * One {@code partial_fit} step on a whole chunk: W solved afresh on every block, then H updated
   * from the chunk's statistics. {@code state} is null on the first call (it is created from the
   * chunk, as scikit-learn fixes batch size and ρ from the first chunk). Returns the state.
   */
  MiniBatchState partialStep(BlockedRows chunk, DenseMatrix ht, MiniBatchState state) {
    MiniBatchState st = state != null ? state : new MiniBatchState(options, chunk.rows(), ht);
    Broadcast<DenseMatrix> bh = jsc.broadcast(ht.copy());
    try {
      NmfOptions o = options;
      JavaRDD<BatchStatistics> partial = chunk.blocks().map(b -> {
        DenseMatrix h = bh.value();
        DenseMatrix wb = MiniBatchSolver.updateW(o, b.x(), null, h, null);
        return BatchStatistics.withCost(b.x(), Double.NaN, wb, h, o.betaLoss());
      });
      BatchStatistics sum = SparkErrors.rethrowingBadInput(
          () -> OrderedAggregation.reduce(partial, BatchStatistics::merge, settings.aggregationDepth()));
      Regularization reg = options.regularization(chunk.rows(), chunk.cols());
      st.recordCost(sum.divergence(), sum.wSum(), sum.wSquaredNorm(), ht, reg, (int) chunk.rows());
      st.updateH(ht, sum.h(), reg);
      st.countStep();
      return st;
    } finally {
      FactorLineage.release(bh);
    }
  }

  /** One step on slice s: the job that updates the slice's W rows and sums their statistics. */
  private BatchStatistics step(BlockedRows x, DenseMatrix ht, Slicing slicing, int s,
      FactorLineage<DenseMatrix> slice) {
    Broadcast<DenseMatrix> bh = jsc.broadcast(ht.copy());
    NmfOptions o = options;
    BetaLoss loss = options.betaLoss();
    JavaRDD<BatchStatistics> partial;
    if (slice == null) {
      partial = x.blocks().mapPartitions(blocks -> {
        if (!blocks.hasNext()) {
          return Collections.emptyIterator();
        }
        RowBlock block = blocks.next();
        DataMatrix xb = sliceRows(block, slicing, s);
        if (xb.rows() == 0) {
          return Collections.emptyIterator();
        }
        return List.of(BatchStatistics.step(o, xb, sliceSquaredNorm(block, slicing, s), null, bh.value(), null))
            .iterator();
      });
    } else {
      JavaRDD<DenseMatrix> next = slice.advance(x.blocks().zipPartitions(slice.current(), (blocks, ws) -> {
        if (!blocks.hasNext()) {
          return Collections.emptyIterator();
        }
        DataMatrix xb = sliceRows(blocks.next(), slicing, s);
        DenseMatrix wb = ws.next().copy(); // versions are immutable: update a copy
        if (xb.rows() > 0) {
          MiniBatchSolver.updateW(o, xb, wb, bh.value(),
              FactorStatistics.zeros(Side.W, loss, xb.rows(), wb.cols()), null);
        }
        return List.of(wb).iterator();
      }), bh);
      partial = next.zipPartitions(x.blocks(), (ws, blocks) -> {
        if (!blocks.hasNext()) {
          return Collections.emptyIterator();
        }
        RowBlock block = blocks.next();
        DataMatrix xb = sliceRows(block, slicing, s);
        DenseMatrix wb = ws.next();
        if (xb.rows() == 0) {
          return Collections.emptyIterator();
        }
        return List.of(BatchStatistics.ofStep(o, xb, sliceSquaredNorm(block, slicing, s), wb, bh.value()))
            .iterator();
      });
    }
    try {
      return SparkErrors.rethrowingBadInput(
          () -> OrderedAggregation.reduce(partial, BatchStatistics::merge, settings.aggregationDepth()));
    } finally {
      if (slice == null) {
        FactorLineage.release(bh);
      } else {
        slice.computed();
      }
    }
  }

  /** ‖X‖²_F of step s's rows within a block, remembered by the block. */
  static double sliceSquaredNorm(RowBlock block, Slicing slicing, int s) {
    int p = block.partition();
    return block.squaredNorm(slicing.from(p, s), slicing.from(p, s + 1));
  }

  /** Rows of step s within a block. */
  static DataMatrix sliceRows(RowBlock block, Slicing slicing, int s) {
    int p = block.partition();
    return block.x().rowRange(slicing.from(p, s), slicing.from(p, s + 1));
  }

  /** The starting W rows of slice s, per partition (compact copies). */
  private static JavaRDD<DenseMatrix> sliceOf(JavaRDD<DenseMatrix> w, Slicing slicing, int s) {
    return w.mapPartitionsWithIndex((p, ws) -> {
      if (!ws.hasNext()) {
        return Collections.emptyIterator();
      }
      return List.of(ws.next().rowRange(slicing.from(p, s), slicing.from(p, s + 1)).copy()).iterator();
    }, true);
  }

  /**
   * W from the latest version of every slice, one block per partition again (one shuffle of
   * n_samples·k doubles), with its lineage cut so the slices can be released.
   */
  private JavaRDD<DenseMatrix> assemble(BlockedRows x, List<FactorLineage<DenseMatrix>> slices) {
    return FactorLineage.cut(gathered(x, slices), settings.storageLevel(), reliable);
  }

  /** W from the latest version of every slice, one block per partition (computed when used, not cached). */
  private static JavaRDD<DenseMatrix> gathered(BlockedRows x, List<FactorLineage<DenseMatrix>> slices) {
    int parts = x.numPartitions();
    List<JavaPairRDD<Integer, Tuple2<Integer, DenseMatrix>>> keyed = new ArrayList<>();
    for (int s = 0; s < slices.size(); s++) {
      int slice = s;
      keyed.add(slices.get(s).current().mapPartitionsWithIndex((p, ws) -> {
        List<Tuple2<Integer, Tuple2<Integer, DenseMatrix>>> out = new ArrayList<>(1);
        ws.forEachRemaining(wb -> out.add(new Tuple2<>(p, new Tuple2<>(slice, wb))));
        return out.iterator();
      }, true).mapToPair(t -> t));
    }
    JavaPairRDD<Integer, Tuple2<Integer, DenseMatrix>> all = keyed.get(0);
    for (int s = 1; s < keyed.size(); s++) {
      all = all.union(keyed.get(s));
    }
    return all.partitionBy(new HashPartitioner(parts)).mapPartitions(DistributedMiniBatch::stack, true);
  }

  private static Iterator<DenseMatrix> stack(Iterator<Tuple2<Integer, Tuple2<Integer, DenseMatrix>>> it) {
    List<Tuple2<Integer, DenseMatrix>> parts = new ArrayList<>();
    it.forEachRemaining(t -> parts.add(t._2()));
    if (parts.isEmpty()) {
      return Collections.emptyIterator();
    }
    parts.sort((a, b) -> Integer.compare(a._1(), b._1()));
    int k = parts.get(0)._2().cols();
    return List.of((DenseMatrix) RowStack.of(parts.stream().map(Tuple2::_2).toList(), k)).iterator();
  }
}
