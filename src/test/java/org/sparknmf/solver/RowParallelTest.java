package org.sparknmf.solver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class RowParallelTest {

  @Test
  void everyRowIsInExactlyOneRange() {
    int rows = 3 * RowParallel.RANGE_ROWS + 17;
    AtomicIntegerArray seen = new AtomicIntegerArray(rows);
    try (RowParallel par = RowParallel.start(2)) {
      par.sum(rows, Long.MAX_VALUE, (from, to) -> {
        for (int i = from; i < to; i++) {
          seen.incrementAndGet(i);
        }
        return 0.0;
      });
    }
    for (int i = 0; i < rows; i++) {
      assertEquals(1, seen.get(i), "row " + i);
    }
  }

  @Test
  void smallWorkStaysOnTheCallingThread() {
    Thread caller = Thread.currentThread();
    try (RowParallel par = RowParallel.start(2)) {
      double onCaller = par.sum(8 * RowParallel.RANGE_ROWS, RowParallel.MIN_SHARED_WORK - 1,
          (from, to) -> Thread.currentThread() == caller ? 1.0 : 0.0);
      assertEquals(8.0, onCaller);
      assertFalse(par.worthSharing(RowParallel.MIN_SHARED_WORK - 1));
      assertTrue(par.worthSharing(RowParallel.MIN_SHARED_WORK));
      assertFalse(RowParallel.serial().worthSharing(Long.MAX_VALUE));
    }
  }

  @Test
  void theSumHasTheSameBitsForAnyNumberOfThreads() {
    int rows = 40 * RowParallel.RANGE_ROWS + 5;
    // Terms of very different sizes, so that another order of addition would change the bits.
    RowParallel.RangeKernel kernel = (from, to) -> {
      double s = 0.0;
      for (int i = from; i < to; i++) {
        s += (i % 3 == 0 ? 1e16 : 1.0) * Math.sin(i);
      }
      return s;
    };
    double serial = RowParallel.serial().sum(rows, Long.MAX_VALUE, kernel);
    for (int threads = 2; threads <= 4; threads++) {
      try (RowParallel par = RowParallel.start(threads)) {
        assertEquals(serial, par.sum(rows, Long.MAX_VALUE, kernel), threads + " threads");
      }
    }
  }

  @Test
  void runReturnsEachPartsResultByIndex() {
    try (RowParallel par = RowParallel.start(3)) {
      assertArrayEquals(new double[] {0, 1, 4, 9, 16}, par.run(5, p -> p * p));
    }
  }

  @Test
  void aFailingRangeFailsTheCallWithItsException() {
    IllegalStateException boom = new IllegalStateException("range failed");
    try (RowParallel par = RowParallel.start(2)) {
      IllegalStateException thrown = assertThrows(IllegalStateException.class,
          () -> par.sum(10 * RowParallel.RANGE_ROWS, Long.MAX_VALUE, (from, to) -> {
            if (from == 7 * RowParallel.RANGE_ROWS) {
              throw boom;
            }
            return 1.0;
          }));
      assertSame(boom, thrown);
      // The threads are still there for the next call.
      assertEquals(10.0, par.sum(10 * RowParallel.RANGE_ROWS, Long.MAX_VALUE, (from, to) -> 1.0));
    }
  }

  @Test
  void threadsMustBePositive() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RowParallel.start(0));
    assertEquals("threads must be at least 1, got 0", e.getMessage());
  }
}
