package org.sparknmf.engine;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import org.sparknmf.linalg.DataMatrix;

/**
 * Consecutive rows of X held by one partition: their positions in the input ({@code rowIds},
 * ascending) and their values as one dense or CSR matrix, so that the solvers' kernels run on a
 * whole block at a time. A class, not a record: Spark's Kryo cannot build records.
 */
public final class RowBlock implements Serializable {

  private static final long serialVersionUID = 1L;

  private final int partition;
  private final long[] rowIds;
  private final DataMatrix x;
  /** ‖X‖²_F of row ranges asked for, by (from, to): kept while the block is cached as an object. */
  private transient Map<Long, Double> rangeNorms;

  /** @param partition the index of the partition holding the block (a task's own index may differ) */
  public RowBlock(int partition, long[] rowIds, DataMatrix x) {
    if (rowIds.length != x.rows()) {
      throw new IllegalArgumentException(rowIds.length + " row ids for " + x.rows() + " rows");
    }
    this.partition = partition;
    this.rowIds = rowIds;
    this.x = x;
  }

  /**
   * The partition of X's blocks that holds this block. A block computed inside another RDD's
   * stage (a union, say) runs in a task whose partition id is that RDD's, so code that slices by
   * partition reads it here.
   */
  public int partition() {
    return partition;
  }

  public long[] rowIds() {
    return rowIds;
  }

  public DataMatrix x() {
    return x;
  }

  public int rows() {
    return rowIds.length;
  }

  /**
   * ‖X‖²_F of rows {@code from} to {@code to}, computed once per range: every mini-batch step's cost
   * needs its slice's, epoch after epoch, and the block stays cached between the steps' stages.
   */
  synchronized double squaredNorm(int from, int to) {
    if (rangeNorms == null) {
      rangeNorms = new HashMap<>();
    }
    return rangeNorms.computeIfAbsent(((long) from << 32) | to, r -> x.rowRange(from, to).squaredNorm());
  }
}
