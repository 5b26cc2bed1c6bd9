package org.sparknmf.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.junit.jupiter.api.Test;
import org.sparknmf.linalg.CsrMatrix;
import org.sparknmf.linalg.DenseMatrix;
import scala.Tuple2;

/** A partition's block from two reads of its rows: the rows in id order, of the right kind, checked. */
class TwoReadBlockTest {

  /** Row id i holds (0, 0, i + 1) when {@code sparse}, else (i + 1, i + 2, 2 i + 1), as dense or sparse vectors alternately. */
  private static Vector row(long id, boolean sparse) {
    double a = sparse ? 0 : id + 1;
    double b = sparse ? 0 : id + 2;
    double c = sparse ? id + 1 : 2 * id + 1;
    return id % 2 == 0 ? Vectors.dense(a, b, c) : Vectors.dense(a, b, c).toSparse();
  }

  private static List<Tuple2<Long, Vector>> rows(boolean sparse, long... ids) {
    List<Tuple2<Long, Vector>> out = new ArrayList<>();
    for (long id : ids) {
      out.add(new Tuple2<>(id, row(id, sparse)));
    }
    return out;
  }

  private static RowBlock block(List<Tuple2<Long, Vector>> rows, Boolean dense) {
    Iterator<RowBlock> it = TwoReadBlock.of(4, rows.iterator(), rows.iterator(), dense);
    RowBlock b = it.next();
    assertFalse(it.hasNext(), "one block");
    return b;
  }

  private static void assertRowsInIdOrder(RowBlock b, boolean sparse, long... ascending) {
    assertEquals(4, b.partition());
    DenseMatrix x = b.x().toDense();
    for (int i = 0; i < ascending.length; i++) {
      assertEquals(ascending[i], b.rowId(i), "id of row " + i);
      assertArrayEquals(row(ascending[i], sparse).toArray(), x.rowRange(i, i + 1).copy().data(), "row " + i);
    }
  }

  @Test
  void rowsInAnyOrderOfIdsAreHeldAscending() {
    for (boolean sparse : new boolean[] {false, true}) {
      RowBlock inOrder = block(rows(sparse, 3, 4, 7, 8), null);
      assertTrue(sparse == inOrder.x() instanceof CsrMatrix, "kind by density, sparse " + sparse);
      assertRowsInIdOrder(inOrder, sparse, 3, 4, 7, 8);
      assertRowsInIdOrder(block(rows(sparse, 8, 3, 7, 4), null), sparse, 3, 4, 7, 8);
      // The second read in another order than the first (a shuffle's output read again).
      Iterator<RowBlock> reordered = TwoReadBlock.of(4, rows(sparse, 8, 3, 7, 4).iterator(),
          rows(sparse, 4, 8, 3, 7).iterator());
      assertRowsInIdOrder(reordered.next(), sparse, 3, 4, 7, 8);
    }
  }

  @Test
  void theBlocksKindFollowsItsDensityUnlessGiven() {
    // Dense rows have every entry non-zero; sparse rows 1 of 3.
    assertTrue(block(rows(false, 0, 1, 2), null).x() instanceof DenseMatrix);
    assertTrue(block(rows(true, 0, 1, 2), null).x() instanceof CsrMatrix, "3 of 9 entries non-zero");
    RowBlock csr = block(rows(false, 2, 0, 1), false);
    assertTrue(csr.x() instanceof CsrMatrix, "CSR asked for");
    assertEquals(9, csr.x().storedEntries(), "every entry non-zero");
    assertRowsInIdOrder(csr, false, 0, 1, 2);
    RowBlock dense = block(rows(true, 2, 0, 1), true);
    assertTrue(dense.x() instanceof DenseMatrix, "dense asked for");
    assertRowsInIdOrder(dense, true, 0, 1, 2);
  }

  @Test
  void noRowsGiveNoBlock() {
    assertFalse(TwoReadBlock.of(0, List.<Tuple2<Long, Vector>>of().iterator(),
        List.<Tuple2<Long, Vector>>of().iterator()).hasNext());
  }

  @Test
  void badRowsAreNamedByTheirIds() {
    List<Tuple2<Long, Vector>> twice = rows(false, 5, 6, 5);
    assertTrue(assertThrows(IllegalArgumentException.class, () -> block(twice, null)).getMessage()
        .contains("row id 5 occurs twice"));
    List<Tuple2<Long, Vector>> ragged = rows(false, 5, 6);
    ragged.add(new Tuple2<>(7L, Vectors.dense(1, 2)));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> block(ragged, null)).getMessage()
        .contains("X row 7 has 2 features, row 5 has 3"));
    for (Boolean dense : new Boolean[] {true, false}) {
      List<Tuple2<Long, Vector>> negative = rows(false, 5, 6);
      negative.add(new Tuple2<>(9L, Vectors.dense(1, -2, 3)));
      String message = assertThrows(IllegalArgumentException.class, () -> block(negative, dense)).getMessage();
      assertTrue(message.contains("negative value (-2.0) at row 9, column 1"), message);
    }
  }

  @Test
  void aSecondReadThatDiffersIsRefused() {
    List<Tuple2<Long, Vector>> read = rows(false, 1, 2, 3);
    List<Tuple2<Long, Vector>> otherNonZeros = List.of(read.get(0), read.get(1),
        new Tuple2<>(3L, Vectors.dense(0, 0, 1)));
    // Fewer rows, more rows, another row, a row twice, other rows' sizes, none.
    List<List<Tuple2<Long, Vector>>> others = List.of(rows(false, 1, 2), rows(false, 1, 2, 3, 4),
        rows(false, 1, 2, 4), rows(false, 1, 2, 2), List.of(read.get(0), read.get(1),
        new Tuple2<>(3L, Vectors.dense(1, 2))), List.of());
    for (Boolean dense : new Boolean[] {null, false}) {
      for (List<Tuple2<Long, Vector>> again : others) {
        assertChanged(() -> TwoReadBlock.of(2, read.iterator(), again.iterator(), dense));
      }
    }
    // Other non-zeros change a CSR block's arrays; a dense block takes the values of the second read.
    assertChanged(() -> TwoReadBlock.of(2, read.iterator(), otherNonZeros.iterator(), false));
    RowBlock dense = TwoReadBlock.of(2, read.iterator(), otherNonZeros.iterator(), true).next();
    assertArrayEquals(new double[] {0, 0, 1}, dense.x().toDense().rowRange(2, 3).copy().data());
    assertChanged(() -> TwoReadBlock.of(2, List.<Tuple2<Long, Vector>>of().iterator(), read.iterator()));
  }

  private static void assertChanged(org.junit.jupiter.api.function.Executable blocking) {
    String message = assertThrows(IllegalArgumentException.class, blocking).getMessage();
    assertTrue(message.contains("partition 2 of X gave other rows when read again"), message);
  }
}
