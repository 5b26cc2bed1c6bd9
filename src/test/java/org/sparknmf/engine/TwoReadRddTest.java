package org.sparknmf.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.junit.jupiter.api.Test;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.testing.LocalSpark;

/** Each partition read twice in its task, its blocks told the partition's own index. */
class TwoReadRddTest {

  @Test
  void blocksKnowTheirPartitionAlsoWhenComputedInsideAnotherStage() {
    JavaRDD<Integer> rows = LocalSpark.jsc().parallelize(List.of(1, 2, 3, 4, 5, 6, 7), 3);
    // A block of one row per partition: (index, rows in the first read, their sum in the second).
    JavaRDD<RowBlock> blocks = new TwoReadRdd<Integer>(rows.rdd(), (p, first, second) -> {
      int count = 0;
      while (first.hasNext()) {
        first.next();
        count++;
      }
      double sum = 0;
      while (second.hasNext()) {
        sum += second.next();
      }
      DenseMatrix x = new DenseMatrix(1, 2, new double[] {count, sum});
      return List.of(new RowBlock(p, new long[] {p}, x)).iterator();
    }).toJavaRDD();
    // Uncached, the blocks are computed by the union's tasks 0 … 5, as a lost cached block would be.
    List<RowBlock> both = blocks.union(blocks).collect();
    List<String> seen = new ArrayList<>();
    for (RowBlock b : both) {
      seen.add(b.partition() + ":" + (int) b.x().toDense().get(0, 0) + ":" + (int) b.x().toDense().get(0, 1));
    }
    List<String> once = List.of("0:2:3", "1:2:7", "2:3:18");
    List<String> twice = new ArrayList<>(once);
    twice.addAll(once);
    assertEquals(twice, seen);
  }
}
