package org.sparknmf.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.testing.LocalSpark;

/** A DataFrame's rows are numbered in its order across its partitions while X is blocked. */
class BlockedRowsTest {

  /** Rows i = (i, 10 i + 1, 0), null where {@code nullRow}, in {@code parts} partitions. */
  private static Dataset<Row> frame(int rows, int parts, int nullRow) {
    List<Row> list = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      list.add(RowFactory.create(i == nullRow ? null : Vectors.dense(i, 10 * i + 1, 0)));
    }
    StructType schema = new StructType().add("features", new VectorUDT(), true);
    return LocalSpark.session().createDataFrame(LocalSpark.jsc().parallelize(list, parts), schema);
  }

  @Test
  void rowsKeepTheFramesOrderAcrossPartitionsInTwoJobs() throws Exception {
    Dataset<Row> df = frame(11, 3, -1).cache();
    df.count();
    AtomicInteger jobs = new AtomicInteger();
    SparkListener probe = new SparkListener() {
      @Override
      public void onJobStart(SparkListenerJobStart start) {
        jobs.incrementAndGet();
      }
    };
    LocalSpark.jsc().sc().addSparkListener(probe);
    try (BlockedRows x = BlockedRows.fromDataset(df, "features", 2, StorageLevel.MEMORY_ONLY())) {
      LocalSpark.jsc().sc().listenerBus().waitUntilEmpty();
      assertEquals(2, jobs.get(), "one job numbers the rows and takes their shape, one builds the blocks");
      assertEquals(11, x.rows());
      assertEquals(2, x.numPartitions());
      DenseMatrix m = x.collect().toDense();
      for (int i = 0; i < 11; i++) {
        assertArrayEquals(new double[] {i, 10 * i + 1, 0}, new double[] {m.get(i, 0), m.get(i, 1), m.get(i, 2)},
            "row " + i);
      }
    } finally {
      LocalSpark.jsc().sc().removeSparkListener(probe);
      df.unpersist();
    }
  }

  @Test
  void aNullRowIsNamedByItsPositionInTheFrame() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BlockedRows.fromDataset(frame(11, 3, 8), "features", 2, StorageLevel.MEMORY_ONLY()).close());
    assertTrue(e.getMessage().contains("column 'features' is null at row 8"), e.getMessage());
  }
}
