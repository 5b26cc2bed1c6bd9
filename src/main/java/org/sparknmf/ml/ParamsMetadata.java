package org.sparknmf.ml;

import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.sql.SparkSession;
import scala.Option;

/**
 * Spark's params metadata ({@code metadata/} of a saved stage), through the one API that Spark 3.5
 * and 4.x share: the {@code SparkContext} overloads of {@code DefaultParamsWriter.saveMetadata} and
 * {@code DefaultParamsReader.loadMetadata}. The {@code SparkSession} overloads exist only in 4.x.
 */
final class ParamsMetadata {

  private ParamsMetadata() {}

  // Deprecated in Spark 4.x in favour of the SparkSession overload, which Spark 3.5 lacks.
  @SuppressWarnings("deprecation")
  static void save(Params instance, String path, SparkSession spark) {
    DefaultParamsWriter$.MODULE$.saveMetadata(instance, path, spark.sparkContext(), Option.empty(), Option.empty());
  }

  /** The metadata saved at {@code path}; fails unless it names {@code className}. */
  // Deprecated in Spark 4.x in favour of the SparkSession overload, which Spark 3.5 lacks.
  @SuppressWarnings("deprecation")
  static DefaultParamsReader.Metadata load(String path, SparkSession spark, String className) {
    try {
      return DefaultParamsReader$.MODULE$.loadMetadata(path, spark.sparkContext(), className);
    } catch (Exception e) {
      // Spark lets the JSON parser's error through, which names neither the folder nor the file.
      if (e instanceof com.fasterxml.jackson.core.JsonProcessingException
          || e.getClass().getName().startsWith("org.json4s.")) {
        throw new IllegalArgumentException(path + " is not a saved " + className + ": its metadata is not "
            + "Spark's params JSON (" + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + ")", e);
      }
      throw e;
    }
  }
}
