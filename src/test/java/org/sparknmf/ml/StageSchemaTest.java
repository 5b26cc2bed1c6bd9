package org.sparknmf.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparknmf.testing.LocalSpark;

/** transformSchema's errors, the columns transform adds (with their ML attributes) and inverseTransform. */
class StageSchemaTest {

  private static NMFModel model;
  private static Dataset<Row> data;

  @BeforeAll
  static void fit() {
    data = StageTestData.frame(StageTestData.matrix(24, 6, 3));
    model = StageTestData.nmfModel();
  }

  private static NMFModel fresh() {
    return model.copy(new org.apache.spark.ml.param.ParamMap());
  }

  /** The same check on NMF, MiniBatchNMF and the model. */
  private static void forEachStage(Function<NMFParams, IllegalArgumentException> check) {
    check.apply(new NMF());
    check.apply(new MiniBatchNMF());
    check.apply(fresh());
  }

  private static void set(NMFParams stage, String param, Object value) {
    stage.set(StageParamsTest.param(stage, param), value);
  }

  private static StructType schemaOf(NMFParams stage, StructType in) {
    return ((org.apache.spark.ml.PipelineStage) stage).transformSchema(in);
  }

  @Test
  void missingFeaturesColumnIsNamedWithTheExistingOnes() {
    forEachStage(stage -> {
      set(stage, "featuresCol", "nope");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> schemaOf(stage, data.schema()));
      assertTrue(e.getMessage().contains("'nope'"), e.getMessage());
      assertTrue(e.getMessage().contains("featuresCol"), e.getMessage());
      assertTrue(e.getMessage().contains("id") && e.getMessage().contains("features"), "lists the columns: " + e.getMessage());
      return e;
    });
    // fit and transform check the schema first
    assertThrows(IllegalArgumentException.class, () -> new NMF().setFeaturesCol("nope").fit(data));
    assertThrows(IllegalArgumentException.class, () -> fresh().setFeaturesCol("nope").transform(data));
  }

  @Test
  void nonVectorFeaturesColumnIsRefused() {
    forEachStage(stage -> {
      set(stage, "featuresCol", "id");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> schemaOf(stage, data.schema()));
      assertTrue(e.getMessage().contains("must hold vectors"), e.getMessage());
      assertTrue(e.getMessage().contains("'id'") && e.getMessage().contains("int"), e.getMessage());
      return e;
    });
    assertThrows(IllegalArgumentException.class, () -> new MiniBatchNMF().setFeaturesCol("id").fit(data));
  }

  @Test
  void existingOutputColumnIsRefused() {
    forEachStage(stage -> {
      set(stage, "outputCol", "id");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> schemaOf(stage, data.schema()));
      assertTrue(e.getMessage().contains("outputCol") && e.getMessage().contains("'id'")
          && e.getMessage().contains("already exists"), e.getMessage());
      return e;
    });
    Dataset<Row> once = model.transform(data);
    assertThrows(IllegalArgumentException.class, () -> model.transform(once), "transforming twice");
  }

  @Test
  void reconstructionColumnMustBeNew() {
    forEachStage(stage -> {
      set(stage, "reconstructionCol", "id");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> schemaOf(stage, data.schema()));
      assertTrue(e.getMessage().contains("reconstructionCol") && e.getMessage().contains("'id'"), e.getMessage());
      return e;
    });
    forEachStage(stage -> {
      set(stage, "reconstructionCol", stage.getOutputCol());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> schemaOf(stage, data.schema()));
      assertTrue(e.getMessage().contains("reconstructionCol"), e.getMessage());
      return e;
    });
  }

  @Test
  void customInitNeedsItsColumns() {
    NMF nmf = new NMF().setK(3).setInit("custom");
    IllegalArgumentException noH = assertThrows(IllegalArgumentException.class, () -> nmf.fit(data));
    assertTrue(noH.getMessage().contains("initH"), noH.getMessage());
    nmf.setInitH(org.apache.spark.ml.linalg.Matrices.ones(3, 6));
    IllegalArgumentException noW = assertThrows(IllegalArgumentException.class, () -> nmf.fit(data));
    assertTrue(noW.getMessage().contains("initWCol"), noW.getMessage());
    nmf.setInitWCol("nope");
    IllegalArgumentException missingW = assertThrows(IllegalArgumentException.class, () -> nmf.fit(data));
    assertTrue(missingW.getMessage().contains("initWCol") && missingW.getMessage().contains("'nope'"),
        missingW.getMessage());
  }

  @Test
  void transformAddsNamedComponents() {
    NMFModel m = fresh().setOutputCol("w");
    Dataset<Row> out = m.transform(data);
    StructType expected = m.transformSchema(data.schema());
    assertArrayEquals(expected.fieldNames(), out.schema().fieldNames());
    for (StructField f : expected.fields()) {
      assertEquals(f.dataType(), out.schema().apply(f.name()).dataType(), f.name());
    }
    assertArrayEquals(new String[] {"id", "features", "w"}, out.schema().fieldNames());
    assertEquals(SQLDataTypes.VectorType(), out.schema().apply("w").dataType());
    AttributeGroup group = AttributeGroup.fromStructField(out.schema().apply("w"));
    assertEquals("w", group.name());
    assertEquals(3, group.size());
    Attribute[] attrs = group.attributes().get();
    for (int t = 0; t < 3; t++) {
      assertEquals("nmf" + t, attrs[t].name().get());
      assertEquals(t, attrs[t].index().get());
      assertTrue(attrs[t].isNumeric());
    }
    assertArrayEquals(new String[] {"nmf0", "nmf1", "nmf2"}, m.getFeatureNamesOut());
    List<Row> rows = out.collectAsList();
    assertEquals(24, rows.size());
    for (Row r : rows) {
      Vector w = r.getAs("w");
      assertEquals(3, w.size());
      for (double v : w.toArray()) {
        assertTrue(v >= 0, "W is non-negative");
      }
    }
    assertFalse(Arrays.asList(out.schema().fieldNames()).contains("reconstruction"));
  }

  @Test
  void reconstructionColumnIsWTimesH() {
    NMFModel m = fresh().setReconstructionCol("rec");
    Dataset<Row> out = m.transform(data.coalesce(1));
    assertArrayEquals(new String[] {"id", "features", "nmfFeatures", "rec"}, out.schema().fieldNames());
    assertEquals(SQLDataTypes.VectorType(), out.schema().apply("rec").dataType());
    assertArrayEquals(m.transformSchema(data.schema()).fieldNames(), out.schema().fieldNames());
    Matrix h = m.components();
    for (Row r : out.collectAsList()) {
      double[] w = ((Vector) r.getAs("nmfFeatures")).toArray();
      assertArrayEquals(byHand(w, h), ((Vector) r.getAs("rec")).toArray(), 1e-12);
    }
  }

  @Test
  void inverseTransformIsWTimesH() {
    for (NMFModel m : List.of(fresh(), StageTestData.miniBatchModel())) {
      Dataset<Row> w = m.transform(data);
      Dataset<Row> back = m.inverseTransform(w);
      assertTrue(Arrays.asList(back.schema().fieldNames()).contains("reconstruction"));
      Matrix h = m.components();
      double worst = 0;
      for (Row r : back.collectAsList()) {
        double[] wr = ((Vector) r.getAs(m.getOutputCol())).toArray();
        double[] expected = byHand(wr, h);
        double[] actual = ((Vector) r.getAs("reconstruction")).toArray();
        assertArrayEquals(expected, actual, 1e-12);
        double[] x = ((Vector) r.getAs("features")).toArray();
        for (int j = 0; j < x.length; j++) {
          worst = Math.max(worst, Math.abs(x[j] - actual[j]));
        }
      }
      assertTrue(worst < 3, "W·H approximates X (worst " + worst + ")");
      // reconstructionCol names the target when set
      Dataset<Row> named = m.copy(new org.apache.spark.ml.param.ParamMap()).setReconstructionCol("xhat").inverseTransform(w);
      assertTrue(Arrays.asList(named.schema().fieldNames()).contains("xhat"));
    }
  }

  @Test
  void inverseTransformErrors() {
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> fresh().inverseTransform(data));
    assertTrue(missing.getMessage().contains("'nmfFeatures'"), missing.getMessage());
    Dataset<Row> wrong = LocalSpark.session().createDataFrame(
        List.of(org.apache.spark.sql.RowFactory.create(Vectors.dense(1, 2))),
        new StructType().add("nmfFeatures", SQLDataTypes.VectorType()));
    Exception e = assertThrows(Exception.class, () -> fresh().inverseTransform(wrong).collectAsList());
    Throwable root = e;
    while (root.getCause() != null && !(root instanceof IllegalArgumentException)) {
      root = root.getCause();
    }
    assertTrue(String.valueOf(root.getMessage()).contains("2 columns") || String.valueOf(e.getMessage()).contains("2 columns"),
        e.toString());
  }

  @Test
  void transformRefusesRowsOfAnotherWidth() {
    Dataset<Row> narrow = StageTestData.frame(StageTestData.matrix(4, 5, 1));
    Exception e = assertThrows(Exception.class, () -> fresh().transform(narrow).collectAsList());
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    assertTrue(all.toString().contains("5") && all.toString().contains("6"), all.toString());
  }

  /** w · H for one row, summed plainly. */
  static double[] byHand(double[] w, Matrix h) {
    double[] x = new double[h.numCols()];
    for (int j = 0; j < x.length; j++) {
      double s = 0;
      for (int t = 0; t < w.length; t++) {
        s += w[t] * h.apply(t, j);
      }
      x[j] = s;
    }
    return x;
  }
}
