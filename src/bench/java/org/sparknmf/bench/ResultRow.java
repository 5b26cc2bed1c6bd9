package org.sparknmf.bench;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One line of the benchmark's results.csv; the columns are shared with src/bench/python. */
final class ResultRow {

  static final List<String> COLUMNS = List.of("dataset", "rows", "cols", "nnz", "tool", "estimator",
      "solver", "beta_loss", "k", "init", "master", "cpus", "partitions", "batch_size", "max_iter", "tol",
      "startup_s", "load_s", "fit_s", "n_iter", "n_steps", "rel_error", "beta_divergence",
      "target_error", "time_to_target_s", "iters_to_target", "heap_peak_mb", "rss_peak_mb",
      "spark_jobs", "step_ms", "overhead_pct", "coherence", "note");

  private final Map<String, String> values = new LinkedHashMap<>();

  ResultRow set(String column, Object value) {
    if (!COLUMNS.contains(column)) {
      throw new IllegalArgumentException("no column " + column);
    }
    values.put(column, value == null ? "" : value instanceof Double d ? format(column, d) : value.toString());
    return this;
  }

  /** Measurements (seconds, MB, ms, %) to 6 digits; errors and parameters exactly, as Python's repr. */
  static String format(String column, double d) {
    if (Double.isNaN(d)) {
      return "";
    }
    boolean measured = column.endsWith("_s") || column.endsWith("_mb") || column.endsWith("_ms")
        || column.endsWith("_pct");
    return measured ? String.format(java.util.Locale.ROOT, "%.6g", d).trim() : Double.toString(d);
  }

  /** Appends the row, with the header first when the file is new. */
  void appendTo(Path csv) throws IOException {
    boolean fresh = !Files.exists(csv) || Files.size(csv) == 0;
    try (Writer w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND)) {
      if (fresh) {
        w.write(String.join(",", COLUMNS) + "\n");
      }
      w.write(String.join(",", COLUMNS.stream().map(c -> quote(values.getOrDefault(c, ""))).toList()) + "\n");
    }
  }

  private static String quote(String v) {
    return v.contains(",") || v.contains("\"") ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
