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
  void twoThousandPartialFitStepsHoldConstantResources() {
    double[][] x = TuningTest.lowRank(400, 16, 4, 0.01, 5);
    List<Dataset<Row>> chunks = new ArrayList<>();
    for (int c = 0; c < 8; c++) {
      chunks.add(NMFStageSmokeTest.frame(Arrays.copyOfRange(x, c * 50, c * 50 + 50)).coalesce(1).cache());
    }
    NMFModel model = new MiniBatchNMF().setK(4).setSeed(1).setBatchSize(50).setMaxIter(2)
        .setExecution("distributed").fit(chunks.get(0));
    int stepsBefore = model.nSteps();
    // The most cached RDDs and live broadcasts seen between steps, early and late in the session.
    int[] early = {0, 0};
    int[] late = {0, 0};
    double heap = 0;
    for (int i = 0; i < STEPS; i++) {
      model.partialFit(chunks.get(i % chunks.size()));
      int[] seen = i < WARM_UP ? early : late;
      seen[0] = Math.max(seen[0], persistedRdds());
      seen[1] = Math.max(seen[1], liveBroadcasts());
      if (i + 1 == WARM_UP) {
        heap = usedHeapMb();
      }
    }
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
