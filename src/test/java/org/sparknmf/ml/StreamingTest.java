package org.sparknmf.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparknmf.testing.LocalSpark;

/**
 * Online learning from a Structured Streaming file source: one parquet file per micro-batch
 * ({@code maxFilesPerTrigger} 1, {@code Trigger.AvailableNow}: the query ends by itself), each fed
 * to {@link NMFModel#partialFit} through {@link OnlineNMF}, which saves the model every 2
 * micro-batches.
 */
class StreamingTest {

  private static final StructType SCHEMA = new StructType().add("features", new VectorUDT());

  /** Writes {@code rows} as one parquet file {@code name} in {@code dir}, modified at {@code time}. */
  private static File parquetFile(double[][] rows, Path scratch, Path dir, String name, long time)
      throws Exception {
    Path out = scratch.resolve(name);
    NMFStageSmokeTest.frame(rows).coalesce(1).write().parquet(out.toString());
    File part;
    try (var files = Files.list(out)) {
      part = files.filter(p -> p.getFileName().toString().startsWith("part-")).findFirst().orElseThrow().toFile();
    }
    File target = dir.resolve(name + ".parquet").toFile();
    assertTrue(part.renameTo(target));
    assertTrue(target.setLastModified(time)); // the file source takes files oldest first
    return target;
  }

  private static NMFModel firstFit(double[][] chunk) {
    return new MiniBatchNMF().setK(4).setSeed(3).setBatchSize(20).setMaxIter(20).fit(NMFStageSmokeTest.frame(chunk));
  }

  @Test
  void microBatchesFeedPartialFit(@TempDir Path tmp) throws Exception {
    SparkSession spark = LocalSpark.session();
    double[][] x = TuningTest.lowRank(200, 12, 4, 0.01, 21);
    double[][] first = Arrays.copyOfRange(x, 0, 40);
    Path scratch = Files.createDirectories(tmp.resolve("scratch"));
    Path incoming = Files.createDirectories(tmp.resolve("incoming"));
    // Four chunks of 40 rows, and an empty file third: five micro-batches, four of them with rows.
    List<File> files = new ArrayList<>();
    long t0 = System.currentTimeMillis() - 3_600_000;
    int next = 40;
    for (int f = 0; f < 5; f++) {
      double[][] rows = f == 2 ? new double[0][] : Arrays.copyOfRange(x, next, next + 40);
      if (f != 2) {
        next += 40;
      }
      files.add(parquetFile(rows, scratch, incoming, "chunk" + f, t0 + f * 10_000L));
    }

    NMFModel model = firstFit(first);
    double[] h0 = model.ht().data();
    int stepsBefore = model.nSteps();
    // The starting point of the direct replay below: the same model, through a save and a load. A
    // refit of the same chunk is not used: repeated fits in one JVM have been seen to differ in the
    // last bits (the single-JVM MiniBatchNMF too), which is not what this test is about.
    String start = tmp.resolve("start").toString();
    model.write().save(start);
    String saved = tmp.resolve("model").toString();
    OnlineNMF online = new OnlineNMF(model).saveEvery(2, saved);
    // The steps after each micro-batch, as the query thread sees them.
    List<long[]> seen = new ArrayList<>();
    List<double[]> hAfter = new ArrayList<>();
    VoidFunction2<Dataset<Row>, Long> recordAndLearn = (batch, id) -> {
      online.call(batch, id);
      seen.add(new long[] {id, batch.count(), model.nSteps()});
      hAfter.add(model.ht().data());
    };
    StreamingQuery query = spark.readStream().schema(SCHEMA).option("maxFilesPerTrigger", 1)
        .parquet(incoming.toString())
        .writeStream().foreachBatch(recordAndLearn).trigger(Trigger.AvailableNow())
        .option("checkpointLocation", tmp.resolve("checkpoint").toString())
        .start();
    query.awaitTermination();
    assertTrue(query.exception().isEmpty());

    // One micro-batch per file, in file order; nSteps grows by exactly one per non-empty batch.
    assertEquals(5, seen.size());
    long expectedSteps = stepsBefore;
    for (int b = 0; b < 5; b++) {
      long[] s = seen.get(b);
      assertEquals(b, s[0]);
      assertEquals(b == 2 ? 0 : 40, s[1]);
      expectedSteps += s[1] > 0 ? 1 : 0;
      assertEquals(expectedSteps, s[2], "nSteps after micro-batch " + b);
    }
    assertEquals(stepsBefore + 4, model.nSteps());
    assertEquals(5, online.microBatches());
    assertEquals(4, online.steps());
    assertEquals(2, online.saves()); // after micro-batches 1 and 3
    assertEquals(3, online.lastSavedBatchId());

    // The same chunks given to partialFit directly, in the same order, give the same bits.
    NMFModel direct = NMFModel.load(start);
    assertArrayEquals(h0, direct.ht().data(), 0.0);
    assertEquals(stepsBefore, direct.nSteps());
    double[] atLastSave = null;
    int stepsAtLastSave = 0;
    for (int f = 0; f < 5; f++) {
      Dataset<Row> chunk = spark.read().schema(SCHEMA).parquet(files.get(f).toString());
      if (f != 2) {
        direct.partialFit(chunk);
      }
      assertArrayEquals(direct.ht().data(), hAfter.get(f), 0.0, "H after micro-batch " + f);
      if (f == 3) {
        atLastSave = direct.ht().data();
        stepsAtLastSave = direct.nSteps();
      }
    }
    assertArrayEquals(direct.ht().data(), model.ht().data(), 0.0);
    assertArrayEquals(direct.summary().objectiveHistory(), model.summary().objectiveHistory(), 0.0);
    assertEquals(direct.nSteps(), model.nSteps());

    // The model on disk is the one after the last save (micro-batch 3), with its mini-batch state:
    // one more step on the last chunk from it gives the final model's bits.
    NMFModel loaded = NMFModel.load(saved);
    assertEquals(model.uid(), loaded.uid());
    assertEquals(stepsAtLastSave, loaded.nSteps());
    assertArrayEquals(atLastSave, loaded.ht().data(), 0.0);
    loaded.partialFit(spark.read().schema(SCHEMA).parquet(files.get(4).toString()));
    assertArrayEquals(model.ht().data(), loaded.ht().data(), 0.0);
    assertEquals(model.nSteps(), loaded.nSteps());

    // A micro-batch id already applied is not applied again.
    online.call(spark.read().schema(SCHEMA).parquet(files.get(4).toString()), 4L);
    assertEquals(direct.nSteps(), model.nSteps());
    online.save();
    assertEquals(model.nSteps(), NMFModel.load(saved).nSteps());
  }

  @Test
  void needsAMiniBatchModel() {
    NMFModel full = new NMF().setK(2).fit(NMFStageSmokeTest.frame(TuningTest.lowRank(20, 5, 2, 0.0, 1)));
    assertThrows(IllegalArgumentException.class, () -> new OnlineNMF(full));
    NMFModel mb = firstFit(TuningTest.lowRank(40, 6, 2, 0.0, 2));
    assertThrows(IllegalArgumentException.class, () -> new OnlineNMF(mb).saveEvery(0, "x"));
    assertThrows(IllegalStateException.class, () -> new OnlineNMF(mb).save());
    // Why OnlineNMF skips empty micro-batches: partialFit has no step to take on no rows.
    assertThrows(Exception.class, () -> mb.partialFit(NMFStageSmokeTest.frame(new double[0][])));
  }
}
