package org.sparknmf.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparknmf.testing.SparkProbes.liveBroadcasts;
import static org.sparknmf.testing.SparkProbes.persistedRdds;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.sparknmf.testing.LocalSpark;

/**
 * A long online session holds what a short one holds, and fits sharing one SparkSession from
 * several threads give the numbers they give alone.
 */
class SoakAndLoadTest {

  private static final int STEPS = 2000;
  private static final int WARM_UP = 500;

  /** Heap in use after a full collection, in MB. */
  private static double usedHeapMb() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed() / 1048576.0;
  }

  @Test
  void twoThousandPartialFitStepsHoldConstantResources() throws Exception {
    double[][] x = TuningTest.lowRank(400, 16, 4, 0.01, 5);
    List<Dataset<Row>> chunks = new ArrayList<>();
    for (int c = 0; c < 8; c++) {
      chunks.add(NMFStageSmokeTest.frame(Arrays.copyOfRange(x, c * 50, c * 50 + 50)).coalesce(1).cache());
    }
    NMFModel model = new MiniBatchNMF().setK(4).setSeed(1).setBatchSize(50).setMaxIter(2)
        .setExecution("distributed").fit(chunks.get(0));
    int stepsBefore = model.nSteps();
    // The most cached RDDs and live broadcasts seen at the end of any Spark job, early and late.
    int[][] seen = {{0, 0}, {0, 0}};
    int[] window = {0};
    SparkListener probe = new SparkListener() {
      @Override
      public void onJobEnd(SparkListenerJobEnd end) {
        int[] w = seen[window[0]];
        w[0] = Math.max(w[0], persistedRdds());
        w[1] = Math.max(w[1], liveBroadcasts());
      }
    };
    double heap = 0;
    LocalSpark.jsc().sc().addSparkListener(probe);
    try {
      for (int i = 0; i < STEPS; i++) {
        model.partialFit(chunks.get(i % chunks.size()));
        if (i + 1 == WARM_UP) {
          LocalSpark.jsc().sc().listenerBus().waitUntilEmpty();
          window[0] = 1;
          heap = usedHeapMb();
        }
      }
      LocalSpark.jsc().sc().listenerBus().waitUntilEmpty();
    } finally {
      LocalSpark.jsc().sc().removeSparkListener(probe);
    }
    int[] early = seen[0];
    int[] late = seen[1];
    double heapAfter = usedHeapMb();
    assertEquals(stepsBefore + STEPS, model.nSteps());
    assertEquals(early[0], late[0], "most cached RDDs in steps 1-" + WARM_UP + " and after");
    assertTrue(early[1] >= 1 && late[1] <= early[1], "most live broadcasts in steps 1-" + WARM_UP + ": "
        + early[1] + ", after: " + late[1]);
    assertTrue(heapAfter - heap < 48, "driver heap after a full GC: " + heap + " MB after " + WARM_UP
        + " steps, " + heapAfter + " MB after " + STEPS);
    System.out.printf("soak: %d partialFit steps; most cached RDDs %d / %d, live broadcasts %d / %d; heap %.1f MB"
        + " -> %.1f MB%n", STEPS, early[0], late[0], early[1], late[1], heap, heapAfter);
    double[] h = model.components().toArray();
    assertTrue(Arrays.stream(h).allMatch(Double::isFinite));
    chunks.forEach(Dataset::unpersist);
  }

  @Test
  void eightConcurrentFitsGiveWhatEachGivesAlone() throws Exception {
    Dataset<Row> data = NMFStageSmokeTest.frame(TuningTest.lowRank(300, 20, 5, 0.05, 9)).repartition(3).cache();
    List<NMFEstimator<?>> estimators = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      NMFEstimator<?> e = i % 2 == 0
          ? new MiniBatchNMF().setBatchSize(40).setMaxIter(10)
          : new NMF().setSolver(i % 4 == 1 ? "cd" : "mu").setShuffle(i == 5).setMaxIter(20);
      estimators.add(e.setK(2 + i % 4).setSeed(100 + i).setInit(i < 4 ? "random" : "nndsvda")
          .setExecution("distributed"));
    }
    List<double[]> alone = new ArrayList<>();
    for (NMFEstimator<?> e : estimators) {
      alone.add(e.fit(data).components().toArray());
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<double[]>> together = new ArrayList<>();
      for (NMFEstimator<?> e : estimators) {
        together.add(pool.submit(() -> e.fit(data).components().toArray()));
      }
      for (int i = 0; i < 8; i++) {
        assertArrayEquals(alone.get(i), together.get(i).get(), "fit " + i + " alone vs with 7 others");
      }
    } finally {
      pool.shutdown();
      data.unpersist();
    }
  }
}
