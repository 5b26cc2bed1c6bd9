package org.sparknmf.engine;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import org.apache.spark.storage.StorageLevel;

/**
 * The distributed engine's own parameters (scikit-learn has no counterpart): where the fit runs,
 * how X is partitioned and cached, how statistics are aggregated and how often the factors' lineage
 * is cut by a checkpoint. Setters validate and name the parameter.
 */
public final class EngineSettings implements Serializable {

  private static final long serialVersionUID = 1L;

  public static final List<String> EXECUTIONS = List.of("auto", "driver", "distributed");

  /** {@code auto} runs on the driver up to this many stored entries of X (about 200 MB as CSR). */
  public static final long DEFAULT_DRIVER_MAX_ENTRIES = 16L << 20;

  private String execution = "auto";
  private int partitions = 0;
  private String storageLevel = "MEMORY_AND_DISK";
  private int aggregationDepth = 2;
  private int checkpointInterval = 10;
  private long driverMaxEntries = DEFAULT_DRIVER_MAX_ENTRIES;
  private String checkpointDir;
  private boolean resume;

  public EngineSettings copy() {
    EngineSettings s = new EngineSettings();
    s.execution = execution;
    s.partitions = partitions;
    s.storageLevel = storageLevel;
    s.aggregationDepth = aggregationDepth;
    s.checkpointInterval = checkpointInterval;
    s.driverMaxEntries = driverMaxEntries;
    s.checkpointDir = checkpointDir;
    s.resume = resume;
    return s;
  }

  /** {@code auto} (driver when X is small), {@code driver} (collect X, run the single-JVM solver) or {@code distributed}. */
  public EngineSettings execution(String execution) {
    String v = execution == null ? "" : execution.trim().toLowerCase(Locale.ROOT);
    if (!EXECUTIONS.contains(v)) {
      throw new IllegalArgumentException("execution must be one of " + EXECUTIONS + ", got '" + execution + "'");
    }
    this.execution = v;
    return this;
  }

  /** Partitions of the blocked X; 0 keeps the input's partitioning. */
  public EngineSettings partitions(int partitions) {
    if (partitions < 0) {
      throw new IllegalArgumentException("partitions must be >= 0 (0 keeps the input's), got " + partitions);
    }
    this.partitions = partitions;
    return this;
  }

  /** A Spark storage level name for the cached blocks of X and W, e.g. MEMORY_AND_DISK, MEMORY_ONLY_SER. */
  public EngineSettings storageLevel(String level) {
    try {
      StorageLevel.fromString(level == null ? "" : level.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("storage_level must be a Spark storage level name such as "
          + "MEMORY_AND_DISK, got '" + level + "'");
    }
    this.storageLevel = level.trim().toUpperCase(Locale.ROOT);
    return this;
  }

  /** Depth of the tree in which partial statistics are summed ({@code treeAggregate}'s depth). */
  public EngineSettings aggregationDepth(int depth) {
    if (depth < 1) {
      throw new IllegalArgumentException("aggregation_depth must be >= 1, got " + depth);
    }
    this.aggregationDepth = depth;
    return this;
  }

  /**
   * Every this many epochs (iterations for full batch) the factors' lineage is cut by a checkpoint
   * and, with a {@link #checkpointDir}, the fit's state is saved there; must be >= 1.
   */
  public EngineSettings checkpointInterval(int interval) {
    if (interval < 1) {
      throw new IllegalArgumentException("checkpoint_interval must be >= 1, got " + interval);
    }
    this.checkpointInterval = interval;
    return this;
  }

  /** With execution {@code auto}: the largest X (stored entries) that is collected and fitted on the driver. */
  public EngineSettings driverMaxEntries(long entries) {
    if (entries < 0) {
      throw new IllegalArgumentException("driver_max_entries must be >= 0, got " + entries);
    }
    this.driverMaxEntries = entries;
    return this;
  }

  /**
   * A Hadoop path (shared by the driver and all executors) where a fit saves its whole state every
   * {@link #checkpointInterval} epochs (iterations) and when it ends, so that it can be continued
   * after the driver is lost ({@link #resume}); its {@code rdd/} subfolder becomes the
   * SparkContext's checkpoint directory, so the factors' lineage is cut by reliable checkpoints.
   * Unset: no saved state, and the context's own checkpoint directory, or else local checkpoints,
   * which do not survive the loss of an executor. One fit at a time per folder.
   */
  public EngineSettings checkpointDir(String dir) {
    if (dir != null && dir.isBlank()) {
      throw new IllegalArgumentException("checkpoint_dir must be a path, got an empty string");
    }
    this.checkpointDir = dir;
    return this;
  }

  public String checkpointDir() {
    return checkpointDir;
  }

  /**
   * Continue the fit saved in {@link #checkpointDir} (a new fit when it holds none); the saved fit
   * must be of the same data and parameters. Without it a folder holding an unfinished fit is
   * refused, and a finished one is replaced.
   */
  public EngineSettings resume(boolean resume) {
    this.resume = resume;
    return this;
  }

  public boolean resume() {
    return resume;
  }

  public String execution() {
    return execution;
  }

  public int partitions() {
    return partitions;
  }

  public String storageLevelName() {
    return storageLevel;
  }

  public StorageLevel storageLevel() {
    return StorageLevel.fromString(storageLevel);
  }

  public int aggregationDepth() {
    return aggregationDepth;
  }

  public int checkpointInterval() {
    return checkpointInterval;
  }

  public long driverMaxEntries() {
    return driverMaxEntries;
  }

  /** Whether X with {@code storedEntries} runs on the driver. */
  public boolean runsOnDriver(long storedEntries) {
    return "driver".equals(execution) || ("auto".equals(execution) && storedEntries <= driverMaxEntries);
  }
}
