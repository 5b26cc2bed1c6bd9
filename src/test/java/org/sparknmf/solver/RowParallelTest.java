package org.sparknmf.solver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RowParallelTest {

  @Test
  void everyRowIsInExactlyOneRange() {
    int rows = 3 * RowParallel.RANGE_ROWS + 17;
    for (long work : new long[] {Long.MAX_VALUE, 0}) {
      AtomicIntegerArray seen = new AtomicIntegerArray(rows);
      try (RowParallel par = RowParallel.start(2)) {
        par.forEachRange(rows, work, (from, to) -> {
          for (int i = from; i < to; i++) {
            seen.incrementAndGet(i);
          }
        });
      }
      for (int i = 0; i < rows; i++) {
        assertEquals(1, seen.get(i), "row " + i + ", work " + work);
      }
    }
  }

  @Test
  void smallWorkStaysOnTheCallingThread() {
    Thread caller = Thread.currentThread();
    AtomicInteger elsewhere = new AtomicInteger();
    try (RowParallel par = RowParallel.start(2)) {
      par.forEachRange(8 * RowParallel.RANGE_ROWS, RowParallel.MIN_SHARED_WORK - 1, (from, to) -> {
        if (Thread.currentThread() != caller) {
          elsewhere.incrementAndGet();
        }
      });
      assertEquals(0, elsewhere.get());
      assertFalse(par.worthSharing(RowParallel.MIN_SHARED_WORK - 1));
      assertTrue(par.worthSharing(RowParallel.MIN_SHARED_WORK));
      assertFalse(RowParallel.serial().worthSharing(Long.MAX_VALUE));
    }
  }

  @Test
  void runReturnsEachPartsResultByIndex() {
    try (RowParallel par = RowParallel.start(3)) {
      assertArrayEquals(new double[] {0, 1, 4, 9, 16}, par.run(5, p -> p * p));
      assertArrayEquals(new double[0], par.run(0, p -> 1.0));
    }
  }

  @Test
  void aFailingPartFailsTheCallWithItsExceptionAfterTheOthersStop() {
    IllegalStateException boom = new IllegalStateException("part failed");
    AtomicInteger finished = new AtomicInteger();
    // The part that fails is the first from 7 on that the helper thread takes, and the calling
    // thread's parts from 7 on wait until the helper, done failing, is idle in its pool: the
    // calling thread must then take no more parts (a failure on any thread stops them all),
    // whichever thread is faster.
    Thread caller = Thread.currentThread();
    AtomicReference<Thread> failed = new AtomicReference<>();
    try (RowParallel par = RowParallel.start(2)) {
      IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> par.run(40, p -> {
        if (p >= 7 && Thread.currentThread() != caller && failed.compareAndSet(null, Thread.currentThread())) {
          throw boom;
        }
        if (p >= 7 && Thread.currentThread() == caller) {
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
          while (failed.get() == null || failed.get().getState() != Thread.State.WAITING) {
            assertTrue(System.nanoTime() < deadline, "the helper failed no part from 7 on");
            Thread.onSpinWait();
          }
        }
        finished.incrementAndGet();
        return 1.0;
      }));
      assertSame(boom, thrown);
      int seen = finished.get();
      assertTrue(seen < 39, "the parts after the failure are skipped");
      assertEquals(seen, finished.get(), "no part is still running once the call is over");
      // The threads are still there for the next call.
      assertArrayEquals(new double[] {1.0, 1.0, 1.0}, par.run(3, p -> 1.0));
    }
  }

  @Test
  void anErrorComesOutAsItself() {
    try (RowParallel par = RowParallel.start(2)) {
      AssertionError e = assertThrows(AssertionError.class, () -> par.run(4, p -> {
        throw new AssertionError("part " + p);
      }));
      assertTrue(e.getMessage().startsWith("part "));
    }
  }

  @Test
  void threadsMustBePositive() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RowParallel.start(0));
    assertEquals("threads must be at least 1, got 0", e.getMessage());
  }
}
