package org.sparknmf.ml;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sparknmf.testing.LocalSpark;
import org.sparknmf.util.NumpyRandomState;

/** Small fixed inputs shared by the stage tests. */
final class StageTestData {

  private StageTestData() {}

  /** A non-negative {@code m × n} matrix from a fixed seed (|standard normal| + 0.1, no zeros). */
  static double[][] matrix(int m, int n, long seed) {
    NumpyRandomState rng = new NumpyRandomState(seed);
    double[] flat = new double[m * n];
    rng.standardNormal(flat);
    double[][] x = new double[m][n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        x[i][j] = Math.abs(flat[i * n + j]) + 0.1;
      }
    }
    return x;
  }

  /** Columns id (int) and features (dense vectors), in row order. */
  static Dataset<Row> frame(double[][] x) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < x.length; i++) {
      rows.add(RowFactory.create(i, Vectors.dense(x[i])));
    }
    StructType schema = new StructType()
        .add("id", DataTypes.IntegerType, false)
        .add("features", new VectorUDT(), false);
    return LocalSpark.session().createDataFrame(rows, schema);
  }

  static double[][] vectors(List<Row> rows, String col) {
    double[][] out = new double[rows.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((Vector) rows.get(i).getAs(col)).toArray();
    }
    return out;
  }

  /** A small NMF model (cd, random start) fitted on {@link #matrix}(24, 6, 3). */
  static NMFModel nmfModel() {
    return new NMF().setK(3).setInit("random").setSeed(7).setMaxIter(30).fit(frame(matrix(24, 6, 3)));
  }

  /** A small MiniBatchNMF model (3 batches per epoch) fitted on {@link #matrix}(24, 6, 3). */
  static NMFModel miniBatchModel() {
    return new MiniBatchNMF().setK(3).setInit("random").setSeed(7).setMaxIter(5).setBatchSize(8)
        .fit(frame(matrix(24, 6, 3)));
  }
}
