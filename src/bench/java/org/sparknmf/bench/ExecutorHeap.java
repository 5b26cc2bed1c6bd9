package org.sparknmf.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The live heap of each executor JVM: a daemon thread there runs a full collection every
 * {@link #INTERVAL_MS} ms and keeps the largest heap in use right after one. Used heap alone counts
 * garbage not yet collected (under a 4 GB limit, most of it); after a full collection it is the
 * live set, sampled. The collections slow the fit, so this is for memory runs only.
 */
final class ExecutorHeap {

  static final long INTERVAL_MS = 250;
  private static long peak;
  private static Thread sampler;
  /** (time in ms since the epoch, live bytes) of each sample since the reset. */
  private static final List<long[]> samples = new ArrayList<>();

  private ExecutorHeap() {}

  /**
   * Starts the sampler on every executor (idempotent) and restarts its peak from the live heap
   * now; returns the largest executor's live heap now, in MB.
   */
  static double startAndReset(JavaSparkContext jsc) {
    return largest(jsc, true);
  }

  /** The largest executor's peak live heap since {@link #startAndReset}, in MB. */
  static double peakMb(JavaSparkContext jsc) {
    return largest(jsc, false);
  }

  /**
   * Every sample since {@link #startAndReset}, each executor's tasks reporting the same ones:
   * time in ms since the epoch → the largest live heap sampled then, in MB.
   */
  static java.util.SortedMap<Long, Double> samples(JavaSparkContext jsc) {
    java.util.TreeMap<Long, Double> out = new java.util.TreeMap<>();
    for (long[] s : onEveryExecutor(jsc).flatMap(i -> {
      synchronized (ExecutorHeap.class) {
        return new ArrayList<>(samples).iterator();
      }
    }).collect()) {
      out.merge(s[0], s[1] / 1048576.0, Math::max);
    }
    return out;
  }

  private static double largest(JavaSparkContext jsc, boolean reset) {
    long max = onEveryExecutor(jsc).map(i -> reset ? reset() : peak()).reduce(Math::max);
    return max / 1048576.0;
  }

  /** One task per core, four times over, so that every executor runs at least one. */
  private static org.apache.spark.api.java.JavaRDD<Integer> onEveryExecutor(JavaSparkContext jsc) {
    int tasks = 4 * Math.max(1, jsc.defaultParallelism());
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < tasks; i++) {
      ids.add(i);
    }
    return jsc.parallelize(ids, tasks);
  }

  private static synchronized long reset() {
    if (sampler == null) {
      sampler = new Thread(ExecutorHeap::sample, "live-heap-sampler");
      sampler.setDaemon(true);
      sampler.start();
    }
    peak = liveNow();
    samples.clear();
    return peak;
  }

  private static synchronized long peak() {
    return Math.max(peak, liveNow());
  }

  private static void sample() {
    while (true) {
      long live = liveNow();
      synchronized (ExecutorHeap.class) {
        samples.add(new long[] {System.currentTimeMillis(), live});
        peak = Math.max(peak, live);
      }
      try {
        Thread.sleep(INTERVAL_MS); // the sampling interval, not a wait for anything
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /**
   * The heap in use at the end of a full collection, as the collector measured it (the heap pools'
   * collection usage), so that what other threads allocate right after it does not count.
   */
  private static long liveNow() {
    System.gc();
    long used = 0;
    for (java.lang.management.MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == java.lang.management.MemoryType.HEAP && p.getCollectionUsage() != null) {
        used += p.getCollectionUsage().getUsed();
      }
    }
    return used;
  }
}
