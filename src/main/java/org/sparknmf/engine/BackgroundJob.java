package org.sparknmf.engine;

import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;

/**
 * An RDD's {@code count()} run synchronously on a thread of its own, seen as a {@link Future}.
 * Unlike an asynchronous action ({@code countAsync}), a synchronous one ends by cutting the lineage
 * of an RDD marked for a checkpoint ({@code SparkContext.runJob} checkpoints it after the job),
 * which spares a second job to do that. The thread is started by the caller's thread, so it inherits
 * its local properties (job group, scheduler pool, {@code spark.nmf.barrier}); {@link #cancel}
 * cancels the Spark job through a job tag of its own.
 */
final class BackgroundJob implements Future<Long> {

  private final SparkContext sc;
  private final String tag = "spark-nmf-" + UUID.randomUUID();
  private final FutureTask<Long> task;
  private volatile boolean cancelled;

  private BackgroundJob(JavaRDD<?> rdd) {
    this.sc = rdd.context();
    this.task = new FutureTask<>(() -> {
      sc.addJobTag(tag); // this thread's own copy of the local properties
      try {
        return rdd.count();
      } finally {
        if (cancelled) {
          cancelSparkJob(); // a job submitted after cancel's own cancelling: it is not left running
        }
      }
    });
  }

  /** Starts {@code rdd.count()} on a new daemon thread. */
  static BackgroundJob count(JavaRDD<?> rdd, String name) {
    BackgroundJob job = new BackgroundJob(rdd);
    Thread t = new Thread(job.task, name);
    t.setDaemon(true);
    t.start();
    return job;
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    cancelled = true;
    boolean done = task.cancel(mayInterruptIfRunning);
    cancelSparkJob(); // an interrupted runJob does not stop its job
    return done;
  }

  private void cancelSparkJob() {
    if (!sc.isStopped()) { // a stopped context has no jobs left, and refuses the call
      sc.cancelJobsWithTag(tag);
    }
  }

  @Override
  public boolean isCancelled() {
    return task.isCancelled();
  }

  @Override
  public boolean isDone() {
    return task.isDone();
  }

  @Override
  public Long get() throws InterruptedException, ExecutionException {
    return task.get();
  }

  @Override
  public Long get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
    return task.get(timeout, unit);
  }
}
