package org.sparknmf.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.clustering.LDA;
import org.apache.spark.ml.clustering.LDAModel;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sparknmf.linalg.Blas;
import org.sparknmf.linalg.CsrMatrix;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.local.BaseNMF;
import org.sparknmf.ml.NMFEstimator;
import org.sparknmf.ml.NMFModel;
import org.sparknmf.solver.BetaDivergence;
import org.sparknmf.solver.BetaLoss;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * One benchmark run in a JVM of its own (so that its peak memory is its own): loads a data set
 * written by src/bench/python/prepare_data.py, fits it with this project (on the driver or on
 * Spark) or with a Spark MLlib peer (LDA, ALS), and appends one row to results.csv.
 * submit-scripts/benchmark calls it once per run.
 */
@Command(name = "bench-run", mixinStandardHelpOptions = true,
    description = "One timed fit; appends a row to the results CSV.")
public final class BenchRun implements Callable<Integer> {

  /** Single-JVM fits shorter than this are timed a second time in the same JVM (sklearn_run.py too). */
  private static final double WARM_REFIT_BELOW_S = 10.0;

  @Option(names = "--data", required = true, description = ".npy (dense) or .npz (scipy CSR)")
  Path data;
  @Option(names = "--dataset", required = true)
  String dataset;
  @Option(names = "--tool", required = true, description = "driver | spark | spark-lda | spark-als")
  String tool;
  @Option(names = "--estimator", defaultValue = "NMF", description = "NMF | MiniBatchNMF")
  String estimator;
  @Option(names = "--solver", defaultValue = "cd")
  String solver;
  @Option(names = "--beta-loss", defaultValue = "frobenius")
  String betaLoss;
  @Option(names = "--k", required = true)
  int k;
  @Option(names = "--init")
  String init;
  @Option(names = "--max-iter", defaultValue = "200")
  int maxIter;
  @Option(names = "--tol", defaultValue = "1e-4")
  double tol;
  @Option(names = "--seed", defaultValue = "0")
  long seed;
  @Option(names = "--batch-size", defaultValue = "1024")
  int batchSize;
  @Option(names = "--forget-factor", defaultValue = "0.7")
  double forgetFactor;
  @Option(names = "--max-no-improvement", defaultValue = "10")
  int maxNoImprovement;
  @Option(names = "--execution", defaultValue = "distributed",
      description = "spark: the stage's execution (auto | driver | distributed)")
  String execution;
  @Option(names = "--master", defaultValue = "local[2]")
  String master;
  @Option(names = "--partitions", defaultValue = "0", description = "0: the engine's (or Spark's) default")
  int partitions;
  @Option(names = "--target-error", description = "also find the time to reach this relative error")
  Double targetError;
  @Option(names = "--target-budget", defaultValue = "300", description = "seconds for the target search")
  double targetBudget;
  @Option(names = "--coherence-counts", description = "document-term counts (.npz) for UMass coherence")
  Path coherenceCounts;
  @Option(names = "--reg-param", defaultValue = "1e-4", description = "ALS")
  double regParam;
  @Option(names = "--subsampling-rate", defaultValue = "0.05", description = "LDA (online)")
  double subsamplingRate;
  @Option(names = "--live-heap", description = "cluster masters: measure the executors' live heap "
      + "(X read from Parquet, not cached twice; a full GC every 250 ms, which slows the fit)")
  boolean liveHeap;
  @Option(names = "--live-heap-cached", description = "with --live-heap: cache the frame read from "
      + "Parquet before the fit, as the timed runs fit a cached frame (the executors then hold it too)")
  boolean liveHeapCached;
  @Option(names = "--out", required = true, description = "results CSV to append to")
  Path out;

  /** What one fit gives. rel is ‖X − WH‖_F / ‖X‖_F; topics are H's rows (k × n). */
  private record Fit(double seconds, int iterations, Integer steps, double rel, double divergence,
      double[][] topics) {}

  @FunctionalInterface
  private interface Fitter {
    /** @param search a fit of the target search: tol 0 and no early stop by max_no_improvement */
    Fit fit(int maxIter, double tol, boolean search) throws Exception;
  }

  private SparkSession spark;
  private final SparkProbe probe = new SparkProbe();
  /** The broadcast copies of X that the input rows are made from. */
  private final List<Broadcast<?>> inputCopies = new ArrayList<>();

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchRun()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
    // Loading the native BLAS and the Java LAPACK is start-up, as importing NumPy and SciPy is
    // scikit-learn's (about 0.15 and 0.09 s here, else paid by the first fit).
    Blas.implementation();
    dev.ludovic.netlib.lapack.JavaLAPACK.getInstance();
    double startup = (System.currentTimeMillis() - jvmStart) / 1e3;
    long t0 = System.nanoTime();
    DataMatrix x = NpyFiles.read(data);
    double load = (System.nanoTime() - t0) / 1e9;
    ResultRow row = new ResultRow().set("dataset", dataset).set("rows", x.rows()).set("cols", x.cols())
        .set("nnz", nonZeros(x)).set("estimator", estimator)
        .set("solver", estimator.equals("MiniBatchNMF") ? "mu" : solver)
        .set("beta_loss", betaLoss).set("k", k).set("init", init).set("max_iter", maxIter).set("tol", tol)
        .set("batch_size", estimator.equals("MiniBatchNMF") ? batchSize : null)
        .set("cpus", Runtime.getRuntime().availableProcessors()); // fewer when the script binds the JVM (taskset)
    List<String> notes = new ArrayList<>();
    Fitter fitter;
    if (tool.equals("driver")) {
      row.set("tool", "spark-nmf (driver, " + Blas.implementation() + ")");
      fitter = (mi, t, search) -> fitOnDriver(x, mi, t, search);
    } else {
      long s0 = System.nanoTime();
      SparkSession.Builder builder = SparkSession.builder().master(master).appName("spark-nmf-bench")
          .config("spark.ui.enabled", "false");
      if (!master.startsWith("local")) {
        // Executors of a cluster: ship the jars, and poll their heap often enough to see its peak.
        builder.config("spark.jars", jarOf(BenchRun.class) + "," + jarOf(org.sparknmf.engine.NmfEngine.class))
            .config("spark.executor.metrics.pollingInterval", "100ms")
            .config("spark.executor.heartbeatInterval", "1s");
      }
      spark = builder.getOrCreate();
      spark.sparkContext().addSparkListener(probe);
      startup += (System.nanoTime() - s0) / 1e9;
      row.set("master", master).set("partitions", partitions > 0 ? partitions : null);
      long l0 = System.nanoTime();
      if (liveHeap && master.startsWith("local")) {
        throw new CommandLine.ParameterException(new CommandLine(this),
            "--live-heap needs a cluster master: in local mode the driver's X shares the heap");
      }
      Dataset<Row> input = tool.equals("spark-als") ? triples(x) : vectors(x);
      Dataset<Row> frame = !liveHeap ? input.cache() : liveHeapCached ? throughParquet(input).cache() : throughParquet(input);
      frame.count();
      load += (System.nanoTime() - l0) / 1e9;
      switch (tool) {
        case "spark" -> {
          row.set("tool", execution.equals("distributed") ? "spark-nmf (Spark)"
              : "spark-nmf (Spark, execution " + execution + ")");
          fitter = (mi, t, search) -> fitOnSpark(x, frame, mi, t, search);
        }
        case "spark-lda" -> {
          row.set("tool", "Spark " + spark.version() + " LDA (online)").set("estimator", "LDA")
              .set("solver", "online").set("beta_loss", null).set("batch_size", null);
          notes.add("subsamplingRate " + subsamplingRate);
          fitter = (mi, t, search) -> fitLda(frame, mi);
        }
        case "spark-als" -> {
          row.set("tool", "Spark " + spark.version() + " ALS (nonnegative)").set("estimator", "ALS")
              .set("solver", "als").set("init", null).set("tol", null).set("batch_size", null);
          notes.add("regParam " + regParam);
          fitter = (mi, t, search) -> fitAls(x, frame, mi);
        }
        default -> throw new CommandLine.ParameterException(new CommandLine(this),
            "--tool " + tool + ": driver, spark, spark-lda or spark-als");
      }
    }
    row.set("startup_s", startup).set("load_s", load);

    JavaSparkContext jsc = spark == null ? null : JavaSparkContext.fromSparkContext(spark.sparkContext());
    double liveBefore = liveHeap ? ExecutorHeap.startAndReset(jsc) : 0;
    resetHeapPeaks();
    probe.reset();
    Fit fit = fitter.fit(maxIter, tol, false);
    if (liveHeap) {
      double xMb = (x instanceof CsrMatrix ? 12.0 * x.storedEntries() + 4.0 * (x.rows() + 1)
          : 8.0 * x.rows() * x.cols()) / 1048576.0;
      double factorsMb = 8.0 * (x.rows() + x.cols()) * k / 1048576.0;
      notes.add(String.format("executor live heap (full GC every %d ms): peak %.1f MB, %.1f MB before the fit;"
          + " 2 × (X %.1f MB + W and H %.1f MB) = %.1f MB", ExecutorHeap.INTERVAL_MS, ExecutorHeap.peakMb(jsc),
          liveBefore, xMb, factorsMb, 2 * (xMb + factorsMb)));
      for (org.apache.spark.storage.RDDInfo info : spark.sparkContext().getRDDStorageInfo()) {
        System.out.printf("bench-run: cached after the fit: RDD %d %s, %d partitions, %.1f MB in memory%n",
            info.id(), info.name(), info.numCachedPartitions(), info.memSize() / 1048576.0);
      }
      java.util.Map<String, Double> bySite = new java.util.LinkedHashMap<>();
      ExecutorHeap.samples(jsc).forEach((time, mb) -> bySite.merge(probe.siteAt(time), mb, Math::max));
      bySite.forEach((site, mb) -> System.out.printf("bench-run: live heap up to %.1f MB during %s%n", mb, site));
    }
    row.set("heap_peak_mb", heapPeakMb()).set("fit_s", fit.seconds).set("n_iter", fit.iterations)
        .set("n_steps", fit.steps).set("rel_error", fit.rel).set("beta_divergence", fit.divergence);
    if (fit.iterations >= maxIter && !tool.equals("spark-lda") && !tool.equals("spark-als")) {
      notes.add("max_iter reached");
    }
    if (spark == null && fit.seconds < WARM_REFIT_BELOW_S) {
      // A second fit in the same JVM, its code compiled: what a notebook's next fit costs.
      notes.add(String.format("second fit in the same process %.3g s", fitter.fit(maxIter, tol, false).seconds));
    }
    if (spark != null) {
      int work = fit.steps != null ? fit.steps : fit.iterations;
      row.set("spark_jobs", probe.jobs());
      System.out.println("bench-run: Spark jobs of the fit by call site: " + probe.sites());
      System.out.println("bench-run: " + probe.taskPhases());
      Map<String, long[]> phases = probe.fitPhases();
      long[] fitting = phases.entrySet().stream()
          .filter(e -> e.getKey().endsWith("steps") || e.getKey().endsWith("iterations")).map(Map.Entry::getValue)
          .reduce(new long[3], (a, b) -> new long[] {a[0] + b[0], a[1] + b[1], a[2] + b[2]});
      if (fitting[1] > 0) {
        // spark-nmf: the jobs of the steps (iterations) alone, whatever their number per step.
        row.set("step_ms", fitting[1] / (double) work).set("overhead_pct", 100.0 * (fitting[1] - fitting[2]) / fitting[1]);
      } else if (phases.isEmpty()) {
        double[] job = probe.medianWallAndOverhead(); // LDA, ALS: nearly every job is an iteration's
        row.set("step_ms", job[0]).set("overhead_pct", 100 * job[1] / job[0]);
        notes.add(String.format("median job %.1f ms of which Spark %.1f ms", job[0], job[1]));
      }
      notes.add(String.format("jobs/step %.2f; empty job %.1f ms", probe.jobs() / (double) Math.max(1, work), emptyJobMs()));
      if (!phases.isEmpty()) {
        List<String> parts = new ArrayList<>();
        phases.forEach((phase, p) -> parts.add(String.format("%s %.2f s (%d jobs, Spark %.0f %%)", phase, p[1] / 1e3, p[0],
            100.0 * (p[1] - p[2]) / Math.max(1, p[1]))));
        notes.add("phases: " + String.join(", ", parts));
      }
    }
    if (coherenceCounts != null && fit.topics != null) {
      CsrMatrix counts = (CsrMatrix) (coherenceCounts.equals(data) ? x : NpyFiles.read(coherenceCounts));
      row.set("coherence", Coherence.umass(fit.topics, counts, 10));
    }
    if (targetError != null) {
      row.set("target_error", targetError);
      notes.add("target " + targetError);
      searchTarget(fitter, fit, row, notes);
    }
    if (spark != null && !master.startsWith("local")) {
      notes.add(String.format("executor heap peak %.1f MB over the whole run (largest executor)", executorHeapPeakMb()));
    }
    row.set("rss_peak_mb", rssPeakMb()).set("note", String.join("; ", notes));
    row.appendTo(out);
    System.out.println("bench-run: " + row);
    if (spark != null) {
      spark.stop();
    }
    return 0;
  }

  /**
   * Time to the target error: the fit itself when it got there, else fits of 1.5× more iterations
   * (tol 0, no max_no_improvement; as src/bench/python/sklearn_run.py does) until one does, the budget is spent, or a fit stops short of its iterations.
   */
  private void searchTarget(Fitter fitter, Fit fit, ResultRow row, List<String> notes) throws Exception {
    Fit f = fit;
    double spent = 0;
    int iterations = Math.max(1, fit.iterations);
    while (!(f.rel <= targetError)) {
      if (spent > targetBudget || (f != fit && f.iterations < iterations)) {
        notes.add(String.format("target not reached: %.6g after %d iterations", f.rel, f.iterations));
        return;
      }
      iterations = (int) Math.ceil(iterations * 1.5);
      f = fitter.fit(iterations, 0.0, true);
      spent += f.seconds;
    }
    row.set("time_to_target_s", f.seconds).set("iters_to_target", f.iterations);
  }

  private Fit fitOnDriver(DataMatrix x, int mi, double t, boolean search) {
    BaseNMF<?> m = estimator.equals("MiniBatchNMF")
        ? new org.sparknmf.local.MiniBatchNMF(k).setBatchSize(batchSize).setForgetFactor(forgetFactor)
            .setMaxNoImprovement(search ? null : maxNoImprovement)
        : new org.sparknmf.local.NMF(k).setSolver(solver);
    m.setBetaLoss(betaLoss).setMaxIter(mi).setTol(t).setRandomState(seed);
    if (init != null) {
      m.setInit(init);
    }
    long t0 = System.nanoTime();
    double[][] w = m.fitTransform(x);
    double seconds = (System.nanoTime() - t0) / 1e9;
    double[][] h = m.components();
    DenseMatrix wm = DenseMatrix.of(w);
    DenseMatrix ht = DenseMatrix.of(h).transpose();
    BetaLoss loss = BetaLoss.parse(betaLoss);
    double rel = BetaDivergence.reconstructionError(x, wm, ht, BetaLoss.FROBENIUS) / Math.sqrt(x.squaredNorm());
    Integer steps = m instanceof org.sparknmf.local.MiniBatchNMF mb ? mb.nSteps() : null;
    return new Fit(seconds, m.nIter(), steps, rel,
        loss.isFrobenius() ? Double.NaN : BetaDivergence.of(x, wm, ht, loss), h);
  }

  private Fit fitOnSpark(DataMatrix x, Dataset<Row> frame, int mi, double t, boolean search) {
    NMFEstimator<?> e = estimator.equals("MiniBatchNMF")
        ? new org.sparknmf.ml.MiniBatchNMF().setBatchSize(batchSize).setForgetFactor(forgetFactor)
            .setMaxNoImprovement(search ? 0 : maxNoImprovement)
        : new org.sparknmf.ml.NMF().setSolver(solver);
    e.setK(k).setMaxIter(mi).setTol(t).setSeed(seed).setBetaLoss(betaLoss).setExecution(execution);
    if (partitions > 0) {
      e.setNumPartitions(partitions);
    }
    if (init != null) {
      e.setInit(init);
    }
    long t0 = System.nanoTime();
    NMFModel model = e.fit(frame);
    double seconds = (System.nanoTime() - t0) / 1e9;
    double err = model.reconstructionErr();
    boolean frobenius = BetaLoss.parse(betaLoss).isFrobenius();
    // reconstruction_err_ is sqrt(2·divergence), ‖X − WH‖_F for Frobenius.
    return new Fit(seconds, model.nIter(), estimator.equals("MiniBatchNMF") ? model.nSteps() : null,
        frobenius ? err / Math.sqrt(x.squaredNorm()) : Double.NaN, frobenius ? Double.NaN : err * err / 2,
        rows(model.ht().transpose()));
  }

  private Fit fitLda(Dataset<Row> frame, int mi) {
    LDA lda = new LDA().setK(k).setOptimizer("online").setMaxIter(mi).setSeed(seed)
        .setSubsamplingRate(subsamplingRate).setFeaturesCol("features");
    long t0 = System.nanoTime();
    LDAModel model = lda.fit(frame);
    double seconds = (System.nanoTime() - t0) / 1e9;
    Matrix terms = model.topicsMatrix(); // vocabulary × k
    double[][] topics = new double[k][terms.numRows()];
    for (int t = 0; t < k; t++) {
      for (int j = 0; j < terms.numRows(); j++) {
        topics[t][j] = terms.apply(j, t);
      }
    }
    return new Fit(seconds, mi, null, Double.NaN, Double.NaN, topics);
  }

  private Fit fitAls(DataMatrix x, Dataset<Row> frame, int mi) {
    ALS als = new ALS().setRank(k).setMaxIter(mi).setRegParam(regParam).setNonnegative(true).setSeed(seed)
        .setUserCol("row").setItemCol("col").setRatingCol("value");
    if (partitions > 0) {
      als.setNumBlocks(partitions);
    }
    long t0 = System.nanoTime();
    ALSModel model = als.fit(frame);
    DenseMatrix u = factors(model.userFactors(), x.rows());
    DenseMatrix v = factors(model.itemFactors(), x.cols());
    double seconds = (System.nanoTime() - t0) / 1e9;
    double rel = BetaDivergence.reconstructionError(x, u, v, BetaLoss.FROBENIUS) / Math.sqrt(x.squaredNorm());
    return new Fit(seconds, mi, null, rel, Double.NaN, rows(v.transpose()));
  }

  /** ALS's factors (id, float array) as a dense matrix in id order; ids with no factor stay zero. */
  private DenseMatrix factors(Dataset<Row> f, int count) {
    DenseMatrix m = new DenseMatrix(count, k);
    for (Row r : f.collectAsList()) {
      int id = r.getInt(0);
      List<Float> values = r.getList(1);
      for (int t = 0; t < k; t++) {
        m.set(id, t, values.get(t));
      }
    }
    return m;
  }

  /**
   * X as a DataFrame of feature vectors (sparse for CSR), in {@code partitions} slices, rows in
   * order. The rows are made on the executors from a broadcast copy of X's arrays: parallelizing the
   * rows themselves would put each slice's data into its partition object, which every later task
   * on the cached data serializes and deserializes again (60 ms a task on the text set), a cost no
   * file-based input has.
   */
  private Dataset<Row> vectors(DataMatrix x) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int slices = partitions > 0 ? partitions : jsc.defaultParallelism();
    int m = x.rows();
    int n = x.cols();
    JavaRDD<Row> rows;
    if (x instanceof CsrMatrix c) {
      int[] indptr = new int[m + 1]; // positions in c's arrays, which may be shared with a larger X
      for (int i = 0; i < m; i++) {
        indptr[i] = c.rowBegin(i);
        indptr[i + 1] = c.rowEnd(i);
      }
      Broadcast<int[]> bp = jsc.broadcast(indptr);
      Broadcast<int[]> bi = jsc.broadcast(c.indices());
      Broadcast<double[]> bv = jsc.broadcast(c.values());
      inputCopies.addAll(List.of(bp, bi, bv));
      rows = rowIds(jsc, m, slices).map(i -> {
        int from = bp.value()[i];
        int to = bp.value()[i + 1];
        return RowFactory.create(Vectors.sparse(n, Arrays.copyOfRange(bi.value(), from, to),
            Arrays.copyOfRange(bv.value(), from, to)));
      });
    } else {
      Broadcast<double[]> bd = jsc.broadcast(x.toDense().data());
      inputCopies.add(bd);
      rows = rowIds(jsc, m, slices).map(i -> RowFactory.create(
          Vectors.dense(Arrays.copyOfRange(bd.value(), i * n, (i + 1) * n))));
    }
    return spark.createDataFrame(rows, new StructType().add("features", new VectorUDT(), false));
  }

  /**
   * The input as a user reads it: written once to Parquet beside the data, read back uncached, and
   * the broadcast copies of X dropped from the executors, so that the engine's cached blocks are
   * the executors' only copy of X.
   */
  private Dataset<Row> throughParquet(Dataset<Row> input) throws IOException {
    Path file = data.resolveSibling(dataset + "-" + input.javaRDD().getNumPartitions() + "p.parquet");
    if (!Files.exists(file)) {
      Path partial = file.resolveSibling(file.getFileName() + ".partial");
      input.write().mode("overwrite").parquet(partial.toString());
      Files.move(partial, file);
    }
    inputCopies.forEach(b -> b.destroy());
    return spark.read().parquet(file.toString());
  }

  /** 0 … m−1 in {@code slices} contiguous slices; each partition holds only its slice number. */
  private static JavaRDD<Integer> rowIds(JavaSparkContext jsc, int m, int slices) {
    List<Integer> sliceIds = new ArrayList<>(slices);
    for (int t = 0; t < slices; t++) {
      sliceIds.add(t);
    }
    return jsc.parallelize(sliceIds, slices).flatMap(t -> java.util.stream.IntStream
        .range((int) ((long) t * m / slices), (int) ((long) (t + 1) * m / slices)).boxed().iterator());
  }

  /** Dense X as (row, col, value) triples for ALS, made on the executors from a broadcast copy. */
  private Dataset<Row> triples(DataMatrix x) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    double[] values = x.toDense().data();
    int n = x.cols();
    Broadcast<double[]> b = jsc.broadcast(values);
    inputCopies.add(b);
    int slices = partitions > 0 ? partitions : jsc.defaultParallelism();
    JavaRDD<Row> rdd = rowIds(jsc, x.rows(), slices).flatMap(i -> {
      double[] d = b.value();
      List<Row> out = new ArrayList<>(n);
      for (int j = 0; j < n; j++) {
        out.add(RowFactory.create(i, j, (float) d[i * n + j]));
      }
      return out.iterator();
    });
    return spark.createDataFrame(rdd, new StructType().add("row", DataTypes.IntegerType, false)
        .add("col", DataTypes.IntegerType, false).add("value", DataTypes.FloatType, false));
  }

  /** The cost of a Spark job that does nothing: one empty task per partition and a tree aggregate. */
  private double emptyJobMs() {
    JavaRDD<Integer> r = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(Collections.nCopies(64, 0), Math.max(1, partitions > 0 ? partitions : 2));
    double[] ms = new double[25];
    for (int i = 0; i < ms.length; i++) {
      long t0 = System.nanoTime();
      r.mapPartitions(it -> Collections.singletonList(0.0).iterator())
          .treeAggregate(0.0, Double::sum, Double::sum);
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(ms);
    return ms[ms.length / 2];
  }

  /** Entries other than zero, as NumPy's count_nonzero counts them for dense sets too. */
  private static long nonZeros(DataMatrix x) {
    long[] n = {0};
    x.forEachEntry((i, j, v) -> n[0] += v != 0 ? 1 : 0);
    return n[0];
  }

  private static double[][] rows(DenseMatrix m) {
    double[][] r = new double[m.rows()][];
    for (int i = 0; i < m.rows(); i++) {
      r[i] = m.rowRange(i, i + 1).copy().data();
    }
    return r;
  }

  private static String jarOf(Class<?> c) throws Exception {
    return java.nio.file.Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
  }

  /**
   * The largest executor's peak JVM heap use (Spark's JVMHeapMemory executor metric, polled every
   * 100 ms and sent with each heartbeat), after waiting for two heartbeats so the fit's end is in it.
   */
  private double executorHeapPeakMb() throws InterruptedException {
    Thread.sleep(2500); // two heartbeats of 1 s: not a timing measurement, only the metrics' arrival
    double peak = 0;
    for (org.apache.spark.status.api.v1.ExecutorSummary e
        : scala.jdk.javaapi.CollectionConverters.asJava(spark.sparkContext().statusStore().executorList(true))) {
      if (!e.id().equals("driver") && e.peakMemoryMetrics().isDefined()) {
        peak = Math.max(peak, e.peakMemoryMetrics().get().getMetricValue("JVMHeapMemory") / 1048576.0);
      }
    }
    return peak;
  }

  private static void resetHeapPeaks() {
    System.gc();
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        p.resetPeakUsage();
      }
    }
  }

  /** The sum of the heap pools' peaks since the reset: an upper bound of the peak heap in use. */
  private static double heapPeakMb() {
    long bytes = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        bytes += p.getPeakUsage().getUsed();
      }
    }
    return bytes / 1048576.0;
  }

  /** The process's peak resident set (VmHWM), in MB; NaN where /proc is missing. */
  private static double rssPeakMb() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) {
      return Double.NaN;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
      }
    }
    return Double.NaN;
  }
}
