package org.sparknmf.engine;

import org.apache.spark.Partitioner;

/**
 * Row ids 0 … m−1 into {@code parts} contiguous ranges whose sizes differ by at most one, range p
 * starting at ⌊p·m/parts⌋: the ranges of Spark's own {@code parallelize} and {@code range}, so
 * cached input cut that way is blocked without a shuffle ({@link BlockedRows}). Spark's
 * {@code sortByKey} would place the bounds by sampling, with a seed drawn from the RDD's id, so the
 * same rows could be split differently depending on what the session did before; a fit must depend
 * on its data, partitioning and parameters alone.
 */
final class ContiguousRanges extends Partitioner {

  private final int parts;
  private final long rows;

  ContiguousRanges(int parts, long rows) {
    this.parts = parts;
    this.rows = Math.max(1, rows);
  }

  @Override
  public int numPartitions() {
    return parts;
  }

  @Override
  public int getPartition(Object key) {
    long id = (Long) key;
    // The last p with ⌊p·m/parts⌋ ≤ id. id · parts stays far below 2^63 for any row count a
    // cluster holds (rows < 2^40, parts < 2^20).
    return (int) Math.min(parts - 1, Math.max(0, ((id + 1) * parts - 1) / rows));
  }

  /** The first id of range {@code p} (for p = parts, the row count): ⌊p·m/parts⌋. */
  long first(int p) {
    return p * rows / parts;
  }

  /** m, the number of row ids. */
  long rows() {
    return rows;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ContiguousRanges c && c.parts == parts && c.rows == rows;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(rows) * 31 + parts;
  }
}
