package org.sparknmf.engine;

/**
 * How many epochs the next barrier stage of a MiniBatchNMF fit covers ({@link BarrierMiniBatch}).
 * A stage's start and end (launching its tasks; returning W and cutting its lineage) cost tens of
 * milliseconds whatever the stage's length, so where {@code checkpointInterval} epochs take little
 * time a stage covers a multiple of them: as many as keep its start and end under a tenth of the
 * stage, judged from the stage before, growing at most {@value #MAX_GROWTH}× from one stage to the
 * next (the first stage's start also computes W's start, and one slow start must not stretch the
 * rest of the fit into one stage). A stage that was replayed after a lost task is not taken as a
 * measure. Where stages end changes no number of the fit; a lost task replays one stage.
 */
final class StageLength {

  /** The largest share of a stage's time its start and end may take. */
  static final double FIXED_SHARE = 0.1;
  /** How much longer, at most, a stage is than the one before. */
  static final int MAX_GROWTH = 4;

  private final int interval;
  private final int stepsPerEpoch;
  private int multiple = 1;

  /** @param interval the checkpoint interval in epochs (≥ 1) */
  StageLength(int interval, int stepsPerEpoch) {
    this.interval = interval;
    this.stepsPerEpoch = stepsPerEpoch;
  }

  /** Epochs for the next stage: a multiple of the checkpoint interval. */
  int epochs() {
    return (int) Math.min(Integer.MAX_VALUE, (long) interval * multiple);
  }

  /**
   * After a stage that ran {@code steps} steps in {@code stepNanos}, with {@code fixedNanos} spent
   * before its first step and after its last.
   */
  void measured(long fixedNanos, long stepNanos, int steps) {
    if (steps <= 0 || stepNanos <= 0) {
      return;
    }
    double stepsWanted = fixedNanos * (1 - FIXED_SHARE) / FIXED_SHARE / ((double) stepNanos / steps);
    double multiples = Math.ceil(stepsWanted / ((double) interval * stepsPerEpoch));
    long limit = Math.min(Integer.MAX_VALUE / interval, (long) MAX_GROWTH * multiple);
    multiple = (int) Math.max(1, Math.min(limit, multiples));
  }
}
