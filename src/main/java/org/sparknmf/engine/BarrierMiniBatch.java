package org.sparknmf.engine;

import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.spark.Dependency;
import org.apache.spark.HashPartitioner;
import org.apache.spark.ShuffleDependency;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.RDD;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.linalg.RowStack;
import org.sparknmf.solver.FactorStatistics;
import org.sparknmf.solver.NmfOptions;
import org.sparknmf.solver.Side;
import scala.Function1;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;
import scala.reflect.ClassTag;

/**
 * Many MiniBatchNMF steps in one Spark stage, in Spark's barrier execution mode, so that a step is
 * not a Spark job (scheduling one costs ~15 ms here, as much as a step's own work). Every task
 * holds one block of X and its W rows and connects to the driver ({@link StepServer}); for each
 * step the driver sends Hᵀ, each task updates the W rows of its slice of the batch and replies with
 * their statistics, and the driver sums them in the order and tree of the one-job-per-step path
 * ({@link OrderedAggregation#reduceLocally}) and runs the same online H update and stopping rules.
 * The fit is therefore bit for bit the one-job-per-step fit.
 *
 * <p>It needs every partition running at once (partitions ≤ task slots) and no dynamic allocation
 * ({@link #usable}); the engine otherwise runs one job per step. {@code spark.nmf.barrier=false}
 * turns it off, in the Spark configuration or as a local property of the thread that fits
 * ({@code SparkContext.setLocalProperty}). The tasks must reach the driver at
 * {@code spark.driver.host} on an ephemeral port.
 */
final class BarrierMiniBatch {

  /** Spark configuration key that turns barrier stages off ({@code true} by default). */
  static final String ENABLED_KEY = "spark.nmf.barrier";
  /**
   * Spark configuration key that, set to false, makes tasks in the driver's JVM (local mode) talk to
   * it over the loopback socket as remote ones do ({@code true} by default: in memory).
   */
  static final String IN_PROCESS_KEY = "spark.nmf.barrier.inProcess";

  private BarrierMiniBatch() {}

  /**
   * Whether barrier stages over X's blocks, zipped with W unless it is null (fresh restarts, or the
   * start's power iterations, {@link BarrierPowerIterations}), can run on this context.
   */
  static boolean usable(SparkContext sc, BlockedRows x, JavaRDD<DenseMatrix> w) {
    SparkConf conf = sc.getConf();
    if (!setting(sc, ENABLED_KEY) || (!sc.isLocal() && conf.getBoolean("spark.dynamicAllocation.enabled", false))) {
      return false;
    }
    int parts = x.numPartitions();
    return parts <= sc.maxNumConcurrentTasks(sc.resourceProfileManager().defaultResourceProfile())
        && sameWidth(x.blocks().rdd(), parts) && (w == null || sameWidth(w.rdd(), parts));
  }

  /**
   * The driver's end of one barrier stage over {@code tasks} partitions: reached at
   * {@code spark.driver.host}, or in memory by tasks in the driver's JVM unless
   * {@link #IN_PROCESS_KEY} says false.
   */
  static StepServer server(SparkContext sc, int tasks) throws java.io.IOException {
    return new StepServer(tasks, sc.getConf().get("spark.driver.host", "localhost"), setting(sc, IN_PROCESS_KEY));
  }

  /** A switch that is on unless the fitting thread's local property or else the configuration says false. */
  private static boolean setting(SparkContext sc, String key) {
    String local = sc.getLocalProperty(key); // a thread's own choice, as for spark.scheduler.pool
    return local != null ? Boolean.parseBoolean(local.trim()) : sc.getConf().getBoolean(key, true);
  }

  /**
   * Whether every RDD computed in the same stage as {@code rdd} (up to shuffles) has {@code parts}
   * partitions, as Spark requires of a barrier stage (SPARK-24820): X read through a union or a
   * coalesce does not qualify.
   */
  static boolean sameWidth(RDD<?> rdd, int parts) {
    Deque<RDD<?>> todo = new ArrayDeque<>(List.of(rdd));
    Set<Integer> seen = new HashSet<>();
    while (!todo.isEmpty()) {
      RDD<?> r = todo.pop();
      if (!seen.add(r.id())) {
        continue;
      }
      if (r.getNumPartitions() != parts) {
        return false;
      }
      for (Dependency<?> d : CollectionConverters.asJava(r.dependencies())) {
        if (!(d instanceof ShuffleDependency)) {
          todo.push(d.rdd());
        }
      }
    }
    return true;
  }

  /** The driver's command for one step: update slice {@code slice}'s W rows against Hᵀ (sent as raw numbers, {@link Frames}). */
  record Step(int slice, DenseMatrix ht) implements Serializable {}

  /**
   * The barrier stage (not yet run) over X's blocks and the current W (null with fresh restarts):
   * its tasks connect to {@code server} and run the steps it sends until it sends null. Each
   * partition of the result holds its W block (none with fresh restarts), after one shuffle.
   */
  static JavaRDD<DenseMatrix> stage(BlockedRows x, JavaRDD<DenseMatrix> w, StepServer.Address server,
      NmfOptions options, Slicing slicing) {
    JavaRDD<Object[]> paired = w == null
        ? x.blocks().mapPartitions(bs -> pair(bs, Collections.emptyIterator()), true)
        : x.blocks().zipPartitions(w, BarrierMiniBatch::pair);
    JavaRDD<DenseMatrix> out = barrier(paired, DenseMatrix.class, it -> run(server, options, slicing, it.next()));
    // Behind a shuffle the barrier stage is a shuffle-map stage, which Spark reruns whole when a
    // task is lost; a failed barrier result stage is not retried.
    int parts = x.numPartitions();
    return out.mapPartitionsWithIndex((p, ws) -> {
      List<Tuple2<Integer, DenseMatrix>> keyed = new ArrayList<>(1);
      ws.forEachRemaining(w1 -> keyed.add(new Tuple2<>(p, w1)));
      return keyed.iterator();
    }, true).mapToPair(t -> t).partitionBy(new HashPartitioner(parts)).values();
  }

  /** A barrier stage's task: its partition's elements in, its output out. */
  interface BarrierTask<T, R> extends Serializable {
    Iterator<R> run(Iterator<T> partition);
  }

  /** {@code rdd.barrier().mapPartitions(f)} (partitioning kept), which Spark's Java API does not offer. */
  static <T, R> JavaRDD<R> barrier(JavaRDD<T> rdd, Class<R> type, BarrierTask<T, R> f) {
    ClassTag<R> tag = ClassTag$.MODULE$.apply(type);
    Function1<scala.collection.Iterator<T>, scala.collection.Iterator<R>> g =
        (Function1<scala.collection.Iterator<T>, scala.collection.Iterator<R>> & Serializable)
            it -> CollectionConverters.asScala(f.run(CollectionConverters.asJava(it)));
    return JavaRDD.fromRDD(rdd.rdd().barrier().mapPartitions(g, true, tag), tag);
  }

  private static Iterator<Object[]> pair(Iterator<RowBlock> blocks, Iterator<DenseMatrix> ws) {
    List<Object[]> one = new ArrayList<>(1);
    one.add(new Object[] {blocks.hasNext() ? blocks.next() : null, ws.hasNext() ? ws.next() : null});
    return one.iterator();
  }

  /** One task: serves the driver's steps on this block (null when the partition has none). */
  private static Iterator<DenseMatrix> run(StepServer.Address server, NmfOptions o, Slicing slicing,
      Object[] blockAndW) {
    RowBlock block = (RowBlock) blockAndW[0];
    DenseMatrix w = (DenseMatrix) blockAndW[1];
    boolean fresh = o.freshRestarts();
    List<DenseMatrix> slices = new ArrayList<>();
    for (int s = 0; block != null && !fresh && s < slicing.steps(); s++) {
      slices.add(w.rowRange(slicing.from(block.partition(), s), slicing.from(block.partition(), s + 1)).copy());
    }
    FactorStatistics[] wWork = {null}; // the W update's buffers, kept from step to step
    StepServer.serve(server, command -> {
      Step step = (Step) command;
      if (block == null) {
        return null;
      }
      DataMatrix xb = DistributedMiniBatch.sliceRows(block, slicing, step.slice());
      if (xb.rows() == 0) {
        return null;
      }
      if (wWork[0] == null && !fresh) {
        wWork[0] = FactorStatistics.zeros(Side.W, o.betaLoss(), xb.rows(), w.cols());
      }
      return BatchStatistics.step(o, xb, DistributedMiniBatch.sliceSquaredNorm(block, slicing, step.slice()),
          fresh ? null : slices.get(step.slice()), step.ht(), wWork[0]);
    });
    if (block == null || fresh) {
      return Collections.emptyIterator();
    }
    return List.of((DenseMatrix) RowStack.of(slices, w.cols())).iterator();
  }
}
