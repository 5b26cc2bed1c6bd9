package org.sparknmf.solver;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fit's progress at INFO: a line per epoch (mini-batch) or iteration (full batch), at most one
 * a second so that fast fits on small data do not flood the log; the first and last always show.
 * scikit-learn's own messages stay on stdout behind {@code verbose}.
 */
public final class ProgressLog {

  private static final Logger LOG = LoggerFactory.getLogger("org.sparknmf.progress");
  private static final long EVERY_NANOS = 1_000_000_000L;

  private long last = Long.MIN_VALUE;

  private boolean due(boolean always) {
    long now = System.nanoTime();
    if (!LOG.isInfoEnabled() || (!always && last != Long.MIN_VALUE && now - last < EVERY_NANOS)) {
      return false;
    }
    last = now;
    return true;
  }

  /** The end of a mini-batch epoch; {@code smoothed} is null before the smoothed cost exists. */
  public void epoch(int epoch, int maxEpochs, int step, double batchCost, Double smoothed, boolean last) {
    if (due(epoch == 1 || last)) {
      LOG.info("epoch {}/{}, step {}: batch cost {}, smoothed cost {}", epoch, maxEpochs, step,
          String.format("%.6g", batchCost), smoothed == null ? "-" : String.format("%.6g", smoothed));
    }
  }

  /** A full-batch iteration and its measure (cd's violation ratio or mu's error). */
  public void iteration(int iter, int maxIter, String measure, double value, boolean last) {
    if (due(iter == 1 || last)) {
      LOG.info("iteration {}/{}: {} {}", iter, maxIter, measure, String.format("%.6g", value));
    }
  }
}
