package org.sparknmf.bench;

import java.util.HashMap;
import java.util.Map;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Splits the Spark jobs of a fit into compute and overhead. A job's compute is, per stage, its
 * longest task's run time (the critical path when a stage's tasks fit in one wave of slots); the
 * rest of the job's wall time is Spark's: scheduling, serialization, task launch, result fetch.
 */
final class SparkProbe extends SparkListener {

  /** What precedes the phase in a spark-nmf job's description. */
  static final String PHASE_MARK = "spark-nmf: ";

  private final Map<Integer, Integer> jobOfStage = new HashMap<>();
  private final Map<Integer, Long> jobStart = new HashMap<>();
  private final Map<Integer, Long> longestTask = new HashMap<>();
  /** Jobs per call site (the user code line that started the job). */
  private final Map<String, Integer> sites = new java.util.TreeMap<>();
  /** Task time by phase, summed over all tasks, ms: deserialize, run, result serialize, fetch, GC. */
  private final long[] phases = new long[5];
  /** Per finished job: {wall ms, compute ms}. */
  private final java.util.List<long[]> finished = new java.util.ArrayList<>();
  /** Per job running: its phase, the spark-nmf part of its description ("MiniBatchNMF steps"), or null. */
  private final Map<Integer, String> phaseOfJob = new HashMap<>();
  /** Per phase of the fit, in order: {jobs, wall ms, compute ms}. */
  private final Map<String, long[]> fitPhases = new java.util.LinkedHashMap<>();
  /** Start time of every job (ms since the epoch) and its call site; kept across resets. */
  private final java.util.TreeMap<Long, String> starts = new java.util.TreeMap<>();

  @Override
  public synchronized void onJobStart(SparkListenerJobStart start) {
    jobStart.put(start.jobId(), start.time());
    // The result stage is named after the call that started the job, e.g. "collect at X.java:47".
    String site = start.stageInfos().isEmpty() ? "?" : start.stageInfos().last().name();
    sites.merge(site, 1, Integer::sum);
    String description = start.properties() == null ? null : start.properties().getProperty("spark.job.description");
    int mark = description == null ? -1 : description.indexOf(PHASE_MARK);
    if (mark >= 0) {
      phaseOfJob.put(start.jobId(), description.substring(mark + PHASE_MARK.length()));
    }
    starts.put(start.time(), site);
    scala.collection.Iterator<Object> ids = start.stageIds().iterator();
    while (ids.hasNext()) {
      jobOfStage.put((Integer) ids.next(), start.jobId());
    }
  }

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
    if (end.taskMetrics() != null) {
      longestTask.merge(end.stageId(), end.taskMetrics().executorRunTime(), Math::max);
      phases[0] += end.taskMetrics().executorDeserializeTime();
      phases[1] += end.taskMetrics().executorRunTime();
      phases[2] += end.taskMetrics().resultSerializationTime();
      phases[3] += end.taskInfo().gettingResultTime() > 0 ? end.taskInfo().finishTime() - end.taskInfo().gettingResultTime() : 0;
      phases[4] += end.taskMetrics().jvmGCTime();
    }
  }

  @Override
  public synchronized void onJobEnd(SparkListenerJobEnd end) {
    Long t0 = jobStart.remove(end.jobId());
    if (t0 == null) {
      return;
    }
    long compute = 0;
    for (Map.Entry<Integer, Integer> e : jobOfStage.entrySet()) {
      if (e.getValue() == end.jobId()) {
        Long t = longestTask.remove(e.getKey());
        compute += t == null ? 0 : t;
      }
    }
    finished.add(new long[] {end.time() - t0, compute});
    String phase = phaseOfJob.remove(end.jobId());
    if (phase != null) {
      long[] p = fitPhases.computeIfAbsent(phase, f -> new long[3]);
      p[0]++;
      p[1] += end.time() - t0;
      p[2] += compute;
    }
    jobOfStage.values().removeIf(j -> j == end.jobId());
  }

  synchronized void reset() {
    sites.clear();
    finished.clear();
    fitPhases.clear();
    java.util.Arrays.fill(phases, 0);
  }

  /** Where the jobs came from, e.g. {collect at OrderedAggregation.java:47=60, ...}. */
  /** The call site of the last job started at or before {@code time}. */
  synchronized String siteAt(long time) {
    Map.Entry<Long, String> e = starts.floorEntry(time);
    return e == null ? "-" : e.getValue();
  }

  synchronized Map<String, Integer> sites() {
    return new java.util.TreeMap<>(sites);
  }

  /** Where the tasks' time went, e.g. "deserialize 120 ms, run 900 ms, ...", over all tasks. */
  synchronized String taskPhases() {
    return String.format("tasks: deserialize %d ms, run %d ms, result serialization %d ms, result fetch %d ms,"
        + " GC %d ms; jobs' wall %d ms", phases[0], phases[1], phases[2], phases[3], phases[4],
        finished.stream().mapToLong(j -> j[0]).sum());
  }

  /**
   * The fit's phases as spark-nmf names its jobs (Spark's job description), in order: phase →
   * {jobs, wall ms, compute ms}.
   */
  synchronized Map<String, long[]> fitPhases() {
    Map<String, long[]> copy = new java.util.LinkedHashMap<>();
    fitPhases.forEach((k, v) -> copy.put(k, v.clone()));
    return copy;
  }

  synchronized int jobs() {
    return finished.size();
  }

  /**
   * The median job's wall time and its overhead (wall − compute), in ms. In a MiniBatchNMF fit
   * nearly every job is one step, so these are a step's job and what Spark adds to it.
   */
  synchronized double[] medianWallAndOverhead() {
    if (finished.isEmpty()) {
      return new double[] {Double.NaN, Double.NaN};
    }
    long[] wall = finished.stream().mapToLong(j -> j[0]).sorted().toArray();
    long[] overhead = finished.stream().mapToLong(j -> Math.max(0, j[0] - j[1])).sorted().toArray();
    return new double[] {median(wall), median(overhead)};
  }

  private static double median(long[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
  }
}
