package org.sparknmf.scripts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fit survives the loss of an executor. {@code submit-scripts/local-cluster start --workers 2}
 * starts a Master and two Workers of one core each; the job runs MiniBatchNMF and full-batch NMF
 * (cd) with the distributed engine on them, once undisturbed and once with one executor JVM killed
 * (SIGKILL) in the middle of the fit, after the factors' lineage has been cut at least once. Both
 * disturbed runs finish, the Worker launches a replacement executor, and components.csv, W and the
 * summary's figures are the undisturbed run's, bit for bit: Spark recomputes the lost blocks from
 * the cut (a reliable checkpoint on the output's file system) and the engine merges the
 * partitions' statistics in partition order whichever executor computed them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExecutorLossIT {

  private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration JOB_TIMEOUT = Duration.ofMinutes(6);
  private static final Path CLUSTER_DIR = Scripts.HOME.resolve("target").resolve("it-executor-loss");
  private static final String DIGITS = Scripts.HOME.resolve("data-samples").resolve("digits.csv").toString();
  private static final Pattern PROGRESS = Pattern.compile("progress: (?:epoch|iteration) (\\d+)/");

  @TempDir
  static Path work;

  private Map<String, String> clusterEnv;
  private String masterUrl;

  @BeforeAll
  void startCluster() throws Exception {
    int[] ports = Scripts.freePorts(2);
    clusterEnv = Map.of("SPARK_MASTER_PORT", String.valueOf(ports[0]), "SPARK_MASTER_WEBUI_PORT",
        String.valueOf(ports[1]), "SPARK_WORKER_WEBUI_PORT", String.valueOf(Scripts.consecutiveFreePorts(2)),
        "SPARK_WORKER_CORES", "1", "SPARK_WORKER_MEMORY", "1g", "LOCAL_CLUSTER_DIR", CLUSTER_DIR.toString());
    masterUrl = "spark://127.0.0.1:" + ports[0];
    Scripts.run(work, clusterEnv, SCRIPT_TIMEOUT, "local-cluster", "stop").assertExit(0);
    Scripts.deleteTree(CLUSTER_DIR.resolve("work"));
    Scripts.run(work, clusterEnv, SCRIPT_TIMEOUT, "local-cluster", "start", "--workers", "2").assertExit(0);
  }

  @AfterAll
  void stopCluster() throws Exception {
    if (clusterEnv != null) {
      Scripts.run(work, clusterEnv, SCRIPT_TIMEOUT, "local-cluster", "stop").assertExit(0);
    }
  }

  /** 12 epochs of 15 steps; the lineage is cut every 2 epochs; an executor dies after epoch 4. */
  @Test
  void miniBatchFinishesWithTheSameBitsAfterLosingAnExecutor() throws Exception {
    assertSameFitDespiteLoss("minibatch", 4, "--estimator", "minibatch", "--batch-size", "128",
        "--max-iter", "12", "--tol", "0", "--max-no-improvement", "none");
  }

  /**
   * On 2 partitions, as many as the cluster's task slots, MiniBatchNMF runs its steps in barrier
   * stages (of 2 epochs, then of a multiple of 2 that amortises a stage's start and end); the stage
   * that loses its executor is rerun and its steps replayed.
   */
  @Test
  void miniBatchInBarrierStagesFinishesWithTheSameBitsAfterLosingAnExecutor() throws Exception {
    assertSameFitDespiteLoss("minibatch-barrier", 4, "--estimator", "minibatch", "--batch-size", "128",
        "--max-iter", "100", "--tol", "0", "--max-no-improvement", "none", "--partitions", "2");
  }

  /** 40 cd iterations; the lineage is cut every 2 iterations; an executor dies after iteration 6. */
  @Test
  void fullBatchFinishesWithTheSameBitsAfterLosingAnExecutor() throws Exception {
    assertSameFitDespiteLoss("nmf", 6, "--estimator", "nmf", "--solver", "cd", "--max-iter", "40", "--tol", "0");
  }

  private void assertSameFitDespiteLoss(String name, int killAfter, String... fitArgs) throws Exception {
    Path undisturbed = work.resolve(name + "-undisturbed");
    Path disturbed = work.resolve(name + "-executor-lost");
    Scripts.Run reference = Scripts.run(work, Map.of(), JOB_TIMEOUT, "nmf-local", args(undisturbed, fitArgs))
        .assertExit(0);

    Scripts.Started job = Scripts.start(work, Map.of(), "nmf-local", args(disturbed, fitArgs));
    String appDir = null;
    long killed = -1;
    int progressAtKill = -1;
    long deadline = System.nanoTime() + JOB_TIMEOUT.toNanos();
    while (killed < 0 && job.isAlive() && System.nanoTime() < deadline) {
      int progress = lastProgress(job.stderrSoFar());
      Optional<ProcessHandle> executor = progress > killAfter ? executorOf(CLUSTER_DIR) : Optional.empty();
      if (executor.isPresent()) {
        ProcessHandle victim = executor.get();
        appDir = Files.readSymbolicLink(Path.of("/proc", String.valueOf(victim.pid()), "cwd")).getParent().toString();
        assertTrue(victim.destroyForcibly(), "SIGKILL sent to executor " + victim.pid());
        victim.onExit().get();
        killed = victim.pid();
        progressAtKill = progress;
      } else {
        Thread.sleep(20); // poll the job's log
      }
    }
    assertTrue(killed > 0, "an executor was killed during the fit; job log:\n" + job.stderrSoFar());
    Scripts.Run run = job.await(JOB_TIMEOUT).assertExit(0);

    String log = run.stderr();
    assertTrue(log.contains("Lost executor"), "the driver saw the executor go:\n" + run);
    int maxIter = Integer.parseInt(fitArgs[List.of(fitArgs).indexOf("--max-iter") + 1]);
    assertTrue(progressAtKill < maxIter, "killed mid-fit, at " + progressAtKill + " of " + maxIter);
    // The Worker whose executor died launched another one for the application: three in all.
    try (Stream<Path> executors = Files.list(Path.of(appDir))) {
      assertEquals(3, executors.count(), "executor folders in " + appDir);
    }

    Scripts.assertOutputsPresent(disturbed);
    assertArrayEquals(bits(Scripts.readComponents(undisturbed)), bits(Scripts.readComponents(disturbed)),
        "components.csv: bit-identical H");
    assertEquals(sortedLines(undisturbed.resolve("W")), sortedLines(disturbed.resolve("W")), "W: the same rows");
    JsonNode a = Scripts.readSummary(undisturbed);
    JsonNode b = Scripts.readSummary(disturbed);
    for (String field : List.of("reconstruction_err", "n_iter", "n_steps")) {
      assertEquals(a.get(field).asText(), b.get(field).asText(), "summary." + field);
    }
    try (Stream<Path> left = Files.list(disturbed)) {
      assertFalse(left.anyMatch(p -> p.getFileName().toString().startsWith("_scratch")),
          "no lineage checkpoints in the output");
    }
    try (Stream<Path> siblings = Files.list(work)) {
      assertEquals(List.of(), siblings.filter(p -> p.getFileName().toString().startsWith(".")).toList(),
          "no temporary folders left");
    }
    System.out.printf("ExecutorLossIT: %s on %s: executor pid %d killed after %s %d; finished in %.1f s "
        + "(undisturbed %.1f s) with the undisturbed run's bits: reconstruction_err %s, n_iter %s%s%n", name,
        masterUrl, killed, name.equals("nmf") ? "iteration" : "epoch", progressAtKill, run.seconds(),
        reference.seconds(), b.get("reconstruction_err").asText(), b.get("n_iter").asText(),
        // Whether the kill fell inside a barrier stage (most of such a fit's time) or between two.
        log.contains("replaying them on the stage's next attempt") ? "; a barrier stage was replayed" : "");
  }

  private String[] args(Path out, String... fitArgs) {
    List<String> a = new ArrayList<>(List.of("--master", masterUrl, "--input", DIGITS, "--n-components", "16",
        "--random-state", "0", "--execution", "distributed", "--checkpoint-interval", "2",
        "--w-format", "csv", "--output", out.toString()));
    a.addAll(List.of(fitArgs));
    if (!a.contains("--partitions")) {
      a.addAll(List.of("--partitions", "4"));
    }
    return a.toArray(String[]::new);
  }

  private static int lastProgress(String log) {
    Matcher m = PROGRESS.matcher(log);
    int last = -1;
    while (m.find()) {
      last = Integer.parseInt(m.group(1));
    }
    return last;
  }

  /** A live executor JVM launched by this cluster's Workers (its working folder is under work/). */
  private static Optional<ProcessHandle> executorOf(Path clusterDir) {
    Path workDir = clusterDir.resolve("work");
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
        .filter(p -> {
          try {
            return Files.readSymbolicLink(Path.of("/proc", String.valueOf(p.pid()), "cwd")).startsWith(workDir);
          } catch (IOException | UnsupportedOperationException gone) {
            return false;
          }
        })
        .findFirst();
  }

  private static long[][] bits(double[][] h) {
    long[][] b = new long[h.length][];
    for (int i = 0; i < h.length; i++) {
      b[i] = java.util.Arrays.stream(h[i]).mapToLong(Double::doubleToLongBits).toArray();
    }
    return b;
  }

  private static List<String> sortedLines(Path dir) throws IOException {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> parts = Files.list(dir)) {
      for (Path p : parts.filter(f -> f.getFileName().toString().startsWith("part-")).toList()) {
        lines.addAll(Files.readAllLines(p));
      }
    }
    if (lines.isEmpty()) {
      fail("no W rows in " + dir);
    }
    return lines.stream().sorted().toList();
  }
}
