package org.sparknmf.job;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.ml.linalg.DenseMatrix;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparknmf.engine.CheckpointFolder;
import org.sparknmf.engine.SparkErrors;
import org.sparknmf.job.InputReader.Input;
import org.sparknmf.ml.NMFEstimator;
import org.sparknmf.ml.NMFModel;
import picocli.CommandLine;

/**
 * The spark-submit job: reads X, fits NMF or MiniBatchNMF with the Spark ML stage, and writes
 * components.csv, W/, summary.json, model/ and the plots to the output folder, atomically.
 * Exit codes: 0 success, 2 bad usage or bad input (one line on stderr, no output left), 1 other
 * failures.
 */
public final class NmfJob {

  private static final Logger LOG = LoggerFactory.getLogger(NmfJob.class);

  static final int OK = 0;
  static final int FAILED = 1;
  static final int BAD_INPUT = 2;

  private NmfJob() {}

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    if (code != OK) {
      System.exit(code);
    }
  }

  /** Runs the job in this JVM (the active SparkSession is used when there is one). */
  static int run(String[] args, PrintStream out, PrintStream err) {
    JobOptions options;
    try {
      options = JobOptions.parse(args);
      if (options == null) {
        return OK; // help or version printed
      }
    } catch (CommandLine.ParameterException e) {
      err.println("spark-nmf: " + e.getMessage() + " (see --help)");
      return BAD_INPUT;
    } catch (IllegalArgumentException e) {
      err.println("spark-nmf: " + e.getMessage());
      return BAD_INPUT;
    }
    try {
      new NmfJobRun(options, out).call();
      return OK;
    } catch (Exception e) {
      IllegalArgumentException bad = SparkErrors.badInput(e);
      if (bad != null) {
        err.println("spark-nmf: " + bad.getMessage());
        return BAD_INPUT;
      }
      LOG.error("The job failed", e);
      err.println("spark-nmf: failed: " + InputReader.firstLine(e));
      return FAILED;
    }
  }

  /** One run of the job: the steps from options to the committed output folder. */
  private static final class NmfJobRun {
    private final JobOptions o;
    private final PrintStream out;

    NmfJobRun(JobOptions o, PrintStream out) {
      this.o = o;
      this.out = out;
    }

    void call() throws IOException {
      applySampleDefaults();
      int[] imageShape = imageShape(o.imageShape);
      long seed = StageConfig.seedOf(o);
      NMFEstimator<?> estimator = StageConfig.estimator(o, seed); // checks the options before any work
      if (o.input == null) {
        throw new IllegalArgumentException("--input is required (no data-samples/ found to use instead)");
      }
      String outputDir = o.output != null ? o.output : defaultOutput(o.input);
      SparkSession spark = session(o.master);
      if (o.resume && o.randomState == null) {
        // The seed the interrupted run drew, so that the same command resumes the same fit.
        CheckpointFolder.savedRandomState(spark.sparkContext().hadoopConfiguration(), o.checkpointDir)
            .ifPresent(estimator::setSeed);
      }
      try (OutputFolder folder = OutputFolder.open(spark.sparkContext().hadoopConfiguration(), outputDir,
          o.overwrite, o.input)) {
        if (o.checkpointDir == null && !spark.sparkContext().isLocal()
            && spark.sparkContext().getCheckpointDir().isEmpty()) {
          // The engine cuts the factors' lineage every --checkpoint-interval epochs. Local cuts
          // live in executor memory and die with an executor; cuts on the output's file system
          // let Spark recompute a lost executor's blocks, so the fit finishes with the same bits.
          spark.sparkContext().setCheckpointDir(folder.scratch());
        }
        Input in = InputReader.read(spark, o.input, o.format, o);
        LOG.info("Input {}: {} rows × {} features ({})", o.input, in.nSamples(), in.nFeatures(), in.format());
        if (imageShape != null && imageShape[0] * imageShape[1] != in.nFeatures()) {
          throw new IllegalArgumentException("--image-shape " + o.imageShape + ": " + imageShape[0] + "×"
              + imageShape[1] + " pixels, but the rows have " + in.nFeatures() + " features");
        }
        Dataset<Row> rows = in.rows();
        if ("custom".equals(estimator.getInit())) {
          rows = customInit(spark, estimator, in);
        }
        if (in.vocabulary() != null) {
          estimator.setVocabulary(in.vocabulary());
        }
        estimator.setFeaturesCol(InputReader.FEATURES).setOutputCol("w");
        long t0 = System.nanoTime();
        NMFModel model = estimator.fit(rows);
        double elapsed = (System.nanoTime() - t0) / 1e9;
        LOG.info("Fitted {} components in {} s: reconstruction_err {}, n_iter {}, n_steps {}",
            model.numComponents(), String.format("%.2f", elapsed), model.reconstructionErr(), model.nIter(),
            model.nSteps());

        write(folder, model, in, rows, imageShape, estimator, elapsed, spark);
        folder.commit();
        if (o.checkpointDir != null) {
          CheckpointFolder.clear(spark.sparkContext().hadoopConfiguration(), o.checkpointDir);
          LOG.info("Removed the checkpoints in {}: the results are in {}", o.checkpointDir, folder.target());
        }
        out.printf("%s: reconstruction_err %.6g, n_iter %d, n_steps %d, %.1f s%n", model.isMiniBatch()
            ? "MiniBatchNMF" : "NMF", model.reconstructionErr(), model.nIter(), model.nSteps(), elapsed);
        out.println("Results in " + folder.target() + ": components.csv, W/, summary.json, model/, convergence.png"
            + (imageShape != null ? ", components.png" : "") + (in.vocabulary() != null ? ", topics.txt" : ""));
      }
    }

    private void write(OutputFolder folder, NMFModel model, Input in, Dataset<Row> rows, int[] imageShape,
        NMFEstimator<?> estimator, double elapsed, SparkSession spark) throws IOException {
      JobReport.writeComponents(folder, model.components());
      JobReport.writeW(folder, model.transform(rows), "w", model.getFeatureNamesOut(), o.wFormat);
      model.write().save(folder.pathOf("model"));
      boolean mini = model.isMiniBatch();
      boolean mu = !mini && "mu".equals(estimator.getOrDefault(estimator.getParam("solver")));
      Plots.convergence(folder, model.summary().objectiveHistory(), mini ? "mini-batch step"
          : mu ? "check (every 10 iterations)" : "iteration",
          (mini ? "MiniBatchNMF" : "NMF") + ", k = " + model.numComponents());
      if (imageShape != null) {
        Plots.components(folder, model.components(), imageShape[0], imageShape[1]);
      }
      if (in.vocabulary() != null) {
        JobReport.writeTopics(folder, model, o.topTerms);
      }
      Map<String, Object> job = new LinkedHashMap<>();
      job.put("input", o.input);
      job.put("format", in.format());
      job.put("output", folder.target());
      job.put("spark_master", spark.sparkContext().master());
      job.put("spark_version", spark.version());
      job.put("executors", spark.sparkContext().statusTracker().getExecutorInfos().length - 1);
      JobReport.writeSummary(folder, JobReport.summary(model, in, o.estimator,
          StageConfig.effective(estimator), job, elapsed));
    }

    /** With no --input: the digits sample, 16 components, drawn as 8×8 images. */
    private void applySampleDefaults() {
      if (o.input != null) {
        return;
      }
      String home = System.getProperty("sparknmf.home");
      Path sample = home == null ? null : Path.of(home, "data-samples", "digits.csv");
      if (sample == null || !Files.isRegularFile(sample)) {
        return;
      }
      o.input = sample.toString();
      if (!o.isGiven("n-components")) {
        o.given.put("n-components", "16");
      }
      if (o.imageShape == null) {
        o.imageShape = "8x8";
      }
      out.println("No --input: factorizing the digits sample " + sample + " (1797 images of 8×8 pixels), "
          + "--n-components " + o.given.get("n-components") + " --image-shape " + o.imageShape);
    }

    /** H from --init-h, and W from --init-w joined to the rows by row_id. */
    private Dataset<Row> customInit(SparkSession spark, NMFEstimator<?> estimator, Input in) {
      if (o.initH == null || o.initW == null) {
        throw new IllegalArgumentException("--init custom needs --init-w and --init-h");
      }
      double[][] h = InputReader.readSmallCsv(spark, o.initH, "--init-h");
      if (h[0].length != in.nFeatures()) {
        throw new IllegalArgumentException("--init-h " + o.initH + ": rows have " + h[0].length
            + " values, X has " + in.nFeatures() + " features");
      }
      int k = h.length;
      double[] colMajor = new double[k * h[0].length];
      for (int t = 0; t < k; t++) {
        for (int j = 0; j < h[0].length; j++) {
          colMajor[j * k + t] = h[t][j];
        }
      }
      Matrix hm = new DenseMatrix(k, h[0].length, colMajor);
      estimator.setInitH(hm).setInitWCol("initW");
      Input w = InputReader.read(spark, o.initW, "csv", withoutHeader());
      if (w.nSamples() != in.nSamples() || w.nFeatures() != k) {
        throw new IllegalArgumentException("--init-w " + o.initW + ": " + w.nSamples() + " × " + w.nFeatures()
            + ", but W must be " + in.nSamples() + " × " + k + " (rows of X × rows of --init-h)");
      }
      Dataset<Row> wRows = w.rows().withColumnRenamed(InputReader.FEATURES, "initW");
      return in.rows().join(wRows, InputReader.ROW_ID).orderBy(col(InputReader.ROW_ID));
    }

    private JobOptions withoutHeader() {
      JobOptions plain = new JobOptions();
      plain.header = false;
      return plain;
    }
  }

  /** "HxW" as {height, width}, or null. */
  static int[] imageShape(String shape) {
    if (shape == null) {
      return null;
    }
    String[] parts = shape.toLowerCase().split("[x×]");
    try {
      if (parts.length == 2) {
        int h = Integer.parseInt(parts[0].trim());
        int w = Integer.parseInt(parts[1].trim());
        if (h >= 1 && w >= 1) {
          return new int[] {h, w};
        }
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("--image-shape " + shape + ": expected HEIGHTxWIDTH, e.g. 8x8");
  }

  private static String defaultOutput(String input) {
    String name = new org.apache.hadoop.fs.Path(input).getName().replaceAll("\\.[^.]*$", "");
    return Path.of("nmf-output", name + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern(
        "yyyyMMdd-HHmmss"))).toAbsolutePath().toString();
  }

  /** The active session (tests, notebooks), else a new one on --master or spark-submit's master. */
  private static SparkSession session(String master) {
    SparkSession.Builder b = SparkSession.builder().appName("spark-nmf");
    if (master != null) {
      b.master(master);
    } else if (SparkSession.getActiveSession().isEmpty() && System.getProperty("spark.master") == null) {
      b.master("local[*]");
    }
    return b.getOrCreate();
  }
}
