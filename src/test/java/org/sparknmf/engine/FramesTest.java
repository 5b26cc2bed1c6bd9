package org.sparknmf.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sparknmf.linalg.CsrMatrix;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.solver.BetaLoss;
import org.sparknmf.testing.TestMatrices;

/** A step's command and reply cross the socket as raw numbers and come out bit for bit. */
class FramesTest {

  /** Java serialization's bytes: equal for two objects whose fields are all equal. */
  private static byte[] serialized(Object o) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(b)) {
      out.writeObject(o);
    }
    return b.toByteArray();
  }

  @Test
  void aStepKeepsItsSliceAndHtBitForBit() {
    Random r = new Random(11);
    DenseMatrix ht = TestMatrices.random(r, 7, 3, 0.0);
    ht.set(0, 0, -0.0);
    ht.set(1, 2, Double.MIN_VALUE);
    ht.set(2, 1, Double.MAX_VALUE);
    // A view with an offset sends its own entries only.
    DenseMatrix view = TestMatrices.random(r, 9, 3, 0.0).rowRange(2, 9);
    for (DenseMatrix m : List.of(ht, view)) {
      byte[] frame = Frames.bytes(new BarrierMiniBatch.Step(4, m));
      assertEquals(1 + 12 + 8 * m.rows() * m.cols(), frame.length, "raw doubles, not Java serialization");
      BarrierMiniBatch.Step back = (BarrierMiniBatch.Step) Frames.object(frame);
      assertEquals(4, back.slice());
      assertArrayEquals(m.copy().data(), back.ht().data());
    }
  }

  @Test
  void statisticsOfEveryLossComeBackBitForBit() throws IOException {
    Random r = new Random(3);
    DenseMatrix xd = TestMatrices.random(r, 12, 9, 0.0);
    CsrMatrix xs = CsrMatrix.fromDense(TestMatrices.random(r, 12, 9, 0.5));
    DenseMatrix w = TestMatrices.random(r, 12, 4, 0.0);
    DenseMatrix ht = TestMatrices.random(r, 9, 4, 0.0);
    for (double beta : new double[] {2.0, 1.0, 0.0, 1.5}) {
      for (var x : List.of(xd, xs)) {
        BatchStatistics s = BatchStatistics.withCost(x, Double.NaN, w, ht, new BetaLoss(beta));
        byte[] frame = Frames.bytes(s);
        assertEquals(1 + s.encodedBytes(), frame.length);
        BatchStatistics back = (BatchStatistics) Frames.object(frame);
        assertArrayEquals(serialized(s), serialized(back), "beta " + beta + ", every field");
        assertArrayEquals(frame, Frames.bytes(back));
      }
    }
  }

  @Test
  void otherObjectsAndNullGoByJavaSerialization() {
    assertNull(Frames.object(Frames.bytes(null)));
    assertEquals("partition 1", Frames.object(Frames.bytes("partition 1")));
    assertEquals(List.of(1L, 2L), Frames.object(Frames.bytes(List.of(1L, 2L))));
  }

  @Test
  void aFrameOfAnUnknownKindIsRefused() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Frames.object(new byte[] {9, 0, 0}));
    assertTrue(e.getMessage().contains("kind 9"), e.getMessage());
  }
}
