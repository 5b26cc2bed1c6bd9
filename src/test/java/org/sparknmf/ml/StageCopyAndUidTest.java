package org.sparknmf.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Spark's {@code MLTestingUtils.checkCopyAndUids} for both estimators, and what a model copy keeps. */
class StageCopyAndUidTest {

  static Stream<Arguments> estimators() {
    return Stream.of(
        Arguments.of(new NMF().setK(3).setInit("random").setSeed(7).setMaxIter(30)),
        Arguments.of(new MiniBatchNMF().setK(3).setInit("random").setSeed(7).setMaxIter(5).setBatchSize(8)));
  }

  /** MLTestingUtils.checkCopyAndUids. */
  static void checkCopyAndUids(Estimator<?> estimator, Model<?> model) {
    assertEquals(estimator.uid(), model.uid(), "Model uid does not match parent estimator");
    // copied model must have the same parent
    Model<?> copied = (Model<?>) model.copy(ParamMap.empty());
    assertEquals(model.parent(), copied.parent());
    assertEquals(model.parent().uid(), copied.parent().uid());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("estimators")
  void copyAndUids(NMFEstimator<?> estimator) {
    Dataset<Row> data = StageTestData.frame(StageTestData.matrix(24, 6, 3));
    NMFModel model = estimator.fit(data);
    checkCopyAndUids(estimator, model);
    assertSame(estimator, model.parent(), "the model's parent is the estimator");
    assertTrue(model.hasParent());

    NMFModel copied = model.copy(ParamMap.empty());
    assertNotSame(model, copied);
    assertEquals(model.uid(), copied.uid());
    assertSame(model.parent(), copied.parent());
    assertArrayEquals(model.components().toArray(), copied.components().toArray(), 0.0);
    assertEquals(model.components().numRows(), copied.components().numRows());
    assertEquals(model.reconstructionErr(), copied.reconstructionErr(), 0.0);
    assertEquals(model.nIter(), copied.nIter());
    assertEquals(model.nSteps(), copied.nSteps());
    assertEquals(model.isMiniBatch(), copied.isMiniBatch());
    assertArrayEquals(model.summary().objectiveHistory(), copied.summary().objectiveHistory(), 0.0);
    assertEquals(model.getK(), copied.getK());
    assertEquals(model.getSeed(), copied.getSeed());

    // Extra params apply to the copy only.
    NMFModel other = model.copy(new ParamMap().put(model.outputCol(), "w"));
    assertEquals("w", other.getOutputCol());
    assertEquals("nmfFeatures", model.getOutputCol());
    assertEquals(model.uid(), other.uid());
    assertSame(model.parent(), other.parent());

    // The estimator's copy keeps its uid and params.
    NMFEstimator<?> estCopy = (NMFEstimator<?>) estimator.copy(ParamMap.empty());
    assertSame(estimator.getClass(), estCopy.getClass());
    assertEquals(estimator.uid(), estCopy.uid());
    assertEquals(3, estCopy.getK());
    assertEquals(7L, estCopy.getSeed());
    assertEquals(estimator.uid(), estCopy.fit(data).uid());
  }

  /** A copy is a model of its own: learning on it leaves the original as it was. */
  @Test
  void partialFitOnACopyLeavesTheOriginal() {
    NMFModel model = StageTestData.miniBatchModel();
    Dataset<Row> chunk = StageTestData.frame(StageTestData.matrix(10, 6, 11));
    NMFModel twin = model.copy(ParamMap.empty());
    NMFModel copy = model.copy(ParamMap.empty());
    double[] before = model.components().toArray();
    int steps = model.nSteps();
    copy.partialFit(chunk);
    assertEquals(steps + 1, copy.nSteps());
    assertEquals(steps, model.nSteps());
    assertArrayEquals(before, model.components().toArray(), 0.0);
    // The original's accumulators are untouched too: the same step on it and on a fresh copy agree.
    model.partialFit(chunk);
    twin.partialFit(chunk);
    assertArrayEquals(twin.components().toArray(), model.components().toArray(), 0.0);
    assertArrayEquals(copy.components().toArray(), model.components().toArray(), 0.0);
  }
}
