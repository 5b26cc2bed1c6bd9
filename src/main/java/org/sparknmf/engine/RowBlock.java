package org.sparknmf.engine;

import java.io.Serializable;
import org.sparknmf.linalg.DataMatrix;

/**
 * Consecutive rows of X held by one partition: their positions in the input ({@code rowIds},
 * ascending) and their values as one dense or CSR matrix, so that the solvers' kernels run on a
 * whole block at a time. A class, not a record: Spark's Kryo cannot build records.
 */
public final class RowBlock implements Serializable {

  private static final long serialVersionUID = 1L;

  private final long[] rowIds;
  private final DataMatrix x;

  public RowBlock(long[] rowIds, DataMatrix x) {
    if (rowIds.length != x.rows()) {
      throw new IllegalArgumentException(rowIds.length + " row ids for " + x.rows() + " rows");
    }
    this.rowIds = rowIds;
    this.x = x;
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
}
