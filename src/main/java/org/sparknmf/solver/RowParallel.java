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
 * Runs a kernel over parts of a factor's rows on several threads, for the single-JVM solvers
 * (Spark tasks keep to one thread, as {@code spark.task.cpus} gives them). Each part writes only
 * its own rows, so the result does not depend on the number of threads.
 *
 * <p>Holds its threads from {@link #start} to {@link #close}: one pool per fit, not one per call.
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
  public interface RangeTask {
    void run(int from, int to);
  }

  /**
   * Runs {@code task} over consecutive ranges of {@code RANGE_ROWS} of {@code rows} rows, each
   * once; on the calling thread alone when {@code work} (multiply-adds, say) is not
   * {@linkplain #worthSharing worth sharing}.
   */
  public void forEachRange(int rows, long work, RangeTask task) {
    int ranges = (rows + RANGE_ROWS - 1) / RANGE_ROWS;
    IntToDoubleFunction range = r -> {
      task.run(r * RANGE_ROWS, Math.min(rows, (r + 1) * RANGE_ROWS));
      return 0.0;
    };
    if (worthSharing(work)) {
      run(ranges, range);
    } else {
      for (int r = 0; r < ranges; r++) {
        range.applyAsDouble(r);
      }
    }
  }

  /**
   * Whether {@code work} is worth handing to other threads (at least this instance's minimum, 4 M
   * multiply-adds unless a test says less): waking one costs tens of microseconds, and BLAS's own
   * threads may still be spinning on the cores after a product.
   */
  public boolean worthSharing(long work) {
    return threads > 1 && work >= minSharedWork;
  }

  /**
   * Runs {@code part(0 .. parts − 1)}, each once, on the threads; returns their results by index.
   * Returns or throws only once every part has stopped: a part's exception is thrown (the first,
   * with the others suppressed), and the parts not yet started are skipped.
   */
  public double[] run(int parts, IntToDoubleFunction part) {
    double[] results = new double[parts];
    AtomicInteger next = new AtomicInteger();
    Runnable worker = () -> {
      try {
        for (int p = next.getAndIncrement(); p < parts; p = next.getAndIncrement()) {
          results[p] = part.applyAsDouble(p);
        }
      } catch (RuntimeException | Error e) {
        next.set(parts); // at once, on whichever thread failed: no part starts after a failure
        throw e;
      }
    };
    List<Future<?>> running = new ArrayList<>();
    for (int t = 1; t < Math.min(threads, parts); t++) {
      running.add(helpers.submit(worker));
    }
    Throwable failure = null;
    try {
      worker.run();
    } catch (RuntimeException | Error e) {
      failure = e;
    }
    boolean interrupted = false;
    for (Future<?> f : running) {
      while (true) {
        try {
          f.get();
          break;
        } catch (ExecutionException e) {
          failure = firstOf(failure, e.getCause());
          break;
        } catch (InterruptedException e) {
          interrupted = true; // keep waiting: the helpers still write into the caller's arrays
          next.set(parts);
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
      failure = firstOf(failure, new IllegalStateException("interrupted while the rows were computed"));
    }
    if (failure instanceof RuntimeException e) {
      throw e;
    }
    if (failure instanceof Error e) {
      throw e;
    }
    if (failure != null) {
      throw new IllegalStateException(failure);
    }
    return results;
  }

  private static Throwable firstOf(Throwable first, Throwable next) {
    if (first == null) {
      return next;
    }
    if (first != next) {
      first.addSuppressed(next);
    }
    return first;
  }

  @Override
  public void close() {
    if (helpers != null) {
      helpers.shutdownNow();
    }
  }
}
