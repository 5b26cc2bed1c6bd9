package org.sparknmf.ml;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Online learning from a Structured Streaming query: a {@code foreachBatch} function that feeds each
 * non-empty micro-batch to {@link NMFModel#partialFit} (one mini-batch step per micro-batch, as
 * scikit-learn's {@code partial_fit} per chunk) and saves the model every {@code n} micro-batches.
 *
 * <pre>{@code
 * NMFModel model = new MiniBatchNMF().setK(10).fit(firstChunk);
 * OnlineNMF online = new OnlineNMF(model).saveEvery(10, "/models/nmf");
 * StreamingQuery q = spark.readStream().schema(schema).parquet("/incoming")
 *     .writeStream().foreachBatch(online).option("checkpointLocation", "/chk/nmf").start();
 * }</pre>
 *
 * <p>What it adds to a bare {@code (batch, id) -> model.partialFit(batch)}: empty micro-batches are
 * skipped ({@code partialFit} rejects an empty X, as scikit-learn does), a micro-batch id this
 * instance has already applied is skipped (Spark runs the last uncommitted micro-batch again, with
 * the same id, when a stopped or failed query is restarted from its checkpoint), and saves happen
 * only when the model changed since the previous save. The model is updated in place:
 * {@link #model()} is the live model.
 *
 * <p>Recovery after a driver restart (load the saved model, make a new {@code OnlineNMF}, restart
 * the query from its checkpoint): the checkpoint and the saved model are written at different
 * moments, so micro-batches committed after the last save are not replayed and are missing from
 * the model. {@code saveEvery(1, …)} narrows this to the micro-batch in flight (applied twice if
 * the crash falls between the save and Spark's commit), at the cost of one small write per
 * micro-batch. Calls are synchronized: the query thread updates, other threads may read the counters.
 */
public final class OnlineNMF implements VoidFunction2<Dataset<Row>, Long> {

  private static final long serialVersionUID = 1L;

  private final NMFModel model;
  private int saveEvery;
  private String savePath;
  private long microBatches;
  private long steps;
  private long lastBatchId = -1;
  private long saves;
  private long lastSavedBatchId = -1;
  private boolean changedSinceSave;

  /** @param model a model fitted by {@link MiniBatchNMF} (or loaded from one) */
  public OnlineNMF(NMFModel model) {
    if (!model.isMiniBatch()) {
      throw new IllegalArgumentException("OnlineNMF needs a model fitted by MiniBatchNMF");
    }
    this.model = model;
  }

  /** Saves the model to {@code path} (overwriting) after every {@code n}-th micro-batch. Returns this. */
  public synchronized OnlineNMF saveEvery(int n, String path) {
    if (n < 1) {
      throw new IllegalArgumentException("saveEvery needs n >= 1, got " + n);
    }
    if (path == null || path.isEmpty()) {
      throw new IllegalArgumentException("saveEvery needs a path");
    }
    this.saveEvery = n;
    this.savePath = path;
    return this;
  }

  @Override
  public synchronized void call(Dataset<Row> batch, Long batchId) {
    if (batchId <= lastBatchId) {
      return;
    }
    microBatches++;
    if (!batch.isEmpty()) {
      model.partialFit(batch);
      steps++;
      changedSinceSave = true;
    }
    lastBatchId = batchId;
    if (savePath != null && microBatches % saveEvery == 0 && changedSinceSave) {
      save();
    }
  }

  /** Saves the model now to the {@link #saveEvery} path (e.g. when the query has stopped). */
  public synchronized void save() {
    if (savePath == null) {
      throw new IllegalStateException("no path: call saveEvery first");
    }
    try {
      model.write().overwrite().save(savePath);
    } catch (IOException e) {
      throw new UncheckedIOException("could not save the model to " + savePath, e);
    }
    saves++;
    lastSavedBatchId = lastBatchId;
    changedSinceSave = false;
  }

  /** The model being updated (the same instance that was given). */
  public NMFModel model() {
    return model;
  }

  /** Micro-batches seen (empty ones included, replays excluded). */
  public synchronized long microBatches() {
    return microBatches;
  }

  /** partialFit steps applied (non-empty micro-batches). */
  public synchronized long steps() {
    return steps;
  }

  /** The id of the last micro-batch seen, or −1. */
  public synchronized long lastBatchId() {
    return lastBatchId;
  }

  /** How many times the model was saved. */
  public synchronized long saves() {
    return saves;
  }

  /** The id of the last micro-batch included in the saved model, or −1. */
  public synchronized long lastSavedBatchId() {
    return lastSavedBatchId;
  }
}
