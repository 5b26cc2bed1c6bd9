package org.sparknmf.engine;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.linalg.RandomizedSvd;

/**
 * The NNDSVD start's power iterations ({@link DistributedSvd}) in one barrier stage instead of a
 * Spark job each: every task holds its block of X and answers each q the driver sends ({@link
 * StepServer}, as {@link BarrierMiniBatch}'s steps) with its block's {@code X_bᵀX_b·q}; the driver
 * sums the replies in the order and tree of the job's sum ({@link OrderedAggregation#reduceLocally})
 * and normalises q as the job-per-iteration loop does, so q has the same bits either way. Seven
 * iterations then cost one job's start and end instead of seven (about 35 ms each here: the job,
 * the broadcast of q and the driver's gap between jobs).
 *
 * <p>The stage returns nothing, so Spark does not rerun it when a task is lost (a barrier result
 * stage fails its job instead): {@link #run} then throws, and the caller runs the iterations one
 * job each.
 */
final class BarrierPowerIterations {

  private BarrierPowerIterations() {}

  /** Whether the iterations can run in one barrier stage on this context ({@link BarrierMiniBatch#usable}). */
  static boolean usable(JavaSparkContext jsc, BlockedRows x) {
    return BarrierMiniBatch.usable(jsc.sc(), x, null);
  }

  /**
   * q after {@code times} iterations of q ← L of the LU of XᵀX·q, from {@code q0}.
   *
   * @throws IllegalStateException when the stage fails or a task is lost (the interrupt flag is set
   *     when the calling thread was interrupted)
   */
  static DenseMatrix run(JavaSparkContext jsc, BlockedRows x, DenseMatrix q0, int times) {
    try (StepServer server = BarrierMiniBatch.server(jsc.sc(), x.numPartitions())) {
      BackgroundJob job = BackgroundJob.count(stage(x, server.address()), "spark-nmf power iterations");
      try {
        server.awaitAttempt(job);
        DenseMatrix q = q0;
        for (int i = 0; i < times; i++) {
          List<double[]> parts = new ArrayList<>();
          for (Object reply : server.round(q, job)) {
            parts.add((double[]) reply);
          }
          double[] sum = OrderedAggregation.reduceLocally(parts, DistributedSvd::add, DistributedSvd.DEPTH);
          q = RandomizedSvd.permutedLower(new DenseMatrix(q.rows(), q.cols(), sum)); // may narrow q
        }
        server.finish();
        job.get();
        return q;
      } catch (StepServer.AttemptLost | ExecutionException e) {
        throw new IllegalStateException("the power iterations' barrier stage failed: " + e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted during the power iterations", e);
      } finally {
        if (!job.isDone()) {
          job.cancel(true);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot open the power iterations' step server: " + e.getMessage(), e);
    }
  }

  /**
   * The barrier stage (not yet run): one task per block of X, replying to each q with its block's
   * Gram product (null without a block) until the driver sends null.
   */
  private static JavaRDD<Object> stage(BlockedRows x, StepServer.Address server) {
    return BarrierMiniBatch.barrier(x.blocks(), Object.class, blocks -> {
      RowBlock block = blocks.hasNext() ? blocks.next() : null;
      StepServer.serve(server, q -> block == null ? null : DistributedSvd.gramOf(block, (DenseMatrix) q));
      return Collections.emptyIterator();
    });
  }
}
