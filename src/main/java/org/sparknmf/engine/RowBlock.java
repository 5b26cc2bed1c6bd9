package org.sparknmf.engine;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import java.io.Serializable;
import org.sparknmf.linalg.DataMatrix;

/**
 * Consecutive rows of X held by one partition: their positions in the input ({@code rowIds},
 * ascending) and their values as one dense or CSR matrix, so that the solvers' kernels run on a
 * whole block at a time.
 */
@DefaultSerializer(JavaSerializer.class) // Spark's Kryo 4 cannot write records
public record RowBlock(long[] rowIds, DataMatrix x) implements Serializable {

  public RowBlock {
    if (rowIds.length != x.rows()) {
      throw new IllegalArgumentException(rowIds.length + " row ids for " + x.rows() + " rows");
    }
  }

  public int rows() {
    return rowIds.length;
  }
}
