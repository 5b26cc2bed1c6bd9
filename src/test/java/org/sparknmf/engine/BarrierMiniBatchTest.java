package org.sparknmf.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaRDD;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.solver.NmfOptions;
import org.sparknmf.testing.JobRecorder;
import org.sparknmf.testing.LocalSpark;
import org.sparknmf.testing.SklearnFixture;
import org.sparknmf.testing.SklearnParams;

/**
 * MiniBatchNMF in barrier stages ({@link BarrierMiniBatch}) against one job per step: the same
 * bits in every output, on scikit-learn's reference cases split over the session's two task slots,
 * with far fewer Spark jobs; and the fallback where the blocks outnumber the slots.
 */
class BarrierMiniBatchTest {

  static Stream<Arguments> cases() {
    return SklearnFixture.all().stream()
        .filter(f -> f.estimator().equals("MiniBatchNMF") && f.deterministic())
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void barrierStagesGiveTheBitsOfOneJobPerStep(SklearnFixture f) throws Exception {
    NmfOptions o = SklearnParams.options(f.params());
    DataMatrix x = SklearnFixture.matrix(f.json().get("X"));
    DenseMatrix[] start = f.customStart();
    try (BlockedRows xb = EngineFixtures.blocked(x, 2)) {
      assertTrue(BarrierMiniBatch.usable(LocalSpark.jsc().sc(), xb, null), "two blocks fit local[2]'s slots");
      Fit perStep = fit(o, xb, start, Mode.JOB_PER_STEP);
      Fit barrier = fit(o, xb, start, Mode.IN_MEMORY);
      assertSameFit(perStep, barrier, Mode.IN_MEMORY);
      assertSameFit(perStep, fit(o, xb, start, Mode.OVER_SOCKETS), Mode.OVER_SOCKETS);
      assertEquals(perStep.iters, barrier.iters, "n_iter");
      assertEquals(Double.doubleToLongBits(perStep.err), Double.doubleToLongBits(barrier.err), "reconstruction_err");
      // One job per step, against one per stage plus the start and the final error.
      assertTrue(perStep.jobs >= perStep.steps, perStep.jobs + " jobs for " + perStep.steps + " steps");
      assertTrue(barrier.jobs < perStep.jobs / 2 + 8, barrier.jobs + " jobs in barrier stages, "
          + perStep.jobs + " one per step");
    }
  }

  @Test
  void barrierStagesGiveTheBitsOfOneJobPerStepOnDenseSlicesOfManyBlocks() throws Exception {
    // 300 columns and k = 4: blocks of 109 rows in the steps' one pass, slices of 600 rows (three
    // chunks of Xᵀ·W each), so the pass's order of summation is what both modes must share.
    Random r = new Random(11);
    int m = 2_400;
    int n = 300;
    DenseMatrix x = org.sparknmf.testing.TestMatrices.random(r, m, n, 0.2);
    DenseMatrix[] start = {org.sparknmf.testing.TestMatrices.random(r, m, 4, 0.0),
        org.sparknmf.testing.TestMatrices.random(r, 4, n, 0.0)};
    NmfOptions o = new NmfOptions().nComponents(4).batchSize(1_200).maxIter(4).tol(0.0).maxNoImprovement(null);
    try (BlockedRows xb = EngineFixtures.blocked(x, 2)) {
      Fit perStep = fit(o, xb, start, Mode.JOB_PER_STEP);
      assertEquals(8, perStep.steps, "n_steps");
      for (Mode mode : List.of(Mode.IN_MEMORY, Mode.OVER_SOCKETS)) {
        assertSameFit(perStep, fit(o, xb, start, mode), mode);
      }
    }
  }

  @Test
  void moreBlocksThanSlotsRunsOneJobPerStep() throws Exception {
    SklearnFixture f = SklearnFixture.load("minibatch_frobenius");
    NmfOptions o = SklearnParams.options(f.params());
    DataMatrix x = SklearnFixture.matrix(f.json().get("X"));
    try (BlockedRows xb = EngineFixtures.blocked(x, 3)) {
      assertFalse(BarrierMiniBatch.usable(LocalSpark.jsc().sc(), xb, null), "3 blocks on 2 slots");
      Fit r = fit(o, xb, f.customStart(), Mode.IN_MEMORY);
      assertTrue(r.jobs >= r.steps, r.jobs + " jobs for " + r.steps + " steps");
    }
  }

  @Test
  void lineageWiderOrNarrowerThanTheStageIsRefused() {
    JavaRDD<Integer> two = LocalSpark.jsc().parallelize(List.of(1, 2, 3, 4), 2);
    assertTrue(BarrierMiniBatch.sameWidth(two.map(v -> v + 1).rdd(), 2), "a map keeps the width");
    assertFalse(BarrierMiniBatch.sameWidth(two.union(two).coalesce(2).rdd(), 2), "a coalesce from 4 to 2");
    assertTrue(BarrierMiniBatch.sameWidth(two.union(two).repartition(2).rdd(), 2), "a shuffle ends the stage");
  }

  @Test
  void theLocalSumHasTheBitsOfTheDistributedOne() {
    // Sums that depend on their order (magnitudes 1e-8 to 1e8), with empty partitions, over trees
    // of one to three levels.
    Random random = new Random(7);
    for (int parts : new int[] {1, 2, 5, 12, 30}) {
      List<double[]> values = new ArrayList<>();
      for (int p = 0; p < parts; p++) {
        values.add(p % 4 == 3 ? null : new double[] {Math.pow(10, random.nextInt(17) - 8) * random.nextDouble()});
      }
      JavaRDD<double[]> rdd = LocalSpark.jsc().parallelize(values, parts)
          .filter(v -> v != null);
      for (int depth = 1; depth <= 3; depth++) {
        double distributed = OrderedAggregation.reduce(rdd.map(double[]::clone), BarrierMiniBatchTest::add, depth)[0];
        List<double[]> copies = values.stream().map(v -> v == null ? null : v.clone()).toList();
        double local = OrderedAggregation.reduceLocally(copies, BarrierMiniBatchTest::add, depth)[0];
        assertEquals(Double.doubleToLongBits(distributed), Double.doubleToLongBits(local),
            parts + " partitions, depth " + depth);
      }
    }
  }

  private static double[] add(double[] a, double[] b) {
    a[0] += b[0];
    return a;
  }

  private record Fit(DenseMatrix h, DenseMatrix w, double err, int iters, int steps, List<Double> costs, int jobs) {}

  /** How the steps run: a job each, or barrier stages whose tasks (in the driver's JVM) reply in memory or over sockets. */
  private enum Mode { JOB_PER_STEP, IN_MEMORY, OVER_SOCKETS }

  private static Fit fit(NmfOptions o, BlockedRows xb, DenseMatrix[] start, Mode mode) throws Exception {
    LocalSpark.jsc().setLocalProperty(BarrierMiniBatch.ENABLED_KEY, Boolean.toString(mode != Mode.JOB_PER_STEP));
    LocalSpark.jsc().setLocalProperty(BarrierMiniBatch.IN_PROCESS_KEY, Boolean.toString(mode == Mode.IN_MEMORY));
    try (JobRecorder jobs = new JobRecorder()) {
      NmfEngine engine = new NmfEngine(LocalSpark.jsc(), o, EngineFixtures.distributed());
      try (FitResult r = engine.fitMiniBatch(xb, start[1].transpose(), EngineFixtures.aligned(xb, start[0]))) {
        DenseMatrix w = r.collectW();
        return new Fit(r.components(), w, r.reconstructionErr(), r.nIter(), r.nSteps(), r.history(),
            jobs.jobs().size());
      }
    } finally {
      LocalSpark.jsc().setLocalProperty(BarrierMiniBatch.ENABLED_KEY, null);
      LocalSpark.jsc().setLocalProperty(BarrierMiniBatch.IN_PROCESS_KEY, null);
    }
  }

  private static void assertSameFit(Fit expected, Fit actual, Mode mode) {
    assertEquals(expected.steps, actual.steps, mode + ": n_steps");
    assertArrayEquals(bits(expected.h), bits(actual.h), mode + ": H, bit for bit");
    assertArrayEquals(bits(expected.w), bits(actual.w), mode + ": W, bit for bit");
    assertEquals(expected.costs, actual.costs, mode + ": batch costs");
  }

  private static long[] bits(DenseMatrix m) {
    double[][] a = m.toArray();
    return Stream.of(a).flatMapToDouble(java.util.Arrays::stream).mapToLong(Double::doubleToLongBits).toArray();
  }
}
