package org.sparknmf.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparknmf.ml.NMFEstimator;

/** The command line: names, scikit-learn's defaults, the conf file, and usage errors (no Spark). */
class JobOptionsTest {

  /** Every option the job's contract names. */
  private static final List<String> CONTRACT = List.of("--input", "--format", "--header", "--features-col",
      "--output", "--overwrite", "--estimator", "--n-components", "--init", "--init-w", "--init-h", "--solver",
      "--beta-loss", "--tol", "--max-iter", "--random-state", "--alpha-w", "--alpha-h", "--l1-ratio",
      "--shuffle", "--verbose", "--batch-size", "--forget-factor", "--max-no-improvement", "--fresh-restarts",
      "--fresh-restarts-max-iter", "--transform-max-iter", "--partitions", "--execution", "--w-format",
      "--master", "--max-features", "--min-df", "--max-df", "--stop-words", "--top-terms", "--image-shape",
      "--conf-file", "--checkpoint-dir", "--checkpoint-interval", "--resume", "--help");

  @Test
  void helpDocumentsEveryOptionOfTheContract() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      assertEquals(NmfJob.OK, NmfJob.run(new String[] {"--help"}, System.out, System.err));
    } finally {
      System.setOut(old);
    }
    String help = out.toString(StandardCharsets.UTF_8);
    for (String option : CONTRACT) {
      assertTrue(help.contains(option), option + " missing from --help");
    }
  }

  @Test
  void defaultsAreScikitLearns() {
    Map<String, Object> mb = StageConfig.effective(StageConfig.estimator(JobOptions.parse(new String[0]), 7));
    assertEquals("auto", mb.get("n-components"));
    assertEquals("auto", mb.get("init")); // scikit-learn's None
    assertEquals("frobenius", mb.get("beta-loss"));
    assertEquals(1e-4, mb.get("tol"));
    assertEquals(200, mb.get("max-iter"));
    assertEquals(7L, mb.get("random-state"));
    assertEquals(0.0, mb.get("alpha-w"));
    assertEquals("same", mb.get("alpha-h"));
    assertEquals(0.0, mb.get("l1-ratio"));
    assertEquals(1024, mb.get("batch-size"));
    assertEquals(0.7, mb.get("forget-factor"));
    assertEquals(10, mb.get("max-no-improvement"));
    assertEquals(false, mb.get("fresh-restarts"));
    assertEquals(30, mb.get("fresh-restarts-max-iter"));
    assertEquals(null, mb.get("transform-max-iter")); // None: max_iter
    assertEquals(false, mb.containsKey("solver"));

    Map<String, Object> nmf = StageConfig.effective(StageConfig.estimator(
        JobOptions.parse(new String[] {"--estimator", "nmf"}), 7));
    assertEquals("cd", nmf.get("solver"));
    assertEquals(false, nmf.get("shuffle"));
    assertEquals(false, nmf.containsKey("batch-size"));
  }

  @Test
  void optionsReachTheStageInItsSpelling() {
    NMFEstimator<?> e = StageConfig.estimator(JobOptions.parse(new String[] {"--n-components", "12",
        "--beta-loss", "1.5", "--alpha-h", "0.25", "--max-no-improvement", "none", "--fresh-restarts",
        "--transform-max-iter", "40", "--partitions", "6", "--verbose"}), 3);
    assertEquals(12, e.getOrDefault(e.getParam("k")));
    assertEquals("1.5", e.getOrDefault(e.getParam("betaLoss")));
    assertEquals("0.25", e.getOrDefault(e.getParam("alphaH")));
    assertEquals(0, e.getOrDefault(e.getParam("maxNoImprovement")));
    assertEquals(true, e.getOrDefault(e.getParam("freshRestarts")));
    assertEquals(40, e.getOrDefault(e.getParam("transformMaxIter")));
    assertEquals(6, e.getOrDefault(e.getParam("numPartitions")));
    assertEquals(1, e.getOrDefault(e.getParam("verbose")));
    assertEquals(3L, e.getOrDefault(e.getParam("seed")));
  }

  @Test
  void theConfFileHoldsOptionsAndTheCommandLineWins(@TempDir Path dir) throws IOException {
    Path conf = dir.resolve("job.properties");
    Files.writeString(conf, "# a comment\nestimator = nmf\nsolver=mu\nn-components = 5\ntol=0.01\nshuffle=true\n");
    JobOptions o = JobOptions.parse(new String[] {"--conf-file", conf.toString(), "--tol", "0.5"});
    NMFEstimator<?> e = StageConfig.estimator(o, 0);
    assertEquals("nmf", o.estimator);
    assertEquals("mu", e.getOrDefault(e.getParam("solver")));
    assertEquals(5, e.getOrDefault(e.getParam("k")));
    assertEquals(0.5, e.getOrDefault(e.getParam("tol")));
    assertEquals(true, e.getOrDefault(e.getParam("shuffle")));
  }

  @Test
  void anUnknownKeyInTheConfFileIsRefused(@TempDir Path dir) throws IOException {
    Path conf = dir.resolve("job.properties");
    Files.writeString(conf, "n-components=5\nn-component=6\n");
    Run r = Run.of("--conf-file", conf.toString());
    assertEquals(NmfJob.BAD_INPUT, r.code);
    assertTrue(r.err.contains("unknown option 'n-component'"), r.err);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--tol abc|--tol",
      "--batch-size 0|--batch-size 0: invalid",
      "--forget-factor 1.5|--forget-factor 1.5: invalid",
      "--l1-ratio -0.1|--l1-ratio -0.1: invalid",
      "--alpha-w -1|--alpha-w -1.0: invalid",
      "--alpha-h often|--alpha-h often: invalid",
      "--max-iter 0|--max-iter 0: invalid",
      "--n-components 0|--n-components 0: must be >= 1",
      "--n-components many|--n-components many: not an integer",
      "--max-no-improvement 0|--max-no-improvement 0: must be >= 1",
      "--solver cg --estimator nmf|--solver cg: invalid",
      "--init svd|--init svd: invalid",
      "--beta-loss hinge|--beta-loss hinge: invalid",
      "--execution cloud|--execution cloud: invalid",
      "--estimator svd|--estimator svd: must be nmf or minibatch",
      "--solver mu|--solver applies to --estimator nmf, not minibatch",
      "--batch-size 10 --estimator nmf|--batch-size applies to --estimator minibatch, not nmf",
      "--image-shape 8by8|--image-shape 8by8: expected HEIGHTxWIDTH",
      "--checkpoint-interval 0|--checkpoint-interval 0: invalid",
      "--resume|--resume needs --checkpoint-dir",
      "--no-such-option|Unknown option: '--no-such-option'"})
  void badUsageExitsWithTwoAndNamesTheOption(String args, String message) {
    Run r = Run.of(args.split(" "));
    assertEquals(NmfJob.BAD_INPUT, r.code, r.err);
    assertTrue(r.err.startsWith("spark-nmf: ") && r.err.contains(message), r.err);
    assertEquals(1, r.err.strip().lines().count(), "one line: " + r.err);
  }

  @Test
  void aMissingConfFileIsBadUsage() {
    assertThrows(IllegalArgumentException.class,
        () -> JobOptions.parse(new String[] {"--conf-file", "/no/such/file.properties"}));
  }

  /** The job run in this JVM, its exit code and what it printed. */
  record Run(int code, String out, String err) {
    static Run of(String... args) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code = NmfJob.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8));
      return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
  }
}
