package org.sparknmf.solver;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntToDoubleFunction;

/**
 * Runs a kernel over consecutive row ranges of a factor on several threads, for the single-JVM
 * solvers (Spark tasks keep to one thread, as {@code spark.task.cpus} gives them). The ranges are
 * fixed by the row count alone and their results are added in range order, so the result has the
 * same bits whatever the number of threads.
 *
 * <p>Holds its threads from {@link #start} to {@link #close}: one per fit, not one per call.
 */
public final class RowParallel implements AutoCloseable {

  /** Rows per range: a k = 20 factor's range and its numerator stay in a core's L2 cache. */
  static final int RANGE_ROWS = 256;

  /** Work (multiply-adds) below which a call stays on the calling thread: about 2 ms of it. */
  static final long MIN_SHARED_WORK = 4L << 20;

  private final int threads;
  private final long minSharedWork;
  private final ExecutorService helpers;

  private RowParallel(int threads, long minSharedWork) {
    this.threads = threads;
    this.minSharedWork = minSharedWork;
    this.helpers = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
      Thread t = new Thread(r, "spark-nmf-rows");
      t.setDaemon(true);
      return t;
    });
  }

  /** Work on {@code threads} threads (the caller's and {@code threads − 1} more). */
  public static RowParallel start(int threads) {
    return start(threads, MIN_SHARED_WORK);
  }

  /** Tests share even small work, to run the threaded paths on small data. */
  static RowParallel start(int threads, long minSharedWork) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    return new RowParallel(threads, minSharedWork);
  }

  /** The calling thread alone. */
  public static RowParallel serial() {
    return new RowParallel(1, MIN_SHARED_WORK);
  }

  public int threads() {
    return threads;
  }

  /** A kernel over rows {@code [from, to)}; it may write only those rows of what it changes. */
  @FunctionalInterface
  public interface RangeKernel {
    double apply(int from, int to);
  }

  /**
   * Σ over the ranges of {@code rows} rows of {@code kernel(from, to)}, added in range order;
   * {@code work} (multiply-adds, say) below {@link #MIN_SHARED_WORK} stays on the calling thread.
   */
  public double sum(int rows, long work, RangeKernel kernel) {
    int ranges = (rows + RANGE_ROWS - 1) / RANGE_ROWS;
    IntToDoubleFunction range = r -> kernel.apply(r * RANGE_ROWS, Math.min(rows, (r + 1) * RANGE_ROWS));
    double[] parts = worthSharing(work) ? run(ranges, range) : runHere(ranges, range);
    double s = 0.0;
    for (double p : parts) {
      s += p;
    }
    return s;
  }

  /**
   * Whether {@code work} is worth handing to other threads: waking one costs tens of microseconds,
   * and BLAS's own threads may still be spinning on the cores after a product.
   */
  public boolean worthSharing(long work) {
    return threads > 1 && work >= minSharedWork;
  }

  private static double[] runHere(int parts, IntToDoubleFunction part) {
    double[] results = new double[parts];
    for (int p = 0; p < parts; p++) {
      results[p] = part.applyAsDouble(p);
    }
    return results;
  }

  /** Runs {@code part(0 .. parts − 1)}, each once, on the threads; returns their results by index. */
  public double[] run(int parts, IntToDoubleFunction part) {
    double[] results = new double[parts];
    AtomicInteger next = new AtomicInteger();
    Runnable worker = () -> {
      for (int p = next.getAndIncrement(); p < parts; p = next.getAndIncrement()) {
        results[p] = part.applyAsDouble(p);
      }
    };
    List<Future<?>> running = new ArrayList<>();
    for (int t = 1; t < Math.min(threads, parts); t++) {
      running.add(helpers.submit(worker));
    }
    RuntimeException failure = null;
    try {
      worker.run();
    } catch (RuntimeException e) {
      failure = e;
      next.set(parts);
    }
    // Every helper has finished before the results are read or the caller's failure is thrown.
    for (Future<?> f : running) {
      try {
        f.get();
      } catch (ExecutionException e) {
        if (failure == null) {
          failure = e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        next.set(parts);
        if (failure == null) {
          failure = new IllegalStateException("interrupted", e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
    return results;
  }

  @Override
  public void close() {
    if (helpers != null) {
      helpers.shutdownNow();
    }
  }
}
