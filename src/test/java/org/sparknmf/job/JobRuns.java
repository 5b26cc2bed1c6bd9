package org.sparknmf.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparknmf.testing.LocalSpark;

/** Runs the job in the test JVM (on the shared local[2] session) and reads what it wrote. */
final class JobRuns {

  /** The exit code and what the job printed. */
  record Result(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private JobRuns() {}

  /** {@link NmfJob#run} with these arguments, on the tests' SparkSession. */
  static Result run(String... args) {
    LocalSpark.session(); // the job uses the active session
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = NmfJob.run(args, o, e);
    }
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** components.csv of an output folder on any Hadoop file system: k rows of n doubles. */
  static double[][] components(String outputDir) {
    List<double[]> rows = new ArrayList<>();
    for (String line : lines(outputDir + "/components.csv")) {
      rows.add(Arrays.stream(line.split(",")).mapToDouble(Double::parseDouble).toArray());
    }
    return rows.toArray(new double[0][]);
  }

  /** summary.json of an output folder. */
  static JsonNode summary(String outputDir) {
    try (InputStream in = open(outputDir + "/summary.json")) {
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The lines of a text file on any Hadoop file system. */
  static List<String> lines(String file) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(open(file), StandardCharsets.UTF_8))) {
      return r.lines().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static FileSystem fs(String path) {
    try {
      return new Path(path).getFileSystem(LocalSpark.session().sparkContext().hadoopConfiguration());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InputStream open(String file) throws IOException {
    return fs(file).open(new Path(file));
  }
}
