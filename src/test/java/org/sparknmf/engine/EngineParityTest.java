package org.sparknmf.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparknmf.testing.Assertions2.assertMatrixClose;
import static org.sparknmf.testing.Assertions2.assertRelClose;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.solver.MiniBatchState;
import org.sparknmf.solver.NmfOptions;
import org.sparknmf.testing.LocalSpark;
import org.sparknmf.testing.SklearnFixture;
import org.sparknmf.testing.SklearnParams;

/**
 * The reference cases of scikit-learn 1.2.1 run through the distributed engine (execution
 * "distributed", never the driver path): full-batch NMF with 1 and 3 partitions, MiniBatchNMF
 * and partial_fit with 1 partition (where the batches are scikit-learn's). W, H and
 * reconstruction_err within 1e-6 relative, n_iter and n_steps exact.
 */
class EngineParityTest {

  private static final double TOL = 1e-6;

  static Stream<Arguments> nmfCases() {
    return SklearnFixture.all().stream()
        .filter(f -> f.estimator().equals("NMF") && f.deterministic())
        .flatMap(f -> Stream.of(1, 3).map(p -> Arguments.of(f, p)));
  }

  static Stream<Arguments> miniBatchCases() {
    return SklearnFixture.all().stream()
        .filter(f -> f.estimator().equals("MiniBatchNMF") && f.deterministic())
        .map(f -> Arguments.of(f, 1));
  }

  @ParameterizedTest(name = "{0} on {1} partitions")
  @MethodSource("nmfCases")
  void fullBatchMatchesScikitLearn(SklearnFixture f, int partitions) {
    check(f, partitions, false);
  }

  @ParameterizedTest(name = "{0} on {1} partition")
  @MethodSource("miniBatchCases")
  void miniBatchMatchesScikitLearn(SklearnFixture f, int partitions) {
    check(f, partitions, true);
  }

  private static void check(SklearnFixture f, int partitions, boolean miniBatch) {
    NmfOptions o = SklearnParams.options(f.params());
    DataMatrix x = SklearnFixture.matrix(f.json().get("X"));
    DenseMatrix[] start = f.customStart();
    try (BlockedRows xb = EngineFixtures.blocked(x, partitions)) {
      NmfEngine engine = new NmfEngine(LocalSpark.jsc(), o, EngineFixtures.distributed());
      DenseMatrix ht0 = start[1].transpose();
      try (FitResult r = miniBatch
          ? engine.fitMiniBatch(xb, ht0, EngineFixtures.aligned(xb, start[0]))
          : engine.fitNmf(xb, ht0, EngineFixtures.aligned(xb, start[0]))) {
        JsonNode e = f.expected();
        assertTrue(r.distributed(), "ran on the executors");
        assertMatrixClose(SklearnFixture.array(e.get("H")), r.components().toArray(), TOL, "H");
        assertMatrixClose(SklearnFixture.array(e.get("W")), r.collectW().toArray(), TOL, "W");
        assertRelClose(e.get("reconstruction_err").asDouble(), r.reconstructionErr(), TOL, "reconstruction_err");
        assertEquals(e.get("n_iter").asInt(), r.nIter(), "n_iter");
        if (miniBatch) {
          assertEquals(e.get("n_steps").asInt(), r.nSteps(), "n_steps");
        }
      }
    }
  }

  @ParameterizedTest(name = "partial_fit on {0} partition(s)")
  @MethodSource("partialFitPartitions")
  void partialFitMatchesScikitLearn(int partitions) {
    SklearnFixture f = SklearnFixture.load("minibatch_partial_fit");
    NmfOptions o = SklearnParams.options(f.params());
    NmfEngine engine = new NmfEngine(LocalSpark.jsc(), o, EngineFixtures.distributed());
    DenseMatrix ht = f.customStart()[1].transpose();
    MiniBatchState state = null;
    int i = 0;
    for (JsonNode step : f.json().get("steps")) {
      try (BlockedRows chunk = EngineFixtures.blocked(SklearnFixture.matrix(step.get("X")), partitions)) {
        state = engine.partialFit(chunk, ht, state);
      }
      assertMatrixClose(SklearnFixture.array(step.get("H")), ht.transpose().toArray(), TOL,
          "H after call " + i);
      assertEquals(step.get("n_steps").asInt(), state.nSteps(), "n_steps after call " + i);
      i++;
    }
  }

  static Stream<Integer> partialFitPartitions() {
    return Stream.of(1);
  }
}
