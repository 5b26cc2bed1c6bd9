package org.sparknmf.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CsrMatrixTest extends DataMatrixContract {

  @Override
  DataMatrix of(double[][] x) {
    return CsrMatrix.fromDense(DenseMatrix.of(x));
  }

  /**
   * A CSR matrix in scipy's non-canonical form: columns unsorted within rows and one entry
   * stored twice, as {@code csr_matrix((data, (i, j)))} keeps them until {@code sum_duplicates}.
   */
  private static CsrMatrix unsortedWithDuplicate(Random r, int rows, int cols, int perRow) {
    int[] indptr = new int[rows + 1];
    int[] indices = new int[rows * perRow];
    double[] values = new double[rows * perRow];
    for (int i = 0, p = 0; i < rows; i++) {
      for (int e = 0; e < perRow; e++, p++) {
        indices[p] = r.nextInt(cols);
        values[p] = r.nextDouble();
      }
      indptr[i + 1] = p;
    }
    indices[1] = indices[0];
    return new CsrMatrix(rows, cols, indptr, indices, values);
  }

  /**
   * X·G (Xᵀ·G when {@code transposed}) added to out entry by entry, rows and their entries in
   * stored order: the order whose bits timesAdd and transposeTimesAdd keep.
   */
  private static double[] productInStoredOrder(CsrMatrix x, DenseMatrix g, DenseMatrix out, boolean transposed) {
    double[] r = out.copy().data();
    int k = g.cols();
    for (int i = 0; i < x.rows(); i++) {
      for (int p = x.rowBegin(i); p < x.rowEnd(i); p++) {
        int j = x.indices()[p];
        for (int t = 0; t < k; t++) {
          r[(transposed ? j : i) * k + t] += x.values()[p] * g.get(transposed ? i : j, t);
        }
      }
    }
    return r;
  }

  @Test
  void timesAddKeepsTheStoredOrderWithAndWithoutCopyingTheRowsOfG() {
    Random r = new Random(8);
    CsrMatrix x = unsortedWithDuplicate(r, 80, 10, 5);
    DenseMatrix g = DenseMatrix.of(random(r, 10, 7, 0.0));
    // 400 entries against 10 rows of G: G's rows are copied; 2 rows (10 entries): they are not.
    for (CsrMatrix m : new CsrMatrix[] {x, x.rowRange(30, 32)}) {
      DenseMatrix out = DenseMatrix.of(random(r, m.rows(), 7, 0.0));
      double[] expected = productInStoredOrder(m, g, out, false);
      m.timesAdd(g, out);
      assertArrayEquals(expected, out.data());
    }
  }

  /**
   * Rows of {@code perRow} entries at distinct columns, ascending within each row, but for row 0,
   * whose first column is stored twice (as scipy keeps a duplicate until {@code sum_duplicates}).
   */
  private static CsrMatrix ascending(Random r, int rows, int cols, int perRow) {
    int[] indptr = new int[rows + 1];
    int[] indices = new int[rows * perRow + 1];
    double[] values = new double[rows * perRow + 1];
    for (int i = 0, p = 0; i < rows; i++) {
      int[] columns = r.ints(0, cols).distinct().limit(perRow).sorted().toArray();
      if (i == 0) {
        indices[p] = columns[0];
        values[p++] = r.nextDouble();
      }
      for (int j : columns) {
        indices[p] = j;
        values[p++] = r.nextDouble();
      }
      indptr[i + 1] = p;
    }
    return new CsrMatrix(rows, cols, indptr, indices, values);
  }

  /** A {@code rows × cols} view, at an offset, of a larger random matrix. */
  private static DenseMatrix offsetView(Random r, int rows, int cols) {
    return DenseMatrix.of(random(r, rows + 3, cols, 0.0)).rowRange(2, rows + 2);
  }

  @Test
  void productsWithAFactorPastTheCoresCacheKeepTheStoredOrder() {
    // 2,000 × 200 factor rows (3.2 MB): taken in blocks of columns when the rows ascend, whole when
    // they do not; either way every output entry adds its terms in the stored order (about six
    // terms to each row of Xᵀ·W here).
    Random r = new Random(11);
    int n = 2_000;
    int k = 200;
    CsrMatrix sorted = ascending(r, 300, n, 40);
    CsrMatrix unsorted = unsortedWithDuplicate(r, 300, n, 40);
    // A parent whose first row is out of order, and a view of its other, ascending rows.
    int[] ptr = new int[301];
    int[] idx = new int[(int) sorted.storedEntries() + 2];
    double[] val = new double[idx.length];
    idx[0] = 5;
    idx[1] = 3;
    val[0] = 0.5;
    val[1] = 0.25;
    ptr[1] = 2;
    for (int i = 1; i < 300; i++) {
      int from = sorted.rowBegin(i);
      int count = sorted.rowEnd(i) - from;
      System.arraycopy(sorted.indices(), from, idx, ptr[i], count);
      System.arraycopy(sorted.values(), from, val, ptr[i], count);
      ptr[i + 1] = ptr[i] + count;
    }
    CsrMatrix mixed = new CsrMatrix(300, n, ptr, Arrays.copyOf(idx, ptr[300]), Arrays.copyOf(val, ptr[300]));
    CsrMatrix[] cases = {sorted, sorted.rowRange(17, 250), unsorted, unsorted.rowRange(5, 6), mixed,
        mixed.rowRange(1, 300)};
    int[] expectedBlocks = {4, 4, 1, 1, 1, 4};
    DenseMatrix ht = offsetView(r, n, k);
    for (int c = 0; c < cases.length; c++) {
      CsrMatrix x = cases[c];
      assertEquals(expectedBlocks[c], x.columnBlocks(k, 0), "case " + c);
      assertEquals(expectedBlocks[c], x.columnBlocks(k, x.rows()), "case " + c);
      DenseMatrix w = offsetView(r, x.rows(), k);
      DenseMatrix xht = offsetView(r, x.rows(), k);
      double[] expectedXht = productInStoredOrder(x, ht, xht, false);
      x.timesAdd(ht, xht);
      assertArrayEquals(expectedXht, xht.copy().data(), "case " + c);
      DenseMatrix xtw = offsetView(r, n, k);
      double[] expectedXtw = productInStoredOrder(x, w, xtw, true);
      x.transposeTimesAdd(w, xtw);
      assertArrayEquals(expectedXtw, xtw.copy().data(), "case " + c);
    }
  }

  @Test
  void columnBlocksGiveTheSameBitsAsTheWholeTransposedProduct() {
    Random r = new Random(9);
    CsrMatrix x = unsortedWithDuplicate(r, 200, 31, 6).rowRange(20, 180);
    DenseMatrix g = DenseMatrix.of(random(r, 160, 5, 0.0));
    DenseMatrix whole = new DenseMatrix(31, 5);
    x.transposeTimesAdd(g, whole);
    for (int parts : new int[] {1, 2, 3, 7, 31, 50}) {
      CsrMatrix.ColumnBlocks split = x.splitColumns(parts);
      int[] starts = split.starts();
      assertEquals(Math.min(parts, 31), split.blocks().length);
      assertEquals(0, starts[0]);
      assertEquals(31, starts[starts.length - 1]);
      DenseMatrix byBlocks = new DenseMatrix(31, 5);
      long stored = 0;
      for (int b = 0; b < split.blocks().length; b++) {
        assertTrue(starts[b] <= starts[b + 1], "starts increase");
        CsrMatrix block = split.blocks()[b];
        assertEquals(starts[b + 1] - starts[b], block.cols());
        stored += block.storedEntries();
        block.transposeTimesAdd(g, byBlocks.rowRange(starts[b], starts[b + 1]));
      }
      assertEquals(x.storedEntries(), stored);
      assertArrayEquals(whole.data(), byBlocks.data(), "parts " + parts);
    }
  }

  @Test
  void columnBlocksHoldAboutEqualEntries() {
    CsrMatrix x = CsrMatrix.fromDense(DenseMatrix.of(random(new Random(10), 400, 100, 0.9)));
    CsrMatrix.ColumnBlocks split = x.splitColumns(4);
    for (CsrMatrix block : split.blocks()) {
      assertEquals(x.storedEntries() / 4.0, block.storedEntries(), x.storedEntries() * 0.05);
    }
    assertThrows(IllegalArgumentException.class, () -> x.splitColumns(0));
  }
}
