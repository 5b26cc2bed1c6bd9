package org.sparknmf.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparknmf.testing.LocalSpark;
import org.sparknmf.testing.PythonRunner;

/**
 * The job on the sparse sample data-samples/debian-descriptions-counts.libsvm (word counts of 3572
 * Debian package descriptions over a vocabulary of 2000 terms): topics that mean something, and
 * the same matrix and the same NMF as scikit-learn.
 */
class LibsvmSampleTest {

  private static final Path COUNTS = Path.of("data-samples", "debian-descriptions-counts.libsvm");
  private static final Path VOCABULARY = Path.of("data-samples", "debian-descriptions-vocabulary.txt");

  /**
   * Themes every fit of 10 topics finds (checked with random, nndsvdar and the default init, and
   * other batch sizes): Rust crates, JavaScript for Node, fonts.
   */
  private static final Map<String, Set<String>> THEMES = themes();

  @TempDir Path tmp;

  @Test
  void miniBatchKullbackLeiblerFindsTheTopicsOfTheDescriptions() throws IOException {
    String out = tmp.resolve("topics").toString();
    JobRuns.Result r = JobRuns.run("--input", COUNTS.toString(), "--estimator", "minibatch", "--n-components", "10",
        "--beta-loss", "kullback-leibler", "--random-state", "0", "--output", out);
    assertEquals(0, r.code(), r::toString);

    List<String> vocabulary = Files.readAllLines(VOCABULARY);
    JsonNode summary = JobRuns.summary(out);
    assertEquals(lineCount(COUNTS), summary.get("n_samples").asLong());
    assertEquals(vocabulary.size(), summary.get("n_features_in").asInt());
    assertTrue(vocabulary.size() <= 2000);

    double[][] h = JobRuns.components(out);
    assertEquals(10, h.length);
    List<List<String>> topics = new ArrayList<>();
    for (double[] component : h) {
      topics.add(IntStream.range(0, component.length).boxed()
          .sorted((a, b) -> Double.compare(component[b], component[a])).limit(10).map(vocabulary::get).toList());
    }
    Set<Integer> used = new HashSet<>();
    THEMES.forEach((theme, terms) -> {
      int found = IntStream.range(0, topics.size())
          .filter(t -> !used.contains(t) && topics.get(t).stream().filter(terms::contains).count() >= 2)
          .findFirst().orElse(-1);
      assertTrue(found >= 0, () -> "no topic of its own on " + theme + " (two of " + terms + ") among " + topics);
      used.add(found);
    });
  }

  @Test
  void scikitLearnReadsTheSameMatrixAndFitsTheSameNmf() throws IOException {
    Assumptions.assumeTrue(PythonRunner.sklearnAvailable(), "no scikit-learn at " + PythonRunner.PYTHON);
    ObjectNode request = new ObjectMapper().createObjectNode();
    request.put("path", COUNTS.toAbsolutePath().toString());
    request.putObject("params").put("n_components", 5).put("init", "nndsvda").put("solver", "cd")
        .put("random_state", 0).put("max_iter", 200);
    JsonNode sk = PythonRunner.runScript("/live-sklearn/libsvm_nmf.py", request, 300);

    // The matrix as the job reads it, through its own reader.
    InputReader.Input in = InputReader.read(LocalSpark.session(), COUNTS.toString(), null, new JobOptions());
    assertEquals("libsvm", in.format());
    assertEquals(sk.get("shape").get(0).asLong(), in.nSamples());
    assertEquals(sk.get("shape").get(1).asInt(), in.nFeatures());
    List<Row> rows = in.rows().select(InputReader.FEATURES).collectAsList();
    long nnz = 0;
    double sum = 0;
    for (Row row : rows) {
      Vector v = (Vector) row.get(0);
      nnz += v.numNonzeros();
      for (double x : v.toArray()) {
        sum += x;
      }
    }
    assertEquals(sk.get("nnz").asLong(), nnz);
    assertEquals(sk.get("sum").asDouble(), sum, 0.0); // integer counts: exact

    String out = tmp.resolve("nmf").toString();
    JobRuns.Result r = JobRuns.run("--input", COUNTS.toString(), "--estimator", "nmf", "--n-components", "5",
        "--init", "nndsvda", "--solver", "cd", "--random-state", "0", "--output", out);
    assertEquals(0, r.code(), r::toString);
    double expected = sk.get("reconstruction_err").asDouble();
    double actual = JobRuns.summary(out).get("reconstruction_err").asDouble();
    assertEquals(expected, actual, 1e-6 * expected, "reconstruction_err: scikit-learn " + expected + " ("
        + sk.get("n_iter") + " iterations), job " + actual + " (" + JobRuns.summary(out).get("n_iter") + ")");
  }

  private static long lineCount(Path file) throws IOException {
    try (var lines = Files.lines(file)) {
      return lines.count();
    }
  }

  private static Map<String, Set<String>> themes() {
    Map<String, Set<String>> themes = new LinkedHashMap<>();
    themes.put("Rust", Set.of("rust", "cargo", "crate"));
    themes.put("JavaScript", Set.of("node", "javascript", "js"));
    themes.put("fonts", Set.of("font", "fonts", "unicode", "glyphs", "truetype", "opentype", "typeface"));
    return themes;
  }
}
