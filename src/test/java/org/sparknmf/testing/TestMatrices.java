package org.sparknmf.testing;

import java.util.Random;
import org.sparknmf.linalg.DenseMatrix;

/** Matrices for tests: seeded random ones, and edits that spoil one entry of good data. */
public final class TestMatrices {

  private TestMatrices() {}

  /** Entries uniform in [0, 1), each 0 instead with probability {@code zeroShare}. */
  public static double[][] randomArray(Random r, int rows, int cols, double zeroShare) {
    double[][] x = new double[rows][cols];
    for (double[] row : x) {
      for (int j = 0; j < cols; j++) {
        row[j] = r.nextDouble() < zeroShare ? 0.0 : r.nextDouble();
      }
    }
    return x;
  }

  /** {@link #randomArray} as a matrix. */
  public static DenseMatrix random(Random r, int rows, int cols, double zeroShare) {
    return DenseMatrix.of(randomArray(r, rows, cols, zeroShare));
  }

  /** A copy of {@code x} with entry (i, j) set to {@code v}. */
  public static double[][] withEntry(double[][] x, int i, int j, double v) {
    double[][] y = new double[x.length][];
    for (int r = 0; r < x.length; r++) {
      y[r] = x[r].clone();
    }
    y[i][j] = v;
    return y;
  }
}
