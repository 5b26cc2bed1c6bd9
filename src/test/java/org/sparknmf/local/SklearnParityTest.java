package org.sparknmf.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sparknmf.testing.Assertions2.assertMatrixClose;
import static org.sparknmf.testing.Assertions2.assertRelClose;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.solver.Initialization;
import org.sparknmf.testing.SklearnFixture;
import org.sparknmf.testing.SklearnParams;

/**
 * Every reference case computed by scikit-learn 1.2.1, run through the plain-Java API: W, H and
 * reconstruction_err within 1e-6 relative and n_iter / n_steps exact for the deterministic cases,
 * reconstruction_err within 1 % where scikit-learn started from a randomized SVD. Custom starts
 * come from {@link SklearnFixture#customStart()} (the stored W0/H0 are the in-place-updated ones).
 */
class SklearnParityTest {

  private static final double TOL = 1e-6;

  static Stream<SklearnFixture> fixtures() {
    return SklearnFixture.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void matchesScikitLearn(SklearnFixture f) {
    switch (f.estimator()) {
      case "init" -> checkInit(f);
      case "NMF" -> checkFit(f, configure(new NMF(), f.params()));
      case "MiniBatchNMF" -> checkFit(f, configure(new MiniBatchNMF(), f.params()));
      case "MiniBatchNMF.partial_fit" -> checkPartialFit(f);
      default -> throw new IllegalStateException("unknown estimator " + f.estimator());
    }
  }

  private static void checkInit(SklearnFixture f) {
    DataMatrix x = SklearnFixture.matrix(f.json().get("X"));
    int k = f.params().get("n_components").asInt();
    Initialization.Factors start = Initialization.initialize(x, k, f.params().get("init").asText(), null);
    assertMatrixClose(SklearnFixture.array(f.expected().get("W")), start.w().toArray(), TOL, "W");
    assertMatrixClose(SklearnFixture.array(f.expected().get("H")), start.ht().transpose().toArray(), TOL, "H");
  }

  private static void checkFit(SklearnFixture f, BaseNMF<?> model) {
    JsonNode e = f.expected();
    DataMatrix x = SklearnFixture.matrix(f.json().get("X"));
    DenseMatrix[] start = f.deterministic() ? f.customStart() : new DenseMatrix[2];
    double[][] w = model.fitTransform(x, start[0], start[1]);
    double err = e.get("reconstruction_err").asDouble();
    if (!f.deterministic()) {
      assertRelClose(err, model.reconstructionErr(), 0.01, "reconstruction_err");
      return;
    }
    assertMatrixClose(SklearnFixture.array(e.get("W")), w, TOL, "W");
    assertMatrixClose(SklearnFixture.array(e.get("H")), model.components(), TOL, "H");
    assertRelClose(err, model.reconstructionErr(), TOL, "reconstruction_err");
    assertEquals(e.get("n_iter").asInt(), model.nIter(), "n_iter");
    if (model instanceof MiniBatchNMF mb) {
      assertEquals(e.get("n_steps").asInt(), mb.nSteps(), "n_steps");
    }
    if (e.has("transform_W")) {
      double[][] tw = model.transform(SklearnFixture.matrix(f.json().get("transform_X")));
      assertMatrixClose(SklearnFixture.array(e.get("transform_W")), tw, TOL, "transform W");
    }
  }

  private static void checkPartialFit(SklearnFixture f) {
    MiniBatchNMF model = configure(new MiniBatchNMF(), f.params());
    DenseMatrix[] start = f.customStart();
    DenseMatrix w0 = start[0];
    DenseMatrix h0 = start[1];
    int i = 0;
    for (JsonNode step : f.json().get("steps")) {
      DataMatrix x = SklearnFixture.matrix(step.get("X"));
      model.partialFit(x, i == 0 ? w0 : null, i == 0 ? h0 : null);
      assertMatrixClose(SklearnFixture.array(step.get("H")), model.components(), TOL, "H after call " + i);
      assertEquals(step.get("n_steps").asInt(), model.nSteps(), "n_steps after call " + i);
      i++;
    }
  }

  static <M extends BaseNMF<M>> M configure(M m, JsonNode params) {
    return m.setOptions(SklearnParams.options(params));
  }
}
