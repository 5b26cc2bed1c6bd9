package org.sparknmf.job;

import static org.apache.spark.sql.functions.col;

import java.util.List;
import java.util.Objects;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.sparknmf.job.InputReader.Input;

/**
 * Parquet input: the rows of a Vector column (or an array of numbers), numbered in input order —
 * files in name order, records in file order ({@code _metadata.row_index}), as Spark's file scan
 * itself packs files by size, not by name.
 */
final class ParquetInput {

  private ParquetInput() {}

  static Input read(SparkSession spark, String input, List<Path> files, String featuresCol) {
    Dataset<Row> df = spark.read().parquet(files.stream().map(Path::toString).toArray(String[]::new));
    if (!List.of(df.columns()).contains(featuresCol)) {
      throw new IllegalArgumentException("--features-col " + featuresCol + ": no such column in " + input
          + " (its columns: " + String.join(", ", df.columns()) + ")");
    }
    StructField field = df.schema().apply(featuresCol);
    DataType type = field.dataType();
    boolean vector = type instanceof VectorUDT;
    boolean array = type instanceof ArrayType a && a.elementType() instanceof NumericType;
    if (!vector && !array) {
      throw new IllegalArgumentException("--features-col " + featuresCol + ": the column is "
          + type.simpleString() + ", not a vector or an array of numbers");
    }
    JavaRDD<Row> ordered = df
        .select(col(featuresCol), col("_metadata.file_path").as("_file"), col("_metadata.row_index").as("_index"))
        .orderBy("_file", "_index")
        .javaRDD();
    if (ordered.isEmpty()) {
      throw new IllegalArgumentException("--input " + input + ": no rows");
    }
    Row first = ordered.first();
    int n = first.isNullAt(0) ? -1 : vectorOf(first).size();
    // Problems come back as values, not as failed tasks, so Spark logs no task failure for them.
    List<String> problems = ordered.map(r -> problem(r, n, featuresCol)).filter(Objects::nonNull).take(1);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(problems.get(0));
    }
    JavaRDD<Row> rows = ordered.zipWithIndex().map(t -> RowFactory.create(t._2(), vectorOf(t._1())));
    return new Input(spark.createDataFrame(rows, InputReader.schema()), ordered.count(), n, null, "parquet");
  }

  /** What is wrong with a record (null, a size other than {@code n}, a bad entry), or null. */
  private static String problem(Row r, int n, String col) {
    String where = r.getString(1) + " record " + r.getLong(2);
    if (r.isNullAt(0)) {
      return where + ": column " + col + " is null";
    }
    if (!(r.get(0) instanceof Vector) && r.getList(0).contains(null)) {
      return where + ": column " + col + " holds a null";
    }
    Vector v = vectorOf(r);
    if (v.size() != n) {
      return where + ": " + v.size() + " values, but the first record has " + n;
    }
    double[] bad = {0, -1};
    v.foreachActive((j, x) -> {
      if (bad[1] < 0 && ((double) x < 0 || !Double.isFinite((double) x))) {
        bad[0] = (double) x;
        bad[1] = (int) j;
      }
      return null;
    });
    if (bad[1] < 0) {
      return null;
    }
    String value = Double.isFinite(bad[0]) ? "negative value " + bad[0] + " (NMF needs X >= 0)"
        : "'" + bad[0] + "' is not a finite number";
    return where + ", column " + ((int) bad[1] + 1) + ": " + value;
  }

  private static Vector vectorOf(Row r) {
    if (r.get(0) instanceof Vector v) {
      return v;
    }
    List<Object> list = r.getList(0);
    double[] v = new double[list.size()];
    for (int j = 0; j < v.length; j++) {
      v[j] = ((Number) list.get(j)).doubleValue();
    }
    return new DenseVector(v);
  }
}
