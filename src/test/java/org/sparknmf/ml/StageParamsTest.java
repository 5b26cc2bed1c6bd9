package org.sparknmf.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.Params;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The params of NMF, MiniBatchNMF and a fitted NMFModel: Spark's {@code ParamsSuite.checkParams}
 * ported to JUnit, plus docs, defaults (scikit-learn's), validators and copy.
 */
class StageParamsTest {

  /** Params that have no default on purpose. */
  private static final Set<String> OPTIONAL = Set.of("initH");

  private static NMFModel nmfModel;
  private static NMFModel miniBatchModel;

  private static synchronized NMFModel fittedNmf() {
    if (nmfModel == null) {
      nmfModel = StageTestData.nmfModel();
    }
    return nmfModel;
  }

  private static synchronized NMFModel fittedMiniBatch() {
    if (miniBatchModel == null) {
      miniBatchModel = StageTestData.miniBatchModel();
    }
    return miniBatchModel;
  }

  static Stream<Arguments> stages() {
    return Stream.of(
        Arguments.of("NMF", new NMF()),
        Arguments.of("MiniBatchNMF", new MiniBatchNMF()),
        Arguments.of("NMFModel (NMF)", fittedNmf()),
        Arguments.of("NMFModel (MiniBatchNMF)", fittedMiniBatch()));
  }

  // ---- ParamsSuite.checkParams ----

  @ParameterizedTest(name = "{0}")
  @MethodSource("stages")
  void checkParams(String name, Params obj) throws Exception {
    Class<?> clazz = obj.getClass();
    Param<?>[] params = obj.params();
    assertTrue(params.length > 0, "no params found");
    String[] names = Arrays.stream(params).map(Param::name).toArray(String[]::new);
    String[] sorted = names.clone();
    Arrays.sort(sorted);
    assertArrayEquals(sorted, names, "params must be ordered by names");
    for (Param<?> p : params) {
      assertEquals(obj.uid(), p.parent(), "parent of " + p.name());
      assertSame(p, obj.getParam(p.name()), "getParam(" + p.name() + ")");
      assertTrue(obj.hasParam(p.name()), "hasParam(" + p.name() + ")");
      // The param name is the name of a public no-arg method returning that very Param.
      Method m = clazz.getMethod(p.name());
      assertTrue(Modifier.isPublic(m.getModifiers()), p.name() + "() is public");
      assertEquals(0, m.getParameterCount());
      assertTrue(Param.class.isAssignableFrom(m.getReturnType()), p.name() + "() returns a Param");
      assertSame(p, m.invoke(obj), p.name() + "() returns the param");
      assertEquals(obj.uid() + "__" + p.name(), p.toString());
    }
    assertFalse(obj.hasParam("abc"));
    assertThrows(NoSuchElementException.class, () -> obj.getParam("abc"));

    Method copyMethod = clazz.getMethod("copy", ParamMap.class);
    assertEquals(clazz, copyMethod.getReturnType(),
        clazz.getName() + ".copy should return " + clazz.getName() + " instead of " + copyMethod.getReturnType().getName());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stages")
  void docsDefaultsAndExplainParams(String name, Params obj) {
    String explained = obj.explainParams();
    for (Param<?> p : obj.params()) {
      assertNotNull(p.doc(), p.name());
      assertFalse(p.doc().isBlank(), "doc of " + p.name());
      assertTrue(explained.contains(p.name() + ": " + p.doc()), "explainParams mentions " + p.name());
      if (OPTIONAL.contains(p.name())) {
        assertFalse(obj.hasDefault(p), p.name() + " is optional: no default");
      } else {
        assertTrue(obj.hasDefault(p), p.name() + " has a default");
        assertTrue(obj.isDefined(p), p.name() + " is defined");
      }
    }
    // ParamsSuite: explainParams is the params' explainParam in name order.
    StringBuilder expected = new StringBuilder();
    for (Param<?> p : obj.params()) {
      if (expected.length() > 0) {
        expected.append('\n');
      }
      expected.append(obj.explainParam(p));
    }
    assertEquals(expected.toString(), explained);
  }

  @Test
  void estimatorsHaveTheirOwnParamsOnly() {
    NMF nmf = new NMF();
    MiniBatchNMF mb = new MiniBatchNMF();
    for (String p : List.of("batchSize", "forgetFactor", "maxNoImprovement", "freshRestarts",
        "freshRestartsMaxIter", "transformMaxIter")) {
      assertFalse(nmf.hasParam(p), "NMF must not have " + p);
      assertTrue(mb.hasParam(p), "MiniBatchNMF has " + p);
    }
    for (String p : List.of("solver", "shuffle")) {
      assertFalse(mb.hasParam(p), "MiniBatchNMF must not have " + p);
      assertTrue(nmf.hasParam(p), "NMF has " + p);
    }
    // The model serves both kinds, so it has both sets.
    NMFModel model = fittedNmf();
    assertTrue(model.hasParam("solver"));
    assertTrue(model.hasParam("batchSize"));
    // Every param of an estimator is a param of its model (copyValues relies on it).
    for (Params est : List.<Params>of(nmf, mb)) {
      for (Param<?> p : est.params()) {
        assertTrue(model.hasParam(p.name()), "model has " + p.name());
      }
    }
  }

  // ---- defaults: scikit-learn's ----

  private static final Map<String, Object> COMMON_DEFAULTS = new LinkedHashMap<>();
  private static final Map<String, Object> NMF_DEFAULTS = new LinkedHashMap<>();
  private static final Map<String, Object> MINI_BATCH_DEFAULTS = new LinkedHashMap<>();

  static {
    COMMON_DEFAULTS.put("k", 0); // n_components=None
    COMMON_DEFAULTS.put("init", "auto"); // init=None
    COMMON_DEFAULTS.put("maxIter", 200);
    COMMON_DEFAULTS.put("tol", 1e-4);
    COMMON_DEFAULTS.put("betaLoss", "frobenius");
    COMMON_DEFAULTS.put("alphaW", 0.0);
    COMMON_DEFAULTS.put("alphaH", "same");
    COMMON_DEFAULTS.put("l1Ratio", 0.0);
    COMMON_DEFAULTS.put("verbose", 0);
    COMMON_DEFAULTS.put("featuresCol", "features");
    COMMON_DEFAULTS.put("initWCol", "");
    COMMON_DEFAULTS.put("reconstructionCol", "");
    NMF_DEFAULTS.put("solver", "cd");
    NMF_DEFAULTS.put("shuffle", false);
    MINI_BATCH_DEFAULTS.put("batchSize", 1024);
    MINI_BATCH_DEFAULTS.put("forgetFactor", 0.7);
    MINI_BATCH_DEFAULTS.put("maxNoImprovement", 10);
    MINI_BATCH_DEFAULTS.put("freshRestarts", false);
    MINI_BATCH_DEFAULTS.put("freshRestartsMaxIter", 30);
    MINI_BATCH_DEFAULTS.put("transformMaxIter", 0); // transform_max_iter=None
  }

  @Test
  void defaultsAreScikitLearns() {
    NMF nmf = new NMF();
    MiniBatchNMF mb = new MiniBatchNMF();
    checkDefaults(nmf, COMMON_DEFAULTS);
    checkDefaults(nmf, NMF_DEFAULTS);
    checkDefaults(mb, COMMON_DEFAULTS);
    checkDefaults(mb, MINI_BATCH_DEFAULTS);
    // The typed getters agree.
    assertEquals(200, nmf.getMaxIter());
    assertEquals(1e-4, nmf.getTol());
    assertEquals("frobenius", nmf.getBetaLoss());
    assertEquals("cd", nmf.getSolver());
    assertEquals(0.0, nmf.getAlphaW());
    assertEquals("same", nmf.getAlphaH());
    assertEquals(0.0, nmf.getL1Ratio());
    assertEquals(1024, mb.getBatchSize());
    assertEquals(0.7, mb.getForgetFactor());
    assertEquals(10, mb.getMaxNoImprovement());
    assertEquals(30, mb.getFreshRestartsMaxIter());
    // Spark's HasSeed convention: the class name's hash.
    assertEquals((long) NMF.class.getName().hashCode(), nmf.getSeed());
    assertEquals((long) MiniBatchNMF.class.getName().hashCode(), mb.getSeed());
    // A model fitted with defaults carries the estimator's defaults, not its own.
    NMFModel model = fittedMiniBatch();
    assertEquals(mb.getSeed(), model.getDefault(model.seed()).get());
    assertEquals(200, model.getDefault(model.maxIter()).get());
  }

  private static void checkDefaults(Params obj, Map<String, Object> defaults) {
    for (Map.Entry<String, Object> e : defaults.entrySet()) {
      Param<?> p = obj.getParam(e.getKey());
      assertTrue(obj.hasDefault(p), e.getKey() + " has a default");
      assertFalse(obj.isSet(p), e.getKey() + " is not set");
      assertEquals(e.getValue(), obj.getOrDefault(p), "default of " + e.getKey() + " in " + obj.getClass().getSimpleName());
    }
  }

  // ---- validators ----

  private static final Object[][] INVALID = {
      {"k", -1}, {"maxIter", 0}, {"tol", -1.0}, {"l1Ratio", 1.5}, {"alphaW", -1.0}, {"alphaH", "x"},
      {"alphaH", "-1"}, {"betaLoss", "euclid"}, {"init", "svd"}, {"solver", "als"}, {"batchSize", 0},
      {"forgetFactor", 2.0}, {"execution", "cluster"}, {"storageLevel", "FAST"}, {"verbose", -1},
      {"numPartitions", -1}, {"aggregationDepth", 0}, {"checkpointInterval", 0}, {"maxNoImprovement", -1},
      {"freshRestartsMaxIter", 0}, {"transformMaxIter", -1},
  };

  private static final Object[][] VALID_EDGES = {
      {"k", 0}, {"maxIter", 1}, {"tol", 0.0}, {"l1Ratio", 0.0}, {"l1Ratio", 1.0}, {"alphaW", 0.0},
      {"alphaH", "same"}, {"alphaH", "0.5"}, {"betaLoss", "kullback-leibler"}, {"betaLoss", "itakura-saito"},
      {"betaLoss", "0.5"}, {"init", "custom"}, {"init", "nndsvdar"}, {"solver", "mu"}, {"batchSize", 1},
      {"forgetFactor", 0.0}, {"forgetFactor", 1.0}, {"execution", "driver"}, {"execution", "distributed"},
      {"storageLevel", "MEMORY_ONLY"}, {"storageLevel", "DISK_ONLY_2"}, {"maxNoImprovement", 0},
  };

  @ParameterizedTest(name = "{0}")
  @MethodSource("stages")
  void validatorsRejectOutOfRangeValues(String name, Params obj) {
    int checked = 0;
    for (Object[] bad : INVALID) {
      String paramName = (String) bad[0];
      if (!obj.hasParam(paramName)) {
        continue;
      }
      Param<Object> p = param(obj, paramName);
      assertFalse(p.isValid().apply(bad[1]) == Boolean.TRUE, paramName + " accepts " + bad[1]);
      Params copy = obj.copy(ParamMap.empty());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> copy.set(param(copy, paramName), bad[1]),
          paramName + " = " + bad[1]);
      assertTrue(e.getMessage().contains(paramName), "message names the param: " + e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> ParamMap.empty().put(p, bad[1]));
      assertFalse(copy.isSet(param(copy, paramName)) && bad[1].equals(copy.getOrDefault(param(copy, paramName))));
      checked++;
    }
    assertTrue(checked >= 12, "checked " + checked + " invalid values");
    for (Object[] ok : VALID_EDGES) {
      if (obj.hasParam((String) ok[0])) {
        Params copy = obj.copy(ParamMap.empty());
        assertDoesNotThrow(() -> copy.set(param(copy, (String) ok[0]), ok[1]), ok[0] + " = " + ok[1]);
        assertEquals(ok[1], copy.getOrDefault(param(copy, (String) ok[0])));
      }
    }
  }

  @Test
  void typedSettersValidateToo() {
    NMF nmf = new NMF();
    MiniBatchNMF mb = new MiniBatchNMF();
    List<Runnable> bad = List.of(() -> nmf.setK(-1), () -> nmf.setMaxIter(0), () -> nmf.setTol(-1),
        () -> nmf.setL1Ratio(1.5), () -> nmf.setAlphaW(-1), () -> nmf.setAlphaH("x"),
        () -> nmf.setBetaLoss("euclid"), () -> nmf.setInit("svd"), () -> nmf.setSolver("als"),
        () -> mb.setBatchSize(0), () -> mb.setForgetFactor(2), () -> nmf.setExecution("cluster"),
        () -> mb.setStorageLevel("FAST"));
    String[] names = {"k", "maxIter", "tol", "l1Ratio", "alphaW", "alphaH", "betaLoss", "init", "solver",
        "batchSize", "forgetFactor", "execution", "storageLevel"};
    for (int i = 0; i < names.length; i++) {
      Runnable r = bad.get(i);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run, names[i]);
      assertTrue(e.getMessage().contains(names[i]), e.getMessage());
    }
    // Nothing invalid was stored.
    assertFalse(nmf.isSet(nmf.k()));
    assertFalse(mb.isSet(mb.batchSize()));
  }

  // ---- copy ----

  @ParameterizedTest(name = "{0}")
  @MethodSource("stages")
  void copyKeepsValues(String name, Params obj) {
    Params src = obj.copy(ParamMap.empty());
    src.set(param(src, "maxIter"), 17);
    src.set(param(src, "outputCol"), "w");
    src.set(param(src, "alphaH"), "0.25");
    Params copied = src.copy(ParamMap.empty());
    assertSame(src.getClass(), copied.getClass());
    assertEquals(src.uid(), copied.uid());
    for (Param<?> p : src.params()) {
      Param<?> q = copied.getParam(p.name());
      assertEquals(copied.uid(), q.parent(), "copy's param parent " + p.name());
      assertEquals(src.isSet(p), copied.isSet(q), "isSet " + p.name());
      assertEquals(src.hasDefault(p), copied.hasDefault(q), "hasDefault " + p.name());
      if (src.isDefined(p)) {
        assertValueEquals(src.getOrDefault(p), copied.getOrDefault(q), p.name());
      }
    }
    // ParamsSuite "Params.copyValues": unset stays unset, extra values are set.
    Params withExtra = src.copy(new ParamMap().put(param(src, "maxIter"), 50));
    assertEquals(50, withExtra.getOrDefault(withExtra.getParam("maxIter")));
    assertEquals(17, src.getOrDefault(src.getParam("maxIter")), "the source is unchanged");
    assertFalse(obj.copy(ParamMap.empty()).isSet(obj.getParam("tol")));
  }

  static void assertValueEquals(Object expected, Object actual, String what) {
    if (expected instanceof Object[] a) {
      assertArrayEquals(a, (Object[]) actual, what);
    } else if (expected instanceof Double d && d.isNaN()) {
      assertTrue(((Double) actual).isNaN(), what);
    } else {
      assertEquals(expected, actual, what);
    }
  }

  @SuppressWarnings("unchecked")
  static Param<Object> param(Params obj, String name) {
    try {
      return (Param<Object>) obj.getParam(name);
    } catch (NoSuchElementException e) {
      fail(obj.getClass().getSimpleName() + " has no param " + name);
      return null;
    }
  }
}
