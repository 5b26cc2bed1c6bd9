package org.sparknmf.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class DenseMatrixTest extends DataMatrixContract {

  @Override
  DataMatrix of(double[][] x) {
    return DenseMatrix.of(x);
  }

  @Test
  void relativeDistanceIsTheBitsOfDistanceOverNormOnViews() {
    Random r = new Random(12);
    DenseMatrix a = DenseMatrix.of(random(r, 40, 7, 0.2)).rowRange(3, 37);
    DenseMatrix b = DenseMatrix.of(random(r, 50, 7, 0.2)).rowRange(10, 44);
    assertEquals(a.distance(b) / Math.sqrt(a.squaredNorm()), a.relativeDistance(b), 0.0);
    assertEquals(0.0, a.relativeDistance(a.copy()), 0.0);
  }

  @Test
  void fillWritesOnlyTheView() {
    DenseMatrix m = DenseMatrix.of(random(new Random(6), 5, 3, 0.0));
    double[] before = m.data().clone();
    m.rowRange(1, 3).fill(7.0);
    for (int i = 0; i < 5; i++) {
      for (int j = 0; j < 3; j++) {
        assertEquals(i >= 1 && i < 3 ? 7.0 : before[i * 3 + j], m.get(i, j));
      }
    }
  }

  @Test
  void toArrayCopiesTheRowsOfAView() {
    double[][] x = random(new Random(7), 6, 4, 0.0);
    double[][] rows = DenseMatrix.of(x).rowRange(2, 5).toArray();
    assertEquals(3, rows.length);
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(x[i + 2], rows[i]);
    }
  }
}
