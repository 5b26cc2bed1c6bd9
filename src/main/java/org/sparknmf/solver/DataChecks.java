package org.sparknmf.solver;

import org.sparknmf.linalg.DataMatrix;

/** Input checks shared by every entry point; messages name the matrix, row, column and value. */
public final class DataChecks {

  private DataChecks() {}

  /** X must have at least one row and one column, and only finite non-negative entries. */
  public static void requireValidData(DataMatrix x, String whom) {
    if (x == null) {
      throw new IllegalArgumentException(whom + " must not be null");
    }
    if (x.rows() == 0 || x.cols() == 0) {
      throw new IllegalArgumentException(whom + " is empty: shape (" + x.rows() + ", " + x.cols()
          + "), at least one sample and one feature are required");
    }
    requireNonNegativeFinite(x, whom);
  }

  public static void requireNonNegativeFinite(DataMatrix x, String whom) {
    if (x.nonNegativeFinite()) {
      return; // one plain pass; the visitor below only finds and names the first bad entry
    }
    x.forEachEntry((i, j, v) -> {
      if (Double.isNaN(v)) {
        throw new IllegalArgumentException(whom + " has NaN at row " + i + ", column " + j);
      }
      if (Double.isInfinite(v)) {
        throw new IllegalArgumentException(whom + " has an infinite value (" + v + ") at row " + i
            + ", column " + j);
      }
      if (v < 0) {
        throw new IllegalArgumentException(whom + " has a negative value (" + v + ") at row " + i
            + ", column " + j + "; NMF needs non-negative data");
      }
    });
  }

  /** A fit needs at least one positive entry: an all-zero X has no factorization to find. */
  public static void requireNotAllZero(DataMatrix x, String whom) {
    requireNotAllZero(x.sum(), whom);
  }

  /** The same check from the sum of the entries (for data summed elsewhere). */
  public static void requireNotAllZero(double sum, String whom) {
    if (sum == 0.0) {
      throw new IllegalArgumentException(whom + " is all zeros: there is nothing to factorize");
    }
  }

  /** The number of features of new data must match the fitted model's. */
  public static void requireFeatures(DataMatrix x, int nFeatures, String whom) {
    requireFeatures(x.cols(), nFeatures, whom);
  }

  public static void requireFeatures(int cols, int nFeatures, String whom) {
    if (cols != nFeatures) {
      throw new IllegalArgumentException(whom + " has " + cols + " features, but the model was fitted with "
          + nFeatures + " features");
    }
  }

  /** With beta ≤ 0 a zero in X makes the loss infinite. */
  public static void requireNoZerosFor(BetaLoss loss, DataMatrix x, String whom) {
    requireNoZerosFor(loss, x.min(), whom);
  }

  /** The same check from the smallest entry (for data scanned elsewhere). */
  public static void requireNoZerosFor(BetaLoss loss, double min, String whom) {
    if (loss.beta() <= 0.0 && min == 0.0) {
      throw new IllegalArgumentException(whom + " contains zeros, and beta_loss = " + loss
          + " (<= 0) diverges on zeros: add a small value to X, or use a positive beta_loss");
    }
  }
}
