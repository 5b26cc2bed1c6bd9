package org.sparknmf.ml;

import org.sparknmf.testing.TestMatrices;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.ml.linalg.Matrices;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparknmf.engine.SparkErrors;
import org.sparknmf.testing.LocalSpark;

/**
 * Bad input to the Spark ML stages: each case is an IllegalArgumentException with a one-line
 * message naming the param, or the row, column and value. fit and the setters throw it directly;
 * a model's transform is lazy, so its errors come out of the action wrapped by Spark and
 * {@link SparkErrors#badInput} must find them.
 */
class StageBadInputTest {

  private static final double[][] X = {{1, 2, 3}, {4, 5, 6}, {7, 8, 0}, {1, 0, 2}};

  private static NMFModel model;
  private static NMFModel miniBatchModel;

  /** A case: what it does, whether Spark wraps the error (an action), and the message's fragments. */
  record Case(String name, Executable call, boolean wrapped, List<String> fragments) {
    @Override
    public String toString() {
      return name;
    }
  }

  @BeforeAll
  static void fitModels() {
    model = new NMF().setK(2).setInit("random").setSeed(1).setMaxIter(20).fit(frame(X));
    miniBatchModel = new MiniBatchNMF().setK(2).setInit("random").setSeed(1).setMaxIter(5).setBatchSize(2)
        .fit(frame(X));
  }

  static Stream<Case> cases() {
    List<Case> c = new ArrayList<>();
    // ---- the DataFrame ----
    c.add(direct("features column missing", () -> new NMF().setFeaturesCol("nope").fit(frame(X)),
        "featuresCol", "'nope'", "does not exist"));
    c.add(direct("features column not a vector", () -> new MiniBatchNMF().setFeaturesCol("id").fit(frame(X)),
        "featuresCol", "'id'", "must hold vectors", "int"));
    c.add(direct("vectors of different sizes", () -> new NMF().setK(1).fit(frame(new double[][] {{1, 2, 3}, {4, 5}})
        .coalesce(1)), "row 1 has 2 features", "row 0 has 3"));
    c.add(direct("a null vector", () -> new NMF().setK(1).fit(withNull()), "'features'", "null", "row 1"));
    c.add(direct("no rows", () -> new NMF().setK(1).fit(frame(X).limit(0)), "X is empty"));
    c.add(direct("negative value", () -> new NMF().setK(2).fit(frame(with(2, 1, -0.5))),
        "negative", "-0.5", "row 2", "column 1"));
    c.add(direct("NaN value", () -> new MiniBatchNMF().setK(2).fit(frame(with(3, 2, Double.NaN))),
        "NaN", "row 3", "column 2"));
    c.add(direct("infinite value", () -> new NMF().setK(2).fit(frame(with(0, 0, Double.POSITIVE_INFINITY))),
        "infinite", "Infinity", "row 0", "column 0"));
    c.add(direct("all-zero X", () -> new MiniBatchNMF().setK(1).fit(frame(new double[][] {{0, 0}, {0, 0}})),
        "X is all zeros"));
    c.add(direct("zeros with itakura-saito", () -> new NMF().setK(2).setSolver("mu").setBetaLoss("itakura-saito")
        .fit(frame(X)), "X contains zeros", "beta_loss"));
    c.add(direct("zeros with a negative beta", () -> new MiniBatchNMF().setK(2).setBetaLoss(-0.5).fit(frame(X)),
        "X contains zeros", "beta_loss = -0.5"));
    c.add(direct("vocabulary of another length", () -> new NMF().setK(1).setVocabulary(new String[] {"a", "b"})
        .fit(frame(X)), "vocabulary has 2 names", "3 columns"));

    // ---- k and init ----
    c.add(direct("k negative", () -> new NMF().setK(-1), "parameter k", "-1"));
    c.add(direct("k > min(m, n) with nndsvd", () -> new NMF().setK(4).setInit("nndsvd").fit(frame(X)),
        "init='nndsvd'", "n_components", "min(n_samples, n_features) = 3"));
    c.add(direct("custom without initH", () -> new NMF().setK(2).setInit("custom").fit(frame(X)), "initH"));
    c.add(direct("custom initH of the wrong shape", () -> custom(Matrices.ones(2, 2), 2).fit(withW(X, 2, -1)),
        "H", "(2, 2)", "(2, 3)"));
    c.add(direct("k other than initH's rows", () -> custom(Matrices.ones(2, 3), 3).fit(withW(X, 2, -1)),
        "H", "(2, 3)", "(3, 3)"));
    c.add(direct("custom initH negative", () -> custom(Matrices.dense(2, 3, new double[] {1, 1, 1, -1, 1, 1}), 2)
        .fit(withW(X, 2, -1)), "H", "negative", "-1", "row 1", "column 1"));
    c.add(direct("custom initH NaN", () -> custom(Matrices.dense(2, 3, new double[] {1, 1, 1, 1, Double.NaN, 1}), 2)
        .fit(withW(X, 2, -1)), "H", "NaN", "row 0", "column 2"));
    c.add(direct("custom W of the wrong size", () -> custom(Matrices.ones(2, 3), 2).fit(withW(X, 2, 1, 1, 1, 1)),
        "W row 1 has 3 values", "n_components = 2"));
    c.add(direct("custom W negative", () -> custom(Matrices.ones(2, 3), 2).fit(withW(X, 2, 2, -1, 1)),
        "W", "negative", "-1", "row 2", "column 0"));
    c.add(direct("custom W not a vector column", () -> custom(Matrices.ones(2, 3), 2).setInitWCol("id")
        .fit(withW(X, 2, -1)), "initWCol", "'id'", "must hold vectors"));

    // ---- strings ----
    c.add(direct("unknown solver", () -> new NMF().setSolver("als"), "parameter solver", "als"));
    c.add(direct("unknown init", () -> new MiniBatchNMF().setInit("svd"), "parameter init", "svd"));
    c.add(direct("unknown betaLoss", () -> new NMF().setBetaLoss("euclid"), "parameter betaLoss", "euclid"));
    c.add(direct("unknown execution", () -> new NMF().setExecution("cluster"), "parameter execution", "cluster"));
    c.add(direct("cd with kullback-leibler", () -> new NMF().setK(2).setBetaLoss("kullback-leibler").fit(frame(X)),
        "beta_loss = kullback-leibler", "solver='mu'"));

    // ---- numbers out of range ----
    c.add(direct("tol negative", () -> new NMF().setTol(-1e-3), "parameter tol", "-0.001"));
    c.add(direct("tol NaN", () -> new MiniBatchNMF().setTol(Double.NaN), "parameter tol", "NaN"));
    c.add(direct("maxIter 0", () -> new NMF().setMaxIter(0), "parameter maxIter", "0"));
    c.add(direct("l1Ratio above 1", () -> new NMF().setL1Ratio(1.5), "parameter l1Ratio", "1.5"));
    c.add(direct("alphaW negative", () -> new MiniBatchNMF().setAlphaW(-1), "parameter alphaW", "-1.0"));
    c.add(direct("alphaH negative", () -> new NMF().setAlphaH(-2.0), "parameter alphaH", "-2.0"));
    c.add(direct("alphaH not a number", () -> new NMF().setAlphaH("often"), "parameter alphaH", "often"));
    c.add(direct("batchSize 0", () -> new MiniBatchNMF().setBatchSize(0), "parameter batchSize", "0"));
    c.add(direct("forgetFactor above 1", () -> new MiniBatchNMF().setForgetFactor(1.1), "parameter forgetFactor", "1.1"));
    c.add(direct("maxNoImprovement negative", () -> new MiniBatchNMF().setMaxNoImprovement(-1),
        "parameter maxNoImprovement", "-1"));
    c.add(direct("freshRestartsMaxIter 0", () -> new MiniBatchNMF().setFreshRestartsMaxIter(0),
        "parameter freshRestartsMaxIter", "0"));
    c.add(direct("transformMaxIter negative", () -> new MiniBatchNMF().setTransformMaxIter(-1),
        "parameter transformMaxIter", "-1"));
    c.add(direct("numPartitions negative", () -> new NMF().setNumPartitions(-1), "parameter numPartitions", "-1"));

    // ---- the model ----
    c.add(action("transform with another number of features",
        () -> model.transform(frame(new double[][] {{1, 2}})).collectAsList(), "X has 2 features", "3 features"));
    // Rows 0-1 and 2-3 in two partitions: transform counts rows within a partition and says which.
    c.add(action("transform of a negative value",
        () -> model.transform(twoPartitions(with(3, 1, -2))).collectAsList(),
        "negative", "-2.0", "row 1, column 1", "partition 1"));
    c.add(action("transform of NaN",
        () -> miniBatchModel.transform(twoPartitions(with(2, 2, Double.NaN))).collectAsList(),
        "NaN", "row 0, column 2", "partition 1"));
    c.add(direct("partialFit with another number of features",
        () -> miniBatchModel.copy(new ParamMap()).partialFit(frame(new double[][] {{1, 2}})),
        "X has 2 features", "3 features"));
    return c.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void refusedWithOneLineNamingTheParamOrTheCell(Case c) {
    Throwable thrown = assertThrows(Throwable.class, c.call(), c.name() + ": nothing thrown");
    IllegalArgumentException e;
    if (c.wrapped()) {
      e = SparkErrors.badInput(thrown);
      assertNotNull(e, () -> c.name() + ": no IllegalArgumentException behind " + thrown);
    } else {
      if (!(thrown instanceof IllegalArgumentException iae)) {
        fail(c.name() + ": " + thrown.getClass().getName() + ", not an IllegalArgumentException", thrown);
        return;
      }
      e = iae;
    }
    String message = e.getMessage();
    assertNotNull(message);
    assertFalse(message.contains("\n"), "one line: " + message);
    for (String f : c.fragments()) {
      assertTrue(message.contains(f), () -> c.name() + ": '" + message + "' lacks '" + f + "'");
    }
  }

  /** fit or a setter: the IllegalArgumentException itself. */
  private static Case direct(String name, Executable call, String... fragments) {
    return new Case(name, call, false, List.of(fragments));
  }

  /** An action on a lazy transform: the IllegalArgumentException behind Spark's. */
  private static Case action(String name, Executable call, String... fragments) {
    return new Case(name, call, true, List.of(fragments));
  }

  private static Dataset<Row> frame(double[][] x) {
    return StageTestData.frame(x);
  }

  /** Like {@link #frame}, the first half of the rows in partition 0 and the rest in partition 1. */
  private static Dataset<Row> twoPartitions(double[][] x) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < x.length; i++) {
      rows.add(RowFactory.create(i, Vectors.dense(x[i])));
    }
    StructType schema = new StructType().add("id", DataTypes.IntegerType, false).add("features", new VectorUDT(), false);
    return LocalSpark.session().createDataFrame(LocalSpark.jsc().parallelize(rows, 2), schema);
  }

  private static double[][] with(int i, int j, double v) {
    return TestMatrices.withEntry(X, i, j, v);
  }

  /** X with row 1 null (a nullable features column). */
  private static Dataset<Row> withNull() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < X.length; i++) {
      rows.add(RowFactory.create(i, i == 1 ? null : Vectors.dense(X[i])));
    }
    StructType schema = new StructType().add("id", DataTypes.IntegerType, false).add("features", new VectorUDT(), true);
    return LocalSpark.session().createDataFrame(rows, schema);
  }

  /** NMF with init custom, H given and W read from column "w". */
  private static NMF custom(Matrix h, int k) {
    return new NMF().setK(k).setInit("custom").setInitH(h).setInitWCol("w").setMaxIter(5);
  }

  /** X with a column "w" of k ones per row, but {@code badW} in row {@code badRow} (if ≥ 0). */
  private static Dataset<Row> withW(double[][] x, int k, int badRow, double... badW) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < x.length; i++) {
      double[] w = new double[k];
      Arrays.fill(w, 1.0);
      rows.add(RowFactory.create(i, Vectors.dense(x[i]), Vectors.dense(i == badRow ? badW : w)));
    }
    StructType schema = new StructType().add("id", DataTypes.IntegerType, false)
        .add("features", new VectorUDT(), false).add("w", new VectorUDT(), false);
    return LocalSpark.session().createDataFrame(rows, schema);
  }
}
