package org.sparknmf.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparknmf.testing.Assertions2.assertMatrixClose;
import static org.sparknmf.testing.Assertions2.assertRelClose;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.ml.linalg.Matrices;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparknmf.linalg.CsrMatrix;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.testing.Assertions2;
import org.sparknmf.testing.LocalSpark;
import org.sparknmf.testing.SklearnFixture;

/**
 * The deterministic reference cases of scikit-learn 1.2.1 (init='custom') through the Spark ML
 * stage: X (dense or sparse vectors as stored) and the starting W as DataFrame columns, H as the
 * initH matrix, execution "distributed". H, reconstructionErr within 1e-6 relative, nIter and nSteps
 * exact (the fixtures' README), transform of transform_X within 1e-6 relative.
 *
 * <p>The starts come from {@link SklearnFixture#customStart()}: the stored W0/H0 are the arrays
 * scikit-learn updated in place, not the starts.
 */
class StageParityTest {

  private static final double TOL = 1e-6;
  private static final Map<String, Double> WORST = new java.util.TreeMap<>();

  static Stream<Arguments> cases() {
    List<Arguments> list = new ArrayList<>();
    for (SklearnFixture f : SklearnFixture.all()) {
      if (!f.deterministic() || !(f.estimator().equals("NMF") || f.estimator().equals("MiniBatchNMF"))) {
        continue;
      }
      list.add(Arguments.of(f, 1));
      if (f.name().equals("nmf_cd_frobenius") || f.name().equals("nmf_mu_kl_sparse")) {
        list.add(Arguments.of(f, 3));
      }
    }
    return list.stream();
  }

  @ParameterizedTest(name = "{0} on {1} partition(s)")
  @MethodSource("cases")
  void stageMatchesScikitLearn(SklearnFixture f, int partitions) {
    boolean miniBatch = f.estimator().equals("MiniBatchNMF");
    DataMatrix x = SklearnFixture.matrix(f.json().get("X"));
    DenseMatrix[] start = f.customStart();
    Dataset<Row> data = frame(x, start[0]);

    NMFEstimator<?> est = miniBatch ? new MiniBatchNMF() : new NMF();
    configure(est, f.params());
    est.setInit("custom").setInitH(sparkMatrix(start[1])).setInitWCol("w0")
        .setExecution("distributed").setNumPartitions(partitions).setStorageLevel("MEMORY_ONLY");
    NMFModel model = est.fit(data);

    JsonNode e = f.expected();
    double[][] h = toArray(model.components());
    double hErr = Assertions2.relativeError(h, SklearnFixture.array(e.get("H")));
    record(f + "/" + partitions + " H", hErr);
    assertMatrixClose(SklearnFixture.array(e.get("H")), h, TOL, "H");
    double errExpected = e.get("reconstruction_err").asDouble();
    record(f + "/" + partitions + " reconstruction_err",
        Math.abs(model.reconstructionErr() - errExpected) / errExpected);
    assertRelClose(errExpected, model.reconstructionErr(), TOL, "reconstruction_err");
    assertEquals(e.get("n_iter").asInt(), model.nIter(), "n_iter");
    if (miniBatch) {
      assertEquals(e.get("n_steps").asInt(), model.nSteps(), "n_steps");
    } else {
      assertEquals(0, model.nSteps(), "NMF has no steps");
    }
    assertEquals(x.cols(), model.numFeatures());
    assertEquals(start[1].rows(), model.numComponents());
    assertEquals(miniBatch, model.isMiniBatch());

    if (e.has("transform_W")) {
      DataMatrix tx = SklearnFixture.matrix(f.json().get("transform_X"));
      Dataset<Row> in = frame(tx, null).coalesce(1);
      double[][] tw = StageTestData.vectors(model.transform(in).orderBy("id").collectAsList(), model.getOutputCol());
      double twErr = Assertions2.relativeError(tw, SklearnFixture.array(e.get("transform_W")));
      record(f + "/" + partitions + " transform W", twErr);
      assertMatrixClose(SklearnFixture.array(e.get("transform_W")), tw, TOL, "transform W");
    }
  }

  @AfterAll
  static void report() {
    WORST.forEach((k, v) -> System.out.printf("parity %-55s %.3e%n", k, v));
  }

  private static synchronized void record(String what, double err) {
    WORST.put(what, err);
  }

  /** scikit-learn's constructor arguments as stage params. */
  static void configure(NMFEstimator<?> est, JsonNode params) {
    params.properties().forEach(entry -> {
      JsonNode v = entry.getValue();
      switch (entry.getKey()) {
        case "n_components" -> est.setK(v.asInt());
        case "init" -> est.setInit(v.asText());
        case "solver" -> ((NMF) est).setSolver(v.asText());
        case "beta_loss" -> {
          if (v.isNumber()) {
            est.setBetaLoss(v.asDouble());
          } else {
            est.setBetaLoss(v.asText());
          }
        }
        case "tol" -> est.setTol(v.asDouble());
        case "max_iter" -> est.setMaxIter(v.asInt());
        case "alpha_W" -> est.setAlphaW(v.asDouble());
        case "alpha_H" -> {
          if (v.isNumber()) {
            est.setAlphaH(v.asDouble());
          } else {
            est.setAlphaH(v.asText());
          }
        }
        case "l1_ratio" -> est.setL1Ratio(v.asDouble());
        case "batch_size" -> ((MiniBatchNMF) est).setBatchSize(v.asInt());
        case "forget_factor" -> ((MiniBatchNMF) est).setForgetFactor(v.asDouble());
        case "max_no_improvement" -> ((MiniBatchNMF) est).setMaxNoImprovement(v.isNull() ? 0 : v.asInt());
        case "fresh_restarts" -> ((MiniBatchNMF) est).setFreshRestarts(v.asBoolean());
        case "fresh_restarts_max_iter" -> ((MiniBatchNMF) est).setFreshRestartsMaxIter(v.asInt());
        case "transform_max_iter" -> ((MiniBatchNMF) est).setTransformMaxIter(v.isNull() ? 0 : v.asInt());
        case "shuffle" -> ((NMF) est).setShuffle(v.asBoolean());
        default -> throw new IllegalArgumentException("scikit-learn parameter not mapped: " + entry.getKey());
      }
    });
  }

  /** Columns id, features (dense or sparse rows, as X is stored) and, when given, w0. */
  static Dataset<Row> frame(DataMatrix x, DenseMatrix w0) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < x.rows(); i++) {
      Vector v;
      if (x instanceof CsrMatrix c) {
        int from = c.rowBegin(i);
        int to = c.rowEnd(i);
        v = Vectors.sparse(x.cols(), java.util.Arrays.copyOfRange(c.indices(), from, to),
            java.util.Arrays.copyOfRange(c.values(), from, to));
      } else {
        DenseMatrix d = (DenseMatrix) x;
        v = Vectors.dense(d.rowRange(i, i + 1).copy().data());
      }
      rows.add(w0 == null ? RowFactory.create(i, v)
          : RowFactory.create(i, v, Vectors.dense(w0.rowRange(i, i + 1).copy().data())));
    }
    StructType schema = new StructType().add("id", DataTypes.IntegerType, false).add("features", new VectorUDT(), false);
    if (w0 != null) {
      schema = schema.add("w0", new VectorUDT(), false);
    }
    return LocalSpark.session().createDataFrame(rows, schema);
  }

  /** A row-major driver matrix as a Spark (column-major) matrix. */
  static Matrix sparkMatrix(DenseMatrix m) {
    return Matrices.dense(m.rows(), m.cols(), m.transpose().copy().data());
  }

  static double[][] toArray(Matrix m) {
    double[][] a = new double[m.numRows()][m.numCols()];
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[i].length; j++) {
        a[i][j] = m.apply(i, j);
      }
    }
    return a;
  }

  /** Sanity check of the helpers: a Spark matrix built from a driver matrix reads back the same. */
  @org.junit.jupiter.api.Test
  void matrixHelpersAgree() {
    DenseMatrix m = new DenseMatrix(2, 3, new double[] {1, 2, 3, 4, 5, 6});
    Matrix s = sparkMatrix(m);
    assertEquals(2, s.numRows());
    assertEquals(3.0, s.apply(0, 2));
    assertEquals(4.0, s.apply(1, 0));
    assertTrue(java.util.Arrays.deepEquals(m.toArray(), toArray(s)));
  }
}
