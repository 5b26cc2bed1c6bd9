package org.sparknmf.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sparknmf.testing.TestMatrices;

class QrTest {

  @Test
  void rAloneHasTheBitsOfTheFullFactorisation() {
    Random r = new Random(31);
    int[][] shapes = {{500, 30}, {30, 30}, {7, 12}, {1, 1}};
    for (int[] s : shapes) {
      DenseMatrix y = TestMatrices.random(r, s[0], s[1], 0.2);
      Qr full = Qr.of(y);
      assertArrayEquals(full.r().data(), Qr.rOf(y).data(), s[0] + "×" + s[1]);
      // And Q·R gives Y back.
      DenseMatrix back = new DenseMatrix(s[0], s[1]);
      full.q().timesAdd(full.r(), back);
      for (int i = 0; i < back.data().length; i++) {
        assertEquals(y.data()[i], back.data()[i], 1e-12);
      }
    }
    assertEquals(0, Qr.rOf(new DenseMatrix(0, 4)).rows());
    assertEquals(4, Qr.rOf(new DenseMatrix(0, 4)).cols());
  }
}
