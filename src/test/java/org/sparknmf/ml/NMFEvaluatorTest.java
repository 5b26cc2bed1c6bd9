package org.sparknmf.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.solver.BetaDivergence;
import org.sparknmf.solver.BetaLoss;
import org.sparknmf.testing.LocalSpark;

class NMFEvaluatorTest {

  private static final StructType PAIR = new StructType()
      .add("features", new VectorUDT()).add("reconstruction", new VectorUDT());

  private static Dataset<Row> pairs(Vector[] x, Vector[] xhat) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < x.length; i++) {
      rows.add(RowFactory.create(x[i], xhat[i]));
    }
    return LocalSpark.session().createDataFrame(rows, PAIR).repartition(2);
  }

  /** X = [[1, 2, 0], [3, 0, 4]] (second row sparse), X̂ = [[1, 1, 1], [2, 1, 4]]. */
  private static Dataset<Row> small() {
    return pairs(
        new Vector[] {Vectors.dense(1, 2, 0), Vectors.sparse(3, new int[] {0, 2}, new double[] {3, 4})},
        new Vector[] {Vectors.dense(1, 1, 1), Vectors.dense(2, 1, 4)});
  }

  @Test
  void metricsByHand() {
    Dataset<Row> df = small();
    // differences 0, 1, −1, 1, −1, 0: squared error 4; ‖X‖² = 1 + 4 + 9 + 16 = 30
    NMFEvaluator e = new NMFEvaluator();
    assertEquals("relativeFrobenius", e.getMetricName());
    assertFalse(e.isLargerBetter());
    assertEquals(Math.sqrt(4.0 / 30.0), e.evaluate(df), 1e-15);
    assertEquals(2.0, e.setMetricName("frobenius").evaluate(df), 1e-15);
    e.setMetricName("betaDivergence");
    assertEquals(2.0, e.evaluate(df), 1e-15); // frobenius: half the squared error
    // KL: Σ_{x>0} x·log(x/x̂) + Σ x̂ − Σ x
    double kl = 2 * Math.log(2) + 3 * Math.log(1.5) + 4 * Math.log(1) + 10 - 10;
    assertEquals(kl, e.setBetaLoss("kullback-leibler").evaluate(df), 1e-14);
    // IS: Σ_{x>0} (x/x̂ − log(x/x̂)) − entries
    double is = (1 + 2 + 1.5 + 1) - (Math.log(2) + Math.log(1.5)) - 6;
    assertEquals(is, e.setBetaLoss("itakura-saito").evaluate(df), 1e-14);
    double b = 1.5;
    double t0 = 1 + Math.pow(2, b) + Math.pow(3, b) + Math.pow(4, b);
    double t1 = 1 + 2 + 3 * Math.pow(2, b - 1) + 4 * Math.pow(4, b - 1);
    double t2 = 1 + 1 + 1 + Math.pow(2, b) + 1 + Math.pow(4, b);
    assertEquals((t0 - b * t1 + (b - 1) * t2) / (b * (b - 1)), e.setBetaLoss(1.5).evaluate(df), 1e-13);
  }

  /** On a model's output the divergence is BetaDivergence.of(X, W, Hᵀ) for the model's own W and H. */
  @Test
  void equalsBetaDivergenceOnAModelsOutput() {
    java.util.Random rnd = new java.util.Random(3);
    double[][] x = new double[40][7];
    for (double[] r : x) {
      for (int j = 0; j < r.length; j++) {
        r[j] = rnd.nextDouble() < 0.2 ? 0.0 : rnd.nextDouble();
      }
    }
    Dataset<Row> df = NMFStageSmokeTest.frame(x);
    for (String loss : new String[] {"frobenius", "kullback-leibler", "0.5"}) {
      NMFModel model = new NMF().setK(3).setSeed(1).setMaxIter(50).setBetaLoss(loss)
          .setSolver("mu").setReconstructionCol("reconstruction").fit(df);
      List<Row> out = model.transform(df).collectAsList();
      DenseMatrix w = new DenseMatrix(x.length, 3);
      for (int i = 0; i < x.length; i++) {
        double[] wi = ((Vector) out.get(i).getAs("nmfFeatures")).toArray();
        for (int t = 0; t < 3; t++) {
          w.set(i, t, wi[t]);
        }
      }
      double expected = BetaDivergence.of(DenseMatrix.of(x), w, model.ht(), BetaLoss.parse(loss));
      double got = new NMFEvaluator().setMetricName("betaDivergence").setBetaLoss(loss)
          .evaluate(model.transform(df));
      assertEquals(expected, got, 1e-10 * expected, loss);
    }
  }

  @Test
  void clearErrors() {
    NMFEvaluator e = new NMFEvaluator();
    Dataset<Row> df = small();
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> e.evaluate(df.drop("reconstruction")));
    assertTrue(missing.getMessage().contains("reconstructionCol: column 'reconstruction' does not exist"),
        missing.getMessage());
    Dataset<Row> strings = df.withColumn("features", df.col("features").cast(DataTypes.StringType).isNull());
    IllegalArgumentException notVector = assertThrows(IllegalArgumentException.class, () -> e.evaluate(strings));
    assertTrue(notVector.getMessage().contains("featuresCol: column 'features' must hold vectors"),
        notVector.getMessage());
    Dataset<Row> sizes = pairs(new Vector[] {Vectors.dense(1, 2)}, new Vector[] {Vectors.dense(1, 2, 3)});
    Exception mismatch = assertThrows(Exception.class, () -> e.evaluate(sizes));
    assertTrue(messages(mismatch).contains("the features have 2 entries but the reconstruction has 3"),
        messages(mismatch));
    assertThrows(IllegalArgumentException.class, () -> e.setMetricName("rmse"));
    assertThrows(IllegalArgumentException.class, () -> e.setBetaLoss("hamming"));
    assertThrows(IllegalArgumentException.class, () -> e.evaluate(df.limit(0)));
  }

  private static String messages(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (; t != null; t = t.getCause()) {
      b.append(t.getMessage()).append(" | ");
    }
    return b.toString();
  }

  @Test
  void savesAndLoads(@TempDir Path dir) throws Exception {
    NMFEvaluator e = new NMFEvaluator().setMetricName("betaDivergence").setBetaLoss("kullback-leibler")
        .setFeaturesCol("x").setReconstructionCol("xhat");
    e.write().save(dir.resolve("e").toString());
    NMFEvaluator back = NMFEvaluator.load(dir.resolve("e").toString());
    assertEquals(e.uid(), back.uid());
    assertEquals("betaDivergence", back.getMetricName());
    assertEquals("kullback-leibler", back.getBetaLoss());
    assertEquals("x", back.getFeaturesCol());
    assertEquals("xhat", back.getReconstructionCol());
    NMFEvaluator copy = back.copy(new org.apache.spark.ml.param.ParamMap().put(back.metricName(), "frobenius"));
    assertEquals(back.uid(), copy.uid());
    assertEquals("frobenius", copy.getMetricName());
    assertEquals("betaDivergence", back.getMetricName());
  }
}
