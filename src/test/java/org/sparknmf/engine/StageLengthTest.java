package org.sparknmf.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A barrier stage covers whole checkpoint intervals, the fewest that keep its start and end under a tenth of it. */
class StageLengthTest {

  private static final long MS = 1_000_000L;

  /** The share of a stage of {@code epochs} epochs that a fixed cost takes, at the measured step time. */
  private static double fixedShare(long fixed, double stepNanos, int epochs, int stepsPerEpoch) {
    return fixed / (fixed + stepNanos * epochs * stepsPerEpoch);
  }

  @Test
  void theFirstStageCoversOneInterval() {
    assertEquals(10, new StageLength(10, 5).epochs());
  }

  @Test
  void shortStepsMakeTheFewestWholeIntervalsThatAmortiseTheStagesStartAndEnd() {
    // 100 ms to start and end a stage of 50 steps of 5 ms: 29 % of it.
    StageLength length = new StageLength(10, 5);
    length.measured(100 * MS, 250 * MS, 50);
    int epochs = length.epochs();
    assertEquals(40, epochs); // 180 steps wanted: 3.6 intervals of 50 steps
    assertTrue(fixedShare(100 * MS, 5 * MS, epochs, 5) <= StageLength.FIXED_SHARE);
    assertTrue(fixedShare(100 * MS, 5 * MS, epochs - 10, 5) > StageLength.FIXED_SHARE, "no shorter multiple does");
  }

  @Test
  void longStepsKeepOneIntervalAndTheLengthGrowsAtMostFourfoldAStage() {
    StageLength length = new StageLength(3, 4);
    length.measured(100 * MS, 12_000 * MS, 12); // a second per step
    assertEquals(3, length.epochs());
    // 50 ms to start and end, 1 ms steps: 450 steps wanted, 37.5 intervals of 12 steps.
    length.measured(50 * MS, 12 * MS, 12);
    assertEquals(3 * 4, length.epochs());
    length.measured(50 * MS, 48 * MS, 48);
    assertEquals(3 * 16, length.epochs());
    length.measured(50 * MS, 192 * MS, 192);
    assertEquals(3 * 38, length.epochs());
    length.measured(50 * MS, 456 * MS, 456);
    assertEquals(3 * 38, length.epochs());
    // Slow steps again: back to one interval at once.
    length.measured(50 * MS, 456_000 * MS, 456);
    assertEquals(3, length.epochs());
  }

  @Test
  void aStageWithoutStepsChangesNothingAndHugeRatiosDoNotOverflow() {
    StageLength length = new StageLength(7, 2);
    length.measured(100 * MS, 0, 0);
    assertEquals(7, length.epochs());
    length.measured(Long.MAX_VALUE / 2, 1, 1_000_000);
    assertTrue(length.epochs() > 0 && length.epochs() % 7 == 0, "a positive multiple: " + length.epochs());
  }
}
