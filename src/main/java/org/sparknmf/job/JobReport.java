package org.sparknmf.job;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.functions;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.sparknmf.ml.NMFModel;

/**
 * Writes the results of a fit into the output folder: components.csv (H), W/ (the transformed
 * rows), summary.json, topics.txt (text input) and model/ (the saved NMFModel).
 */
final class JobReport {

  private JobReport() {}

  /** H as k lines of n comma-separated numbers; {@code Double.toString} parses back to the same bits. */
  static void writeComponents(OutputFolder out, Matrix h) throws IOException {
    try (PrintWriter w = writer(out.create("components.csv"))) {
      StringBuilder line = new StringBuilder();
      for (int t = 0; t < h.numRows(); t++) {
        line.setLength(0);
        for (int j = 0; j < h.numCols(); j++) {
          if (j > 0) {
            line.append(',');
          }
          line.append(h.apply(t, j));
        }
        w.println(line);
      }
    }
  }

  /** W: {@code row_id} and one column per component (nmf0, nmf1, ...), parquet or CSV without header. */
  static void writeW(OutputFolder out, Dataset<Row> transformed, String wCol, String[] names, String format) {
    List<Column> cols = new ArrayList<>();
    cols.add(col(InputReader.ROW_ID));
    Column array = functions.vector_to_array(col(wCol), "float64");
    for (int t = 0; t < names.length; t++) {
      cols.add(array.getItem(t).as(names[t]));
    }
    Dataset<Row> w = transformed.select(cols.toArray(new Column[0]));
    String path = out.pathOf("W");
    if ("csv".equals(format)) {
      w.write().mode(SaveMode.ErrorIfExists).csv(path);
    } else {
      w.write().mode(SaveMode.ErrorIfExists).parquet(path);
    }
  }

  /** The top terms of every component, one line each: "topic 3: rust cargo crate ...". */
  static void writeTopics(OutputFolder out, NMFModel model, int topTerms) throws IOException {
    try (PrintWriter w = writer(out.create("topics.txt"))) {
      for (Row r : model.describeTopics(topTerms).collectAsList()) {
        List<String> terms = r.getList(3);
        w.println("topic " + r.getInt(0) + ": " + String.join(" ", terms));
      }
    }
  }

  /** summary.json: the figures of the fit, the effective parameters and the objective history. */
  static void writeSummary(OutputFolder out, Map<String, Object> summary) throws IOException {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    try (OutputStream s = out.create("summary.json")) {
      json.writeValue(s, summary);
    }
  }

  /** The summary's fields in a stable order. */
  static Map<String, Object> summary(NMFModel model, InputReader.Input in, String estimator,
      Map<String, Object> parameters, Map<String, Object> job, double elapsedSeconds) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("estimator", estimator);
    s.put("reconstruction_err", model.reconstructionErr());
    s.put("n_iter", model.nIter());
    s.put("n_steps", model.nSteps());
    s.put("n_components", model.numComponents());
    s.put("n_features_in", model.numFeatures());
    s.put("n_samples", in.nSamples());
    s.put("elapsed_seconds", elapsedSeconds);
    s.put("parameters", parameters);
    s.put("job", job);
    s.put("objective_history", model.summary().objectiveHistory());
    return s;
  }

  private static PrintWriter writer(OutputStream s) {
    Writer w = new java.io.OutputStreamWriter(s, StandardCharsets.UTF_8);
    return new PrintWriter(new java.io.BufferedWriter(w));
  }
}
