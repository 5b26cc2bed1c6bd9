package org.sparknmf.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparknmf.testing.Assertions2.assertMatrixClose;
import static org.sparknmf.testing.SparkProbes.liveBroadcasts;
import static org.sparknmf.testing.SparkProbes.persistedRdds;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.local.MiniBatchNMF;
import org.sparknmf.local.NMF;
import org.sparknmf.solver.NmfOptions;
import org.sparknmf.testing.LocalSpark;

/**
 * A fit holds a bounded number of cached RDDs and broadcasts, whatever its length, and releases
 * them; transform runs block by block with each block's numbers those of the single-JVM transform.
 */
class EngineResourcesTest {

  /** The largest numbers of cached RDDs and live broadcasts seen at the end of any job of a fit. */
  private static int[] peaksDuring(int epochs, boolean miniBatch, boolean barrier) throws Exception {
    DenseMatrix x = EngineBehaviourTest.lowRank(9, 80, 12, 3, 0.1);
    NmfOptions o = new NmfOptions().nComponents(3).init("random").randomState(1L).maxIter(epochs)
        .tol(0.0).batchSize(20).maxNoImprovement(null).solver("mu");
    AtomicInteger rdds = new AtomicInteger();
    AtomicInteger broadcasts = new AtomicInteger();
    SparkListener probe = new SparkListener() {
      @Override
      public void onJobEnd(SparkListenerJobEnd end) {
        rdds.accumulateAndGet(persistedRdds(), Math::max);
        broadcasts.accumulateAndGet(liveBroadcasts(), Math::max);
      }
    };
    int rddsBefore = persistedRdds();
    LocalSpark.jsc().sc().addSparkListener(probe);
    LocalSpark.jsc().setLocalProperty(BarrierMiniBatch.ENABLED_KEY, Boolean.toString(barrier));
    try (BlockedRows xb = EngineFixtures.blocked(x, 2)) {
      NmfEngine engine = new NmfEngine(LocalSpark.jsc(), o, EngineFixtures.distributed().checkpointInterval(2));
      try (FitResult r = miniBatch ? engine.fitMiniBatch(xb) : engine.fitNmf(xb)) {
        assertEquals(epochs * (miniBatch ? 4 : 1), miniBatch ? r.nSteps() : r.nIter());
      }
    } finally {
      LocalSpark.jsc().setLocalProperty(BarrierMiniBatch.ENABLED_KEY, null);
      LocalSpark.jsc().sc().removeSparkListener(probe);
    }
    LocalSpark.jsc().sc().listenerBus().waitUntilEmpty();
    assertEquals(rddsBefore, persistedRdds(), "every cached RDD released after the fit");
    return new int[] {rdds.get(), broadcasts.get()};
  }

  @Test
  void aLongFitHoldsNoMoreThanAShortOne() throws Exception {
    // Mini-batch steps in barrier stages, one job per step, and full batch (no barrier stages).
    for (boolean[] mode : new boolean[][] {{true, true}, {true, false}, {false, false}}) {
      boolean miniBatch = mode[0];
      boolean barrier = mode[1];
      String what = " (miniBatch=" + miniBatch + ", barrier=" + barrier + ")";
      int[] shortFit = peaksDuring(4, miniBatch, barrier);
      int[] longFit = peaksDuring(24, miniBatch, barrier);
      assertTrue(shortFit[0] > 0, "the probe sees the fit's RDDs" + what);
      // Barrier stages take H from the driver's socket: one broadcast per step only without them.
      assertTrue(barrier ? shortFit[1] <= 2 : shortFit[1] > (miniBatch ? 2 : 0), "broadcasts seen: " + shortFit[1] + what);
      assertEquals(shortFit[0], longFit[0], "cached RDDs, 4 vs 24 epochs" + what);
      assertTrue(longFit[1] <= shortFit[1] + 1, "live broadcasts " + shortFit[1] + " vs " + longFit[1] + what);
    }
  }

  /**
   * An NNDSVD start's W (computed and cached by the start) is released by every kind of fit,
   * also one with fresh restarts, which does not read it; a caller's own W stays cached.
   */
  @Test
  void fitsReleaseTheStartsWAndKeepTheCallersW() throws Exception {
    DenseMatrix x = EngineBehaviourTest.lowRank(12, 80, 12, 3, 0.1);
    try (BlockedRows xb = EngineFixtures.blocked(x, 2)) {
      for (String mode : new String[] {"barrier", "job per step", "fresh restarts", "full batch"}) {
        NmfOptions o = new NmfOptions().nComponents(3).init("nndsvda").randomState(1L).maxIter(3).tol(0.0)
            .batchSize(20).maxNoImprovement(null).solver("mu").freshRestarts("fresh restarts".equals(mode));
        LocalSpark.jsc().setLocalProperty(BarrierMiniBatch.ENABLED_KEY, Boolean.toString("barrier".equals(mode)));
        int before = persistedRdds();
        NmfEngine engine = new NmfEngine(LocalSpark.jsc(), o, EngineFixtures.distributed());
        try (FitResult r = "full batch".equals(mode) ? engine.fitNmf(xb) : engine.fitMiniBatch(xb)) {
          assertEquals(3, r.nIter(), mode);
        } finally {
          LocalSpark.jsc().setLocalProperty(BarrierMiniBatch.ENABLED_KEY, null);
        }
        assertEquals(before, persistedRdds(), "cached RDDs left by the fit (" + mode + ")");
      }
      NmfOptions o = new NmfOptions().nComponents(3).randomState(1L).maxIter(3).tol(0.0).batchSize(20)
          .maxNoImprovement(null).solver("mu");
      DenseMatrix ht0 = new DenseMatrix(x.cols(), 3);
      Arrays.fill(ht0.data(), 0.5);
      for (boolean miniBatch : new boolean[] {true, false}) {
        JavaRDD<DenseMatrix> w0 = xb.blocks().map(b -> {
          DenseMatrix wb = new DenseMatrix(b.rows(), 3);
          Arrays.fill(wb.data(), 0.5);
          return wb;
        }).persist(StorageLevel.MEMORY_ONLY());
        w0.count();
        NmfEngine engine = new NmfEngine(LocalSpark.jsc(), o, EngineFixtures.distributed());
        try (FitResult r = miniBatch ? engine.fitMiniBatch(xb, ht0, w0) : engine.fitNmf(xb, ht0, w0)) {
          assertEquals(3, r.nIter());
        }
        assertTrue(LocalSpark.jsc().getPersistentRDDs().containsKey(w0.id()),
            "the caller's W is still cached (miniBatch=" + miniBatch + ")");
        w0.unpersist(true);
      }
    }
  }

  @Test
  void transformSolvesEachBlockAsTheSingleJvmTransformDoes() {
    DenseMatrix x = EngineBehaviourTest.lowRank(10, 50, 10, 3, 0.1);
    DenseMatrix x2 = EngineBehaviourTest.lowRank(11, 30, 10, 3, 0.1);
    NmfOptions o = new NmfOptions().nComponents(3).init("random").randomState(2L).solver("mu").batchSize(10);
    for (boolean miniBatch : new boolean[] {true, false}) {
      DenseMatrix ht;
      java.util.function.Function<DenseMatrix, double[][]> local;
      if (miniBatch) {
        MiniBatchNMF m = new MiniBatchNMF().setOptions(o);
        m.fit(x);
        ht = DenseMatrix.of(m.components()).transpose();
        local = m::transform;
      } else {
        NMF m = new NMF().setOptions(o);
        m.fit(x);
        ht = DenseMatrix.of(m.components()).transpose();
        local = m::transform;
      }
      for (int partitions : new int[] {1, 3}) {
        try (BlockedRows xb = EngineFixtures.blocked(x2, partitions)) {
          NmfEngine engine = new NmfEngine(LocalSpark.jsc(), o, EngineFixtures.distributed());
          Broadcast<DenseMatrix> bh = LocalSpark.jsc().broadcast(ht);
          JavaRDD<DenseMatrix> w = engine.transform(xb, ht, miniBatch, bh);
          List<DenseMatrix> blocks = w.collect();
          List<RowBlock> xs = xb.blocks().collect();
          for (int b = 0; b < blocks.size(); b++) {
            RowBlock rb = xs.get(b);
            int from = (int) rb.rowId(0);
            double[][] expected = local.apply(x2.rowRange(from, from + rb.rows()).copy());
            assertMatrixClose(expected, blocks.get(b).toArray(), 1e-12,
                "block " + b + " of " + partitions + " (miniBatch=" + miniBatch + ")");
          }
          bh.destroy();
        }
      }
    }
  }
}
