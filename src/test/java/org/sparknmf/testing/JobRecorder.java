package org.sparknmf.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;

/**
 * The Spark jobs {@link LocalSpark}'s session starts from this recorder's creation until it is
 * closed. Jobs started before it are not counted: their events are delivered first.
 */
public final class JobRecorder implements AutoCloseable {

  private final SparkContext sc = LocalSpark.jsc().sc();
  private final List<SparkListenerJobStart> starts = new CopyOnWriteArrayList<>();
  private final SparkListener listener = new SparkListener() {
    @Override
    public void onJobStart(SparkListenerJobStart start) {
      starts.add(start);
    }
  };

  public JobRecorder() throws TimeoutException {
    sc.listenerBus().waitUntilEmpty();
    sc.addSparkListener(listener);
  }

  /** The jobs started so far, once their events have been delivered. */
  public List<SparkListenerJobStart> jobs() throws TimeoutException {
    sc.listenerBus().waitUntilEmpty();
    return List.copyOf(starts);
  }

  @Override
  public void close() {
    sc.removeSparkListener(listener);
  }
}
