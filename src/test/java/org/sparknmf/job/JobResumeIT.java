package org.sparknmf.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job survives the loss of its driver: {@code submit-scripts/nmf-local} runs MiniBatchNMF with
 * a checkpoint every epoch in a separate JVM, which is killed with SIGKILL once two checkpoints are
 * complete; the same command with {@code --resume} then ends with components.csv, W and the
 * summary's figures bit for bit those of an uninterrupted run. Resuming against other data or
 * other options exits 2 with one line naming the difference. Needs {@code mvn package} first
 * (run by failsafe, which sets {@code sparknmf.home}).
 */
class JobResumeIT {

  private static final Pattern CHECKPOINT = Pattern.compile("checkpoint-(\\d{10})");
  private static final long DEADLINE_SECONDS = 300;

  @TempDir
  Path tmp;

  private static Path home() {
    String home = System.getProperty("sparknmf.home");
    assertNotNull(home, "sparknmf.home (set by failsafe)");
    return Path.of(home);
  }

  /** Rank-6 data plus noise, 20000 × 40, four decimals. */
  private static void writeData(Path file, double bump) throws IOException {
    Random r = new Random(1);
    int m = 20000;
    int n = 40;
    int rank = 6;
    double[][] b = new double[rank][n];
    for (double[] row : b) {
      for (int j = 0; j < n; j++) {
        row[j] = r.nextDouble();
      }
    }
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
      double[] a = new double[rank];
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < m; i++) {
        for (int t = 0; t < rank; t++) {
          a[t] = r.nextDouble();
        }
        line.setLength(0);
        for (int j = 0; j < n; j++) {
          double v = 0.1 * r.nextDouble();
          for (int t = 0; t < rank; t++) {
            v += a[t] * b[t][j];
          }
          if (i == 777 && j == 7) {
            v += bump;
          }
          line.append(j == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.4f", v));
        }
        w.println(line);
      }
    }
  }

  private List<String> command(Path input, Path checkpoints, Path output, String... more) {
    List<String> c = new ArrayList<>(List.of(home().resolve("submit-scripts/nmf-local").toString(),
        "--input", input.toString(), "--estimator", "minibatch", "--n-components", "6", "--init", "random",
        "--batch-size", "1000", "--max-iter", "6", "--tol", "0", "--max-no-improvement", "none",
        "--checkpoint-dir", checkpoints.toString(), "--checkpoint-interval", "1", "--execution", "distributed",
        "--partitions", "4", "--random-state", "0", "--w-format", "csv", "--output", output.toString()));
    c.addAll(List.of(more));
    return c;
  }

  private Process start(List<String> command, String name) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).directory(tmp.toFile())
        .redirectOutput(tmp.resolve(name + ".out").toFile())
        .redirectError(tmp.resolve(name + ".err").toFile());
    return pb.start();
  }

  /** Runs to the end; returns the exit code. */
  private int run(List<String> command, String name) throws Exception {
    Process p = start(command, name);
    if (!p.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(name + " did not finish in " + DEADLINE_SECONDS + " s; log: " + tmp.resolve(name + ".err"));
    }
    return p.exitValue();
  }

  private String log(String name) throws IOException {
    return Files.readString(tmp.resolve(name + ".err"));
  }

  /** The newest complete checkpoint in {@code dir} (its epochs), or 0. */
  private static int newestCheckpoint(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> CHECKPOINT.matcher(p.getFileName().toString())).filter(Matcher::matches)
          .mapToInt(m -> Integer.parseInt(m.group(1))).max().orElse(0);
    }
  }

  @Test
  void aKilledJobResumesToTheBitsOfAnUninterruptedRun() throws Exception {
    Path data = tmp.resolve("x.csv");
    writeData(data, 0.0);

    // The uninterrupted run.
    Path referenceOut = tmp.resolve("reference");
    assertEquals(0, run(command(data, tmp.resolve("reference-checkpoints"), referenceOut), "reference"),
        () -> "reference run failed: " + tmp.resolve("reference.err"));

    // The same command, killed with SIGKILL once two checkpoints are complete.
    Path checkpoints = tmp.resolve("checkpoints");
    Path out = tmp.resolve("out");
    Process job = start(command(data, checkpoints, out), "killed");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
    int killedAfter;
    while ((killedAfter = newestCheckpoint(checkpoints)) < 2) {
      assertTrue(job.isAlive(), () -> "the job ended before its second checkpoint: " + tmp.resolve("killed.err"));
      assertTrue(System.nanoTime() < deadline, "no second checkpoint in " + DEADLINE_SECONDS + " s");
      job.waitFor(100, TimeUnit.MILLISECONDS);
    }
    // nmf-local execs java, so by now the process is the driver JVM itself.
    String exe = job.toHandle().info().command().orElse("");
    job.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
    job.destroyForcibly(); // SIGKILL: no shutdown hook, no finally block runs
    assertTrue(job.waitFor(60, TimeUnit.SECONDS));
    assertEquals(137, job.exitValue(), "killed by SIGKILL (128 + 9)");
    assertTrue(exe.endsWith("java"), "the killed process is the JVM: " + exe);
    int atKill = newestCheckpoint(checkpoints);
    System.out.println("JobResumeIT: killed the driver after checkpoint " + killedAfter + " (newest complete at kill: "
        + atKill + ")");
    assertFalse(Files.exists(out), "no output folder was committed");
    assertTrue(atKill >= 2 && atKill < 6, "killed mid-fit: checkpoint " + atKill);

    // Kept aside to try resuming with other data or options.
    Path copy = tmp.resolve("checkpoints-copy");
    copyTree(checkpoints, copy);

    assertEquals(0, run(command(data, checkpoints, out, "--resume"), "resumed"),
        () -> "resumed run failed: " + tmp.resolve("resumed.err"));
    String resumedLog = log("resumed");
    assertTrue(resumedLog.contains("Resuming the fit saved in " + checkpoints + " after epoch " + atKill),
        resumedLog);
    assertFalse(resumedLog.contains("epoch 1/6"), "no epoch before the checkpoint ran again");

    assertArrayEquals(Files.readAllBytes(referenceOut.resolve("components.csv")),
        Files.readAllBytes(out.resolve("components.csv")), "components.csv, byte for byte");
    assertEquals(csvParts(referenceOut.resolve("W")), csvParts(out.resolve("W")), "W, byte for byte");
    JsonNode expected = summary(referenceOut);
    JsonNode actual = summary(out);
    for (String figure : List.of("reconstruction_err", "n_iter", "n_steps", "objective_history", "n_components",
        "n_samples", "n_features_in")) {
      assertEquals(expected.get(figure), actual.get(figure), figure);
    }
    assertEquals(Double.doubleToLongBits(expected.get("reconstruction_err").asDouble()),
        Double.doubleToLongBits(actual.get("reconstruction_err").asDouble()));
    assertEquals(120, actual.get("objective_history").size(), "every step's cost: 6 epochs × 20 steps");
    System.out.println("JobResumeIT: resumed after epoch " + atKill + ": reconstruction_err "
        + actual.get("reconstruction_err") + ", n_iter " + actual.get("n_iter") + ", n_steps " + actual.get("n_steps")
        + ", components.csv " + Files.size(out.resolve("components.csv")) + " bytes identical");
    assertEquals(0, newestCheckpoint(checkpoints), "the checkpoints are removed once the results are in");

    // Other options: refused, naming what differs.
    Path otherOut = tmp.resolve("other");
    List<String> otherK = command(data, copy, otherOut, "--resume");
    otherK.set(otherK.indexOf("--n-components") + 1, "7");
    assertEquals(2, run(otherK, "other-k"));
    String line = lastLine(log("other-k"));
    assertTrue(line.startsWith("spark-nmf: checkpointDir ") && line.contains("n_components: 7 here, 6 in the checkpoint"),
        line);
    assertFalse(Files.exists(otherOut));
    System.out.println("JobResumeIT: other options: " + line);

    // Other data (one value changed): refused, naming the data.
    Path otherData = tmp.resolve("y.csv");
    writeData(otherData, 0.5);
    assertEquals(2, run(command(otherData, copy, otherOut, "--resume"), "other-data"));
    line = lastLine(log("other-data"));
    assertTrue(line.contains("X sum: ") && line.contains("X content hash: "), line);
    System.out.println("JobResumeIT: other data: " + line);
    assertFalse(Files.exists(otherOut));
    assertEquals(atKill, newestCheckpoint(copy), "a refused resume leaves the checkpoint alone");
  }

  private static String lastLine(String log) {
    List<String> lines = log.strip().lines().toList();
    return lines.get(lines.size() - 1);
  }

  private static JsonNode summary(Path out) throws IOException {
    return new ObjectMapper().readTree(out.resolve("summary.json").toFile());
  }

  /** The CSV part files of a folder, concatenated in name (partition) order. */
  private static String csvParts(Path dir) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList()) {
        all.write(Files.readAllBytes(p));
      }
    }
    assertTrue(all.size() > 0, "W has rows");
    return all.toString(StandardCharsets.UTF_8);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.sorted(Comparator.naturalOrder()).toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }
}
