package org.sparknmf.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.scheduler.JobSucceeded$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.junit.jupiter.api.Test;
import org.sparknmf.testing.JobRecorder;
import org.sparknmf.testing.LocalSpark;

/** A count on a thread of its own: one job that also cuts the lineage, the caller's properties, cancellation. */
class BackgroundJobTest {

  private static final List<Integer> NUMBERS = IntStream.range(0, 100).boxed().toList();

  /** Runs {@code body} with a listener that records the jobs started meanwhile. */
  private static List<SparkListenerJobStart> jobsOf(ThrowingRunnable body) throws Exception {
    try (JobRecorder jobs = new JobRecorder()) {
      body.run();
      return jobs.jobs();
    }
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Test
  void oneJobCountsAndCutsTheLineage() throws Exception {
    JavaRDD<Integer> rdd = LocalSpark.jsc().parallelize(NUMBERS, 2).map(i -> i * 2).cache();
    rdd.rdd().localCheckpoint();
    List<SparkListenerJobStart> jobs = jobsOf(() -> assertEquals(100L, BackgroundJob.count(rdd, "test").get()));
    assertEquals(1, jobs.size());
    assertTrue(rdd.isCheckpointed(), "the job's end checkpointed the RDD");

    // What it replaces: an asynchronous count leaves the lineage whole.
    JavaRDD<Integer> other = LocalSpark.jsc().parallelize(NUMBERS, 2).map(i -> i * 2).cache();
    other.rdd().localCheckpoint();
    assertEquals(100L, other.countAsync().get());
    assertFalse(other.isCheckpointed());
    rdd.unpersist(true);
    other.unpersist(true);
  }

  @Test
  void theJobHasTheCallersLocalProperties() throws Exception {
    LocalSpark.jsc().setLocalProperty("spark.scheduler.pool", "nmf-test-pool");
    try {
      List<SparkListenerJobStart> jobs = jobsOf(
          () -> BackgroundJob.count(LocalSpark.jsc().parallelize(NUMBERS, 2), "test").get());
      assertEquals(1, jobs.size());
      assertEquals("nmf-test-pool", jobs.get(0).properties().getProperty("spark.scheduler.pool"));
      assertTrue(jobs.get(0).properties().getProperty("spark.job.tags", "").contains("spark-nmf-"));
    } finally {
      LocalSpark.jsc().setLocalProperty("spark.scheduler.pool", null);
    }
    assertEquals(null, LocalSpark.jsc().getLocalProperty("spark.job.tags"), "the tag stays on the job's thread");
  }

  private static final CountDownLatch TASK_STARTED = new CountDownLatch(1);
  private static final CountDownLatch RELEASE_TASK = new CountDownLatch(1);

  @Test
  void cancelEndsTheSparkJob() throws Exception {
    CompletableFuture<SparkListenerJobEnd> ended = new CompletableFuture<>();
    SparkListener probe = new SparkListener() {
      @Override
      public void onJobEnd(SparkListenerJobEnd end) {
        ended.complete(end);
      }
    };
    JavaRDD<Integer> blocked = LocalSpark.jsc().parallelize(List.of(1), 1).map(i -> {
      TASK_STARTED.countDown();
      RELEASE_TASK.await();
      return i;
    });
    LocalSpark.jsc().sc().addSparkListener(probe);
    try {
      BackgroundJob job = BackgroundJob.count(blocked, "test");
      assertTrue(TASK_STARTED.await(60, TimeUnit.SECONDS), "the task started");
      job.cancel(true);
      assertTrue(job.isCancelled());
      assertThrows(CancellationException.class, job::get);
      // The Spark job itself failed, though its task still waits: it is not left running.
      assertNotEquals(JobSucceeded$.MODULE$, ended.get(60, TimeUnit.SECONDS).jobResult());
    } finally {
      RELEASE_TASK.countDown();
      LocalSpark.jsc().sc().removeSparkListener(probe);
    }
  }
}
