package org.sparknmf.job;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sparknmf.engine.SparkErrors;

/**
 * Reads the job's input into rows of X: a DataFrame of {@code row_id} (the 0-based position of the
 * row in the input: files in name order, lines or records in file order) and {@code features} (a
 * Vector), in input order. CSV, TSV and libsvm are parsed here with errors naming the file, line and
 * column; parquet is read by Spark; text goes through {@link TextFeatures}.
 */
final class InputReader {

  static final String ROW_ID = "row_id";
  static final String FEATURES = "features";
  static final List<String> FORMATS = List.of("csv", "tsv", "libsvm", "parquet", "text");

  /** The rows of X and what is known of them. {@code vocabulary} is null but for text. */
  record Input(Dataset<Row> rows, long nSamples, int nFeatures, String[] vocabulary, String format) {}

  private InputReader() {}

  static Input read(SparkSession spark, String input, String format, JobOptions o) {
    List<Path> files = files(spark, input);
    String fmt = formatOf(format, files.get(0).getName());
    return switch (fmt) {
      case "csv", "tsv", "libsvm" -> numeric(spark, files, fmt, o.header,
          "libsvm".equals(fmt) ? o.nFeatures : null);
      case "parquet" -> ParquetInput.read(spark, input, files, o.featuresCol);
      case "text" -> TextFeatures.read(spark, new LocatedLines(jsc(spark), files, false, null, line -> !line.isBlank()), o);
      default -> throw new IllegalStateException(fmt);
    };
  }

  /** The format given, else the one the file name's extension says (ignoring .gz, .bz2 ...). */
  static String formatOf(String format, String fileName) {
    if (format != null) {
      String f = format.toLowerCase(Locale.ROOT);
      if (!FORMATS.contains(f)) {
        throw new IllegalArgumentException("--format " + format + ": unknown format (one of "
            + String.join(", ", FORMATS) + ")");
      }
      return f;
    }
    String name = fileName.toLowerCase(Locale.ROOT).replaceAll("\\.(gz|bz2|deflate|zst|lz4|snappy)$", "");
    String ext = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1) : "";
    return switch (ext) {
      case "csv" -> "csv";
      case "tsv", "tab" -> "tsv";
      case "libsvm", "svm", "svmlight" -> "libsvm";
      case "parquet" -> "parquet";
      case "txt" -> "text";
      default -> throw new IllegalArgumentException("--format: cannot tell the format of " + fileName
          + " from its extension; give --format " + String.join("|", FORMATS));
    };
  }

  /**
   * The data files of {@code input} (a file, or a folder's files in name order, skipping hidden
   * files such as {@code _SUCCESS} and {@code .crc}), refusing what is missing or empty.
   */
  static List<Path> files(SparkSession spark, String input) {
    Path path = new Path(input);
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    try {
      FileSystem fs;
      try {
        checkReachable(path, conf);
        fs = path.getFileSystem(conf);
      } catch (IllegalArgumentException e) { // Hadoop's way to say a host is unknown
        throw new IllegalArgumentException("--input " + input + ": " + firstLine(e));
      }
      FileStatus status = fs.getFileStatus(path);
      if (status.isFile()) {
        if (status.getLen() == 0) {
          throw new IllegalArgumentException("--input " + input + ": the file is empty");
        }
        return List.of(status.getPath());
      }
      List<Path> files = new ArrayList<>();
      FileStatus[] listed = fs.listStatus(path);
      Arrays.sort(listed);
      for (FileStatus f : listed) {
        String name = f.getPath().getName();
        if (f.isFile() && !name.startsWith(".") && !name.startsWith("_") && f.getLen() > 0) {
          files.add(f.getPath());
        }
      }
      if (files.isEmpty()) {
        throw new IllegalArgumentException("--input " + input + ": the folder has no data files");
      }
      return files;
    } catch (FileNotFoundException e) {
      throw new IllegalArgumentException("--input " + input + ": no such file or folder");
    } catch (IOException e) {
      throw new IllegalArgumentException("--input " + input + ": cannot read it (" + firstLine(e) + ")");
    }
  }

  /**
   * Fails fast, with the client's error naming the address, when the file system of {@code path}
   * cannot be reached (a namenode down, a wrong host or port): for the checks made before any work.
   * Hadoop's RPC client retries by default a connection that times out 45 times, 20 s each, so a
   * wrong host would be reported after 15 minutes. Unless the user set them, this asks once, with
   * one retry on a refused connection and none on a timeout, through a new FileSystem instance: the
   * cached one, which the reads and writes of the job use, keeps the user's retry settings.
   */
  static void checkReachable(Path path, Configuration conf) throws IOException {
    Configuration quick = new Configuration(conf);
    Map<String, Integer> retries = Map.of("ipc.client.connect.max.retries", 1,
        "ipc.client.connect.max.retries.on.timeouts", 0);
    retries.forEach((key, value) -> {
      String[] sources = conf.getPropertySources(key);
      if (sources == null || Arrays.asList(sources).equals(List.of("core-default.xml"))) {
        quick.setInt(key, value);
      }
    });
    try (FileSystem fs = FileSystem.newInstance(path.toUri(), quick)) {
      fs.exists(path);
    }
  }

  private static Input numeric(SparkSession spark, List<Path> files, String format, boolean header,
      Integer nFeatures) {
    LineParser parser = LineParser.of(format);
    LocatedLines lines = new LocatedLines(jsc(spark), files, header, parser::width, parser::isRow);
    if (lines.rows() == 0) {
      throw new IllegalArgumentException("--input: no rows in " + files.get(0).getParent() + " ("
          + files.size() + " file(s), all empty or blank" + (header ? " but for headers" : "") + ")");
    }
    int n;
    if ("libsvm".equals(format)) {
      if (nFeatures != null && nFeatures < 1) {
        throw new IllegalArgumentException("--n-features " + nFeatures + ": must be >= 1");
      }
      n = nFeatures != null ? nFeatures : lines.maxWidth();
      lines.requireValid(false, n, "features (--n-features)");
      if (n == 0) {
        throw new IllegalArgumentException("--input: every row is empty (no index:value entries)");
      }
    } else {
      n = lines.firstWidth();
      lines.requireValid(true, Integer.MAX_VALUE, "columns");
    }
    int width = n;
    JavaRDD<Row> rows = lines.map((id, line, where) -> RowFactory.create(id, parser.parse(line, width, where)));
    return new Input(spark.createDataFrame(rows, schema()), lines.rows(), n, null, format);
  }

  /** {@code row_id: long, features: vector}. */
  static StructType schema() {
    return new StructType().add(ROW_ID, DataTypes.LongType, false).add(FEATURES, SQLDataTypes.VectorType(), false);
  }

  /**
   * A small matrix from a CSV file on the driver (custom H): {@code what} names the option in errors.
   */
  static double[][] readSmallCsv(SparkSession spark, String path, String what) {
    List<Path> files;
    try {
      files = files(spark, path);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage().replace("--input", what));
    }
    Input in = numeric(spark, files, "csv", false, null);
    List<Row> rows = SparkErrors.rethrowingBadInput(() -> in.rows().orderBy(ROW_ID).collectAsList());
    double[][] m = new double[rows.size()][];
    for (int i = 0; i < m.length; i++) {
      m[i] = ((Vector) rows.get(i).get(1)).toArray();
    }
    return m;
  }

  static JavaSparkContext jsc(SparkSession spark) {
    return JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  static String firstLine(Throwable e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
