package org.sparknmf.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.SparkContext;
import org.junit.jupiter.api.Test;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.solver.NmfOptions;
import org.sparknmf.testing.JobRecorder;
import org.sparknmf.testing.LocalSpark;

/** The Spark jobs of a fit are named after its phases, and the caller's own description survives. */
class JobPhaseTest {

  private interface Body {
    void run() throws Exception;
  }

  /** The descriptions of the jobs {@code body} runs, in order. */
  private static List<String> descriptionsOf(Body body) throws Exception {
    try (JobRecorder jobs = new JobRecorder()) {
      body.run();
      return jobs.jobs().stream().map(start -> String.valueOf(start.properties().getProperty(JobPhase.KEY)))
          .toList();
    }
  }

  private static long aJob() {
    return LocalSpark.jsc().parallelize(List.of(1, 2, 3), 2).count();
  }

  @Test
  void aPhaseNamesItsJobsAndNestedPhasesReplaceItsName() throws Exception {
    SparkContext sc = LocalSpark.jsc().sc();
    List<String> names = descriptionsOf(() -> {
      try (JobPhase outer = JobPhase.of(sc, "start")) {
        aJob();
        try (JobPhase inner = JobPhase.of(sc, "reconstruction error")) {
          aJob();
        }
        aJob();
      }
      aJob();
    });
    assertEquals(List.of("spark-nmf: start", "spark-nmf: reconstruction error", "spark-nmf: start", "null"), names);
    assertNull(sc.getLocalProperty(JobPhase.KEY));
  }

  @Test
  void theCallersDescriptionStaysInFrontAndComesBack() throws Exception {
    SparkContext sc = LocalSpark.jsc().sc();
    LocalSpark.jsc().setJobDescription("nightly topics");
    try {
      List<String> names = descriptionsOf(() -> {
        try (JobPhase outer = JobPhase.of(sc, "blocking X")) {
          try (JobPhase inner = JobPhase.of(sc, JobPhase.STEPS)) {
            aJob();
          }
          aJob();
        }
      });
      assertEquals(List.of("nightly topics / spark-nmf: MiniBatchNMF steps", "nightly topics / spark-nmf: blocking X"),
          names);
      assertEquals("nightly topics", sc.getLocalProperty(JobPhase.KEY));
    } finally {
      LocalSpark.jsc().setJobDescription(null);
    }
  }

  @Test
  void everyJobOfADistributedFitIsNamedAfterItsPhase() throws Exception {
    DenseMatrix x = EngineBehaviourTest.lowRank(3, 60, 8, 2, 0.1);
    NmfOptions o = new NmfOptions().nComponents(2).init("nndsvda").randomState(0L).maxIter(3).tol(0.0)
        .batchSize(16).maxNoImprovement(null).solver("mu");
    List<String> names = descriptionsOf(() -> {
      try (BlockedRows xb = EngineFixtures.blocked(x, 2);
          FitResult r = new NmfEngine(LocalSpark.jsc(), o, EngineFixtures.distributed()).fitMiniBatch(xb)) {
        assertEquals(3, r.nIter());
      }
    });
    assertTrue(names.stream().allMatch(n -> n.startsWith(JobPhase.MARK)), "every job named: " + names);
    Set<String> phases = new TreeSet<>(names);
    assertEquals(new TreeSet<>(List.of("spark-nmf: blocking X", "spark-nmf: start (nndsvda)",
        "spark-nmf: MiniBatchNMF steps", "spark-nmf: reconstruction error")), phases);
    assertNull(LocalSpark.jsc().getLocalProperty(JobPhase.KEY));
  }
}
