package org.sparknmf.engine;

import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.sparknmf.linalg.DataMatrix;

/**
 * Consecutive rows of X held by one partition: their positions in the input ({@link #rowId},
 * ascending) and their values as one dense or CSR matrix, so that the solvers' kernels run on a
 * whole block at a time. A class, not a record: Spark's Kryo cannot build records.
 */
public final class RowBlock implements Serializable {

  private static final long serialVersionUID = 1L;

  private final int partition;
  private final long[] rowIds;
  /** Added to {@code rowIds}: a block built before its partition's place in X was known is moved by it. */
  private final long idOffset;
  private final DataMatrix x;
  /** ‖X‖²_F of row ranges asked for, by (from, to): kept while the block is cached as an object. */
  private transient Map<Long, Double> rangeNorms;

  /** @param partition the index of the partition holding the block (a task's own index may differ) */
  public RowBlock(int partition, long[] rowIds, DataMatrix x) {
    this(partition, rowIds, 0L, x);
  }

  private RowBlock(int partition, long[] rowIds, long idOffset, DataMatrix x) {
    if (rowIds.length != x.rows()) {
      throw new IllegalArgumentException(rowIds.length + " row ids for " + x.rows() + " rows");
    }
    this.partition = partition;
    this.rowIds = rowIds;
    this.idOffset = idOffset;
    this.x = x;
  }

  /**
   * This block with every row id increased by {@code by}, sharing its arrays and its memo of range
   * norms: made anew for every pass over a cached block, so it must cost nothing.
   */
  public RowBlock shifted(long by) {
    RowBlock s = new RowBlock(partition, rowIds, idOffset + by, x);
    s.rangeNorms = norms();
    return s;
  }

  /**
   * The partition of X's blocks that holds this block. A block computed inside another RDD's
   * stage (a union, say) runs in a task whose partition id is that RDD's, so code that slices by
   * partition reads it here.
   */
  public int partition() {
    return partition;
  }

  /** The rows' positions in the input, ascending (not to be modified). */
  public long[] rowIds() {
    if (idOffset == 0) {
      return rowIds;
    }
    long[] ids = new long[rowIds.length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = rowIds[i] + idOffset;
    }
    return ids;
  }

  /** The position in the input of row {@code i} of the block (ascending in i). */
  public long rowId(int i) {
    return rowIds[i] + idOffset;
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
  double squaredNorm(int from, int to) {
    return norms().computeIfAbsent(((long) from << 32) | to, r -> x.rowRange(from, to).squaredNorm());
  }

  private synchronized Map<Long, Double> norms() {
    if (rangeNorms == null) {
      rangeNorms = new ConcurrentHashMap<>();
    }
    return rangeNorms;
  }
}
