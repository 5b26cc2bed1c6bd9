package org.sparknmf.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparknmf.job.JobOptionsTest.Run;
import org.sparknmf.testing.LocalSpark;

/**
 * Bad input fed to the job: each case exits with 2, prints one line naming the option or the file,
 * line and column and the value, and leaves no output folder (nor a hidden temporary one).
 */
class BadJobInputTest {

  @TempDir
  static Path dir;

  private static final String GOOD = "1,2,3\n4,5,6\n7,8,9\n";

  /** A case: files to write (name → content, ".parquet" names built by Spark), args, expected text. */
  record Case(String name, List<String[]> files, List<String> args, String expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  @BeforeAll
  static void parquetFiles() {
    var spark = LocalSpark.session();
    spark.createDataFrame(List.of(RowFactory.create(new DenseVector(new double[] {1, 2}))),
        new StructType().add("vec", SQLDataTypes.VectorType())).coalesce(1).write().parquet(dir.resolve("novec.parquet").toString());
    spark.createDataFrame(List.of(RowFactory.create("a")), new StructType().add("features", DataTypes.StringType))
        .coalesce(1).write().parquet(dir.resolve("strings.parquet").toString());
    List<Row> ragged = List.of(RowFactory.create(new DenseVector(new double[] {1, 2})),
        RowFactory.create(new DenseVector(new double[] {1, 2, 3})));
    spark.createDataFrame(ragged, new StructType().add("features", SQLDataTypes.VectorType()))
        .coalesce(1).write().parquet(dir.resolve("ragged.parquet").toString());
  }

  static Stream<Case> cases() {
    List<Case> c = new ArrayList<>();
    c.add(csv("negative cell", "1,2\n3,-4\n", "x.csv line 2, column 2: negative value -4"));
    c.add(csv("NaN cell", "1,NaN\n3,4\n", "x.csv line 1, column 2: 'NaN' is not a finite number"));
    c.add(csv("inf cell", "1,2\ninf,4\n", "x.csv line 2, column 1: 'inf' is not a finite number"));
    c.add(csv("non-numeric cell", "1,2\n3,four\n", "x.csv line 2, column 2: 'four' is not a number"));
    c.add(csv("ragged rows", "1,2\n3\n", "x.csv line 2 has 1 values, but the first row"));
    c.add(csv("header without --header", "a,b\n1,2\n", "x.csv line 1, column 1: 'a' is not a number (a header line? pass --header)"));
    c.add(csv("empty file", "", "x.csv: the file is empty"));
    c.add(csv("blank lines only", "\n \n", "no rows in"));
    c.add(new Case("empty folder", List.<String[]>of(new String[] {"empty/_SUCCESS", ""}),
        List.of("--input", "@empty", "--format", "csv"), "the folder has no data files"));
    c.add(new Case("truncated gzip", List.<String[]>of(new String[] {"x.csv.gz", "GZIP"}),
        List.of("--input", "@x.csv.gz"), "x.csv.gz: cannot read it"));
    c.add(libsvm("libsvm index 0", "0 0:1 2:1\n", "x.libsvm line 1, entry 1: index 0 (libsvm indices start at 1)"));
    c.add(libsvm("libsvm negative index", "0 -1:1\n", "x.libsvm line 1, entry 1: index -1"));
    c.add(libsvm("libsvm unsorted", "0 1:1\n0 3:1 2:1\n", "x.libsvm line 2, entry 2: index 2 after 3"));
    c.add(libsvm("libsvm duplicate", "0 2:1 2:1\n", "x.libsvm line 1, entry 2: index 2 repeated"));
    c.add(new Case("libsvm beyond --n-features", List.<String[]>of(new String[] {"x.libsvm", "0 1:1\n0 4:1\n"}),
        List.of("--input", "@x.libsvm", "--n-features", "3"), "x.libsvm line 2: index 4 is beyond the 3 features"));
    c.add(new Case("parquet without the features column", List.of(), List.of("--input", "@novec.parquet"),
        "--features-col features: no such column in"));
    c.add(new Case("parquet column not a vector", List.of(), List.of("--input", "@strings.parquet"),
        "--features-col features: the column is string, not a vector or an array of numbers"));
    c.add(new Case("parquet vectors of different sizes", List.of(), List.of("--input", "@ragged.parquet"),
        "record 1: 3 values, but the first record has 2"));
    c.add(csv("all-zero X", "0,0\n0,0\n", "X is all zeros"));
    c.add(new Case("zeros with itakura-saito", files("x.csv", "1,0\n2,3\n"), List.of("--input", "@x.csv",
        "--beta-loss", "itakura-saito", "--estimator", "nmf", "--solver", "mu"), "X contains zeros"));
    c.add(good("k = 0", "--n-components 0", "--n-components 0: must be >= 1"));
    c.add(good("k negative", "--n-components -2", "--n-components -2: must be >= 1"));
    c.add(good("k > min(m, n) with nndsvd", "--n-components 5 --init nndsvd", "init='nndsvd' needs n_components <= min(n_samples, n_features)"));
    c.add(good("custom without W", "--init custom --init-h @h.csv", "--init custom needs --init-w and --init-h"));
    c.add(new Case("custom H of the wrong shape", files("h.csv", "1,1\n"), List.of("--input", "@x.csv",
        "--init", "custom", "--init-w", "@w.csv", "--init-h", "@h.csv"), "--init-h"));
    c.add(new Case("custom W negative", List.of(new String[] {"w.csv", "1\n-1\n1\n"}, new String[] {"h.csv", "1,1,1\n"}),
        List.of("--input", "@x.csv", "--init", "custom", "--init-w", "@w.csv", "--init-h", "@h.csv"),
        "w.csv line 2, column 1: negative value -1"));
    c.add(new Case("custom H NaN", List.of(new String[] {"w.csv", "1\n1\n1\n"}, new String[] {"h.csv", "1,nan,1\n"}),
        List.of("--input", "@x.csv", "--init", "custom", "--init-w", "@w.csv", "--init-h", "@h.csv"),
        "h.csv line 1, column 2: 'nan' is not a finite number"));
    c.add(good("unknown solver", "--estimator nmf --solver als", "--solver als: invalid"));
    c.add(good("unknown init", "--init svd", "--init svd: invalid"));
    c.add(good("unknown beta-loss", "--beta-loss hinge", "--beta-loss hinge: invalid"));
    c.add(good("unknown format", "--format xlsx", "--format xlsx: unknown format"));
    c.add(good("unknown estimator", "--estimator pca", "--estimator pca: must be nmf or minibatch"));
    c.add(good("cd with kullback-leibler", "--estimator nmf --solver cd --beta-loss kullback-leibler", "needs solver='mu'"));
    c.add(good("tol negative", "--tol -1", "--tol -1.0: invalid"));
    c.add(good("max-iter 0", "--max-iter 0", "--max-iter 0: invalid"));
    c.add(good("l1-ratio above 1", "--l1-ratio 1.5", "--l1-ratio 1.5: invalid"));
    c.add(good("alpha-w negative", "--alpha-w -0.5", "--alpha-w -0.5: invalid"));
    c.add(good("alpha-h negative", "--alpha-h -0.5", "--alpha-h -0.5: invalid"));
    c.add(good("batch-size 0", "--batch-size 0", "--batch-size 0: invalid"));
    c.add(good("forget-factor above 1", "--forget-factor 1.1", "--forget-factor 1.1: invalid"));
    c.add(good("max-no-improvement 0", "--max-no-improvement 0", "--max-no-improvement 0: must be >= 1"));
    c.add(good("tol not a number", "--tol small", "--tol"));
    c.add(good("missing input", "--input @nope.csv", "nope.csv: no such file or folder"));
    c.add(good("unknown namenode host", "--input hdfs://no-such-host.invalid:8020/x.csv",
        "--input hdfs://no-such-host.invalid:8020/x.csv: java.net.UnknownHostException: no-such-host.invalid"));
    c.add(good("unknown output host", "--output hdfs://no-such-host.invalid:8020/out",
        "--output hdfs://no-such-host.invalid:8020/out: java.net.UnknownHostException: no-such-host.invalid"));
    c.add(good("output inside the input", "--input @ --format csv --output @inside", "must not be inside the input"));
    return c.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void exitsWithTwoOneLineAndNoOutput(Case c) throws IOException {
    Path caseDir = Files.createDirectories(dir.resolve("case-" + Math.abs(c.name().hashCode())));
    Files.writeString(caseDir.resolve("x.csv"), GOOD);
    for (String[] f : c.files()) {
      Path p = caseDir.resolve(f[0]);
      Files.createDirectories(p.getParent());
      Files.write(p, "GZIP".equals(f[1]) ? truncatedGzip() : f[1].getBytes(StandardCharsets.UTF_8));
    }
    Path out = caseDir.resolve("out");
    List<String> args = new ArrayList<>();
    for (String a : c.args()) {
      args.add(a.startsWith("@") ? (a.endsWith(".parquet") ? dir : caseDir).resolve(a.substring(1)).toString() : a);
    }
    if (!args.contains("--output")) {
      args.addAll(List.of("--output", out.toString()));
    }
    if (!args.contains("--n-components")) {
      args.addAll(List.of("--n-components", "1"));
    }
    Run r = Run.of(args.toArray(new String[0]));
    assertEquals(NmfJob.BAD_INPUT, r.code(), c.name() + ": " + r.err());
    String line = r.err().strip();
    assertEquals(1, line.lines().count(), "one line: " + r.err());
    assertTrue(line.startsWith("spark-nmf: ") && line.contains(c.expected()), line);
    assertFalse(Files.exists(out), "no output");
    try (Stream<Path> s = Files.list(caseDir)) {
      assertEquals(List.of(), s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".out")).toList());
    }
  }

  /** The gzip of 2000 CSV lines, cut in the middle of its deflate stream. */
  private static byte[] truncatedGzip() throws IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(bytes)) {
      for (int i = 0; i < 2000; i++) {
        gz.write((i + "," + (i * 7 % 13) + "," + (i % 5) + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    byte[] all = bytes.toByteArray();
    return java.util.Arrays.copyOf(all, all.length / 2);
  }

  private static Case csv(String name, String content, String expected) {
    return new Case(name, files("x.csv", content), List.of("--input", "@x.csv"), expected);
  }

  private static Case libsvm(String name, String content, String expected) {
    return new Case(name, files("x.libsvm", content), List.of("--input", "@x.libsvm"), expected);
  }

  /** Valid x.csv (3 × 3) with bad options. */
  private static Case good(String name, String args, String expected) {
    List<String> a = new ArrayList<>(List.of("--input", "@x.csv"));
    a.addAll(List.of(args.split(" ")));
    return new Case(name, List.of(), a, expected);
  }

  private static List<String[]> files(String name, String content) {
    return List.<String[]>of(new String[] {name, content});
  }
}
