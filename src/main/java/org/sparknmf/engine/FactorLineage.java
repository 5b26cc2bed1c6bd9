package org.sparknmf.engine;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;

/**
 * The successive versions of a factor held on the executors (W, or one mini-batch slice of it), each
 * an RDD computed from the previous version and a broadcast H. Versions are immutable, so a lost
 * cached block is recomputed from lineage and comes out bit for bit the same; to keep that lineage
 * (and the broadcasts it needs) bounded, every {@code interval}-th version is checkpointed — reliably
 * when the SparkContext has a checkpoint directory, locally otherwise — and the broadcasts before it
 * are destroyed. At any time it holds at most three cached versions (the current, the one being
 * replaced, and with local checkpoints the last checkpointed one, whose blocks later versions are
 * computed from) and {@code interval} broadcasts.
 */
final class FactorLineage<T> implements AutoCloseable {

  private final StorageLevel level;
  private final int interval;
  private final boolean reliable;
  private JavaRDD<T> current;
  private JavaRDD<T> previous;
  /** The last locally checkpointed version: its blocks are the only copy the later versions have. */
  private JavaRDD<T> anchor;
  private final List<Broadcast<?>> uncut = new ArrayList<>();
  private int versions;
  private boolean cutPending;

  /** @param first the starting version; its caching is the caller's (it is often a cheap view) */
  FactorLineage(JavaRDD<T> first, StorageLevel level, int interval, boolean reliable) {
    this.level = level;
    this.interval = interval;
    this.reliable = reliable;
    this.current = first;
  }

  JavaRDD<T> current() {
    return current;
  }

  /**
   * Makes {@code next} (computed from the current version and {@code uses}) the current version;
   * persists it and marks it for a checkpoint when one is due. Call before the job that computes it,
   * then {@link #computed()} after.
   */
  JavaRDD<T> advance(JavaRDD<T> next, Broadcast<?> uses) {
    next.persist(level);
    versions++;
    if (versions % interval == 0) {
      if (reliable) {
        next.checkpoint();
      } else {
        next.rdd().localCheckpoint();
      }
      cutPending = true;
    }
    if (uses != null) {
      uncut.add(uses);
    }
    previous = current;
    current = next;
    return next;
  }

  /** After the job that computed the current version: frees the previous one and a cut lineage. */
  void computed() {
    if (previous != null && previous != anchor) {
      previous.unpersist(false);
    }
    previous = null;
    if (cutPending && (!reliable || current.isCheckpointed())) {
      if (!reliable) {
        if (anchor != null) {
          anchor.unpersist(false); // superseded: nothing depends on it any more
        }
        anchor = current;
      }
      uncut.forEach(FactorLineage::release);
      uncut.clear();
      cutPending = false;
    }
  }

  /** Destroys a broadcast and waits until its blocks are gone, so that release is not left to timing. */
  static void release(Broadcast<?> b) {
    b.destroy(true);
  }

  /** Broadcasts kept alive for recomputation. */
  int liveBroadcasts() {
    return uncut.size();
  }

  /**
   * Cuts {@code rdd}'s lineage (a reliable checkpoint when the context has a directory, a local one
   * otherwise) and computes it, so it outlives the broadcasts of the lineage it came from. Returns
   * it, persisted.
   */
  static <U> JavaRDD<U> cut(JavaRDD<U> rdd, StorageLevel level, boolean reliable) {
    rdd.persist(level);
    if (reliable) {
      rdd.checkpoint();
    } else {
      rdd.rdd().localCheckpoint();
    }
    rdd.count();
    return rdd;
  }

  @Override
  public void close() {
    List<JavaRDD<T>> held = new ArrayList<>();
    for (JavaRDD<T> rdd : java.util.Arrays.asList(previous, anchor, current)) {
      // The anchor is often the current version too: release each RDD once.
      if (rdd != null && held.stream().noneMatch(h -> h == rdd)) {
        held.add(rdd);
        rdd.unpersist(false);
      }
    }
    uncut.forEach(FactorLineage::release);
    uncut.clear();
  }
}
