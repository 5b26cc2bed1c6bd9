package org.sparknmf.engine;

import java.io.Serializable;
import java.math.BigInteger;

/**
 * Which rows of each partition make up mini-batch {@code s} of an epoch. Every partition takes its
 * next slice in proportion to its size, so every core works on every step: row r of a partition of
 * n_p rows is given the time {@code (r + φ_p)·m/n_p} in the epoch, with a phase
 * {@code φ_p = (p + ½)/P} that staggers the partitions, and step s takes the rows whose time lies in
 * {@code [s·b, (s+1)·b)}. With one partition the steps are scikit-learn's contiguous batches
 * {@code [s·b, (s+1)·b)}.
 */
final class Slicing implements Serializable {

  private static final long serialVersionUID = 1L;

  private final int[] partitionRows;
  private final long rows;
  private final int batchSize;
  private final int steps;

  Slicing(int[] partitionRows, int batchSize) {
    this.partitionRows = partitionRows.clone();
    long m = 0;
    for (int r : partitionRows) {
      m += r;
    }
    this.rows = m;
    this.batchSize = batchSize;
    long s = (m + batchSize - 1) / batchSize;
    if (s > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("batch_size " + batchSize + " makes " + s
          + " steps per epoch for " + m + " rows; use a larger batch_size");
    }
    this.steps = (int) s;
  }

  /** Steps in one pass over the data. */
  int steps() {
    return steps;
  }

  long rows() {
    return rows;
  }

  /** First row (within partition {@code p}) of step {@code s}; {@code s = steps()} gives the partition's size. */
  int from(int p, int s) {
    int np = partitionRows[p];
    if (np == 0) {
      return 0;
    }
    int parts = partitionRows.length;
    // ceil((2P·s·b·n_p − (2p+1)·m) / (2P·m)), clamped to [0, n_p]; exact in integers.
    BigInteger twoP = BigInteger.valueOf(2L * parts);
    BigInteger num = twoP.multiply(BigInteger.valueOf(s)).multiply(BigInteger.valueOf(batchSize))
        .multiply(BigInteger.valueOf(np))
        .subtract(BigInteger.valueOf(2L * p + 1).multiply(BigInteger.valueOf(rows)));
    BigInteger den = twoP.multiply(BigInteger.valueOf(rows));
    BigInteger[] qr = num.divideAndRemainder(den);
    long q = qr[0].longValue();
    if (qr[1].signum() > 0) {
      q++;
    }
    return (int) Math.max(0, Math.min(np, q));
  }

  /** Rows of partition {@code p} in step {@code s}. */
  int rows(int p, int s) {
    return from(p, s + 1) - from(p, s);
  }

  /** Rows of step {@code s} over all partitions. */
  int batchRows(int s) {
    int total = 0;
    for (int p = 0; p < partitionRows.length; p++) {
      total += rows(p, s);
    }
    return total;
  }
}
