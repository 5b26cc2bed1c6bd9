package org.sparknmf.scripts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.sparknmf.ml.NMFModel;
import org.sparknmf.testing.LocalSpark;

/**
 * {@code submit-scripts/nmf-local} as a first-time user runs it: no options, in an empty folder.
 * It must build nothing more (failsafe runs after package), fit MiniBatchNMF with 16 components on
 * the digits sample and leave components.csv, W/, summary.json, model/ and the two plots, each
 * checked against the saved model read back here. Then the two refusals a user meets first: an
 * existing output folder and a negative input value.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NmfLocalIT {

  private static final Duration TIMEOUT = Duration.ofMinutes(4);
  private static final int K = 16;
  private static final int FEATURES = 64;
  private static final int SAMPLES = 1797;

  @TempDir
  static Path work;

  private Scripts.Run run;
  private Path out;
  private NMFModel model;
  private Path badInput;
  private Scripts.Run badRun;

  /** The run without options, and at the same time one on a CSV with a negative value. */
  @BeforeAll
  void runWithoutOptions() throws Exception {
    Path dir = Files.createDirectories(work.resolve("bad-input"));
    badInput = dir.resolve("negative.csv");
    Files.writeString(badInput, "1,2,3,4\n5,6,7,8\n9,10,-11,12\n13,14,15,16\n", StandardCharsets.UTF_8);
    Scripts.Started noOptions = Scripts.start(work, Map.of(), "nmf-local");
    Scripts.Started negative = Scripts.start(work, Map.of(), "nmf-local", "--input", badInput.toString(),
        "--output", dir.resolve("result").toString(), "--n-components", "2");
    run = noOptions.await(TIMEOUT).assertExit(0);
    badRun = negative.await(TIMEOUT);

    out = run.resultsDir();
    assertTrue(out.startsWith(work.resolve("nmf-output")), "default output under ./nmf-output: " + out);
    assertTrue(run.stdout().contains("No --input: factorizing the digits sample"), run::toString);
    assertFalse(run.stderr().contains("Building spark-nmf"), "the packaged jar is used as it is");
    Scripts.assertOutputsPresent(out);
    LocalSpark.session(); // NMFModel.load uses the active session
    model = NMFModel.load(out.resolve("model").toString());
  }

  @Test
  void componentsCsvIsTheModelsH() throws IOException {
    double[][] csv = Scripts.readComponents(out);
    Matrix h = model.components();
    assertEquals(K, csv.length, "rows of components.csv");
    assertEquals(K, h.numRows());
    assertEquals(FEATURES, h.numCols());
    for (int t = 0; t < K; t++) {
      assertEquals(FEATURES, csv[t].length, "numbers on line " + (t + 1));
      double[] expected = new double[FEATURES];
      for (int j = 0; j < FEATURES; j++) {
        expected[j] = h.apply(t, j);
        assertTrue(csv[t][j] >= 0 && Double.isFinite(csv[t][j]), "H >= 0");
      }
      assertArrayEquals(expected, csv[t], "line " + (t + 1) + " of components.csv, bit for bit");
    }
  }

  @Test
  void wHasOneRowPerSampleAndOneColumnPerComponent() {
    Dataset<Row> w = LocalSpark.session().read().parquet(out.resolve("W").toString());
    StructField[] fields = w.schema().fields();
    assertEquals(K + 1, fields.length, w.schema().treeString());
    assertEquals("row_id", fields[0].name());
    for (int t = 0; t < K; t++) {
      assertEquals("nmf" + t, fields[t + 1].name());
      assertInstanceOf(NumericType.class, fields[t + 1].dataType(), fields[t + 1].toString());
    }
    List<Row> rows = w.orderBy("row_id").collectAsList();
    assertEquals(SAMPLES, rows.size());
    for (int i = 0; i < SAMPLES; i++) {
      Row r = rows.get(i);
      assertEquals(i, ((Number) r.get(0)).longValue(), "row_id of row " + i);
      for (int t = 0; t < K; t++) {
        double v = ((Number) r.get(t + 1)).doubleValue();
        assertTrue(v >= 0 && Double.isFinite(v), "W[" + i + "][" + t + "] = " + v);
      }
    }
  }

  @Test
  void summaryJsonDescribesTheFit() throws IOException {
    JsonNode s = Scripts.readSummary(out);
    for (String field : List.of("estimator", "reconstruction_err", "n_iter", "n_steps", "n_components",
        "n_features_in", "n_samples", "elapsed_seconds", "parameters", "objective_history")) {
      assertTrue(s.has(field), "summary.json has " + field + ": " + s);
    }
    assertEquals("minibatch", s.get("estimator").asText());
    assertEquals(K, s.get("n_components").asInt());
    assertEquals(FEATURES, s.get("n_features_in").asInt());
    assertEquals(SAMPLES, s.get("n_samples").asLong());
    assertEquals(model.reconstructionErr(), s.get("reconstruction_err").asDouble(), 0.0, "reconstruction_err");
    assertEquals(model.nIter(), s.get("n_iter").asInt());
    assertEquals(model.nSteps(), s.get("n_steps").asInt());
    assertTrue(s.get("elapsed_seconds").asDouble() > 0);
    assertEquals(K, s.get("parameters").get("n-components").asInt(), s.get("parameters").toString());
    JsonNode history = s.get("objective_history");
    assertTrue(history.isArray() && history.size() > 0, "objective_history");
    assertEquals(model.summary().objectiveHistory().length, history.size());
    assertEquals("local[*]", s.get("job").get("spark_master").asText());
  }

  @Test
  void plotsArePngImages() throws IOException {
    for (String name : List.of("convergence.png", "components.png")) {
      Path png = out.resolve(name);
      try (InputStream in = Files.newInputStream(png)) {
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, in.readNBytes(8),
            name + ": PNG signature");
      }
      BufferedImage image = ImageIO.read(png.toFile());
      assertNotNull(image, name + ": ImageIO reads it");
      assertTrue(image.getWidth() >= 200 && image.getWidth() <= 4000, name + " width " + image.getWidth());
      assertTrue(image.getHeight() >= 150 && image.getHeight() <= 4000, name + " height " + image.getHeight());
    }
  }

  @Test
  void refusesAnExistingOutputFolderAndLeavesItAlone() throws Exception {
    Map<String, String> before = snapshot(out);
    Scripts.Run again = Scripts.run(work, Map.of(), TIMEOUT, "nmf-local", "--output", out.toString())
        .assertExit(2);
    List<String> errors = again.stderrLines("spark-nmf:");
    assertEquals(1, errors.size(), again::toString);
    assertTrue(errors.get(0).contains("--overwrite") && errors.get(0).contains(out.toString()), errors.get(0));
    assertFalse(again.stderr().contains("Exception"), again::toString);
    assertFalse(again.stdout().contains("Results in"), again::toString);
    assertEquals(before, snapshot(out), "the existing output folder is unchanged");
    assertEquals(List.of(out), siblingsOf(out), "no temporary folder next to the output");
  }

  @Test
  void negativeInputNamesFileLineAndColumnAndLeavesNoOutput() throws Exception {
    badRun.assertExit(2);
    List<String> errors = badRun.stderrLines("spark-nmf:");
    assertEquals(1, errors.size(), badRun::toString);
    String line = errors.get(0);
    assertTrue(line.contains(badInput.toString()) && line.contains("line 3") && line.contains("column 3")
        && line.contains("-11"), line);
    assertFalse(badRun.stdout().contains("Results in"), badRun::toString);
    try (Stream<Path> files = Files.list(badInput.getParent())) {
      assertEquals(List.of(badInput), files.toList(), "no output folder nor temporary sibling next to the input");
    }
  }

  /** Every file under {@code dir} with its size and SHA-256, and every folder. */
  private static Map<String, String> snapshot(Path dir) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.toList()) {
        String key = dir.relativize(p).toString();
        files.put(key, Files.isDirectory(p) ? "folder " + Files.getLastModifiedTime(p)
            : Files.size(p) + " " + Files.getLastModifiedTime(p) + " " + sha256(p));
      }
    }
    return files;
  }

  private static String sha256(Path p) throws IOException {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<Path> siblingsOf(Path p) throws IOException {
    try (Stream<Path> s = Files.list(p.getParent())) {
      return s.toList();
    }
  }
}
