package org.sparknmf.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code submit-scripts/local-cluster} starts a real standalone cluster (Master and Worker JVMs,
 * executors launched by the Worker), {@code nmf-local --master spark://...} and {@code nmf-submit}
 * run the job on it, and {@code stop} ends exactly those processes. The cluster uses ports picked
 * free here and a state folder of its own (target/it-local-cluster), so a developer's cluster on
 * the default ports is left alone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalClusterIT {

  private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration JOB_TIMEOUT = Duration.ofMinutes(4);
  private static final Path CLUSTER_DIR = Scripts.HOME.resolve("target").resolve("it-local-cluster");
  private static final Path SPARK_HOME = Scripts.HOME.resolve("target").resolve("spark-home");
  private static final String DIGITS = Scripts.HOME.resolve("data-samples").resolve("digits.csv").toString();

  @TempDir
  static Path work;

  private Map<String, String> clusterEnv;
  private String masterUrl;
  private URI masterJson;
  private final List<Long> daemonPids = new ArrayList<>();

  @BeforeAll
  void startCluster() throws Exception {
    int[] ports = Scripts.freePorts(3);
    clusterEnv = Map.of("SPARK_MASTER_PORT", String.valueOf(ports[0]), "SPARK_MASTER_WEBUI_PORT",
        String.valueOf(ports[1]), "SPARK_WORKER_WEBUI_PORT", String.valueOf(ports[2]), "SPARK_WORKER_CORES", "2",
        "SPARK_WORKER_MEMORY", "1g", "SPARK_WORKER_INSTANCES", "1", "LOCAL_CLUSTER_DIR", CLUSTER_DIR.toString());
    masterUrl = "spark://127.0.0.1:" + ports[0];
    masterJson = URI.create("http://127.0.0.1:" + ports[1] + "/json/");
    // A cluster left by an interrupted earlier run of this test would make start a no-op.
    Scripts.run(work, clusterEnv, SCRIPT_TIMEOUT, "local-cluster", "stop").assertExit(0);
    Scripts.deleteTree(CLUSTER_DIR.resolve("work"));

    Scripts.Run start = Scripts.run(work, clusterEnv, SCRIPT_TIMEOUT, "local-cluster", "start").assertExit(0);
    assertTrue(start.stdout().contains("submit-scripts/nmf-local --master " + masterUrl), start::toString);
    for (String daemon : List.of("master", "worker-1")) {
      daemonPids.add(Long.parseLong(Files.readString(CLUSTER_DIR.resolve(daemon + ".pid")).trim()));
    }
  }

  @AfterAll
  void stopCluster() throws Exception {
    if (clusterEnv == null) {
      return;
    }
    Scripts.Run stop = Scripts.run(work, clusterEnv, SCRIPT_TIMEOUT, "local-cluster", "stop").assertExit(0);
    assertTrue(stop.stdout().startsWith("Stopped "), stop::toString);
    for (long pid : daemonPids) {
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " ended");
    }
    try (Stream<Path> pidFiles = Files.list(CLUSTER_DIR)) {
      assertEquals(List.of(), pidFiles.filter(p -> p.toString().endsWith(".pid")).toList());
    }
    Scripts.Run status = Scripts.run(work, clusterEnv, SCRIPT_TIMEOUT, "local-cluster", "status").assertExit(3);
    assertTrue(status.stdout().contains("not running"), status::toString);
  }

  @Test
  @Order(1)
  void startedOnceAndRegisteredTheWorker() throws Exception {
    JsonNode json = masterStatus();
    assertEquals(masterUrl, json.get("url").asText());
    assertEquals("ALIVE", json.get("status").asText());
    assertEquals(1, json.get("aliveworkers").asInt(), json.toString());
    for (long pid : daemonPids) {
      assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "daemon " + pid + " runs");
    }

    Scripts.Run again = Scripts.run(work, clusterEnv, SCRIPT_TIMEOUT, "local-cluster", "start").assertExit(0);
    assertTrue(again.stdout().contains("already running"), again::toString);
    assertEquals(daemonPids.get(0), Long.parseLong(Files.readString(CLUSTER_DIR.resolve("master.pid")).trim()));
    assertEquals(1, masterStatus().get("aliveworkers").asInt(), "still one worker");

    Scripts.Run status = Scripts.run(work, clusterEnv, SCRIPT_TIMEOUT, "local-cluster", "status").assertExit(0);
    assertTrue(status.stdout().contains("Master " + masterUrl + " runs (pid " + daemonPids.get(0) + ")"),
        status::toString);
    assertTrue(status.stdout().contains("worker-1 runs (pid " + daemonPids.get(1) + ")"), status::toString);
  }

  /**
   * Full-batch NMF with the distributed engine on 4 partitions gives on the cluster (tasks in the
   * executor JVM the Worker launched) local[2]'s numbers: the engine merges the partitions'
   * statistics in partition order, so only the rounding inside BLAS calls may differ. It does when
   * native OpenBLAS runs with several threads: Spark gives executors OMP_NUM_THREADS =
   * spark.task.cpus (1), while the driver and local mode's tasks use every core, and two local[2]
   * runs on this machine already differ in the last bits. Hence a bound of 1e-12 relative (seen:
   * 0 to 3e-15), and the test says whether the bits were equal. 30 iterations (of the 122 it takes
   * to converge) keep the test short; every iteration feeds the next.
   */
  @Test
  @Order(2)
  void nmfLocalOnTheClusterGivesLocalModesBits() throws Exception {
    Set<String> appsBefore = completedApps();
    Path onCluster = work.resolve("on-cluster");
    Path inLocalMode = work.resolve("local-mode");
    // Both at once: most of a run is JVM start-up, Spark set-up and waiting for tasks.
    Scripts.Started cluster = Scripts.start(work, Map.of(), "nmf-local", nmfArgs(masterUrl, onCluster));
    Scripts.Started local = Scripts.start(work, Map.of(), "nmf-local", nmfArgs("local[2]", inLocalMode));
    Scripts.Run clusterRun = cluster.await(JOB_TIMEOUT).assertExit(0);
    Scripts.Run localRun = local.await(JOB_TIMEOUT).assertExit(0);
    assertEquals(onCluster, clusterRun.resultsDir());
    Scripts.assertOutputsPresent(onCluster);
    Scripts.assertOutputsPresent(inLocalMode);

    JsonNode summary = Scripts.readSummary(onCluster);
    assertEquals(masterUrl, summary.get("job").get("spark_master").asText());
    assertTrue(summary.get("job").get("executors").asInt() >= 1, summary.get("job").toString());
    assertEquals("local[2]", Scripts.readSummary(inLocalMode).get("job").get("spark_master").asText());

    // The executor JVM's own log: its tasks ran there, not in the driver.
    String app = newCompletedApp(appsBefore);
    assertExecutorsRanTasks(app);

    double[][] h = Scripts.readComponents(onCluster);
    double[][] reference = Scripts.readComponents(inLocalMode);
    assertEquals(8, h.length);
    double maxDiff = 0;
    double maxH = 0;
    boolean sameBits = true;
    for (int t = 0; t < h.length; t++) {
      assertEquals(64, h[t].length);
      for (int j = 0; j < 64; j++) {
        maxDiff = Math.max(maxDiff, Math.abs(h[t][j] - reference[t][j]));
        maxH = Math.max(maxH, Math.abs(reference[t][j]));
        sameBits &= Double.doubleToLongBits(h[t][j]) == Double.doubleToLongBits(reference[t][j]);
      }
    }
    assertTrue(maxH > 0 && maxDiff / maxH <= 1e-12, "H: cluster vs local[2], max |difference| " + maxDiff
        + " of max |H| " + maxH);
    JsonNode localSummary = Scripts.readSummary(inLocalMode);
    double err = summary.get("reconstruction_err").asDouble();
    double localErr = localSummary.get("reconstruction_err").asDouble();
    assertEquals(localErr, err, 1e-12 * localErr, "reconstruction_err: cluster vs local[2]");
    assertEquals(30, summary.get("n_iter").asInt());
    assertEquals(localSummary.get("n_iter").asInt(), summary.get("n_iter").asInt());
    System.out.printf("LocalClusterIT: NMF k=8 on %s in %.1f s and local[2] in %.1f s (at once): "
        + "reconstruction_err %s vs %s, max |H difference| / max |H| = %.2e (%s)%n", masterUrl,
        clusterRun.seconds(), localRun.seconds(), err, localErr, maxDiff / maxH,
        sameBits ? "the same bits" : "not the same bits");
  }

  /** nmf-submit with the Spark home local-cluster made (Spark's launcher), MiniBatchNMF. */
  @Test
  @Order(3)
  void nmfSubmitRunsMiniBatchOnTheCluster() throws Exception {
    Set<String> appsBefore = completedApps();
    Path out = work.resolve("submitted");
    Scripts.Run run = Scripts.run(work, Map.of("SPARK_HOME", SPARK_HOME.toString()), JOB_TIMEOUT, "nmf-submit",
        "--master", masterUrl, "--executor-memory", "1g", "--", "--input", DIGITS, "--estimator", "minibatch",
        "--n-components", "8", "--random-state", "0", "--execution", "distributed", "--partitions", "2",
        "--max-iter", "5", "--output", out.toString()).assertExit(0);
    assertEquals(out, run.resultsDir());
    Scripts.assertOutputsPresent(out);
    JsonNode summary = Scripts.readSummary(out);
    assertEquals("minibatch", summary.get("estimator").asText());
    assertEquals(8, summary.get("n_components").asInt());
    assertEquals(1797, summary.get("n_samples").asLong());
    assertEquals(5, summary.get("n_iter").asInt(), summary.toString());
    assertEquals(masterUrl, summary.get("job").get("spark_master").asText());
    assertTrue(summary.get("job").get("executors").asInt() >= 1, summary.get("job").toString());
    // The driver got conf/log4j2.properties through --driver-java-options: its layout, not Spark's.
    assertTrue(run.stderr().lines().anyMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d INFO  NmfJob: .*")),
        run::toString);
    assertExecutorsRanTasks(newCompletedApp(appsBefore));
    System.out.printf("LocalClusterIT: nmf-submit MiniBatchNMF on %s in %.1f s: reconstruction_err %s%n",
        masterUrl, run.seconds(), summary.get("reconstruction_err").asText());
  }

  private static String[] nmfArgs(String master, Path out) {
    return new String[] {"--master", master, "--input", DIGITS, "--estimator", "nmf", "--n-components", "8",
        "--random-state", "0", "--execution", "distributed", "--partitions", "4", "--max-iter", "30", "--output",
        out.toString()};
  }

  /** The Worker's work folder for the application holds executor logs that show finished tasks. */
  private static void assertExecutorsRanTasks(String appId) throws IOException {
    Path appDir = CLUSTER_DIR.resolve("work").resolve(appId);
    assertTrue(Files.isDirectory(appDir), "the Worker's work folder " + appDir);
    int finished = 0;
    try (Stream<Path> executors = Files.list(appDir)) {
      for (Path executor : executors.toList()) {
        Path stderr = executor.resolve("stderr");
        assertTrue(Files.isRegularFile(stderr), stderr.toString());
        String log = Files.readString(stderr);
        assertTrue(log.contains("org.apache.spark.executor.CoarseGrainedExecutorBackend"), stderr.toString());
        finished += (int) log.lines().filter(l -> l.contains("Finished task")).count();
      }
    }
    assertTrue(finished > 0, "tasks finished in the executors of " + appId);
  }

  /** The application that finished since {@code before} (the Master lists it shortly after the driver ends). */
  private String newCompletedApp(Set<String> before) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      JsonNode json = masterStatus();
      for (JsonNode app : json.get("completedapps")) {
        if (!before.contains(app.get("id").asText())) {
          assertEquals("spark-nmf", app.get("name").asText(), app.toString());
          assertEquals("FINISHED", app.get("state").asText(), app.toString());
          return app.get("id").asText();
        }
      }
      assertTrue(System.nanoTime() < deadline, "no new completed application in " + json);
      Thread.sleep(200); // poll again

    }
  }

  private Set<String> completedApps() throws Exception {
    Set<String> ids = new HashSet<>();
    masterStatus().get("completedapps").forEach(a -> ids.add(a.get("id").asText()));
    return ids;
  }

  private JsonNode masterStatus() throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(masterJson)
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), masterJson + ": " + response.body());
    return new ObjectMapper().readTree(response.body());
  }
}
