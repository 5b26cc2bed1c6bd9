package org.sparknmf.engine;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.testing.LocalSpark;

/** Small helpers for engine tests: X blocked over a number of partitions, W cut like X. */
final class EngineFixtures {

  private EngineFixtures() {}

  static BlockedRows blocked(DataMatrix x, int partitions) {
    return BlockedRows.fromMatrix(LocalSpark.jsc(), x, partitions, StorageLevel.MEMORY_ONLY());
  }

  /** The rows of {@code w} (row i for row id i) cut into blocks aligned with {@code x}'s. */
  static JavaRDD<DenseMatrix> aligned(BlockedRows x, DenseMatrix w) {
    int k = w.cols();
    return x.blocks().map(b -> {
      DenseMatrix out = new DenseMatrix(b.rows(), k);
      for (int i = 0; i < b.rows(); i++) {
        out.rowRange(i, i + 1).copyFrom(w.rowRange((int) b.rowId(i), (int) b.rowId(i) + 1));
      }
      return out;
    });
  }

  static EngineSettings distributed() {
    return new EngineSettings().execution("distributed").storageLevel("MEMORY_ONLY");
  }
}
