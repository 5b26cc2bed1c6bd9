package org.sparknmf.engine;

import java.util.function.Supplier;
import org.apache.spark.SparkException;

/**
 * Bad input found inside a task reaches the driver wrapped in a {@link SparkException}; this turns
 * it back into the {@link IllegalArgumentException} the task threw, so the caller sees one clear
 * message naming the row and column, not a stage failure.
 */
public final class SparkErrors {

  private SparkErrors() {}

  public static <T> T rethrowingBadInput(Supplier<T> job) {
    try {
      return job.get();
    } catch (Exception e) { // SparkException is checked, but Scala throws it through job.get()
      IllegalArgumentException bad = badInput(e);
      if (bad != null) {
        throw new IllegalArgumentException(bad.getMessage(), e);
      }
      throw e;
    }
  }

  /** The bad-input error behind {@code e} (also when it comes back from a task), or null. */
  public static IllegalArgumentException badInput(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IllegalArgumentException iae && !(t instanceof SparkException)) {
        return iae;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    // A cause that could not be sent back survives only in the message, as the task's failure.
    String marker = "): " + IllegalArgumentException.class.getName() + ": ";
    String message = e.getMessage();
    int at = message == null ? -1 : message.indexOf(marker);
    if (at < 0) {
      return null;
    }
    String rest = message.substring(at + marker.length());
    int end = rest.indexOf('\n');
    return new IllegalArgumentException(end < 0 ? rest : rest.substring(0, end));
  }

  /** Throws {@code t} as it is, checked or not (as Scala code throws a SparkException). */
  @SuppressWarnings("unchecked")
  static <E extends Throwable> Void sneaky(Throwable t) throws E {
    throw (E) t;
  }
}
