package org.sparknmf.testing;

/** Small matrix edits for tests that spoil one entry of good data. */
public final class TestMatrices {

  private TestMatrices() {}

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
