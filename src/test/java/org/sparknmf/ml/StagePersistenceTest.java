package org.sparknmf.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Matrices;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparknmf.testing.LocalSpark;

/**
 * Save and load of the estimators, the models, and a pipeline holding a model: Spark's
 * {@code DefaultReadWriteTest.testDefaultReadWrite} / {@code testEstimatorAndModelReadWrite} ported
 * to JUnit (including Spark 4's saveToLocal / loadFromLocal for models where Spark has them), with
 * every param set to a value that is not its default, and folders that are not models.
 */
class StagePersistenceTest {

  @TempDir
  Path tempDir;

  /** MLReader.load uses the active session: the shared one must exist first. */
  @org.junit.jupiter.api.BeforeAll
  static void session() {
    LocalSpark.session();
  }

  private static final int N = 6;
  private static final int K = 2;
  private static final String[] VOCABULARY = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta"};

  // ---- DefaultReadWriteTest ----

  /**
   * Spark 4's local saving mode, {@code MLWriter.saveToLocal} and {@code MLReader.loadFromLocal}. Spark 3.5
   * has no such mode (nor any counterpart), so they are looked up by name and, like the DefaultReadWriteTest
   * of each Spark version, the test covers local saving only where it exists; null on Spark 3.5.
   */
  private static final Method SAVE_TO_LOCAL = sparkMethod(MLWriter.class, "saveToLocal");
  private static final Method LOAD_FROM_LOCAL = sparkMethod(MLReader.class, "loadFromLocal");

  private static Method sparkMethod(Class<?> cls, String name) {
    try {
      return cls.getMethod(name, String.class);
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  /** Calls a local saving method, throwing what it throws (the IOException of an existing path). */
  private static Object invokeLocal(Method method, Object target, String path) throws IOException {
    try {
      return method.invoke(target, path);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  /** DefaultReadWriteTest.testDefaultReadWrite. */
  <T extends Params & MLWritable> T testDefaultReadWrite(T instance, boolean testParams, boolean testSaveToLocal)
      throws Exception {
    String uid = instance.uid();
    File subdir = new File(tempDir.toFile(), Identifiable$.MODULE$.randomUID("test"));
    String path = new File(subdir, uid).getPath();

    if (testSaveToLocal) {
      invokeLocal(SAVE_TO_LOCAL, instance.write(), path);
      assertTrue(new File(path, "metadata").isFile(), "saveToLocal should generate metadata as a file.");
      assertThrows(IOException.class, () -> invokeLocal(SAVE_TO_LOCAL, instance.write(), path));
      invokeLocal(SAVE_TO_LOCAL, instance.write().overwrite(), path);
    } else {
      instance.save(path);
      assertThrows(IOException.class, () -> instance.save(path));
      instance.write().overwrite().save(path);
    }

    @SuppressWarnings("unchecked")
    MLReader<T> loader = (MLReader<T>) instance.getClass().getMethod("read").invoke(null);
    @SuppressWarnings("unchecked")
    T newInstance = testSaveToLocal ? (T) invokeLocal(LOAD_FROM_LOCAL, loader, path) : loader.load(path);
    assertEquals(instance.uid(), newInstance.uid());
    assertEquals(instance.getClass(), newInstance.getClass());
    if (testParams) {
      for (Param<?> p : instance.params()) {
        Param<?> q = newInstance.getParam(p.name());
        if (instance.isDefined(p)) {
          assertParamValueEquals(instance.getOrDefault(p), newInstance.getOrDefault(q), p.name());
          assertEquals(instance.isSet(p), newInstance.isSet(q), "isSet " + p.name());
          assertEquals(instance.hasDefault(p), newInstance.hasDefault(q), "hasDefault " + p.name());
        } else {
          assertFalse(newInstance.isDefined(q), "Param " + p.name() + " shouldn't be defined.");
        }
      }
    }
    T another;
    if (testSaveToLocal) {
      @SuppressWarnings("unchecked")
      MLReader<T> reader = (MLReader<T>) instance.getClass().getMethod("read").invoke(instance);
      @SuppressWarnings("unchecked")
      T loaded = (T) invokeLocal(LOAD_FROM_LOCAL, reader, path);
      another = loaded;
    } else {
      @SuppressWarnings("unchecked")
      T loaded = (T) instance.getClass().getMethod("load", String.class).invoke(instance, path);
      another = loaded;
    }
    assertEquals(instance.uid(), another.uid());
    return another;
  }

  static void assertParamValueEquals(Object value, Object newValue, String name) {
    String msg = "Values do not match on param " + name + ".";
    if (value instanceof Object[] a) {
      assertArrayEquals(a, (Object[]) newValue, msg);
    } else if (value instanceof Double d) {
      assertTrue(d.isNaN() && ((Double) newValue).isNaN() || d.equals(newValue), msg + " " + d + " vs " + newValue);
    } else if (value instanceof Matrix m) {
      Matrix n = (Matrix) newValue;
      assertEquals(m.numRows(), n.numRows(), msg);
      assertEquals(m.numCols(), n.numCols(), msg);
      assertArrayEquals(m.toArray(), n.toArray(), 0.0, msg);
      assertEquals(m, n, msg);
    } else {
      assertEquals(value, newValue, msg);
    }
  }

  /** DefaultReadWriteTest.testEstimatorAndModelReadWrite. */
  <E extends NMFEstimator<E>> void testEstimatorAndModelReadWrite(E estimator, Dataset<Row> dataset,
      Map<String, Object> testEstimatorParams, Map<String, Object> testModelParams,
      java.util.function.BiConsumer<NMFModel, NMFModel> checkModelData) throws Exception {
    testEstimatorParams.forEach((p, v) -> estimator.set(StageParamsTest.param(estimator, p), v));
    NMFModel model = estimator.fit(dataset);

    E estimator2 = testDefaultReadWrite(estimator, true, false);
    testEstimatorParams.forEach((p, v) -> {
      Param<Object> param = StageParamsTest.param(estimator, p);
      assertParamValueEquals(estimator.get(param).get(), estimator2.get(estimator2.getParam(p)).get(), p);
    });

    for (boolean testSaveToLocal : SAVE_TO_LOCAL == null ? new boolean[] {false} : new boolean[] {false, true}) {
      NMFModel model2 = testDefaultReadWrite(model, true, testSaveToLocal);
      testModelParams.forEach((p, v) -> {
        Param<?> param = model.getParam(p);
        assertParamValueEquals(model.get(param).get(), model2.get(model2.getParam(p)).get(), p);
      });
      checkModelData.accept(model, model2);
    }
  }

  // ---- every param, not its default ----

  /** A value for every param of the estimators, none of them the default. */
  static Map<String, Object> everyParam(boolean miniBatch) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("featuresCol", "x");
    m.put("outputCol", "w");
    m.put("k", K);
    m.put("maxIter", miniBatch ? 7 : 60);
    m.put("tol", 1e-6);
    m.put("seed", 42L);
    m.put("betaLoss", "kullback-leibler");
    m.put("init", "custom");
    m.put("alphaW", 0.01);
    m.put("alphaH", "0.02");
    m.put("l1Ratio", 0.3);
    m.put("verbose", 1);
    m.put("initH", Matrices.dense(K, N, new double[] {0.5, 0.7, 0.9, 0.2, 0.4, 0.6, 0.8, 1.0, 0.3, 0.5, 0.7, 0.9}));
    m.put("initWCol", "w0");
    m.put("reconstructionCol", "rec");
    m.put("vocabulary", VOCABULARY.clone());
    m.put("execution", "distributed");
    m.put("numPartitions", 2);
    m.put("storageLevel", "MEMORY_ONLY");
    m.put("aggregationDepth", 3);
    m.put("checkpointInterval", 4);
    if (miniBatch) {
      m.put("batchSize", 8);
      m.put("forgetFactor", 0.5);
      m.put("maxNoImprovement", 0);
      m.put("freshRestarts", true);
      m.put("freshRestartsMaxIter", 12);
      m.put("transformMaxIter", 40);
    } else {
      m.put("solver", "mu");
      m.put("shuffle", true);
    }
    return m;
  }

  /** Columns id, x (features), w0 (a start for W). */
  static Dataset<Row> data(int m, long seed) {
    double[][] x = StageTestData.matrix(m, N, seed);
    double[][] w = StageTestData.matrix(m, K, seed + 100);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < m; i++) {
      rows.add(RowFactory.create(i, Vectors.dense(x[i]), Vectors.dense(w[i])));
    }
    StructType schema = new StructType().add("id", DataTypes.IntegerType, false)
        .add("x", new VectorUDT(), false).add("w0", new VectorUDT(), false);
    return LocalSpark.session().createDataFrame(rows, schema);
  }

  private static void checkEveryParamSet(Params est, Map<String, Object> values) {
    for (Param<?> p : est.params()) {
      assertTrue(values.containsKey(p.name()), "the test sets " + p.name());
      assertTrue(est.isSet(p), p.name() + " is set");
      if (est.hasDefault(p)) {
        Object d = est.getDefault(p).get();
        Object v = est.getOrDefault(p);
        assertFalse(d instanceof Object[] a ? Arrays.equals(a, (Object[]) v) : d.equals(v), p.name() + " is not its default");
      }
    }
  }

  @Test
  void nmfWithEveryParamSet() throws Exception {
    roundTrip(new NMF(), false);
  }

  @Test
  void miniBatchNmfWithEveryParamSet() throws Exception {
    roundTrip(new MiniBatchNMF(), true);
  }

  private <E extends NMFEstimator<E>> void roundTrip(E estimator, boolean miniBatch) throws Exception {
    Map<String, Object> values = everyParam(miniBatch);
    values.put("checkpointDir", tempDir.resolve("checkpoints").toString());
    values.put("resume", true); // the folder is empty: a new fit, which leaves its checkpoint there
    values.forEach((p, v) -> estimator.set(StageParamsTest.param(estimator, p), v));
    checkEveryParamSet(estimator, values);
    E loaded = testDefaultReadWrite(estimator, true, false);
    checkEveryParamSet(loaded, values);
    values.forEach((p, v) -> assertParamValueEquals(v, loaded.getOrDefault(loaded.getParam(p)), p));

    // Estimator and model: fit with every param (but quietly), then both round trips.
    Map<String, Object> fitParams = new LinkedHashMap<>(values);
    fitParams.put("verbose", 0);
    @SuppressWarnings("unchecked")
    E fresh = (E) (miniBatch ? new MiniBatchNMF() : new NMF());
    Dataset<Row> train = data(24, 5);
    Dataset<Row> probe = data(9, 77).coalesce(1);
    testEstimatorAndModelReadWrite(fresh, train, fitParams, fitParams, (a, b) -> sameModel(a, b, probe));
  }

  /** Everything a model holds, and what it computes, is the same after a round trip. */
  static void sameModel(NMFModel a, NMFModel b, Dataset<Row> probe) {
    assertEquals(a.uid(), b.uid());
    assertArrayEquals(a.components().toArray(), b.components().toArray(), 0.0, "components");
    assertEquals(a.components().numRows(), b.components().numRows());
    assertEquals(a.reconstructionErr(), b.reconstructionErr(), 0.0, "reconstructionErr");
    assertEquals(a.nIter(), b.nIter(), "nIter");
    assertEquals(a.nSteps(), b.nSteps(), "nSteps");
    assertEquals(a.isMiniBatch(), b.isMiniBatch(), "isMiniBatch");
    assertEquals(a.numComponents(), b.numComponents());
    assertEquals(a.numFeatures(), b.numFeatures());
    assertArrayEquals(a.featureNamesIn(), b.featureNamesIn(), "featureNamesIn");
    assertArrayEquals(a.getFeatureNamesOut(), b.getFeatureNamesOut());
    NMFTrainingSummary sa = a.summary();
    NMFTrainingSummary sb = b.summary();
    assertTrue(sa.objectiveHistory().length > 0, "a history to compare");
    assertArrayEquals(sa.objectiveHistory(), sb.objectiveHistory(), 0.0, "objective history");
    assertEquals(sa.totalIterations(), sb.totalIterations());
    assertEquals(sa.totalSteps(), sb.totalSteps());
    assertEquals(sa.reconstructionErr(), sb.reconstructionErr(), 0.0);
    assertEquals(a.describeTopics(3).collectAsList(), b.describeTopics(3).collectAsList());
    // transform: bitwise the same rows (outputCol and reconstructionCol included)
    List<Row> ta = a.transform(probe).collectAsList();
    List<Row> tb = b.transform(probe).collectAsList();
    assertEquals(a.transform(probe).schema(), b.transform(probe).schema());
    assertEquals(ta.size(), tb.size());
    for (int i = 0; i < ta.size(); i++) {
      assertEquals(ta.get(i), tb.get(i), "transform row " + i);
      assertArrayEquals(((Vector) ta.get(i).getAs(a.getOutputCol())).toArray(),
          ((Vector) tb.get(i).getAs(b.getOutputCol())).toArray(), 0.0);
    }
  }

  @Test
  void modelsOfBothKindsRoundTrip() throws Exception {
    Dataset<Row> probe = StageTestData.frame(StageTestData.matrix(9, 6, 77)).coalesce(1);
    for (NMFModel model : List.of(StageTestData.nmfModel(), StageTestData.miniBatchModel())) {
      model.setReconstructionCol("rec");
      NMFModel back = testDefaultReadWrite(model, true, false);
      sameModel(model, back, probe);
      assertEquals(model.featureNamesIn() == null, back.featureNamesIn() == null);
    }
  }

  // ---- partialFit continues exactly after a round trip ----

  @Test
  void partialFitAfterLoadIsPartialFitBeforeSave() throws Exception {
    NMFModel model = new MiniBatchNMF().setK(3).setInit("random").setSeed(3).setMaxIter(4).setBatchSize(8)
        .setMaxNoImprovement(0).setForgetFactor(0.6).setAlphaW(0.01).setL1Ratio(0.5)
        .fit(StageTestData.frame(StageTestData.matrix(24, 6, 3)));
    String path = tempDir.resolve("mb").toString();
    model.write().save(path);
    NMFModel back = NMFModel.load(path);
    assertNotNull(back.state(), "the accumulators were saved");
    for (int call = 0; call < 2; call++) {
      Dataset<Row> chunk = StageTestData.frame(StageTestData.matrix(10, 6, 50 + call));
      model.partialFit(chunk);
      back.partialFit(chunk);
      assertArrayEquals(model.components().toArray(), back.components().toArray(), 0.0, "H after call " + call);
      assertEquals(model.nSteps(), back.nSteps());
      assertArrayEquals(model.summary().objectiveHistory(), back.summary().objectiveHistory(), 0.0);
      assertEquals(model.state().ewaCost(), back.state().ewaCost());
      assertArrayEquals(model.state().numeratorAccumulator().data(), back.state().numeratorAccumulator().data(), 0.0);
      assertArrayEquals(model.state().denominatorAccumulator().data(), back.state().denominatorAccumulator().data(), 0.0);
    }
    // A model that forgot its accumulators would differ: the check above can fail.
    NMFModel fresh = new MiniBatchNMF().setK(3).setInit("random").setSeed(3).setMaxIter(4).setBatchSize(8)
        .setMaxNoImprovement(0).setForgetFactor(0.6).setAlphaW(0.01).setL1Ratio(0.5)
        .fit(StageTestData.frame(StageTestData.matrix(24, 6, 3)));
    assertArrayEquals(fresh.components().toArray(), NMFModel.load(path).components().toArray(), 0.0);
  }

  // ---- overwrite ----

  @Test
  void saveRefusesAnExistingPathUnlessOverwrite() throws Exception {
    NMFModel model = StageTestData.nmfModel();
    String path = tempDir.resolve("m").toString();
    model.save(path);
    IOException e = assertThrows(IOException.class, () -> model.save(path));
    assertTrue(e.getMessage().contains("already exists"), e.getMessage());
    NMFModel other = StageTestData.miniBatchModel();
    assertThrows(IOException.class, () -> other.write().save(path));
    other.write().overwrite().save(path);
    NMFModel back = NMFModel.load(path);
    assertTrue(back.isMiniBatch(), "the overwritten folder holds the second model");
    assertEquals(other.uid(), back.uid());
    NMF est = new NMF().setK(4);
    String estPath = tempDir.resolve("e").toString();
    est.save(estPath);
    assertThrows(IOException.class, () -> est.save(estPath));
    est.setK(5).write().overwrite().save(estPath);
    assertEquals(5, NMF.load(estPath).getK());
  }

  // ---- pipelines ----

  @Test
  void pipelineWithTheModelRoundTrips() throws Exception {
    double[][] x = StageTestData.matrix(30, 4, 9);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < x.length; i++) {
      rows.add(RowFactory.create(i, x[i][0], x[i][1], x[i][2], x[i][3]));
    }
    StructType schema = new StructType().add("id", DataTypes.IntegerType, false)
        .add("a", DataTypes.DoubleType, false).add("b", DataTypes.DoubleType, false)
        .add("c", DataTypes.DoubleType, false).add("d", DataTypes.DoubleType, false);
    Dataset<Row> df = LocalSpark.session().createDataFrame(rows, schema);
    VectorAssembler assembler = new VectorAssembler().setInputCols(new String[] {"a", "b", "c", "d"})
        .setOutputCol("features");
    MiniBatchNMF nmf = new MiniBatchNMF().setK(2).setInit("random").setSeed(1).setMaxIter(5).setBatchSize(10)
        .setReconstructionCol("rec");
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {assembler, nmf});
    PipelineModel fitted = pipeline.fit(df);
    NMFModel inside = (NMFModel) fitted.stages()[1];
    assertArrayEquals(new String[] {"a", "b", "c", "d"}, inside.featureNamesIn(), "names from the assembler's attributes");

    String path = tempDir.resolve("pipelineModel").toString();
    fitted.write().save(path);
    PipelineModel back = PipelineModel.load(path);
    NMFModel loadedInside = (NMFModel) back.stages()[1];
    assertEquals(inside.uid(), loadedInside.uid());
    Dataset<Row> probe = df.coalesce(1);
    List<Row> expected = fitted.transform(probe).collectAsList();
    List<Row> actual = back.transform(probe).collectAsList();
    assertEquals(expected, actual, "the loaded pipeline transforms bit for bit the same");
    assertEquals(fitted.transform(probe).schema(), back.transform(probe).schema());

    String estPath = tempDir.resolve("pipeline").toString();
    pipeline.write().save(estPath);
    Pipeline pipelineBack = Pipeline.load(estPath);
    MiniBatchNMF nmfBack = (MiniBatchNMF) pipelineBack.getStages()[1];
    assertEquals(nmf.uid(), nmfBack.uid());
    assertEquals(10, nmfBack.getBatchSize());
    List<Row> refitted = pipelineBack.fit(df).transform(probe).collectAsList();
    assertEquals(expected, refitted, "the loaded pipeline fits the same model");
  }

  // ---- folders that are not models ----

  private static void assertClearFailure(String what, Runnable load, String... fragments) {
    try {
      load.run();
      fail(what + ": loaded");
    } catch (NullPointerException e) {
      throw new AssertionError(what + ": NullPointerException", e);
    } catch (Exception e) { // Spark's AnalysisException is checked, thrown from Scala unchecked
      String msg = String.valueOf(e.getMessage());
      System.out.println("not a model (" + what + "): " + e.getClass().getSimpleName() + ": " + msg);
      for (String f : fragments) {
        assertTrue(msg.contains(f), what + ": message should mention '" + f + "': " + msg);
      }
    }
  }

  @Test
  void foldersThatAreNotModels() throws Exception {
    Path empty = Files.createDirectories(tempDir.resolve("empty"));
    assertClearFailure("empty folder", () -> NMFModel.load(empty.toString()), "metadata");
    assertClearFailure("no folder", () -> NMFModel.load(tempDir.resolve("missing").toString()), "missing");

    String estPath = tempDir.resolve("estimator").toString();
    new NMF().setK(2).save(estPath);
    assertClearFailure("an NMF estimator", () -> NMFModel.load(estPath), NMFModel.class.getName(),
        NMF.class.getName());
    assertClearFailure("a model as an estimator", () -> {
      String modelPath = tempDir.resolve("model").toString();
      try {
        StageTestData.nmfModel().save(modelPath);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      NMF.load(modelPath);
    }, NMF.class.getName(), NMFModel.class.getName());

    String mbPath = tempDir.resolve("miniBatchEstimator").toString();
    new MiniBatchNMF().setK(2).save(mbPath);
    assertClearFailure("a MiniBatchNMF as an NMF", () -> NMF.load(mbPath), NMF.class.getName(),
        MiniBatchNMF.class.getName());
    assertClearFailure("an NMF as a MiniBatchNMF", () -> MiniBatchNMF.load(estPath), NMF.class.getName(),
        MiniBatchNMF.class.getName());

    NMFModel model = StageTestData.miniBatchModel();
    String good = tempDir.resolve("good").toString();
    model.write().save(good);
    Dataset<Row> data = LocalSpark.session().read().parquet(good + "/data");

    corrupt(good, "short-ht", d -> d.withColumn("ht", functions.slice(functions.col("ht"), 1, 5)),
        "ht", "5");
    corrupt(good, "short-numerator", d -> d.withColumn("numeratorAcc",
        functions.slice(functions.col("numeratorAcc"), 2, 100)), "numeratorAcc");
    corrupt(good, "short-names", d -> d.withColumn("featureNames",
        functions.array(functions.lit("only"), functions.lit("two"))), "featureNames");
    corrupt(good, "no-rows", d -> d.limit(0), "data");
    corrupt(good, "two-rows", d -> d.union(d), "data");
    corrupt(good, "no-batch-size", d -> d.withColumn("batchSize", functions.lit(null).cast("int")), "batchSize");
    corrupt(good, "no-nFeatures-column", d -> d.drop("nFeatures"), "nFeatures");
    corrupt(good, "negative-k", d -> d.withColumn("k", functions.lit(-1)), "k");
    corrupt(good, "nan-ht", d -> d.withColumn("ht", functions.expr("transform(ht, (x, i) -> IF(i = 3, double('NaN'), x))")),
        "ht", "NaN");
    corrupt(good, "negative-ht", d -> d.withColumn("ht", functions.expr("transform(ht, x -> -x - 1)")), "ht", "-");
    corrupt(good, "infinite-denominator", d -> d.withColumn("denominatorAcc",
        functions.expr("transform(denominatorAcc, (x, i) -> IF(i = 0, double('Infinity'), x))")),
        "denominatorAcc", "Infinity");
    tamperMetadata(good, "metadata-not-json", "{not json", "metadata");
    tamperMetadata(good, "metadata-other-class", Files.readString(metadataFile(good))
        .replace(NMFModel.class.getName(), "java.lang.ProcessBuilder"), "java.lang.ProcessBuilder", NMFModel.class.getName());
    assertEquals(1L, data.count(), "the good model's data is one row");
    assertNotEquals(null, NMFModel.load(good));
  }

  /** A copy of the saved model {@code good} whose data went through {@code change}; loading it must fail clearly. */
  private void corrupt(String good, String name, java.util.function.UnaryOperator<Dataset<Row>> change,
      String... fragments) throws IOException {
    Path dir = tempDir.resolve(name);
    Files.createDirectories(dir);
    copyTree(Path.of(good, "metadata"), dir.resolve("metadata"));
    change.apply(LocalSpark.session().read().parquet(good + "/data")).write().parquet(dir.resolve("data").toString());
    assertClearFailure(name, () -> NMFModel.load(dir.toString()), fragments);
  }

  /** The saved model's metadata file (Spark writes one JSON line into metadata/part-00000). */
  private static Path metadataFile(String model) throws IOException {
    try (java.util.stream.Stream<Path> files = Files.list(Path.of(model, "metadata"))) {
      return files.filter(p -> p.getFileName().toString().startsWith("part-")).findFirst().orElseThrow();
    }
  }

  /** A copy of the saved model {@code good} with {@code json} as its metadata; loading it must fail clearly. */
  private void tamperMetadata(String good, String name, String json, String... fragments) throws IOException {
    Path dir = tempDir.resolve(name);
    copyTree(Path.of(good), dir);
    Path meta = metadataFile(dir.toString());
    Files.writeString(meta, json);
    Files.deleteIfExists(meta.resolveSibling("." + meta.getFileName() + ".crc"));
    assertClearFailure(name, () -> NMFModel.load(dir.toString()), fragments);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (var files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
