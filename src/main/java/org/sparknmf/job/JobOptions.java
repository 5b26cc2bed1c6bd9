package org.sparknmf.job;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * The job's command line: scikit-learn's parameter names in kebab case, its defaults, and the
 * job's own options (input, output, format, text and image settings). Every option can also live
 * in a properties file given with {@code --conf-file} (key = the option's name without dashes);
 * the command line wins over the file.
 *
 * <p>The options that are parameters of the Spark ML stage are listed in {@link #STAGE_PARAMS} and
 * handed to the stage by {@link StageConfig}, which validates them with the stage's own validators.
 */
@Command(name = "spark-nmf", mixinStandardHelpOptions = true, sortOptions = false,
    version = "spark-nmf 0.1.0",
    description = {
        "Non-negative matrix factorization X ≈ W·H (scikit-learn's NMF and MiniBatchNMF) on Spark.",
        "Writes components.csv (H), W/, summary.json, model/ and plots to --output."},
    footer = {"",
        "Exit codes: 0 success, 2 bad usage or bad input (one line on stderr), 1 other failures.",
        "Every option may also be given in --conf-file as name=value (e.g. n-components=20)."})
public final class JobOptions {

  /** Job option (without dashes) → the stage param it sets. */
  static final Map<String, String> STAGE_PARAMS = stageParams();

  /** Options that only one estimator has: option → the estimator. */
  static final Map<String, String> ESTIMATOR_ONLY = estimatorOnly();

  // ---- input and output ----

  @Option(names = "--input", paramLabel = "PATH", description = "File or folder of input rows: a local "
      + "path, file:// or hdfs:// (default: the digits sample in data-samples/).")
  String input;

  @Option(names = "--format", paramLabel = "FORMAT", description = "csv, tsv, libsvm, parquet or text "
      + "(default: from the file extension; .txt → text).")
  String format;

  @Option(names = "--header", arity = "0..1", fallbackValue = "true",
      description = "CSV/TSV: the first line of each file is a header to skip.")
  boolean header;

  @Option(names = "--features-col", paramLabel = "NAME", defaultValue = "features",
      description = "Parquet: the column of features (ML Vector or array of numbers). Default: ${DEFAULT-VALUE}.")
  String featuresCol;

  @Option(names = "--n-features", paramLabel = "N",
      description = "libsvm: the number of features (default: the largest index seen).")
  Integer nFeatures;

  @Option(names = "--output", paramLabel = "DIR", description = "Folder for the results (default: "
      + "nmf-output/<input name>-<time> in the current folder). Refused if it exists, unless --overwrite.")
  String output;

  @Option(names = "--overwrite", arity = "0..1", fallbackValue = "true",
      description = "Replace --output if it exists (only once the new results are complete).")
  boolean overwrite;

  @Option(names = "--w-format", paramLabel = "parquet|csv", defaultValue = "parquet",
      description = "Format of W/: parquet (row_id, nmf0..) or csv (row_id then k numbers a line). "
          + "Default: ${DEFAULT-VALUE}.")
  String wFormat;

  @Option(names = "--conf-file", paramLabel = "FILE",
      description = "Properties file with job options (name=value); the command line overrides it.")
  Path confFile;

  @Option(names = "--master", paramLabel = "URL", description = "Spark master for nmf-local "
      + "(default: local[*]); with spark-submit use its own --master.")
  String master;

  // ---- the estimator (scikit-learn's parameters) ----

  @Option(names = "--estimator", paramLabel = "nmf|minibatch", defaultValue = "minibatch",
      description = "NMF (full batch) or MiniBatchNMF. Default: ${DEFAULT-VALUE}.")
  String estimator;

  @Option(names = "--n-components", paramLabel = "K|auto", description = "Number of components; auto: "
      + "from --init-h with custom init, else one per feature (scikit-learn's None). Default: auto.")
  String nComponents;

  @Option(names = "--init", paramLabel = "METHOD", description = "random, nndsvd, nndsvda, nndsvdar or "
      + "custom (default: nndsvda when k <= min(n_samples, n_features), else random).")
  String init;

  @Option(names = "--init-w", paramLabel = "PATH", description = "Starting W for --init custom: CSV, "
      + "one row per input row, k numbers.")
  String initW;

  @Option(names = "--init-h", paramLabel = "PATH", description = "Starting H for --init custom: CSV, "
      + "k rows of n_features numbers.")
  String initH;

  @Option(names = "--solver", paramLabel = "cd|mu", description = "NMF's solver: coordinate descent "
      + "(Frobenius only) or multiplicative update. Default: cd.")
  String solver;

  @Option(names = "--beta-loss", paramLabel = "LOSS", description = "frobenius, kullback-leibler, "
      + "itakura-saito or a number. Default: frobenius.")
  String betaLoss;

  @Option(names = "--tol", paramLabel = "FLOAT", description = "Tolerance of the stopping condition. Default: 1e-4.")
  Double tol;

  @Option(names = "--max-iter", paramLabel = "N", description = "Maximum iterations (epochs for "
      + "minibatch). Default: 200.")
  Integer maxIter;

  @Option(names = "--random-state", paramLabel = "SEED", description = "Seed of the random numbers "
      + "(NumPy's, as scikit-learn). Default: none, a fresh seed, written to summary.json.")
  Long randomState;

  @Option(names = "--alpha-w", paramLabel = "FLOAT", description = "Regularization of W. Default: 0.")
  Double alphaW;

  @Option(names = "--alpha-h", paramLabel = "FLOAT|same", description = "Regularization of H. Default: same.")
  String alphaH;

  @Option(names = "--l1-ratio", paramLabel = "FLOAT", description = "Share of L1 in the regularization, "
      + "in [0, 1]. Default: 0.")
  Double l1Ratio;

  @Option(names = "--shuffle", arity = "0..1", fallbackValue = "true",
      description = "NMF with cd: randomize the order of coordinates. Default: false.")
  Boolean shuffle;

  @Option(names = "--verbose", arity = "0..1", fallbackValue = "1", paramLabel = "LEVEL",
      description = "Print scikit-learn's progress messages. Default: 0.")
  Integer verbose;

  @Option(names = "--batch-size", paramLabel = "N", description = "MiniBatchNMF: rows per mini-batch. Default: 1024.")
  Integer batchSize;

  @Option(names = "--forget-factor", paramLabel = "FLOAT", description = "MiniBatchNMF: weight of past "
      + "batches, in [0, 1]. Default: 0.7.")
  Double forgetFactor;

  @Option(names = "--max-no-improvement", paramLabel = "N|none", description = "MiniBatchNMF: stop after "
      + "this many steps without improvement of the smoothed cost; none disables. Default: 10.")
  String maxNoImprovement;

  @Option(names = "--fresh-restarts", arity = "0..1", fallbackValue = "true",
      description = "MiniBatchNMF: solve W from scratch at every step. Default: false.")
  Boolean freshRestarts;

  @Option(names = "--fresh-restarts-max-iter", paramLabel = "N", description = "MiniBatchNMF: iterations "
      + "of a fresh W solve. Default: 30.")
  Integer freshRestartsMaxIter;

  @Option(names = "--transform-max-iter", paramLabel = "N", description = "MiniBatchNMF: iterations of "
      + "transform (default: --max-iter).")
  Integer transformMaxIter;

  // ---- Spark ----

  @Option(names = "--partitions", paramLabel = "N", description = "Blocks of X (default: the input's "
      + "partitions).")
  Integer partitions;

  @Option(names = "--execution", paramLabel = "MODE", description = "auto (small X on the driver), "
      + "driver or distributed. Default: auto.")
  String execution;

  @Option(names = "--checkpoint-dir", paramLabel = "DIR", description = "Save the fit's state in this "
      + "folder (any Hadoop path) every --checkpoint-interval epochs (iterations), so that --resume can "
      + "continue it if the job dies; cleared once the results are written.")
  String checkpointDir;

  @Option(names = "--checkpoint-interval", paramLabel = "N", description = "Epochs (minibatch) or "
      + "iterations (nmf) between checkpoints of the fit. Default: 10.")
  Integer checkpointInterval;

  @Option(names = "--resume", arity = "0..1", fallbackValue = "true", description = "Continue the fit saved "
      + "in --checkpoint-dir (same data and options; a new fit when the folder holds none).")
  boolean resume;

  // ---- text input ----

  @Option(names = "--max-features", paramLabel = "N", defaultValue = "10000",
      description = "Text: vocabulary size (most frequent terms). Default: ${DEFAULT-VALUE}.")
  int maxFeatures;

  @Option(names = "--min-df", paramLabel = "N|FRACTION", defaultValue = "2",
      description = "Text: ignore terms in fewer documents (a count, or a fraction if < 1). Default: ${DEFAULT-VALUE}.")
  double minDf;

  @Option(names = "--max-df", paramLabel = "N|FRACTION", defaultValue = "0.95",
      description = "Text: ignore terms in more documents (a count, or a fraction if <= 1). Default: ${DEFAULT-VALUE}.")
  double maxDf;

  @Option(names = "--stop-words", paramLabel = "english|none", defaultValue = "english",
      description = "Text: stop words to remove. Default: ${DEFAULT-VALUE}.")
  String stopWords;

  @Option(names = "--top-terms", paramLabel = "N", defaultValue = "10",
      description = "Text: terms per component in topics.txt. Default: ${DEFAULT-VALUE}.")
  int topTerms;

  // ---- images ----

  @Option(names = "--image-shape", paramLabel = "HxW", description = "Rows are images of this shape "
      + "(H·W = n_features): components.png shows each component as an image.")
  String imageShape;

  /** Options set on the command line or in the conf file, by name without dashes. */
  final Map<String, String> given = new LinkedHashMap<>();

  /**
   * Parses the arguments (and the conf file they name). Returns null when help or the version was
   * printed. Throws {@link CommandLine.ParameterException} on bad usage.
   */
  static JobOptions parse(String[] args) {
    JobOptions options = new JobOptions();
    CommandLine cli = commandLine(options);
    Properties conf = confFileOf(args);
    if (conf != null) {
      cli.setDefaultValueProvider(arg -> fromConf(conf, arg));
    }
    CommandLine.ParseResult result = cli.parseArgs(args);
    if (CommandLine.printHelpIfRequested(result)) {
      return null;
    }
    for (OptionSpec o : cli.getCommandSpec().options()) {
      String name = o.longestName().substring(2);
      if (result.hasMatchedOption(o)) {
        options.given.put(name, String.valueOf((Object) o.getValue()));
      } else if (conf != null && conf.getProperty(name) != null) {
        options.given.put(name, conf.getProperty(name).trim());
      }
    }
    if (conf != null) {
      for (String key : conf.stringPropertyNames()) {
        if (cli.getCommandSpec().findOption(key) == null || "conf-file".equals(key)) {
          throw new CommandLine.ParameterException(cli, "--conf-file " + options.confFile
              + ": unknown option '" + key + "'");
        }
      }
    }
    return options;
  }

  /** The picocli command for these options (also used to print the usage). */
  static CommandLine commandLine(JobOptions options) {
    return new CommandLine(options).setOverwrittenOptionsAllowed(true);
  }

  private static String fromConf(Properties conf, ArgSpec arg) {
    if (!(arg instanceof OptionSpec o)) {
      return null;
    }
    String v = conf.getProperty(o.longestName().substring(2));
    return v != null ? v.trim() : o.defaultValue();
  }

  /** Reads the file named by {@code --conf-file} before parsing, so its values act as defaults. */
  private static Properties confFileOf(String[] args) {
    String path = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--conf-file") && i + 1 < args.length) {
        path = args[i + 1];
      } else if (args[i].startsWith("--conf-file=")) {
        path = args[i].substring("--conf-file=".length());
      }
    }
    if (path == null) {
      return null;
    }
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(Path.of(path))) {
      p.load(in);
    } catch (IOException e) {
      throw new IllegalArgumentException("--conf-file " + path + ": cannot read it (" + e.getMessage() + ")");
    }
    return p;
  }

  /** Whether the option (name without dashes) was given on the command line or in the conf file. */
  boolean isGiven(String name) {
    return given.containsKey(name);
  }

  private static Map<String, String> stageParams() {
    return Map.ofEntries(Map.entry("n-components", "k"), Map.entry("init", "init"),
        Map.entry("solver", "solver"), Map.entry("beta-loss", "betaLoss"), Map.entry("tol", "tol"),
        Map.entry("max-iter", "maxIter"), Map.entry("random-state", "seed"), Map.entry("alpha-w", "alphaW"),
        Map.entry("alpha-h", "alphaH"), Map.entry("l1-ratio", "l1Ratio"), Map.entry("shuffle", "shuffle"),
        Map.entry("verbose", "verbose"), Map.entry("batch-size", "batchSize"),
        Map.entry("forget-factor", "forgetFactor"), Map.entry("max-no-improvement", "maxNoImprovement"),
        Map.entry("fresh-restarts", "freshRestarts"), Map.entry("fresh-restarts-max-iter", "freshRestartsMaxIter"),
        Map.entry("transform-max-iter", "transformMaxIter"), Map.entry("partitions", "numPartitions"),
        Map.entry("execution", "execution"), Map.entry("checkpoint-dir", "checkpointDir"),
        Map.entry("checkpoint-interval", "checkpointInterval"), Map.entry("resume", "resume"));
  }

  private static Map<String, String> estimatorOnly() {
    return Map.of("solver", "nmf", "shuffle", "nmf", "batch-size", "minibatch", "forget-factor", "minibatch",
        "max-no-improvement", "minibatch", "fresh-restarts", "minibatch",
        "fresh-restarts-max-iter", "minibatch", "transform-max-iter", "minibatch");
  }
}
