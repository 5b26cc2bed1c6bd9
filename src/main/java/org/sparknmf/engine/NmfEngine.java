package org.sparknmf.engine;

import java.util.Arrays;
import java.util.List;
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
import org.sparknmf.solver.FullBatchSolver;
import org.sparknmf.solver.Initialization;
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

  public NmfEngine(JavaSparkContext jsc, NmfOptions options, EngineSettings settings) {
    this.jsc = jsc;
    this.options = options.copy();
    this.settings = settings.copy();
  }

  /** Full-batch NMF from the init method of the options (not custom). */
  public FitResult fitNmf(BlockedRows x) {
    return fit(x, false, null, null);
  }

  /**
   * Full-batch NMF from a custom start ({@code init="custom"}): Hᵀ ({@code n × k}) and W as
   * (row id, k values) pairs, e.g. a column of the input keyed like X's rows. Every row of X needs
   * its W row; rows of W that X does not have are ignored.
   */
  public FitResult fitNmf(BlockedRows x, DenseMatrix ht0, JavaPairRDD<Long, double[]> w0) {
    return fit(x, false, ht0, DistributedInit.custom(x, w0, ht0).w());
  }

  /** Full-batch NMF from custom Hᵀ and W blocks already aligned with X's blocks. */
  public FitResult fitNmf(BlockedRows x, DenseMatrix ht0, JavaRDD<DenseMatrix> w0) {
    return fit(x, false, ht0, w0);
  }

  public FitResult fitMiniBatch(BlockedRows x) {
    return fit(x, true, null, null);
  }

  /** MiniBatchNMF from a custom start, W given by row id (see {@link #fitNmf(BlockedRows, DenseMatrix, JavaPairRDD)}). */
  public FitResult fitMiniBatch(BlockedRows x, DenseMatrix ht0, JavaPairRDD<Long, double[]> w0) {
    return fit(x, true, ht0, DistributedInit.custom(x, w0, ht0).w());
  }

  /** MiniBatchNMF from custom Hᵀ and W blocks already aligned with X's blocks. */
  public FitResult fitMiniBatch(BlockedRows x, DenseMatrix ht0, JavaRDD<DenseMatrix> w0) {
    return fit(x, true, ht0, w0);
  }

  private FitResult fit(BlockedRows x, boolean miniBatch, DenseMatrix ht0, JavaRDD<DenseMatrix> w0) {
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
    if (settings.runsOnDriver(x.storedEntries())) {
      return fitOnDriver(x, miniBatch, k, ht0, w0);
    }
    DenseMatrix ht;
    JavaRDD<DenseMatrix> w;
    if (custom) {
      ht = ht0.copy();
      w = w0;
    } else {
      String init = options.resolveInit(k, (int) Math.min(x.rows(), Integer.MAX_VALUE), x.cols());
      if ("custom".equals(init)) {
        throw new IllegalArgumentException("init='custom' needs W and H: use the fit with a custom start");
      }
      DistributedInit.Start start = DistributedInit.initialize(x, k, init, options.randomState());
      ht = start.ht();
      w = start.w();
    }
    FitContext context = context();
    return miniBatch ? new DistributedMiniBatch(context).fit(x, ht, w) : new DistributedFullBatch(context).fit(x, ht, w);
  }

  /**
   * One {@code partial_fit} step on {@code chunk}: updates {@code ht} in place and returns the state
   * to pass to the next call ({@code state} null on the first call, where {@code ht} is the start).
   */
  public MiniBatchState partialFit(BlockedRows chunk, DenseMatrix ht, MiniBatchState state) {
    checkData(chunk);
    DataChecks.requireFeatures(chunk.cols(), ht.rows(), "X");
    return new DistributedMiniBatch(context()).partialStep(chunk, ht, state);
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

  /** The single-JVM solver on collected X; W goes back to the executors aligned with X's blocks. */
  private FitResult fitOnDriver(BlockedRows x, boolean miniBatch, int k, DenseMatrix ht0,
      JavaRDD<DenseMatrix> w0) {
    DataMatrix xm = x.collect();
    DenseMatrix w;
    DenseMatrix ht;
    if (ht0 != null) {
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
    if (miniBatch) {
      MiniBatchSolver s = new MiniBatchSolver(options, xm.rows(), ht);
      MiniBatchSolver.Result r = s.fit(xm, w, ht);
      w = r.w();
      nIter = r.nIter();
      nSteps = r.nSteps();
      history = s.costHistory();
      state = s.state();
    } else {
      FullBatchSolver.Result r = FullBatchSolver.fit(xm, w, ht, options, true);
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
        int at = Arrays.binarySearch(all, b.rowIds()[i]);
        System.arraycopy(src.data(), src.offset() + at * k, out.data(), i * k, k);
      }
      return out;
    });
  }

  /** Custom W blocks (aligned with X's) stacked on the driver in row-id order. */
  private static DenseMatrix stackInRowOrder(BlockedRows x, JavaRDD<DenseMatrix> w0, int k) {
    return FitResultAssembly.inRowOrder(x.blocks(), w0, k);
  }

  private FitContext context() {
    return new FitContext(jsc, options, settings, reliableCheckpoints());
  }

  private boolean reliableCheckpoints() {
    String dir = settings.checkpointDir();
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

  private static void warnIfLargeBroadcast(int k, int n) {
    long bytes = 8L * k * n;
    if (bytes > LARGE_BROADCAST_BYTES) {
      LOG.warn("H has {} × {} entries: {} MB are broadcast every step and {} MB per partition are "
          + "aggregated; consider fewer features or components", k, n, bytes >> 20, bytes >> 20);
    }
  }
}
