package org.sparknmf.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Matrix comparisons with the fixtures' tolerance: max |a − b| / max |b|. */
public final class Assertions2 {

  private Assertions2() {}

  public static double relativeError(double[][] actual, double[][] expected) {
    double maxDiff = 0.0;
    double maxRef = 0.0;
    for (int i = 0; i < expected.length; i++) {
      for (int j = 0; j < expected[i].length; j++) {
        maxDiff = Math.max(maxDiff, Math.abs(actual[i][j] - expected[i][j]));
        maxRef = Math.max(maxRef, Math.abs(expected[i][j]));
      }
    }
    return maxRef == 0.0 ? maxDiff : maxDiff / maxRef;
  }

  public static void assertMatrixClose(double[][] expected, double[][] actual, double tol, String what) {
    assertEquals(expected.length, actual.length, what + ": rows");
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i].length, actual[i].length, what + ": columns of row " + i);
    }
    double err = relativeError(actual, expected);
    if (!(err <= tol)) {
      fail(what + ": relative error " + err + " > " + tol);
    }
  }

  public static void assertRelClose(double expected, double actual, double tol, String what) {
    double err = Math.abs(actual - expected) / Math.max(Math.abs(expected), Double.MIN_NORMAL);
    if (!(err <= tol)) {
      fail(what + ": expected " + expected + ", got " + actual + " (relative error " + err + ")");
    }
  }
}
