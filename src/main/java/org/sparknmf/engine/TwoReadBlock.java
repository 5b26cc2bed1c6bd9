package org.sparknmf.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.sparknmf.linalg.CsrMatrix;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;
import scala.Tuple2;

/**
 * The block of one partition whose size is not known beforehand, built from two reads of its rows
 * in one task: the first takes each row's id, size and non-zeros; the second writes every row
 * straight to its slot in the block. From cached input the task holds the block and a few numbers
 * per row, where gathering the rows first held a second copy of them; input read once is gathered
 * ({@link #gathered}). Rows may come in any order of ids; the block holds them ascending. The block
 * is CSR when fewer than half its entries are non-zero. Errors name the row id.
 */
final class TwoReadBlock {

  private TwoReadBlock() {}

  /**
   * @param first the partition's rows, read for their shape
   * @param second the same rows read again, in any order (a shuffle's output comes back in another
   *     order on each read), for the block
   */
  static Iterator<RowBlock> of(int partition, Iterator<Tuple2<Long, Vector>> first,
      Iterator<Tuple2<Long, Vector>> second) {
    return of(partition, first, second, null);
  }

  /** {@link #of} with the block's kind given: dense, CSR, or (null) by the block's own density. */
  static Iterator<RowBlock> of(int partition, Iterator<Tuple2<Long, Vector>> first,
      Iterator<Tuple2<Long, Vector>> second, Boolean dense) {
    Shape shape = Shape.of(first);
    if (shape.rows == 0) {
      drain(second, partition);
      return List.<RowBlock>of().iterator();
    }
    Slots slots = shape.slots();
    long[] ids = slots.ids;
    int n = shape.cols;
    int m = shape.rows;
    DataMatrix x;
    if (dense != null ? dense : BlockedRows.isDense(shape.nonZeros, m, n)) {
      double[] data = new double[BlockedRows.denseEntries(m, n)];
      read(second, shape, slots, partition, false, (i, id, v) -> BlockedRows.copyRow(id, v, data, i * n));
      x = new DenseMatrix(m, n, data);
    } else {
      if (shape.nonZeros > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("a partition holds " + shape.nonZeros + " non-zeros, too many "
            + "for one block: use more partitions");
      }
      int[] indptr = new int[m + 1];
      for (int i = 0; i < m; i++) {
        indptr[i + 1] = slots.nonZeros[i];
      }
      for (int i = 0; i < m; i++) {
        indptr[i + 1] += indptr[i];
      }
      int[] indices = new int[(int) shape.nonZeros];
      double[] values = new double[(int) shape.nonZeros];
      read(second, shape, slots, partition, true, (i, id, v) -> copyNonZeros(id, v, indices, values, indptr[i]));
      x = new CsrMatrix(m, n, indptr, indices, values);
    }
    return List.of(new RowBlock(partition, ids, x)).iterator();
  }

  /** {@link #of} for rows read once: gathered in a list, which is then read twice. */
  static Iterator<RowBlock> gathered(int partition, Iterator<Tuple2<Long, Vector>> it) {
    List<Tuple2<Long, Vector>> rows = new ArrayList<>();
    it.forEachRemaining(rows::add);
    return of(partition, rows.iterator(), rows.iterator());
  }

  /** The block of rows at hand, {@code ids[i]}'s values {@code rows[i]}. */
  static RowBlock of(int partition, long[] ids, List<Vector> rows) {
    List<Tuple2<Long, Vector>> numbered = new ArrayList<>(ids.length);
    for (int i = 0; i < ids.length; i++) {
      numbered.add(new Tuple2<>(ids[i], rows.get(i)));
    }
    Iterator<RowBlock> block = of(partition, numbered.iterator(), numbered.iterator());
    if (!block.hasNext()) {
      throw new IllegalArgumentException("no rows to block");
    }
    return block.next();
  }

  private interface RowWriter {
    void write(int slot, long id, Vector v);
  }

  /**
   * The second read: each row found by its id among the first read's, checked against it (its
   * non-zeros too where they size the block's arrays), then written to its slot.
   */
  private static void read(Iterator<Tuple2<Long, Vector>> rows, Shape shape, Slots slots, int partition,
      boolean sameNonZeros, RowWriter writer) {
    boolean[] seen = new boolean[shape.rows];
    int k = 0;
    while (rows.hasNext()) {
      Tuple2<Long, Vector> r = rows.next();
      long id = r._1();
      Vector v = r._2();
      int i = k < shape.rows && slots.ids[k] == id ? k : Arrays.binarySearch(slots.ids, id);
      if (i < 0 || seen[i] || v.size() != shape.cols
          || (sameNonZeros && BlockedRows.nonZeros(v) != slots.nonZeros[i])) {
        throw changed(partition);
      }
      seen[i] = true;
      writer.write(i, id, v);
      k++;
    }
    if (k != shape.rows) {
      throw changed(partition);
    }
  }

  private static void drain(Iterator<Tuple2<Long, Vector>> rows, int partition) {
    if (rows.hasNext()) {
      throw changed(partition);
    }
  }

  private static IllegalArgumentException changed(int partition) {
    return new IllegalArgumentException("partition " + partition + " of X gave other rows when read "
        + "again: blocking reads each partition twice, so X must give the same rows "
        + "on every read (cache it first)");
  }

  /** Row {@code id}'s checked non-zero entries into {@code indices} and {@code values} from {@code at}. */
  private static void copyNonZeros(long id, Vector v, int[] indices, double[] values, int at) {
    int p = at;
    if (v instanceof DenseVector d) {
      double[] vs = d.values();
      for (int j = 0; j < vs.length; j++) {
        if (vs[j] != 0.0) {
          indices[p] = j;
          values[p++] = BlockedRows.checked("X", id, j, vs[j]);
        }
      }
    } else {
      SparseVector s = (SparseVector) v;
      int[] idx = s.indices();
      double[] vs = s.values();
      for (int e = 0; e < idx.length; e++) {
        if (vs[e] != 0.0) {
          indices[p] = idx[e];
          values[p++] = BlockedRows.checked("X", id, idx[e], vs[e]);
        }
      }
    }
  }

  /** The block's rows: their ids ascending and each one's non-zeros. */
  private static final class Slots {
    private final long[] ids;
    private final int[] nonZeros;

    Slots(long[] ids, int[] nonZeros) {
      this.ids = ids;
      this.nonZeros = nonZeros;
    }
  }

  /** What the first read finds: the rows' ids and non-zeros in the order read, and their size. */
  private static final class Shape {
    private long[] ids = new long[16];
    private int[] rowNonZeros = new int[16];
    private int rows;
    private int cols = -1;
    private long nonZeros;
    private boolean ascending = true;

    static Shape of(Iterator<Tuple2<Long, Vector>> rows) {
      Shape s = new Shape();
      while (rows.hasNext()) {
        Tuple2<Long, Vector> r = rows.next();
        s.add(r._1(), r._2());
      }
      return s;
    }

    private void add(long id, Vector v) {
      if (cols < 0) {
        cols = v.size();
      } else if (v.size() != cols) {
        throw new IllegalArgumentException("X row " + id + " has " + v.size() + " features, row " + ids[0]
            + " has " + cols + ": every row must have the same size");
      }
      if (rows == ids.length) {
        ids = Arrays.copyOf(ids, rows * 2);
        rowNonZeros = Arrays.copyOf(rowNonZeros, rows * 2);
      }
      ascending &= rows == 0 || id > ids[rows - 1];
      ids[rows] = id;
      rowNonZeros[rows] = BlockedRows.nonZeros(v);
      nonZeros += rowNonZeros[rows];
      rows++;
    }

    /** The rows' ids ascending, each with its non-zeros. */
    Slots slots() {
      if (ascending) {
        return new Slots(Arrays.copyOf(ids, rows), Arrays.copyOf(rowNonZeros, rows));
      }
      long[] sorted = Arrays.copyOf(ids, rows);
      Arrays.sort(sorted);
      for (int i = 1; i < rows; i++) {
        if (sorted[i] == sorted[i - 1]) {
          throw new IllegalArgumentException("row id " + sorted[i] + " occurs twice");
        }
      }
      int[] nonZeros = new int[rows];
      for (int k = 0; k < rows; k++) {
        nonZeros[Arrays.binarySearch(sorted, ids[k])] = rowNonZeros[k];
      }
      return new Slots(sorted, nonZeros);
    }
  }
}
