package org.sparknmf.job;

import static org.apache.spark.sql.functions.col;

import java.util.List;
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
import org.sparknmf.engine.SparkErrors;
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
    JavaRDD<Row> rows = ordered.zipWithIndex().map(t -> RowFactory.create(t._2(), vectorOf(t._1(), featuresCol)));
    Dataset<Row> x = spark.createDataFrame(rows, InputReader.schema());
    Row first = SparkErrors.rethrowingBadInput(() -> x.isEmpty() ? null : x.first());
    if (first == null) {
      throw new IllegalArgumentException("--input " + input + ": no rows");
    }
    return new Input(x, x.count(), ((Vector) first.get(1)).size(), null, "parquet");
  }

  /** The features of one record; errors name its file and 0-based record number. */
  private static Vector vectorOf(Row r, String col) {
    String where = r.getString(1) + " record " + r.getLong(2);
    if (r.isNullAt(0)) {
      throw new IllegalArgumentException(where + ": column " + col + " is null");
    }
    if (r.get(0) instanceof Vector v) {
      return v;
    }
    List<Object> list = r.getList(0);
    double[] v = new double[list.size()];
    for (int j = 0; j < v.length; j++) {
      if (list.get(j) == null) {
        throw new IllegalArgumentException(where + ": " + col + "[" + j + "] is null");
      }
      v[j] = ((Number) list.get(j)).doubleValue();
    }
    return new DenseVector(v);
  }
}
