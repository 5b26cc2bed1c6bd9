package org.sparknmf.engine;

import org.apache.spark.SparkContext;

/**
 * Names the Spark jobs of one phase of a fit in Spark's UI and event log, through the calling
 * thread's {@code spark.job.description}: "spark-nmf: start", "spark-nmf: MiniBatchNMF steps", …
 * A description the caller set stays in front ("nightly run / spark-nmf: start"); a nested phase
 * replaces the outer one's name, and closing a phase brings back the description before it.
 * Threads started within a phase inherit it (Spark's local properties are inheritable).
 */
final class JobPhase implements AutoCloseable {

  static final String KEY = "spark.job.description";
  static final String MARK = "spark-nmf: ";
  private static final String SEPARATOR = " / ";
  /** The phases of the fit itself (the benchmark tells them from the start's and the blocking's). */
  static final String STEPS = "MiniBatchNMF steps";
  static final String ITERATIONS = "NMF iterations";

  private final SparkContext sc;
  private final String previous;

  private JobPhase(SparkContext sc, String phase) {
    this.sc = sc;
    this.previous = sc.getLocalProperty(KEY);
    String caller = previous == null ? "" : previous;
    int ours = caller.indexOf(MARK);
    if (ours >= 0) {
      caller = caller.substring(0, ours);
      caller = caller.endsWith(SEPARATOR) ? caller.substring(0, caller.length() - SEPARATOR.length()) : caller;
    }
    sc.setLocalProperty(KEY, (caller.isEmpty() ? "" : caller + SEPARATOR) + MARK + phase);
  }

  /** Starts naming this thread's jobs after {@code phase} until {@link #close}. */
  static JobPhase of(SparkContext sc, String phase) {
    return new JobPhase(sc, phase);
  }

  @Override
  public void close() {
    sc.setLocalProperty(KEY, previous);
  }
}
