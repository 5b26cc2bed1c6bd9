package org.sparknmf.jmh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import org.openjdk.jmh.Main;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.sparknmf.linalg.Blas;

/**
 * Runs the kernel benchmarks with JMH's own command-line options (the same as
 * {@code org.openjdk.jmh.Main}: include patterns, {@code -f -wi -i -w -r}, {@code -p}, {@code -rf}
 * ...), then prints a markdown table: each benchmark's time per operation and the GFLOP/s and GB/s
 * its {@link Work} counters give, against this machine's peaks measured by {@link PeakBench} in the
 * same run ({@link PeakBench} is added when the include patterns leave it out).
 *
 * <p>System properties: {@code bench.report=FILE} also writes the table to FILE;
 * {@code bench.peak=false} does not add {@link PeakBench}; {@code bench.peakGflops} and
 * {@code bench.peakGBs} give the peaks instead of measuring them.
 */
public final class BenchReport {

  private static final String PACKAGE = BenchReport.class.getPackageName() + ".";
  private static final String PEAK = PeakBench.class.getSimpleName();

  private BenchReport() {}

  public static void main(String[] args) throws IOException, RunnerException {
    CommandLineOptions cmd;
    try {
      cmd = new CommandLineOptions(args);
    } catch (CommandLineOptionException e) {
      System.err.println("Error parsing command line: " + e.getMessage());
      System.exit(1);
      return;
    }
    if (cmd.shouldHelp() || cmd.shouldList() || cmd.shouldListWithParams()
        || cmd.shouldListProfilers() || cmd.shouldListResultFormats()) {
      Main.main(args);
      return;
    }
    Double givenFlops = doubleProperty("bench.peakGflops");
    Double givenBandwidth = doubleProperty("bench.peakGBs");
    boolean addPeak = Boolean.parseBoolean(System.getProperty("bench.peak", "true"))
        && (givenFlops == null || givenBandwidth == null)
        && !cmd.getIncludes().isEmpty()
        && cmd.getIncludes().stream().noneMatch(p -> p.contains(PEAK));
    Options options = addPeak
        ? new OptionsBuilder().parent(cmd).include(PACKAGE + PEAK + "\\.").build()
        : cmd;
    Collection<RunResult> results = new Runner(options).run();

    List<RunResult> sorted = new ArrayList<>(results);
    sorted.sort(RunResult.DEFAULT_SORT_COMPARATOR);
    double peakFlops = givenFlops != null ? givenFlops * 1e9 : 0.0;
    double peakBandwidth = givenBandwidth != null ? givenBandwidth * 1e9 : 0.0;
    StringBuilder peaks = new StringBuilder();
    for (RunResult r : sorted) {
      String name = shortName(r.getParams());
      if (!name.startsWith(PEAK + ".")) {
        continue;
      }
      double flops = rate(r, "flops");
      double bandwidth = rate(r, "bytes");
      if (givenFlops == null && name.endsWith(".dgemm")) {
        peakFlops = Math.max(peakFlops, flops);
      }
      if (givenBandwidth == null && !name.endsWith(".dgemm")) {
        peakBandwidth = Math.max(peakBandwidth, bandwidth);
      }
      peaks.append(String.format(Locale.ROOT, "- %s: %s%n", name,
          name.endsWith(".dgemm") ? fmt(flops / 1e9) + " GFLOP/s" : fmt(bandwidth / 1e9) + " GB/s"));
    }

    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "Java %s, %d cores, BLAS %s%s%n",
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
        Blas.implementation(), openBlasSettings()));
    out.append(String.format(Locale.ROOT, "Peak: %s GFLOP/s (dgemm), %s GB/s (memory)%s%n",
        peakFlops > 0 ? fmt(peakFlops / 1e9) : "?", peakBandwidth > 0 ? fmt(peakBandwidth / 1e9) : "?",
        givenFlops != null || givenBandwidth != null ? " (given)" : ""));
    out.append(peaks).append('\n');
    out.append("| Benchmark | Params | Time/op | GFLOP/s | % peak | GB/s | % peak |\n");
    out.append("|---|---|---:|---:|---:|---:|---:|\n");
    for (RunResult r : sorted) {
      double seconds = secondsPerOp(r.getPrimaryResult());
      double flops = rate(r, "flops");
      double bandwidth = rate(r, "bytes");
      out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n",
          shortName(r.getParams()), params(r.getParams()), time(seconds),
          flops > 0 ? fmt(flops / 1e9) : "", percent(flops, peakFlops),
          bandwidth > 0 ? fmt(bandwidth / 1e9) : "", percent(bandwidth, peakBandwidth)));
    }
    System.out.println();
    System.out.print(out);
    String file = System.getProperty("bench.report");
    if (file != null && !file.isEmpty()) {
      Files.writeString(Path.of(file), out.toString(), StandardCharsets.UTF_8);
    }
  }

  /** The OpenBLAS environment variables that change its speed, when set. */
  private static String openBlasSettings() {
    StringJoiner j = new StringJoiner(", ", ", ", "").setEmptyValue("");
    for (String name : new String[] {"OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS"}) {
      String v = System.getenv(name);
      if (v != null) {
        j.add(name + "=" + v);
      }
    }
    return j.toString();
  }

  private static Double doubleProperty(String name) {
    String v = System.getProperty(name);
    return v == null || v.isEmpty() ? null : Double.valueOf(v);
  }

  private static String shortName(BenchmarkParams p) {
    String b = p.getBenchmark();
    return b.startsWith(PACKAGE) ? b.substring(PACKAGE.length()) : b;
  }

  private static String params(BenchmarkParams p) {
    StringJoiner j = new StringJoiner(", ");
    for (String key : p.getParamsKeys()) {
      j.add(key + "=" + p.getParam(key));
    }
    if (p.getThreads() > 1) {
      j.add("threads=" + p.getThreads());
    }
    return j.toString();
  }

  /** A counter as a rate per second (0 when the benchmark has no such counter or counted none). */
  private static double rate(RunResult r, String counter) {
    Result<?> c = r.getSecondaryResults().get(counter);
    if (c == null || c.getScore() == 0.0 || Double.isNaN(c.getScore())) {
      return 0.0;
    }
    String unit = c.getScoreUnit();
    if (unit.startsWith("ops/")) {
      return c.getScore() / seconds(unit.substring(4));
    }
    if (unit.endsWith("/op")) {
      return 1.0 / (c.getScore() * seconds(unit.substring(0, unit.length() - 3)));
    }
    return 0.0;
  }

  private static double secondsPerOp(Result<?> primary) {
    String unit = primary.getScoreUnit();
    if (unit.startsWith("ops/")) {
      return seconds(unit.substring(4)) / primary.getScore();
    }
    if (unit.endsWith("/op")) {
      return primary.getScore() * seconds(unit.substring(0, unit.length() - 3));
    }
    return Double.NaN;
  }

  private static double seconds(String unit) {
    switch (unit) {
      case "ns":
        return 1e-9;
      case "us":
        return 1e-6;
      case "ms":
        return 1e-3;
      case "s":
        return 1.0;
      case "min":
        return 60.0;
      default:
        throw new IllegalArgumentException("unknown time unit " + unit);
    }
  }

  private static String time(double s) {
    if (Double.isNaN(s)) {
      return "?";
    } else if (s >= 1.0) {
      return fmt(s) + " s";
    } else if (s >= 1e-3) {
      return fmt(s * 1e3) + " ms";
    } else if (s >= 1e-6) {
      return fmt(s * 1e6) + " µs";
    }
    return fmt(s * 1e9) + " ns";
  }

  /** Three significant digits. */
  private static String fmt(double v) {
    if (v >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    } else if (v >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    } else if (v >= 1) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    return String.format(Locale.ROOT, "%.3g", v);
  }

  private static String percent(double value, double peak) {
    return value > 0 && peak > 0 ? String.format(Locale.ROOT, "%.0f%%", 100.0 * value / peak) : "";
  }
}
