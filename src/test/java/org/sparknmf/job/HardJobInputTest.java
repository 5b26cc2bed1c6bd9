package org.sparknmf.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparknmf.testing.LocalSpark;

/**
 * Valid but awkward input through the whole job: zero rows and columns, one row or one column,
 * extreme k, batches larger than the data, values from 1e-150 to 1e150 (also in one matrix),
 * duplicate rows, a 99.99 % sparse libsvm file. Each fit exits 0 with components.csv and W/ of the
 * right shapes, every number finite and non-negative, and a finite reconstruction error and
 * objective history — with both estimators, on the driver and on the executors.
 */
class HardJobInputTest {

  @TempDir
  static Path dir;

  /** An input file, its shape, the options it needs, the fits to run and what else its W must show. */
  record Input(String name, String file, int m, int n, int k, List<String> args, List<Fit> fits,
      Consumer<double[][]> checkW) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** Estimator, solver and loss. */
  record Fit(String name, List<String> args, boolean miniBatch) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final Fit CD = new Fit("nmf cd frobenius", List.of("--estimator", "nmf", "--solver", "cd"), false);
  private static final Fit MU_KL = new Fit("nmf mu kullback-leibler", List.of("--estimator", "nmf",
      "--solver", "mu", "--beta-loss", "kullback-leibler"), false);
  private static final Fit MB = new Fit("minibatch frobenius", List.of("--estimator", "minibatch",
      "--batch-size", "5"), true);
  private static final Fit MB_KL = new Fit("minibatch kullback-leibler", List.of("--estimator", "minibatch",
      "--batch-size", "5", "--beta-loss", "kullback-leibler"), true);
  private static final List<Fit> ALL = List.of(CD, MU_KL, MB, MB_KL);

  // Each input runs through both estimators (a job takes seconds, so not every combination).
  private static final List<Fit> CD_AND_MB_KL = List.of(CD, MB_KL);
  private static final List<Fit> MU_KL_AND_MB = List.of(MU_KL, MB);

  private static final List<Input> INPUTS = new ArrayList<>();

  @BeforeAll
  static void writeInputs() throws IOException {
    LocalSpark.session();
    Random r = new Random(11);

    // Rows 3 and 7 all zero: their rows of W must be all zero too.
    double[][] zeroRows = randomMatrix(r, 12, 8);
    Arrays.fill(zeroRows[3], 0);
    Arrays.fill(zeroRows[7], 0);
    add("all-zero rows", csv("zero-rows.csv", zeroRows), 12, 8, 3, List.of(), CD_AND_MB_KL, w -> {
      assertZeroRow(w, 3);
      assertZeroRow(w, 7);
    });

    double[][] zeroCols = randomMatrix(r, 12, 8);
    for (double[] row : zeroCols) {
      row[0] = 0;
      row[5] = 0;
    }
    add("all-zero columns", csv("zero-cols.csv", zeroCols), 12, 8, 3, List.of(), MU_KL_AND_MB, w -> {});

    add("a single row", csv("one-row.csv", randomMatrix(r, 1, 6)), 1, 6, 1, List.of(), CD_AND_MB_KL, w -> {});
    add("a single column", csv("one-col.csv", randomMatrix(r, 9, 1)), 9, 1, 1, List.of(), MU_KL_AND_MB, w -> {});

    String plain = csv("plain.csv", randomMatrix(r, 12, 8));
    add("k = 1", plain, 12, 8, 1, List.of(), CD_AND_MB_KL, w -> {});
    add("k = n_features", plain, 12, 8, 8, List.of(), MU_KL_AND_MB, w -> {});
    add("k > min(m, n) with random init", plain, 12, 8, 10, List.of("--init", "random"), CD_AND_MB_KL, w -> {});
    add("batch larger than the data", plain, 12, 8, 3, List.of("--batch-size", "1000"), List.of(MB, MB_KL),
        w -> {});

    // Every decade from 1e-150 to 1e150 in one matrix, plus zeros.
    double[][] wide = new double[10][7];
    for (int i = 0; i < 10; i++) {
      for (int j = 0; j < 7; j++) {
        int decade = ((i * 7 + j) * 37) % 301 - 150;
        wide[i][j] = (i + j) % 5 == 0 ? 0 : (1 + r.nextDouble()) * Math.pow(10, decade);
      }
    }
    wide[0][1] = 1e150;
    wide[1][2] = 1e-150;
    add("values from 1e-150 to 1e150", csv("wide.csv", wide), 10, 7, 3, List.of(), ALL, w -> {});

    double[][] huge = randomMatrix(r, 12, 8);
    huge[4][2] = 1e150;
    add("one huge value", csv("huge.csv", huge), 12, 8, 3, List.of(), ALL, w -> {});

    // nndsvda fills the factors' zeros with X.mean(): products of three entries near 1e150 overflow.
    double[][] big = randomMatrix(r, 12, 8);
    for (double[] row : big) {
      for (int j = 0; j < row.length; j++) {
        row[j] *= 1e150;
      }
    }
    add("every value near 1e150", csv("big.csv", big), 12, 8, 3, List.of(), ALL, w -> {});

    // Rows 0, 4 and 8 identical, and rows 1 and 9: identical rows of X get identical rows of W.
    double[][] dup = randomMatrix(r, 12, 8);
    dup[4] = dup[0].clone();
    dup[8] = dup[0].clone();
    dup[9] = dup[1].clone();
    add("duplicate rows", csv("dup.csv", dup), 12, 8, 3, List.of(), MU_KL_AND_MB, w -> {
      assertSameRow(w, 0, 4);
      assertSameRow(w, 0, 8);
      assertSameRow(w, 1, 9);
    });

    double[][] ones = new double[10][6];
    for (double[] row : ones) {
      Arrays.fill(row, 1.0);
    }
    add("a constant matrix (rank 1, k = 3)", csv("ones.csv", ones), 10, 6, 3, List.of(), CD_AND_MB_KL, w -> {});

    // 2000 × 500 with 100 non-zeros (99.99 % zeros): most rows and columns are empty.
    StringBuilder svm = new StringBuilder();
    int[] rowsWithEntry = r.ints(0, 2000).distinct().limit(100).sorted().toArray();
    int next = 0;
    List<Integer> empty = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      svm.append('0');
      if (next < rowsWithEntry.length && rowsWithEntry[next] == i) {
        svm.append(' ').append(1 + r.nextInt(500)).append(':').append(1 + r.nextInt(9));
        next++;
      } else if (empty.size() < 50) {
        empty.add(i);
      }
      svm.append('\n');
    }
    Path sparse = dir.resolve("sparse.libsvm");
    Files.writeString(sparse, svm);
    add("99.99 % sparse libsvm", sparse.toString(), 2000, 500, 4,
        List.of("--n-features", "500", "--batch-size", "256", "--partitions", "3"), List.of(CD, MU_KL, MB_KL),
        w -> empty.forEach(i -> assertZeroRow(w, i)));
  }

  /** Every input with its fits, alternately on the driver and on the executors (consecutive inputs swap). */
  static Stream<Arguments> cases() {
    List<Arguments> list = new ArrayList<>();
    for (int i = 0; i < INPUTS.size(); i++) {
      Input in = INPUTS.get(i);
      for (int f = 0; f < in.fits().size(); f++) {
        list.add(Arguments.of(in, in.fits().get(f), (i + f) % 2 == 0 ? "driver" : "distributed"));
      }
    }
    return list.stream();
  }

  @ParameterizedTest(name = "{0}, {1}, {2}")
  @MethodSource("cases")
  void fitsWithFiniteNonNegativeFactors(Input in, Fit fit, String execution) {
    Path out = dir.resolve("out-" + Integer.toHexString((in.name() + fit.name() + execution).hashCode()));
    Map<String, String> options = new LinkedHashMap<>();
    options.put("--input", in.file());
    options.put("--output", out.toString());
    options.put("--n-components", Integer.toString(in.k()));
    options.put("--max-iter", "10");
    options.put("--random-state", "0");
    options.put("--execution", execution);
    putAll(options, fit.args());
    putAll(options, in.args()); // the input's batch size wins over the fit's
    if (!fit.miniBatch()) {
      options.remove("--batch-size");
    }
    List<String> args = new ArrayList<>();
    options.forEach((k, v) -> args.addAll(List.of(k, v)));

    JobRuns.Result r = JobRuns.run(args.toArray(new String[0]));
    assertEquals(NmfJob.OK, r.code(), () -> String.join(" ", args) + "\n" + r);

    double[][] h = JobRuns.components(out.toString());
    assertEquals(in.k(), h.length, "components.csv has k lines");
    for (double[] row : h) {
      assertEquals(in.n(), row.length, "components.csv has n_features numbers a line");
    }
    assertFiniteNonNegative(h, "H");

    double[][] w = readW(out.resolve("W").toString(), in.m(), in.k());
    assertFiniteNonNegative(w, "W");
    in.checkW().accept(w);

    JsonNode s = JobRuns.summary(out.toString());
    double err = s.get("reconstruction_err").asDouble();
    assertTrue(s.get("reconstruction_err").isNumber() && Double.isFinite(err) && err >= 0,
        "reconstruction_err " + s.get("reconstruction_err"));
    assertEquals(in.k(), s.get("n_components").asInt());
    assertEquals(in.n(), s.get("n_features_in").asInt());
    assertEquals(in.m(), s.get("n_samples").asInt());
    for (JsonNode v : s.get("objective_history")) {
      assertTrue(v.isNumber() && Double.isFinite(v.asDouble()), "objective_history " + s.get("objective_history"));
    }
  }

  /** W/ (parquet: row_id, nmf0..) as an m × k array in row-id order. */
  private static double[][] readW(String path, int m, int k) {
    List<Row> rows = LocalSpark.session().read().parquet(path).orderBy("row_id").collectAsList();
    assertEquals(m, rows.size(), "W has a row per input row");
    double[][] w = new double[m][k];
    for (int i = 0; i < m; i++) {
      Row row = rows.get(i);
      assertEquals(k + 1, row.size(), "row_id and k components");
      assertEquals(i, row.getLong(0));
      for (int t = 0; t < k; t++) {
        w[i][t] = row.getDouble(t + 1);
      }
    }
    return w;
  }

  private static void putAll(Map<String, String> options, List<String> args) {
    for (int a = 0; a < args.size(); a += 2) {
      options.put(args.get(a), args.get(a + 1));
    }
  }

  private static void assertFiniteNonNegative(double[][] a, String what) {
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[i].length; j++) {
        if (!Double.isFinite(a[i][j]) || a[i][j] < 0) {
          fail(what + "[" + i + "][" + j + "] = " + a[i][j]);
        }
      }
    }
  }

  private static void add(String name, String file, int m, int n, int k, List<String> args, List<Fit> fits,
      Consumer<double[][]> checkW) {
    INPUTS.add(new Input(name, file, m, n, k, args, fits, checkW));
  }

  /** Uniform in [0.1, 5), a fifth of the entries zero. */
  private static double[][] randomMatrix(Random r, int m, int n) {
    double[][] x = new double[m][n];
    for (double[] row : x) {
      for (int j = 0; j < n; j++) {
        row[j] = r.nextDouble() < 0.2 ? 0 : 0.1 + 4.9 * r.nextDouble();
      }
    }
    return x;
  }

  private static String csv(String name, double[][] x) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, Stream.of(x).map(row -> Arrays.stream(row).mapToObj(Double::toString)
        .collect(Collectors.joining(","))).toList());
    return p.toString();
  }

  private static void assertZeroRow(double[][] w, int i) {
    for (int t = 0; t < w[i].length; t++) {
      assertEquals(0.0, w[i][t], "an all-zero row of X gets an all-zero row of W: W[" + i + "][" + t + "]");
    }
  }

  private static void assertSameRow(double[][] w, int a, int b) {
    for (int t = 0; t < w[a].length; t++) {
      assertEquals(w[a][t], w[b][t], 1e-12 * (1 + Math.abs(w[a][t])), "W rows " + a + " and " + b);
    }
  }
}
