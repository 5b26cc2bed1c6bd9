package org.sparknmf.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.testing.JobRecorder;
import org.sparknmf.testing.LocalSpark;

/** A DataFrame's rows are numbered in its order across its partitions while X is blocked. */
class BlockedRowsTest {

  @Test
  void factsCountNonZerosAndFingerprintTheEntriesWhateverThePartitioning() {
    java.util.Random r = new java.util.Random(9);
    // Mostly non-zero (dense blocks) and mostly zero (CSR blocks).
    for (double zeroShare : new double[] {0.1, 0.9}) {
      DenseMatrix x = org.sparknmf.testing.TestMatrices.random(r, 60, 7, zeroShare);
      long nonZeros = 0;
      for (double v : x.data()) {
        nonZeros += v != 0.0 ? 1 : 0;
      }
      try (BlockedRows one = BlockedRows.fromMatrix(LocalSpark.jsc(), x, 1, StorageLevel.MEMORY_ONLY());
          BlockedRows three = BlockedRows.fromMatrix(LocalSpark.jsc(), x, 3, StorageLevel.MEMORY_ONLY())) {
        assertEquals(nonZeros, one.nonZeros(), "non-zeros, " + zeroShare);
        assertEquals(nonZeros, three.nonZeros(), "non-zeros over 3 blocks, " + zeroShare);
        // What collecting X costs: every entry of dense blocks, the non-zeros of CSR ones.
        long stored = zeroShare < 0.5 ? 60L * 7 : nonZeros;
        assertEquals(stored, one.storedEntries(), "stored entries, " + zeroShare);
        assertEquals(stored, three.storedEntries(), "stored entries over 3 blocks, " + zeroShare);
        assertEquals(one.contentHash(), three.contentHash(), "fingerprint, " + zeroShare);
        DenseMatrix y = x.copy();
        y.set(59, 6, y.get(59, 6) + 1.0);
        try (BlockedRows changed = BlockedRows.fromMatrix(LocalSpark.jsc(), y, 3, StorageLevel.MEMORY_ONLY())) {
          assertTrue(changed.contentHash() != three.contentHash(), "one entry changed, " + zeroShare);
        }
      }
    }
  }

  /** Rows i = (i, 10 i + 1, 0), null where {@code nullRow}, in {@code parts} partitions. */
  private static Dataset<Row> frame(int rows, int parts, int nullRow) {
    List<Row> list = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      list.add(RowFactory.create(i == nullRow ? null : Vectors.dense(i, 10 * i + 1, 0)));
    }
    StructType schema = new StructType().add("features", new VectorUDT(), true);
    return LocalSpark.session().createDataFrame(LocalSpark.jsc().parallelize(list, parts), schema);
  }

  /**
   * Blocks 11 rows given in {@code inputParts} partitions into {@code partitions} blocks, checks
   * every row is in its place and returns the number of Spark jobs that took.
   */
  private static int blockedInJobs(int inputParts, int partitions) throws Exception {
    Dataset<Row> df = frame(11, inputParts, -1).cache();
    df.count();
    JobRecorder jobs = new JobRecorder(); // after the count's own events
    try (BlockedRows x = BlockedRows.fromDataset(df, "features", partitions, StorageLevel.MEMORY_ONLY())) {
      int blockingJobs = jobs.jobs().size();
      assertEquals(11, x.rows());
      assertEquals(partitions > 0 ? partitions : inputParts, x.numPartitions());
      DenseMatrix m = x.collect().toDense();
      for (int i = 0; i < 11; i++) {
        assertArrayEquals(new double[] {i, 10 * i + 1, 0}, new double[] {m.get(i, 0), m.get(i, 1), m.get(i, 2)},
            "row " + i);
      }
      // Each block's ids are its rows' positions in the frame: row i holds (i, 10 i + 1, 0).
      for (RowBlock b : x.blocks().collect()) {
        for (int i = 0; i < b.rows(); i++) {
          assertEquals((double) b.rowId(i), b.x().toDense().get(i, 0), "id of row " + i + " of block " + b.partition());
        }
      }
      try (BlockedRows same = BlockedRows.fromMatrix(LocalSpark.jsc(), m, 1, StorageLevel.MEMORY_ONLY())) {
        assertEquals(same.contentHash(), x.contentHash(), "fingerprint");
      }
      return blockingJobs;
    } finally {
      jobs.close();
      df.unpersist();
    }
  }

  @Test
  void rowsKeepTheFramesOrderAcrossPartitions() throws Exception {
    assertEquals(2, blockedInJobs(3, 2), "one job numbers the rows and takes their shape, one builds the blocks");
    assertEquals(1, blockedInJobs(3, 0), "the frame's partitions kept: blocked as they are read, then moved");
    assertEquals(1, blockedInJobs(1, 0), "one partition is numbered as it is blocked");
    assertEquals(2, blockedInJobs(1, 3), "its shape first, to cut it into even blocks");
    assertEquals(1, blockedInJobs(3, 3), "cached and already cut as the blocks' ranges: blocked as it is read");
    assertEquals(1, blockedInJobs(1, 1), "one partition asked for, one cached");
  }

  /**
   * 11 rows of 6 features in slices of the given sizes, cached; row i starts with i + 1, and the
   * first {@code denseRows} rows have every entry non-zero, the others only that one.
   */
  private static Dataset<Row> slices(int[] sizes, int denseRows) {
    StructType schema = new StructType().add("features", new VectorUDT(), false);
    List<Integer> ps = new ArrayList<>();
    for (int p = 0; p < sizes.length; p++) {
      ps.add(p);
    }
    org.apache.spark.api.java.JavaRDD<Row> rows = LocalSpark.jsc().parallelize(ps, sizes.length).flatMap(p -> {
      int from = 0;
      for (int q = 0; q < p; q++) {
        from += sizes[q];
      }
      List<Row> slice = new ArrayList<>();
      for (int i = from; i < from + sizes[p]; i++) {
        double o = i < denseRows ? 1 : 0;
        slice.add(RowFactory.create(Vectors.dense(i + 1, o, o, o, o, o)));
      }
      return slice.iterator();
    });
    Dataset<Row> df = LocalSpark.session().createDataFrame(rows, schema).cache();
    df.count();
    return df;
  }

  @Test
  void cachedInputIsCutIntoEvenRangesOfXsKindWhateverItsSlices() throws Exception {
    // Even blocks of 11 rows: 3, 4 and 4. With 4 dense rows (24 + 7 of 66 entries non-zero) X is
    // CSR, and a slice of dense rows alone must still make a CSR block.
    Object[][] cases = {
        {new int[] {3, 4, 4}, 0, 1, "cut as the blocks, all CSR: blocked as it is read"},
        {new int[] {3, 4, 4}, 3, 2, "cut as the blocks, the first slice dense: built again as CSR"},
        {new int[] {4, 4, 3}, 4, 2, "other ranges: built again in the blocks' ranges"},
    };
    for (Object[] c : cases) {
      String what = (String) c[3];
      Dataset<Row> df = slices((int[]) c[0], (Integer) c[1]);
      int cachedBefore = LocalSpark.jsc().getPersistentRDDs().size();
      JobRecorder jobs = new JobRecorder();
      try (BlockedRows x = BlockedRows.fromDataset(df, "features", 3, StorageLevel.MEMORY_ONLY())) {
        assertEquals((Integer) c[2], jobs.jobs().size(), "jobs: " + what);
        assertArrayEquals(new int[] {3, 4, 4}, x.partitionRows(), "rows per block: " + what);
        assertEquals(cachedBefore + 1, LocalSpark.jsc().getPersistentRDDs().size(), "only the blocks cached: " + what);
        for (RowBlock b : x.blocks().collect()) {
          assertTrue(b.x() instanceof org.sparknmf.linalg.CsrMatrix, "block " + b.partition() + " is CSR: " + what);
          for (int i = 0; i < b.rows(); i++) {
            assertEquals(b.rowId(i) + 1.0, b.x().toDense().get(i, 0), "row " + i + " of block " + b.partition() + ": " + what);
          }
        }
      } finally {
        jobs.close();
        df.unpersist();
      }
    }
  }

  @Test
  void emptyPartitionsBetweenOthersKeepTheRowsInPlace() {
    // 3 rows in 5 slices: sizes 0, 1, 0, 1, 1.
    Dataset<Row> df = frame(3, 5, -1);
    try (BlockedRows x = BlockedRows.fromDataset(df, "features", 0, StorageLevel.MEMORY_ONLY())) {
      assertArrayEquals(new int[] {0, 1, 0, 1, 1}, x.partitionRows());
      for (RowBlock b : x.blocks().collect()) {
        assertEquals((double) b.rowId(0), b.x().toDense().get(0, 0), "id of block " + b.partition());
      }
      DenseMatrix m = x.collect().toDense();
      for (int i = 0; i < 3; i++) {
        assertEquals(10.0 * i + 1, m.get(i, 1), "row " + i);
      }
    }
  }

  @Test
  void aNullRowIsNamedByItsPositionInTheFrame() {
    for (int partitions : new int[] {2, 0}) {
      for (int inputParts : new int[] {1, 3}) {
        String where = inputParts + " input partitions, " + partitions + " blocks";
        int cachedBefore = LocalSpark.jsc().getPersistentRDDs().size();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> BlockedRows.fromDataset(frame(11, inputParts, 8), "features", partitions, StorageLevel.MEMORY_ONLY()).close());
        assertTrue(e.getMessage().contains("column 'features' is null at row 8"), where + ": " + e.getMessage());
        assertEquals(cachedBefore, LocalSpark.jsc().getPersistentRDDs().size(), "nothing left cached, " + where);
      }
    }
  }

  @Test
  void aBadEntryIsNamedByItsRowInTheFrame() {
    List<Row> list = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      list.add(RowFactory.create(Vectors.dense(i, i == 9 ? Double.NaN : 1.0, 0)));
    }
    StructType schema = new StructType().add("features", new VectorUDT(), false);
    Dataset<Row> df = LocalSpark.session().createDataFrame(LocalSpark.jsc().parallelize(list, 3), schema);
    int cachedBefore = LocalSpark.jsc().getPersistentRDDs().size();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BlockedRows.fromDataset(df, "features", 0, StorageLevel.MEMORY_ONLY()).close());
    assertTrue(e.getMessage().contains("X has NaN at row 9, column 1"), e.getMessage());
    assertEquals(cachedBefore, LocalSpark.jsc().getPersistentRDDs().size(), "nothing left cached");
  }
}
