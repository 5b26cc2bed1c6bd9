package org.sparknmf.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs the launchers in submit-scripts/ as a user would (a child process, its own environment and
 * working folder), and reads what the job writes. Each run's stdout and stderr are kept in
 * target/it-logs/ for when a test fails.
 */
final class Scripts {

  /** The project folder (failsafe passes it as sparknmf.home). */
  static final Path HOME = Path.of(System.getProperty("sparknmf.home", ".")).toAbsolutePath().normalize();

  private static final Path LOGS = HOME.resolve("target").resolve("it-logs");
  private static final AtomicInteger RUNS = new AtomicInteger();
  private static final Pattern RESULTS = Pattern.compile("^Results in (.+?): ", Pattern.MULTILINE);

  private Scripts() {}

  /** A finished run: exit code, output and wall time. */
  record Run(String name, int exitCode, String stdout, String stderr, double seconds) {

    /** The lines of stderr that start with {@code prefix}. */
    List<String> stderrLines(String prefix) {
      return stderr.lines().filter(l -> l.startsWith(prefix)).toList();
    }

    /** The output folder from the job's "Results in DIR: ..." line. */
    Path resultsDir() {
      Matcher m = RESULTS.matcher(stdout);
      assertTrue(m.find(), () -> "no 'Results in' line\n" + this);
      return Path.of(m.group(1));
    }

    Run assertExit(int expected) {
      assertEquals(expected, exitCode, () -> "exit code of " + name + "\n" + this);
      return this;
    }

    @Override
    public String toString() {
      return name + ": exit " + exitCode + " after " + String.format("%.1f", seconds) + " s\n--- stdout\n"
          + tail(stdout) + "\n--- stderr\n" + tail(stderr);
    }

    private static String tail(String s) {
      List<String> lines = s.lines().toList();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
  }

  /** A started script, to run several at once. */
  static final class Started {
    private final String name;
    private final Process process;
    private final Path out;
    private final Path err;
    private final long t0 = System.nanoTime();
    private final CompletableFuture<Long> exited;

    private Started(String name, Process process, Path out, Path err) {
      this.name = name;
      this.process = process;
      this.out = out;
      this.err = err;
      this.exited = process.onExit().thenApply(p -> System.nanoTime());
    }

    /** What the script has written to stderr so far (the job logs there). */
    String stderrSoFar() throws IOException {
      return Files.readString(err, StandardCharsets.UTF_8);
    }

    boolean isAlive() {
      return process.isAlive();
    }

    /** Waits for the end (killing the script and its children after {@code timeout}). */
    Run await(Duration timeout) throws IOException, InterruptedException {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        fail(name + " did not finish within " + timeout + "; output in " + out + " and " + err);
      }
      return new Run(name, process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8), (exited.join() - t0) / 1e9);
    }
  }

  /**
   * Starts {@code submit-scripts/<script> args} in {@code workDir}. The environment is this JVM's
   * without SPARK_*, LOCAL_CLUSTER_* and JAVA_OPTS (a developer's settings must not change the
   * outcome), plus {@code env}; the drivers get a 1 GB heap.
   */
  static Started start(Path workDir, Map<String, String> env, String script, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(HOME.resolve("submit-scripts").resolve(script).toString());
    command.addAll(Arrays.asList(args));
    clearLogsOnce();
    String name = String.format("%02d-%s", RUNS.incrementAndGet(), script);
    Path out = LOGS.resolve(name + ".out");
    Path err = LOGS.resolve(name + ".err");
    ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(
            Path.of("/dev/null").toFile()));
    Map<String, String> e = pb.environment();
    e.keySet().removeIf(k -> k.startsWith("SPARK_") || k.startsWith("LOCAL_CLUSTER_") || k.equals("JAVA_OPTS"));
    e.put("JAVA_OPTS", "-Xmx1g");
    e.putAll(env);
    return new Started(script + " " + String.join(" ", args), pb.start(), out, err);
  }

  /** Empties target/it-logs/ before the first run in this JVM. */
  private static synchronized void clearLogsOnce() throws IOException {
    if (RUNS.get() == 0 && Files.isDirectory(LOGS)) {
      try (Stream<Path> old = Files.list(LOGS)) {
        for (Path p : old.toList()) {
          Files.delete(p);
        }
      }
    }
    Files.createDirectories(LOGS);
  }

  static Run run(Path workDir, Map<String, String> env, Duration timeout, String script, String... args)
      throws IOException, InterruptedException {
    return start(workDir, env, script, args).await(timeout);
  }

  /** components.csv: one row of H per line, numbers as Java writes them. */
  static double[][] readComponents(Path dir) throws IOException {
    return Files.readAllLines(dir.resolve("components.csv")).stream()
        .map(l -> Arrays.stream(l.split(",")).mapToDouble(Double::parseDouble).toArray())
        .toArray(double[][]::new);
  }

  static JsonNode readSummary(Path dir) throws IOException {
    return new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
  }

  /** The output files every run writes are there and not empty. */
  static void assertOutputsPresent(Path dir) throws IOException {
    for (String f : List.of("components.csv", "summary.json", "convergence.png")) {
      assertTrue(Files.isRegularFile(dir.resolve(f)) && Files.size(dir.resolve(f)) > 0, dir + ": " + f);
    }
    for (String d : List.of("W", "model/metadata", "model/data")) {
      assertTrue(Files.isRegularFile(dir.resolve(d).resolve("_SUCCESS")), dir + ": " + d + "/_SUCCESS");
    }
  }

  /** {@code n} ports free on the loopback address now (for a cluster of the test's own). */
  static int[] freePorts(int n) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        sockets.add(s);
        ports[i] = s.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket s : sockets) {
        s.close();
      }
    }
  }

  /** A port free on the loopback address with the next {@code n - 1} ports free too (Workers' web UIs count up). */
  static int consecutiveFreePorts(int n) throws IOException {
    while (true) {
      int first = freePorts(1)[0];
      List<ServerSocket> sockets = new ArrayList<>();
      try {
        for (int i = 0; i < n; i++) {
          sockets.add(new ServerSocket(first + i, 1, InetAddress.getLoopbackAddress()));
        }
        return first;
      } catch (IOException taken) {
        // try another start
      } finally {
        for (ServerSocket s : sockets) {
          s.close();
        }
      }
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.delete(p);
      }
    }
  }
}
