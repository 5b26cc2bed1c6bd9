package org.sparknmf.solver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparknmf.testing.Assertions2.assertMatrixClose;
import static org.sparknmf.testing.TestMatrices.random;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sparknmf.linalg.DenseMatrix;

/** Both products of an iteration in one pass over dense X, around W's update. */
class DataProductsTest {

  /** W's rows halved where X·Hᵀ is large: an update that reads its rows' numerator. */
  private static void update(DenseMatrix w, DenseMatrix numerator, int from, int to) {
    for (int i = from; i < to; i++) {
      for (int t = 0; t < w.cols(); t++) {
        if (numerator.get(i, t) > 100.0) {
          w.set(i, t, w.get(i, t) * 0.5);
        }
      }
    }
  }

  private record Pass(DenseMatrix w, DenseMatrix numerator, DenseMatrix xtw) {}

  private static Pass around(DenseMatrix x, DenseMatrix w0, DenseMatrix ht, int threads) {
    DenseMatrix w = w0.copy();
    DenseMatrix numerator = DenseMatrix.filled(x.rows(), w.cols(), Double.NaN);
    DenseMatrix xtw = DenseMatrix.filled(x.cols(), w.cols(), Double.NaN);
    try (RowParallel par = RowParallel.start(threads, 0)) {
      new DataProducts(x, par).formAround(w, ht, numerator, (from, to) -> update(w, numerator, from, to), xtw);
    }
    return new Pass(w, numerator, xtw);
  }

  @Test
  void onePassIsBothProductsAroundTheUpdate() {
    Random r = new Random(3);
    // 1,100 columns and k = 7: blocks of 29 rows, so a chunk holds several blocks and a last short one.
    int rows = 1_000;
    int cols = 1_100;
    int k = 7;
    assertTrue(DataProducts.blockRows(cols, k) < DataProducts.chunkRows(rows, cols, k) / 4);
    DenseMatrix x = random(r, rows, cols, 0.3);
    DenseMatrix w0 = random(r, rows, k, 0.0);
    DenseMatrix ht = random(r, cols, k, 0.0);

    // Products formed apart, over all rows at once.
    DenseMatrix w = w0.copy();
    DenseMatrix numerator = new DenseMatrix(rows, k);
    x.timesAdd(ht, numerator);
    update(w, numerator, 0, rows);
    DenseMatrix xtw = new DenseMatrix(cols, k);
    x.transposeTimesAdd(w, xtw);

    Pass one = around(x, w0, ht, 1);
    assertArrayEquals(w.data(), one.w().data(), "W, updated from X·Hᵀ of the old W's rows");
    assertMatrixClose(numerator.toArray(), one.numerator().toArray(), 1e-14, "X·Hᵀ");
    assertMatrixClose(xtw.toArray(), one.xtw().toArray(), 1e-14, "Xᵀ·W of the updated W");
    for (int threads : new int[] {2, 3}) {
      Pass more = around(x, w0, ht, threads);
      assertArrayEquals(one.w().data(), more.w().data(), threads + " threads: W");
      assertArrayEquals(one.xtw().data(), more.xtw().data(), threads + " threads: Xᵀ·W, bit for bit");
    }

    // Split in two passes, W's update alone then Xᵀ·W alone: the bits of the one pass.
    DenseMatrix w2 = w0.copy();
    DenseMatrix num2 = new DenseMatrix(rows, k);
    DenseMatrix xtw2 = DenseMatrix.filled(cols, k, Double.NaN);
    try (RowParallel par = RowParallel.start(2, 0)) {
      DataProducts products = new DataProducts(x, par);
      products.formAround(w2, ht, num2, (from, to) -> update(w2, num2, from, to), null);
      products.formAround(w2, ht, null, null, xtw2);
    }
    assertArrayEquals(one.w().data(), w2.data(), "W updated alone");
    assertArrayEquals(one.xtw().data(), xtw2.data(), "Xᵀ·W formed alone");
  }

  @Test
  void noRowsGiveZeros() {
    DenseMatrix x = new DenseMatrix(0, 5);
    DenseMatrix xtw = DenseMatrix.filled(5, 2, Double.NaN);
    DataProducts products = new DataProducts(x, RowParallel.serial());
    for (int call = 0; call < 2; call++) {
      products.formAround(new DenseMatrix(0, 2), new DenseMatrix(5, 2), new DenseMatrix(0, 2), (from, to) -> { }, xtw);
      assertArrayEquals(new double[10], xtw.data(), "call " + call);
    }
  }

  @Test
  void chunksDependOnTheShapeAloneAndBoundTheirParts() {
    assertTrue(DataProducts.chunkRows(20_000, 500, 10) >= 20_000 / 32, "at most 32 chunks");
    assertTrue(DataProducts.chunkRows(100, 500, 10) >= RowParallel.RANGE_ROWS, "256 rows or more");
    int rows = 1_000_000;
    int chunk = DataProducts.chunkRows(rows, 100_000, 50);
    long chunks = (rows + chunk - 1) / chunk;
    assertTrue(chunks * 8L * 100_000 * 50 <= Math.max(DataProducts.PARTS_BYTES, 8L * 100_000 * 50),
        chunks + " parts of 40 MB");
  }

  @Test
  void wideXTakesTwoPasses() {
    assertTrue(new DataProducts(new DenseMatrix(1, 500), RowParallel.serial()).formsAround(10), "lowrank's shape");
    assertTrue(!new DataProducts(new DenseMatrix(1, 4096), RowParallel.serial()).formsAround(64),
        "4096 columns, k = 64: blocks of one row");
    assertTrue(!new DataProducts(new org.sparknmf.linalg.CsrMatrix(1, 5, new int[] {0, 0}, new int[0], new double[0]),
        RowParallel.serial()).formsAround(2), "sparse X");
  }

  @Test
  void blocksFitTheCacheAndStayOnTheCallingThread() {
    for (int[] shape : new int[][] {{64, 16}, {500, 10}, {5_000, 20}, {100_000, 50}, {1, 1}}) {
      int rows = DataProducts.blockRows(shape[0], shape[1]);
      assertTrue(rows >= 1, "at least one row");
      assertTrue(rows == 1 || (long) rows * shape[0] <= 32_768, "a block of " + rows + " rows fits 256 KB");
      assertTrue(rows == 1 || (long) rows * shape[0] * shape[1] < 256 << 10, "under OpenBLAS's threading threshold");
    }
  }
}
