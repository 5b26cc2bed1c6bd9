package org.sparknmf.bench;

import java.util.Random;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.sparknmf.engine.BlockedRows;

/**
 * Blocks a cached, seeded frame in local[2] and exits 0 when that fits in the heap. Run under
 * decreasing {@code -Xmx}, the smallest heap that passes is a deterministic measure of blocking's
 * memory, where sampling the live heap misses short peaks:
 * <pre>
 * for h in 700 725 750 …; do java -Xmx${h}m … org.sparknmf.bench.BlockingHeap 60000 500 2; done
 * </pre>
 * Arguments: rows, columns, the frame's partitions, and optionally the blocks asked for (0, the
 * default, keeps the frame's partitions) and the non-zeros per row (default: every entry, dense
 * rows; fewer make sparse rows at seeded columns).
 */
public final class BlockingHeap {

  private BlockingHeap() {}

  public static void main(String[] args) {
    int m = Integer.parseInt(args[0]);
    int n = Integer.parseInt(args[1]);
    int parts = Integer.parseInt(args[2]);
    int blocks = args.length > 3 ? Integer.parseInt(args[3]) : 0;
    int perRow = args.length > 4 ? Integer.parseInt(args[4]) : n;
    SparkSession spark = SparkSession.builder().master("local[2]").config("spark.ui.enabled", "false")
        .getOrCreate();
    try {
      StructType schema = new StructType().add("features", new VectorUDT());
      Dataset<Row> frame = spark.createDataFrame(spark.range(0, m, 1, parts).javaRDD().map(id -> {
        Random r = new Random(id);
        if (perRow >= n) {
          double[] v = new double[n];
          for (int j = 0; j < n; j++) {
            v[j] = r.nextDouble();
          }
          return RowFactory.create(Vectors.dense(v));
        }
        int[] idx = r.ints(0, n).distinct().limit(perRow).sorted().toArray();
        double[] v = new double[perRow];
        for (int e = 0; e < perRow; e++) {
          v[e] = r.nextDouble();
        }
        return RowFactory.create(Vectors.sparse(n, idx, v));
      }), schema).cache();
      frame.count();
      long t0 = System.nanoTime();
      try (BlockedRows x = BlockedRows.fromDataset(frame, "features", blocks, StorageLevel.MEMORY_AND_DISK())) {
        System.out.printf("blocked %d × %d in %.2f s%n", x.rows(), x.cols(), (System.nanoTime() - t0) / 1e9);
      }
    } finally {
      spark.stop();
    }
  }
}
