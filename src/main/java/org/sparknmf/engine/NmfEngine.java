package org.sparknmf.engine;

import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.solver.BetaDivergence;
import org.sparknmf.solver.DataChecks;
import org.sparknmf.solver.FitListener;
import org.sparknmf.solver.FullBatchProgress;
import org.sparknmf.solver.FullBatchSolver;
import org.sparknmf.solver.Initialization;
import org.sparknmf.solver.MiniBatchProgress;
import org.sparknmf.solver.MiniBatchSolver;
import org.sparknmf.solver.MiniBatchState;
import org.sparknmf.solver.NmfOptions;

/**
 * The entry point of the distributed engine: NMF (full batch, cd or mu) and MiniBatchNMF on X held
 * as {@link BlockedRows}, with scikit-learn's parameters ({@link NmfOptions}) and the engine's own
 * ({@link EngineSettings}). Small X (by {@link EngineSettings#runsOnDriver}) is collected and fitted
 * by the single-JVM solvers; larger X is fitted on the executors. Either way W stays in an RDD
 * aligned with X's blocks until a caller asks for it.
 */
public final class NmfEngine {

  private static final Logger LOG = LoggerFactory.getLogger(NmfEngine.class);

  /** Warn when one broadcast of H would exceed this many bytes. */
  static final long LARGE_BROADCAST_BYTES = 256L << 20;

  private final JavaSparkContext jsc;
  private final NmfOptions options;
  private final EngineSettings settings;
  /** Told the progress of every fit checkpoint once complete; for tests that stop a fit there. */
  private IntConsumer afterCheckpoint;

  public NmfEngine(JavaSparkContext jsc, NmfOptions options, EngineSettings settings) {
    this.jsc = jsc;
    this.options = options.copy();
    this.settings = settings.copy();
  }

  /** Full-batch NMF from the init method of the options (not custom). */
  public FitResult fitNmf(BlockedRows x) {
    return fit(x, false, null, null, true);
  }

  /**
   * Full-batch NMF from a custom start ({@code init="custom"}): Hᵀ ({@code n × k}) and W as
   * (row id, k values) pairs, e.g. a column of the input keyed like X's rows. Every row of X needs
   * its W row; rows of W that X does not have are ignored.
   */
  public FitResult fitNmf(BlockedRows x, DenseMatrix ht0, JavaPairRDD<Long, double[]> w0) {
    return fit(x, false, ht0, DistributedInit.custom(x, w0, ht0).w(), true);
  }

  /** Full-batch NMF from custom Hᵀ and W blocks already aligned with X's blocks. */
  public FitResult fitNmf(BlockedRows x, DenseMatrix ht0, JavaRDD<DenseMatrix> w0) {
    return fit(x, false, ht0, w0, false);
  }

  public FitResult fitMiniBatch(BlockedRows x) {
    return fit(x, true, null, null, true);
  }

  /** MiniBatchNMF from a custom start, W given by row id (see {@link #fitNmf(BlockedRows, DenseMatrix, JavaPairRDD)}). */
  public FitResult fitMiniBatch(BlockedRows x, DenseMatrix ht0, JavaPairRDD<Long, double[]> w0) {
    return fit(x, true, ht0, DistributedInit.custom(x, w0, ht0).w(), true);
  }

  /** MiniBatchNMF from custom Hᵀ and W blocks already aligned with X's blocks. */
  public FitResult fitMiniBatch(BlockedRows x, DenseMatrix ht0, JavaRDD<DenseMatrix> w0) {
    return fit(x, true, ht0, w0, false);
  }

  /**
   * Calls {@code listener} with the progress (epochs or iterations) of every fit checkpoint once it
   * is complete. A listener that throws stops the fit there, as a crash would: tests use it.
   */
  NmfEngine afterCheckpoint(IntConsumer listener) {
    this.afterCheckpoint = listener;
    return this;
  }

  /**
   * @param ownsW0 whether the engine made {@code w0} (and may drop its cache); false for the
   *     caller's own RDD, whose cache the fit leaves alone
   */
  private FitResult fit(BlockedRows x, boolean miniBatch, DenseMatrix ht0, JavaRDD<DenseMatrix> w0,
      boolean ownsW0) {
    if (!miniBatch) {
      options.checkSolverLoss();
    }
    checkData(x);
    boolean custom = ht0 != null;
    int k = options.resolveComponents(x.cols(), custom ? ht0.cols() : null);
    if (custom) {
      // Before W is stacked for k columns: a k other than H's rows is H's error, as in scikit-learn.
      Initialization.checkCustom(ht0.transpose(), k, x.cols(), "H");
    }
    warnIfLargeBroadcast(k, x.cols());
    boolean onDriver = settings.runsOnDriver(x.storedEntries());
    String init = custom ? "custom"
        : options.resolveInit(k, (int) Math.min(x.rows(), Integer.MAX_VALUE), x.cols());
    Checkpointing checkpoints = Checkpointing.of(jsc.hadoopConfiguration(), settings,
        () -> Checkpointing.signature(miniBatch, onDriver, x, k, init, ht0, options, settings), afterCheckpoint);
    FitCheckpoint resumed = checkpoints.start(miniBatch ? FitCheckpoint.MINI_BATCH : FitCheckpoint.FULL_BATCH);
    if (onDriver) {
      try (JobPhase phase = JobPhase.of(jsc.sc(), "fit on the driver")) {
        return fitOnDriver(x, miniBatch, k, ht0, w0, checkpoints, resumed);
      }
    }
    DenseMatrix ht;
    JavaRDD<DenseMatrix> w;
    if (resumed != null) {
      ht = resumed.ht;
      w = resumed.wLayout == FitCheckpoint.WLayout.PARTITIONS ? checkpoints.readW(resumed, x) : null;
    } else if (custom) {
      ht = ht0.copy();
      w = w0;
    } else {
      if ("custom".equals(init)) {
        throw new IllegalArgumentException("init='custom' needs W and H: use the fit with a custom start");
      }
      try (JobPhase phase = JobPhase.of(jsc.sc(), "start (" + init + ")")) {
        // With fresh restarts a mini-batch fit reads H alone: W is not made.
        DistributedInit.Start start = DistributedInit.initialize(x, k, init, options.randomState(),
            miniBatch && options.freshRestarts() ? null : settings.storageLevel());
        ht = start.ht();
        w = start.w();
      }
    }
    FitContext context = context(checkpoints);
    try (JobPhase phase = JobPhase.of(jsc.sc(), miniBatch ? JobPhase.STEPS : JobPhase.ITERATIONS)) {
      return miniBatch ? new DistributedMiniBatch(context).fit(x, ht, w, resumed, ownsW0)
          : new DistributedFullBatch(context).fit(x, ht, w, resumed, ownsW0);
    }
  }

  /**
   * One {@code partial_fit} step on {@code chunk}: updates {@code ht} in place and returns the state
   * to pass to the next call ({@code state} null on the first call, where {@code ht} is the start).
   */
  public MiniBatchState partialFit(BlockedRows chunk, DenseMatrix ht, MiniBatchState state) {
    checkData(chunk);
    DataChecks.requireFeatures(chunk.cols(), ht.rows(), "X");
    try (JobPhase phase = JobPhase.of(jsc.sc(), "partial_fit step")) {
      return new DistributedMiniBatch(context(Checkpointing.OFF)).partialStep(chunk, ht, state);
    }
  }

  /** W of new data for fixed Hᵀ with the estimator's transform, one block at a time; not cached. */
  public JavaRDD<DenseMatrix> transform(BlockedRows x, DenseMatrix ht, boolean miniBatch,
      Broadcast<DenseMatrix> bh) {
    DataChecks.requireFeatures(x.cols(), ht.rows(), "X");
    DataChecks.requireNoZerosFor(options.betaLoss(), x.min(), "X");
    return miniBatch ? DistributedTransform.miniBatch(x.blocks(), bh, options)
        : DistributedTransform.nmf(x.blocks(), bh, options);
  }

  private void checkData(BlockedRows x) {
    DataChecks.requireNotAllZero(x.sum(), "X");
    DataChecks.requireNoZerosFor(options.betaLoss(), x.min(), "X");
  }

  /**
   * Threads for the single-JVM solver on the driver: a local master's default parallelism (its
   * cores unless {@code spark.default.parallelism} says otherwise), else {@code spark.driver.cores}
   * (1 unless set, as Spark allots a driver), never more than the JVM has.
   */
  private int driverThreads() {
    int cores = jsc.sc().isLocal() ? jsc.sc().defaultParallelism()
        : jsc.sc().conf().getInt("spark.driver.cores", 1);
    return Math.max(1, Math.min(cores, Runtime.getRuntime().availableProcessors()));
  }

  /**
   * The single-JVM solver on collected X; W goes back to the executors aligned with X's blocks.
   * Checkpoints are written from the driver (W whole, in row-id order).
   */
  private FitResult fitOnDriver(BlockedRows x, boolean miniBatch, int k, DenseMatrix ht0,
      JavaRDD<DenseMatrix> w0, Checkpointing checkpoints, FitCheckpoint resumed) {
    DataMatrix xm = x.collect();
    DenseMatrix w;
    DenseMatrix ht;
    if (resumed != null) {
      ht = resumed.ht;
      w = resumed.wLayout == FitCheckpoint.WLayout.DRIVER ? checkpoints.readDriverW(resumed, xm.rows())
          : new DenseMatrix(xm.rows(), k); // fresh restarts keep no W: every step solves its own
    } else if (ht0 != null) {
      ht = ht0.copy();
      w = stackInRowOrder(x, w0, k);
      Initialization.checkCustom(w, xm.rows(), k, "W");
    } else {
      String init = options.resolveInit(k, xm.rows(), xm.cols());
      Initialization.Factors f = Initialization.initialize(xm, k, init, options.randomState());
      w = f.w();
      ht = f.ht();
    }
    int nIter;
    int nSteps = 0;
    List<Double> history;
    MiniBatchState state = null;
    DenseMatrix wFit = w;
    if (miniBatch) {
      MiniBatchSolver s = resumed != null ? new MiniBatchSolver(options, resumed.miniBatchState(options), ht)
          : new MiniBatchSolver(options, xm.rows(), ht);
      MiniBatchProgress at = resumed != null ? resumed.miniBatchProgress() : new MiniBatchProgress();
      DenseMatrix savedW = options.freshRestarts() ? null : wFit;
      FitListener listener = !checkpoints.on() ? FitListener.NONE : (epochs, last) -> {
        if (last || checkpoints.due(epochs)) {
          checkpoints.save(FitCheckpoint.miniBatch(epochs, at, s.state(), ht), savedW);
        }
      };
      MiniBatchSolver.Result r = s.fit(xm, w, ht, at, listener);
      w = r.w();
      nIter = r.nIter();
      nSteps = r.nSteps();
      history = s.costHistory();
      state = s.state();
    } else {
      FullBatchProgress at = resumed != null ? resumed.fullBatchProgress() : FullBatchProgress.start(options);
      FitListener listener = !checkpoints.on() ? FitListener.NONE : (iterations, last) -> {
        if (last || checkpoints.due(iterations)) {
          checkpoints.save(FitCheckpoint.fullBatch(at, ht), wFit);
        }
      };
      FullBatchSolver.Result r = FullBatchSolver.fit(xm, w, ht, options, at, listener, driverThreads());
      nIter = r.nIter();
      history = r.history();
    }
    double err = BetaDivergence.reconstructionError(xm, w, ht, options.betaLoss());
    Broadcast<DenseMatrix> bw = jsc.broadcast(w);
    Broadcast<long[]> bIds = jsc.broadcast(sortedRowIds(x));
    JavaRDD<DenseMatrix> wBlocks = FactorLineage.cut(alignedWith(x, bIds, bw), settings.storageLevel(),
        reliableCheckpoints());
    return new FitResult(ht, wBlocks, x.blocks(), err, nIter, nSteps, history, state, false,
        List.of(bw, bIds));
  }

  private static long[] sortedRowIds(BlockedRows x) {
    return x.blocks().map(RowBlock::rowIds).collect().stream()
        .flatMapToLong(Arrays::stream).sorted().toArray();
  }

  /**
   * Rows of W (in row-id order) cut into blocks like X's. The RDD refers to the broadcasts for as
   * long as it lives (a map keeps its function after a checkpoint): the result destroys them.
   */
  private static JavaRDD<DenseMatrix> alignedWith(BlockedRows x, Broadcast<long[]> bIds,
      Broadcast<DenseMatrix> bw) {
    int k = bw.value().cols();
    return x.blocks().map(b -> {
      long[] all = bIds.value();
      DenseMatrix src = bw.value();
      DenseMatrix out = new DenseMatrix(b.rows(), k);
      for (int i = 0; i < b.rows(); i++) {
        int at = Arrays.binarySearch(all, b.rowId(i));
        System.arraycopy(src.data(), src.offset() + at * k, out.data(), i * k, k);
      }
      return out;
    });
  }

  /** Custom W blocks (aligned with X's) stacked on the driver in row-id order. */
  private static DenseMatrix stackInRowOrder(BlockedRows x, JavaRDD<DenseMatrix> w0, int k) {
    return FitResultAssembly.inRowOrder(x.blocks(), w0, k);
  }

  private FitContext context(Checkpointing checkpoints) {
    return new FitContext(jsc, options, settings, reliableCheckpoints(), checkpoints);
  }

  private boolean reliableCheckpoints() {
    String dir = settings.checkpointDir() == null ? null : rddCheckpointDir(settings.checkpointDir());
    // Spark qualifies the path and adds a folder of its own, so "contains" recognises our setting.
    if (dir != null && !(jsc.getCheckpointDir().isPresent() && jsc.getCheckpointDir().get().contains(dir))) {
      jsc.setCheckpointDir(dir);
    }
    boolean reliable = jsc.getCheckpointDir().isPresent();
    if (!reliable && !jsc.sc().isLocal()) {
      LOG.warn("No checkpoint directory is set (SparkContext.setCheckpointDir): the factors' lineage "
          + "is cut with local checkpoints, which do not survive the loss of an executor.");
    }
    return reliable;
  }

  /** Where Spark's own (lineage) checkpoints go inside a fit's checkpoint folder. */
  public static String rddCheckpointDir(String checkpointDir) {
    return new org.apache.hadoop.fs.Path(checkpointDir, "rdd").toString();
  }

  private static void warnIfLargeBroadcast(int k, int n) {
    long bytes = 8L * k * n;
    if (bytes > LARGE_BROADCAST_BYTES) {
      LOG.warn("H has {} × {} entries: {} MB are broadcast every step and {} MB per partition are "
          + "aggregated; consider fewer features or components", k, n, bytes >> 20, bytes >> 20);
    }
  }
}
