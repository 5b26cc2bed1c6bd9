package org.sparknmf.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparknmf.job.JobOptionsTest.Run;
import org.sparknmf.local.MiniBatchNMF;
import org.sparknmf.local.NMF;
import org.sparknmf.ml.NMFModel;
import org.sparknmf.testing.LocalSpark;

/**
 * The job run in this JVM on the shared local session: every output file checked against the
 * model and against the plain-Java API on the same data, every input format giving the same
 * numbers, and failures leaving nothing behind.
 */
class NmfJobTest {

  private static final Path DIGITS = Path.of("data-samples", "digits.csv");
  private static double[][] digits;

  @TempDir
  Path tmp;

  @BeforeAll
  static void readDigits() throws IOException {
    LocalSpark.session();
    try (Stream<String> lines = Files.lines(DIGITS)) {
      digits = lines.map(l -> Arrays.stream(l.split(",")).mapToDouble(Double::parseDouble).toArray())
          .toArray(double[][]::new);
    }
  }

  @Test
  void nmfOnDigitsWritesEveryOutputWithThePlainApisNumbers() throws IOException {
    Path out = tmp.resolve("out");
    Run r = Run.of("--input", DIGITS.toString(), "--output", out.toString(), "--estimator", "nmf",
        "--n-components", "8", "--random-state", "0", "--image-shape", "8x8", "--max-iter", "400");
    assertEquals(NmfJob.OK, r.code(), r.err());
    assertTrue(r.out().contains("Results in " + out), r.out());

    NMF local = new NMF().setNComponents(8).setRandomState(0).setMaxIter(400);
    double[][] w = local.fitTransform(digits);
    double[][] h = readCsv(out.resolve("components.csv"));
    assertClose(local.components(), h, 1e-12);

    NMFModel model = NMFModel.load(out.resolve("model").toString());
    assertArrayEquals(model.components().toArray(), columnMajor(h), "components.csv parses back to H's bits");

    JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertEquals("nmf", s.get("estimator").asText());
    assertEquals(model.reconstructionErr(), s.get("reconstruction_err").asDouble());
    assertEquals(local.reconstructionErr(), s.get("reconstruction_err").asDouble(), 1e-9 * local.reconstructionErr());
    assertEquals(local.nIter(), s.get("n_iter").asInt());
    assertEquals(8, s.get("n_components").asInt());
    assertEquals(64, s.get("n_features_in").asInt());
    assertEquals(1797, s.get("n_samples").asInt());
    assertEquals(0, s.get("parameters").get("random-state").asLong());
    assertEquals("cd", s.get("parameters").get("solver").asText());
    assertEquals(local.nIter(), s.get("objective_history").size()); // cd: one violation per iteration
    assertTrue(s.get("elapsed_seconds").asDouble() > 0);

    // W: transform's W for every input row, by row id.
    double[][] expectedW = local.transform(digits);
    List<Row> rows = LocalSpark.session().read().parquet(out.resolve("W").toString()).orderBy("row_id").collectAsList();
    assertEquals(1797, rows.size());
    assertEquals(List.of("row_id", "nmf0", "nmf1", "nmf2", "nmf3", "nmf4", "nmf5", "nmf6", "nmf7"),
        List.of(rows.get(0).schema().fieldNames()));
    for (int i = 0; i < rows.size(); i++) {
      assertEquals(i, rows.get(i).getLong(0));
      for (int t = 0; t < 8; t++) {
        assertEquals(expectedW[i][t], rows.get(i).getDouble(t + 1), 1e-9 * (1 + Math.abs(expectedW[i][t])));
      }
    }
    assertFalse(Arrays.deepEquals(w, expectedW), "fit's W and transform's W differ (W/ holds transform's)");

    BufferedImage png = ImageIO.read(out.resolve("components.png").toFile());
    assertTrue(png.getWidth() > 8 * 8 && png.getHeight() > 8, "a grid of 8 images");
    assertTrue(ImageIO.read(out.resolve("convergence.png").toFile()).getWidth() >= 400);
    assertNoSiblings(out);
  }

  @Test
  void miniBatchSummaryCountsStepsAndMatchesThePlainApi() throws IOException {
    Path out = tmp.resolve("mb");
    Run r = Run.of("--input", DIGITS.toString(), "--output", out.toString(), "--n-components", "6",
        "--batch-size", "300", "--random-state", "1", "--w-format", "csv");
    assertEquals(NmfJob.OK, r.code(), r.err());
    MiniBatchNMF local = new MiniBatchNMF().setNComponents(6).setBatchSize(300).setRandomState(1);
    local.fit(digits);
    assertClose(local.components(), readCsv(out.resolve("components.csv")), 1e-12);
    JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertEquals("minibatch", s.get("estimator").asText());
    assertEquals(local.nSteps(), s.get("n_steps").asInt());
    assertEquals(local.nIter(), s.get("n_iter").asInt());
    assertEquals(s.get("n_steps").asInt(), s.get("objective_history").size());

    // W as CSV: row_id then k numbers a line.
    List<String> lines = new ArrayList<>();
    try (Stream<Path> parts = Files.list(out.resolve("W"))) {
      for (Path p : parts.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList()) {
        lines.addAll(Files.readAllLines(p));
      }
    }
    assertEquals(1797, lines.size());
    for (int i = 0; i < lines.size(); i++) {
      String[] cells = lines.get(i).split(",");
      assertEquals(7, cells.length);
      assertEquals(i, Long.parseLong(cells[0]));
    }
  }

  @Test
  void everyInputFormatGivesTheSameFactors() throws IOException {
    String[] fit = {"--estimator", "nmf", "--n-components", "5", "--random-state", "0", "--max-iter", "50"};
    double[][] reference = fitComponents(DIGITS, fit);

    // A folder of three CSV files with headers, read in name order.
    Path folder = Files.createDirectory(tmp.resolve("folder"));
    List<String> lines = Files.readAllLines(DIGITS);
    int[] cuts = {0, 600, 1200, lines.size()};
    for (int f = 0; f < 3; f++) {
      List<String> part = new ArrayList<>();
      part.add(String.join(",", java.util.Collections.nCopies(64, "pixel")));
      part.addAll(lines.subList(cuts[f], cuts[f + 1]));
      Files.write(folder.resolve("part-" + f + ".csv"), part);
    }
    Files.writeString(folder.resolve("_SUCCESS"), "");
    assertClose(reference, fitComponents(folder, concat(fit, "--header")), 0);

    Path tsv = tmp.resolve("digits.tsv");
    Files.write(tsv, lines.stream().map(l -> l.replace(',', '\t')).toList());
    assertClose(reference, fitComponents(tsv, fit), 0);

    Path svm = tmp.resolve("digits.libsvm");
    Files.write(svm, lines.stream().map(NmfJobTest::toLibsvm).toList());
    assertClose(reference, fitComponents(svm, concat(fit, "--n-features", "64")), 1e-10);

    SparkSession spark = LocalSpark.session();
    List<Row> vectors = new ArrayList<>();
    List<Row> arrays = new ArrayList<>();
    for (double[] row : digits) {
      vectors.add(RowFactory.create(new DenseVector(row)));
      arrays.add(RowFactory.create((Object) Arrays.stream(row).boxed().toArray(Double[]::new)));
    }
    Path vecParquet = tmp.resolve("vec.parquet");
    spark.createDataFrame(vectors, new StructType().add("features", SQLDataTypes.VectorType()))
        .repartition(1).write().parquet(vecParquet.toString());
    assertClose(reference, fitComponents(vecParquet, fit), 0);
    Path arrParquet = tmp.resolve("arr.parquet");
    spark.createDataFrame(arrays, new StructType().add("pixels", DataTypes.createArrayType(DataTypes.DoubleType)))
        .repartition(1).write().parquet(arrParquet.toString());
    assertClose(reference, fitComponents(arrParquet, concat(fit, "--features-col", "pixels")), 0);
  }

  @Test
  void textInputWritesTopics() throws IOException {
    Path docs = tmp.resolve("docs.txt");
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      lines.add(i % 2 == 0 ? "rust cargo crate compiler borrow checker rust crate " + i
          : "haskell ghc monad functor lazy haskell typeclass " + i);
    }
    Files.write(docs, lines);
    Path out = tmp.resolve("text");
    Run r = Run.of("--input", docs.toString(), "--output", out.toString(), "--n-components", "2",
        "--random-state", "0", "--top-terms", "3", "--min-df", "2", "--estimator", "nmf");
    assertEquals(NmfJob.OK, r.code(), r.err());
    List<String> topics = Files.readAllLines(out.resolve("topics.txt"));
    assertEquals(2, topics.size());
    String all = String.join("\n", topics);
    assertTrue(topics.stream().anyMatch(t -> t.contains("rust") || t.contains("crate")), all);
    assertTrue(topics.stream().anyMatch(t -> t.contains("haskell")), all);
    assertTrue(topics.stream().noneMatch(t -> t.contains("rust") && t.contains("haskell")), all);
    for (int t = 0; t < 2; t++) {
      assertTrue(topics.get(t).startsWith("topic " + t + ": ") && topics.get(t).split(" ").length == 5, all);
    }
  }

  @Test
  void customInitStartsFromTheGivenFactors() throws IOException {
    double[][] w0 = new double[digits.length][3];
    double[][] h0 = new double[3][64];
    java.util.Random rnd = new java.util.Random(5);
    for (double[] row : w0) {
      for (int t = 0; t < 3; t++) {
        row[t] = rnd.nextDouble();
      }
    }
    for (double[] row : h0) {
      for (int j = 0; j < 64; j++) {
        row[j] = rnd.nextDouble();
      }
    }
    Path wFile = tmp.resolve("w0.csv");
    Path hFile = tmp.resolve("h0.csv");
    writeCsv(wFile, w0);
    writeCsv(hFile, h0);
    Path out = tmp.resolve("custom");
    Run r = Run.of("--input", DIGITS.toString(), "--output", out.toString(), "--estimator", "nmf",
        "--init", "custom", "--init-w", wFile.toString(), "--init-h", hFile.toString(), "--max-iter", "30");
    assertEquals(NmfJob.OK, r.code(), r.err());
    NMF local = new NMF().setNComponents("auto").setInit("custom").setMaxIter(30);
    local.fitTransform(digits, w0, h0);
    assertClose(local.components(), readCsv(out.resolve("components.csv")), 1e-12);

    Run wrongShape = Run.of("--input", DIGITS.toString(), "--output", tmp.resolve("bad").toString(),
        "--estimator", "nmf", "--init", "custom", "--init-w", hFile.toString(), "--init-h", hFile.toString());
    assertEquals(NmfJob.BAD_INPUT, wrongShape.code());
    assertTrue(wrongShape.err().contains("--init-w " + hFile + ": 3 × 64, but W must be 1797 × 3"), wrongShape.err());
    assertFalse(Files.exists(tmp.resolve("bad")));
  }

  @Test
  void anExistingOutputIsKeptUnlessOverwriteAndThenReplacedWhole() throws IOException {
    Path out = tmp.resolve("again");
    String[] args = {"--input", DIGITS.toString(), "--output", out.toString(), "--n-components", "2",
        "--random-state", "0", "--max-iter", "5"};
    assertEquals(NmfJob.OK, Run.of(args).code());
    byte[] before = Files.readAllBytes(out.resolve("components.csv"));
    Files.writeString(out.resolve("stale.txt"), "from an earlier run");

    Run refused = Run.of(args);
    assertEquals(NmfJob.BAD_INPUT, refused.code());
    assertEquals("spark-nmf: --output " + out + ": already exists (pass --overwrite to replace it)",
        refused.err().strip());
    assertArrayEquals(before, Files.readAllBytes(out.resolve("components.csv")));

    assertEquals(NmfJob.OK, Run.of(concat(args, "--overwrite", "--n-components", "3")).code());
    assertEquals(3, readCsv(out.resolve("components.csv")).length);
    assertFalse(Files.exists(out.resolve("stale.txt")), "the old folder is replaced, not merged");
    assertNoSiblings(out);
  }

  @Test
  void badInputExitsWithTwoNamesTheCellAndLeavesNothing() throws IOException {
    Path bad = tmp.resolve("bad.csv");
    Files.write(bad, List.of("1,2,3", "4,5,6", "", "7,-8,9"));
    Run r = Run.of("--input", bad.toString(), "--output", tmp.resolve("o1").toString(), "--n-components", "1");
    assertEquals(NmfJob.BAD_INPUT, r.code());
    assertEquals("spark-nmf: file:" + bad + " line 4, column 2: negative value -8 (NMF needs X >= 0)",
        r.err().strip());
    assertFalse(Files.exists(tmp.resolve("o1")));
    assertNoSiblings(tmp.resolve("o1"));

    // Line 90 lies in the file's second split: its number comes from the first split's count.
    Path late = tmp.resolve("late.csv");
    List<String> lateLines = new ArrayList<>(java.util.Collections.nCopies(100, "1,2,3"));
    lateLines.set(89, "1,abc,3");
    Files.write(late, lateLines);
    Run lateRun = Run.of("--input", late.toString(), "--output", tmp.resolve("o6").toString());
    assertEquals("spark-nmf: file:" + late + " line 90, column 2: 'abc' is not a number", lateRun.err().strip());

    Files.write(late, List.of("1,2,3", "4,5,6", "7,8"));
    Run ragged = Run.of("--input", late.toString(), "--output", tmp.resolve("o7").toString());
    assertEquals("spark-nmf: file:" + late + " line 3 has 2 values, but the first row (file:" + late
        + " line 1) has 3: every row must have the same number of columns", ragged.err().strip());

    Path svm = tmp.resolve("x.libsvm");
    Files.write(svm, List.of("0 1:1 2:2", "0 3:1 2:2"));
    Run unsorted = Run.of("--input", svm.toString(), "--output", tmp.resolve("o8").toString());
    assertEquals("spark-nmf: file:" + svm + " line 2, entry 2: index 2 after 3 (indices must increase)",
        unsorted.err().strip());
    Files.write(svm, List.of("0 1:1 2:2", "0 3:1 7:2"));
    Run beyond = Run.of("--input", svm.toString(), "--n-features", "5", "--output", tmp.resolve("o9").toString());
    assertEquals("spark-nmf: file:" + svm + " line 2: index 7 is beyond the 5 features (--n-features)",
        beyond.err().strip());

    Path parquet = tmp.resolve("neg.parquet");
    LocalSpark.session().createDataFrame(List.of(RowFactory.create(new DenseVector(new double[] {1, 2})),
        RowFactory.create(new DenseVector(new double[] {3, -4}))),
        new StructType().add("features", SQLDataTypes.VectorType())).coalesce(1).write().parquet(parquet.toString());
    Run negParquet = Run.of("--input", parquet.toString(), "--output", tmp.resolve("o10").toString());
    assertTrue(negParquet.err().strip().matches("spark-nmf: file:\\S+part-00000\\S+\\.parquet record 1, column 2: "
        + "negative value -4\\.0 \\(NMF needs X >= 0\\)"), negParquet.err());

    Path header = tmp.resolve("header.csv");
    Files.write(header, List.of("a,b", "1,2"));
    Run h = Run.of("--input", header.toString(), "--output", tmp.resolve("o2").toString());
    assertEquals(NmfJob.BAD_INPUT, h.code());
    assertTrue(h.err().contains("line 1, column 1: 'a' is not a number (a header line? pass --header)"), h.err());

    Run inside = Run.of("--input", tmp.toString(), "--format", "csv", "--output", tmp.resolve("o3").toString());
    assertEquals(NmfJob.BAD_INPUT, inside.code());
    assertTrue(inside.err().contains("must not be inside the input"), inside.err());

    Run shape = Run.of("--input", DIGITS.toString(), "--output", tmp.resolve("o4").toString(),
        "--image-shape", "8x9", "--max-iter", "1");
    assertEquals(NmfJob.BAD_INPUT, shape.code());
    assertTrue(shape.err().contains("--image-shape 8x9: 8×9 pixels, but the rows have 64 features"), shape.err());

    Run missing = Run.of("--input", tmp.resolve("nope.csv").toString(), "--output", tmp.resolve("o5").toString());
    assertEquals(NmfJob.BAD_INPUT, missing.code());
    assertTrue(missing.err().contains("nope.csv: no such file or folder"), missing.err());
    for (String o : List.of("o2", "o3", "o4", "o5", "o6", "o7", "o8", "o9", "o10")) {
      assertFalse(Files.exists(tmp.resolve(o)), o);
      assertNoSiblings(tmp.resolve(o));
    }
  }

  // ---- helpers ----

  private double[][] fitComponents(Path input, String... fit) throws IOException {
    Path out = tmp.resolve("fit-" + input.getFileName());
    Run r = Run.of(concat(new String[] {"--input", input.toString(), "--output", out.toString()}, fit));
    assertEquals(NmfJob.OK, r.code(), r.err());
    return readCsv(out.resolve("components.csv"));
  }

  private static String toLibsvm(String csvLine) {
    String[] cells = csvLine.split(",");
    StringBuilder b = new StringBuilder("0");
    for (int j = 0; j < cells.length; j++) {
      if (Double.parseDouble(cells[j]) != 0) {
        b.append(' ').append(j + 1).append(':').append(cells[j]);
      }
    }
    return b.toString();
  }

  private static String[] concat(String[] a, String... b) {
    String[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  static double[][] readCsv(Path file) throws IOException {
    return Files.readAllLines(file).stream()
        .map(l -> Arrays.stream(l.split(",")).mapToDouble(Double::parseDouble).toArray())
        .toArray(double[][]::new);
  }

  private static void writeCsv(Path file, double[][] m) throws IOException {
    Files.write(file, Arrays.stream(m).map(r -> Arrays.stream(r).mapToObj(Double::toString)
        .collect(Collectors.joining(","))).toList());
  }

  /** H (k × n) as Spark's column-major array. */
  private static double[] columnMajor(double[][] h) {
    double[] a = new double[h.length * h[0].length];
    for (int j = 0; j < h[0].length; j++) {
      for (int t = 0; t < h.length; t++) {
        a[j * h.length + t] = h[t][j];
      }
    }
    return a;
  }

  private static void assertClose(double[][] expected, double[][] actual, double relTol) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i].length, actual[i].length);
      for (int j = 0; j < expected[i].length; j++) {
        assertEquals(expected[i][j], actual[i][j], relTol * (1 + Math.abs(expected[i][j])), "at " + i + ", " + j);
      }
    }
  }

  /** No hidden temporary or old sibling of {@code out} is left. */
  private static void assertNoSiblings(Path out) throws IOException {
    try (Stream<Path> s = Files.list(out.getParent())) {
      List<String> hidden = s.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith("." + out.getFileName() + ".")).toList();
      assertEquals(List.of(), hidden);
    }
  }
}
