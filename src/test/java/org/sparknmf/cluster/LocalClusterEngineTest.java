package org.sparknmf.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkExecutorInfo;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sparknmf.engine.BlockedRows;
import org.sparknmf.engine.EngineSettings;
import org.sparknmf.engine.FitResult;
import org.sparknmf.engine.NmfEngine;
import org.sparknmf.linalg.Blas;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.solver.NmfOptions;

/**
 * The distributed engine on a real multi-JVM cluster: {@code local-cluster[2,1,1024]} starts a
 * standalone Master and Worker inside this JVM, and the Worker launches two executors as separate
 * JVMs ({@code CoarseGrainedExecutorBackend}), so every task, closure, broadcast and result crosses
 * a process boundary through the serializer (Kryo).
 *
 * <p>Checks that (1) the engine's tasks ran in those executor JVMs and not in the driver, and (2)
 * full-batch NMF and MiniBatchNMF give bit for bit what the same fits give in {@code local[2]}
 * with the same partitioning: the engine merges partial statistics in partition order, so a fit
 * depends on its data, partitioning and parameters alone, not on where or when tasks ran.
 *
 * <p>Runs in a JVM of its own (Surefire execution {@code cluster-tests}, tag {@code cluster}): only
 * one SparkContext may live in a JVM at a time, and the other tests share a {@code local[2]} one.
 * The local reference is fitted first in a {@code local[2]} context that is stopped before the
 * cluster starts.
 */
@Tag("cluster")
class LocalClusterEngineTest {

  private static final int ROWS = 300;
  private static final int COLS = 40;
  private static final int RANK = 5;
  private static final int PARTITIONS = 4;
  private static final int EXECUTORS = 2;
  private static final String MASTER = "local-cluster[" + EXECUTORS + ",1,1024]";

  /**
   * Prefixes of the Java 17 flags Spark needs (its JavaModuleOptions), to find them among this
   * JVM's arguments when Surefire did not pass the pom's spark.jvm.flags as the system property
   * sparknmf.executor.jvm.flags (named outside spark.*, which SparkConf would load as settings).
   */
  private static final List<String> FLAG_PREFIXES = List.of("-XX:+IgnoreUnrecognizedVMOptions",
      "--add-modules=", "--add-opens=", "-Djdk.reflect.useDirectMethodHandle=",
      "-Dio.netty.tryReflectionSetAccessible=");

  private static DenseMatrix x;
  private static Fit localFull;
  private static Fit localMini;

  private static JavaSparkContext cluster;
  /** Executor id of every task that ended on the cluster context. */
  private static final Set<String> taskExecutors = ConcurrentHashMap.newKeySet();
  /** Executor ids of the tasks of the two cluster fits. */
  private static Set<String> fitExecutors;
  private static Fit clusterFull;
  private static Fit clusterMini;
  /** MiniBatchNMF on the cluster with checkpoints (W written by the executors), and resumed from them. */
  private static Fit clusterMiniCheckpointed;
  private static Fit clusterMiniResumed;
  private static Path checkpoints;

  /** What a fit produced, copied to the driver before its cached RDDs are released. */
  private record Fit(double[] ht, double[] w, double err, int nIter, int nSteps, List<Double> history,
      boolean distributed) {}

  @BeforeAll
  static void fitLocallyThenOnTheCluster() throws Exception {
    x = lowRankPlusNoise(ROWS, COLS, RANK, 20240611L);

    JavaSparkContext local = new JavaSparkContext(conf("local[2]"));
    try {
      localFull = fit(local, false);
      localMini = fit(local, true);
    } finally {
      local.stop();
    }

    // The Worker builds executor command lines from SPARK_HOME/jars (which may be empty: the
    // executors take the test classpath from spark.executor.extraClassPath).
    String home = System.getenv("SPARK_HOME");
    assertTrue(home != null && System.getenv("SPARK_SCALA_VERSION") != null,
        "run through the Surefire execution cluster-tests, which sets SPARK_HOME, "
            + "SPARK_SCALA_VERSION and SPARK_LOCAL_IP");
    Files.createDirectories(Path.of(home, "jars"));

    SparkConf c = conf(MASTER)
        .set("spark.executor.extraClassPath", System.getProperty("java.class.path"))
        .set("spark.executor.extraJavaOptions", executorJvmFlags())
        .set("spark.executor.memory", "1024m");
    cluster = new JavaSparkContext(c);
    cluster.sc().addSparkListener(new SparkListener() {
      @Override
      public void onTaskEnd(SparkListenerTaskEnd end) {
        taskExecutors.add(end.taskInfo().executorId());
      }
    });
    waitForExecutors(cluster, EXECUTORS, 120_000);

    clusterFull = fit(cluster, false);
    clusterMini = fit(cluster, true);
    waitForListener();
    fitExecutors = Set.copyOf(taskExecutors);

    checkpoints = Files.createTempDirectory("spark-nmf-cluster-checkpoints");
    EngineSettings saving = settings().checkpointDir(checkpoints.toString()).checkpointInterval(2);
    clusterMiniCheckpointed = fit(cluster, true, saving);
    clusterMiniResumed = fit(cluster, true, saving.copy().resume(true));
  }

  @AfterAll
  static void stopCluster() throws IOException {
    if (cluster != null) {
      cluster.stop();
      cluster = null;
    }
    if (checkpoints != null) {
      try (Stream<Path> s = Files.walk(checkpoints)) {
        s.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }

  @Test
  void tasksRunInExecutorJvmsOtherThanTheDriver() {
    String driverJvm = ManagementFactory.getRuntimeMXBean().getName();

    // Who the cluster says is there: the driver plus two executors.
    SparkExecutorInfo[] infos = cluster.sc().statusTracker().getExecutorInfos();
    assertEquals(EXECUTORS + 1, infos.length, "driver + executors: " + describe(infos));

    // Who actually runs tasks: executor id, JVM (pid@host) and BLAS implementation of each task.
    List<Integer> slots = new ArrayList<>();
    for (int i = 0; i < 8 * EXECUTORS; i++) {
      slots.add(i);
    }
    List<String> seen = cluster.parallelize(slots, slots.size()).mapPartitions(it -> {
      Thread.sleep(200); // keeps one executor from taking every task before the other is offered one
      return List.of(SparkEnv.get().executorId() + "|" + ManagementFactory.getRuntimeMXBean().getName()
          + "|" + Blas.implementation()).iterator();
    }).collect();
    Map<String, Set<String>> jvmsByExecutor = new HashMap<>();
    Set<String> blas = new HashSet<>();
    for (String s : seen) {
      String[] p = s.split("\\|");
      jvmsByExecutor.computeIfAbsent(p[0], k -> new HashSet<>()).add(p[1]);
      blas.add(p[2]);
    }
    Set<String> jvms = jvmsByExecutor.values().stream().flatMap(Set::stream).collect(Collectors.toSet());
    System.out.println("[cluster] driver JVM " + driverJvm + " (BLAS " + Blas.implementation()
        + "); executors " + jvmsByExecutor + ", BLAS " + blas + "; " + describe(infos));
    assertFalse(jvmsByExecutor.containsKey("driver"), "a task ran in the driver: " + jvmsByExecutor);
    assertEquals(EXECUTORS, jvmsByExecutor.size(), "distinct executors: " + jvmsByExecutor);
    assertEquals(EXECUTORS, jvms.size(), "one JVM per executor: " + jvmsByExecutor);
    assertFalse(jvms.contains(driverJvm), "an executor is the driver's JVM " + driverJvm);
    for (String jvm : jvms) {
      assertNotEquals(pid(driverJvm), pid(jvm), "executor pid equals the driver's");
    }

    // And the tasks of the engine's fits on this context ran there too, on both executors.
    assertTrue(clusterFull.distributed() && clusterMini.distributed(), "the fits ran on the executors");
    assertFalse(fitExecutors.contains("driver"), "an engine task ran in the driver: " + fitExecutors);
    assertEquals(jvmsByExecutor.keySet(), fitExecutors, "executors that ran the engine's tasks");
  }

  @Test
  void fullBatchOnTheClusterIsBitIdenticalToLocalMode() {
    report("NMF cd", localFull, clusterFull);
    assertSame(localFull, clusterFull);
  }

  @Test
  void miniBatchOnTheClusterIsBitIdenticalToLocalMode() {
    report("MiniBatchNMF", localMini, clusterMini);
    assertSame(localMini, clusterMini);
  }

  /**
   * Fit checkpoints on the cluster: the executor JVMs write W's blocks (every 2 epochs and at the
   * end) and read them back when the finished fit is resumed; neither changes a bit.
   */
  @Test
  void checkpointsWrittenAndReadByTheExecutorsChangeNothing() throws IOException {
    report("MiniBatchNMF, checkpointed", localMini, clusterMiniCheckpointed);
    assertSame(localMini, clusterMiniCheckpointed);
    report("MiniBatchNMF, resumed", localMini, clusterMiniResumed);
    assertSame(localMini, clusterMiniResumed);
    try (Stream<Path> s = Files.list(checkpoints)) {
      Path last = s.filter(p -> p.getFileName().toString().startsWith("checkpoint-")).findFirst().orElseThrow();
      try (Stream<Path> w = Files.list(last.resolve("w"))) {
        assertEquals(PARTITIONS, w.count(), "one W file per partition in " + last);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static SparkConf conf(String master) {
    return new SparkConf()
        .setMaster(master)
        .setAppName("spark-nmf-cluster-test")
        .set("spark.ui.enabled", "false")
        .set("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
  }

  private static NmfOptions options(boolean miniBatch) {
    NmfOptions o = new NmfOptions().nComponents(RANK).init("random").randomState(0L);
    return miniBatch ? o.batchSize(64).maxIter(5) : o.solver("cd").maxIter(50);
  }

  private static EngineSettings settings() {
    return new EngineSettings().execution("distributed").storageLevel("MEMORY_ONLY");
  }

  private static Fit fit(JavaSparkContext jsc, boolean miniBatch) {
    return fit(jsc, miniBatch, settings());
  }

  private static Fit fit(JavaSparkContext jsc, boolean miniBatch, EngineSettings settings) {
    NmfEngine engine = new NmfEngine(jsc, options(miniBatch), settings);
    try (BlockedRows xb = BlockedRows.fromMatrix(jsc, x, PARTITIONS, StorageLevel.MEMORY_ONLY())) {
      assertEquals(PARTITIONS, xb.numPartitions(), "partitions of X");
      try (FitResult r = miniBatch ? engine.fitMiniBatch(xb) : engine.fitNmf(xb)) {
        DenseMatrix ht = r.ht();
        DenseMatrix w = r.collectW();
        return new Fit(contiguous(ht), contiguous(w), r.reconstructionErr(), r.nIter(), r.nSteps(),
            r.history(), r.distributed());
      }
    }
  }

  private static double[] contiguous(DenseMatrix m) {
    return Arrays.copyOfRange(m.data(), m.offset(), m.offset() + m.rows() * m.cols());
  }

  /** Exact equality of every double (by bits, so -0.0 and NaN count too) and of the counts. */
  private static void assertSame(Fit expected, Fit actual) {
    assertTrue(actual.distributed(), "cluster fit ran on the executors");
    assertTrue(expected.distributed(), "local fit ran on the (local) executors");
    assertEquals(expected.nIter(), actual.nIter(), "n_iter");
    assertEquals(expected.nSteps(), actual.nSteps(), "n_steps");
    assertArrayEquals(bits(expected.ht()), bits(actual.ht()), "Hᵀ bits");
    assertArrayEquals(bits(expected.w()), bits(actual.w()), "W bits");
    assertEquals(Double.doubleToRawLongBits(expected.err()), Double.doubleToRawLongBits(actual.err()),
        "reconstruction_err bits: " + expected.err() + " vs " + actual.err());
    assertEquals(expected.history(), actual.history(), "history");
  }

  private static long[] bits(double[] a) {
    return Arrays.stream(a).mapToLong(Double::doubleToRawLongBits).toArray();
  }

  private static void report(String what, Fit local, Fit cluster) {
    System.out.printf("[cluster] %s: n_iter %d/%d, n_steps %d/%d, err %.17g/%.17g, "
            + "max |ΔHᵀ| %.3g, max |ΔW| %.3g, differing entries Hᵀ %d W %d%n",
        what, local.nIter(), cluster.nIter(), local.nSteps(), cluster.nSteps(), local.err(),
        cluster.err(), maxDiff(local.ht(), cluster.ht()), maxDiff(local.w(), cluster.w()),
        differing(local.ht(), cluster.ht()), differing(local.w(), cluster.w()));
  }

  private static double maxDiff(double[] a, double[] b) {
    if (a.length != b.length) {
      return Double.NaN;
    }
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }

  private static int differing(double[] a, double[] b) {
    if (a.length != b.length) {
      return -1;
    }
    int n = 0;
    for (int i = 0; i < a.length; i++) {
      if (Double.doubleToRawLongBits(a[i]) != Double.doubleToRawLongBits(b[i])) {
        n++;
      }
    }
    return n;
  }

  /** W·H of rank {@code k} (uniform factors) plus uniform noise: non-negative, seeded. */
  private static DenseMatrix lowRankPlusNoise(int m, int n, int k, long seed) {
    Random rnd = new Random(seed);
    double[] w = new double[m * k];
    double[] h = new double[k * n];
    for (int i = 0; i < w.length; i++) {
      w[i] = rnd.nextDouble();
    }
    for (int i = 0; i < h.length; i++) {
      h[i] = rnd.nextDouble();
    }
    double[] data = new double[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int l = 0; l < k; l++) {
          s += w[i * k + l] * h[l * n + j];
        }
        data[i * n + j] = s + 0.1 * rnd.nextDouble();
      }
    }
    return new DenseMatrix(m, n, data);
  }

  /** The Java 17 flags Spark needs, for the executor JVMs: the pom's, else this JVM's own. */
  private static String executorJvmFlags() {
    String fromPom = System.getProperty("sparknmf.executor.jvm.flags");
    if (fromPom != null && !fromPom.isBlank()) {
      return fromPom.trim();
    }
    return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> FLAG_PREFIXES.stream().anyMatch(a::startsWith))
        .collect(Collectors.joining(" "));
  }

  private static void waitForExecutors(JavaSparkContext jsc, int n, long timeoutMs) {
    long end = System.currentTimeMillis() + timeoutMs;
    while (jsc.sc().statusTracker().getExecutorInfos().length < n + 1) {
      if (System.currentTimeMillis() > end) {
        throw new AssertionError(n + " executors did not register within " + timeoutMs + " ms: "
            + describe(jsc.sc().statusTracker().getExecutorInfos()));
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** Task-end events reach listeners asynchronously: wait until the bus has delivered them. */
  private static void waitForListener() throws Exception {
    cluster.sc().listenerBus().waitUntilEmpty();
  }

  private static String describe(SparkExecutorInfo[] infos) {
    List<String> s = new ArrayList<>();
    for (SparkExecutorInfo i : infos) {
      s.add(i.host() + ":" + i.port());
    }
    Collections.sort(s);
    return "executors " + s;
  }

  private static String pid(String jvmName) {
    int at = jvmName.indexOf('@');
    return at < 0 ? jvmName : jvmName.substring(0, at);
  }
}
