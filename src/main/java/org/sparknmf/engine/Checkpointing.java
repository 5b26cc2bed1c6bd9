package org.sparknmf.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
import org.apache.spark.api.java.JavaRDD;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.solver.NmfOptions;

/**
 * A fit's checkpoints, as {@link EngineSettings#checkpointDir} and {@link EngineSettings#resume}
 * ask: what the fit starts from ({@link #start}), when it saves ({@link #due}) and the saving
 * itself, tagged with the fit's signature (its data and parameters) so that a checkpoint is only
 * ever continued by the same fit. {@link #OFF} when there is no folder.
 *
 * <p>At the start: with {@code resume} the newest checkpoint is continued when its signature is
 * this fit's (else an IllegalArgumentException names every difference), and a folder without one
 * starts a new fit (logged); without {@code resume} a folder holding an unfinished fit is refused,
 * and a finished fit's checkpoint is replaced.
 */
final class Checkpointing {

  private static final Logger LOG = LoggerFactory.getLogger(Checkpointing.class);

  static final Checkpointing OFF = new Checkpointing(null, 1, false, Map.of(), null);

  private final CheckpointStore store;
  private final int interval;
  private final boolean resume;
  private final Map<String, String> signature;
  private final IntConsumer afterSave;

  private Checkpointing(CheckpointStore store, int interval, boolean resume, Map<String, String> signature,
      IntConsumer afterSave) {
    this.store = store;
    this.interval = interval;
    this.resume = resume;
    this.signature = signature;
    this.afterSave = afterSave;
  }

  /**
   * The checkpoints of one fit, or {@link #OFF} without a folder.
   *
   * @param signature made only with a folder: X's content hash costs a pass over X
   * @param afterSave told the progress of every checkpoint once it is complete (tests), or null
   */
  static Checkpointing of(org.apache.hadoop.conf.Configuration hadoop, EngineSettings settings,
      java.util.function.Supplier<Map<String, String>> signature, IntConsumer afterSave) {
    if (settings.checkpointDir() == null) {
      if (settings.resume()) {
        throw new IllegalArgumentException("resume needs a checkpointDir to resume from");
      }
      return OFF;
    }
    return new Checkpointing(CheckpointStore.open(hadoop, settings.checkpointDir()), settings.checkpointInterval(),
        settings.resume(), new LinkedHashMap<>(signature.get()), afterSave);
  }

  boolean on() {
    return store != null;
  }

  /** Whether to save after {@code progress} epochs (iterations). */
  boolean due(int progress) {
    return store != null && progress % interval == 0;
  }

  /** The checkpoint this fit continues from, or null for a new fit (see the class comment). */
  FitCheckpoint start(String algorithm) {
    if (store == null) {
      return null;
    }
    try {
      int stale = store.removeIncomplete();
      if (stale > 0) {
        LOG.info("Removed {} incomplete checkpoint(s) from {}", stale, store.location());
      }
      List<String> problems = new ArrayList<>();
      FitCheckpoint latest = store.latest(problems);
      for (String p : problems) {
        LOG.warn("A checkpoint in {} is not usable, an older one is: {}", store.location(), p);
      }
      if (latest == null) {
        if (resume) {
          LOG.info("No checkpoint in {}: starting a new fit", store.location());
        }
        return null;
      }
      String where = "checkpointDir " + store.location() + " holds ";
      if (!resume) {
        if (!latest.finished) {
          throw new IllegalArgumentException(where + "the checkpoint of an unfinished fit (" + latest.describe()
              + "): resume it (the job's --resume, the stage's resume param), or delete the folder to start afresh");
        }
        LOG.info("{}a finished fit ({}): this new fit replaces it", where, latest.progressName());
        store.removeAll();
        return null;
      }
      List<String> differences = differences(latest.signature, signature);
      if (!latest.algorithm.equals(algorithm) && differences.isEmpty()) {
        differences.add("the estimator: " + algorithm + " here, " + latest.algorithm + " in the checkpoint");
      }
      if (!differences.isEmpty()) {
        throw new IllegalArgumentException(where + "another fit (" + latest.describe() + "), it cannot be resumed: "
            + String.join("; ", differences) + ". Resume with the data and parameters it was made with, "
            + "or delete the folder to start afresh");
      }
      if (latest.finished) {
        LOG.info("The fit saved in {} had finished ({}): its result is taken as it is", store.location(),
            latest.progressName());
      } else {
        LOG.info("Resuming the fit saved in {} after {}", store.location(), latest.progressName());
      }
      return latest;
    } catch (IOException e) {
      throw new UncheckedIOException("checkpointDir " + store.location() + ": " + e.getMessage(), e);
    }
  }

  /** "name: X here, Y in the checkpoint" for every entry that differs (missing ones read "none"). */
  static List<String> differences(Map<String, String> saved, Map<String, String> now) {
    Set<String> names = new LinkedHashSet<>(now.keySet());
    names.addAll(saved.keySet());
    List<String> out = new ArrayList<>();
    for (String n : names) {
      String a = now.getOrDefault(n, "none");
      String b = saved.getOrDefault(n, "none");
      if (!a.equals(b)) {
        out.add(n + ": " + a + " here, " + b + " in the checkpoint");
      }
    }
    return out;
  }

  /** Saves {@code c} with W as blocks aligned with X's (executors write them), or none. */
  void save(FitCheckpoint c, JavaRDD<DenseMatrix> wBlocks) {
    save(c, wBlocks, null);
  }

  /** Saves {@code c} with all of W from the driver, or none. */
  void save(FitCheckpoint c, DenseMatrix w) {
    save(c, null, w);
  }

  private void save(FitCheckpoint c, JavaRDD<DenseMatrix> wBlocks, DenseMatrix w) {
    c.signature = signature;
    long t0 = System.nanoTime();
    try {
      store.save(c, wBlocks, w);
    } catch (IOException e) {
      throw new UncheckedIOException("checkpointDir " + store.location() + ": cannot save the fit ("
          + e.getMessage() + ")", e);
    }
    LOG.info("Checkpoint after {}{} saved in {} ({} s)", c.progressName(), c.finished ? " (the end of the fit)" : "",
        store.location(), String.format("%.2f", (System.nanoTime() - t0) / 1e9));
    if (afterSave != null) {
      afterSave.accept(c.progress);
    }
  }

  JavaRDD<DenseMatrix> readW(FitCheckpoint c, BlockedRows x) {
    return store.readW(c, x);
  }

  DenseMatrix readDriverW(FitCheckpoint c, int rows) {
    try {
      return store.readDriverW(c, rows);
    } catch (IOException e) {
      throw new UncheckedIOException("checkpoint " + c.location + ": " + e.getMessage(), e);
    }
  }

  /**
   * What identifies a fit: the data (shape, non-zeros, sum, content hash and, for a distributed fit,
   * the rows per partition), where it runs, and every parameter that changes its numbers, under
   * scikit-learn's names.
   */
  static Map<String, String> signature(boolean miniBatch, boolean onDriver, BlockedRows x, int k, String init,
      DenseMatrix customHt, NmfOptions o, EngineSettings s) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("estimator", miniBatch ? "MiniBatchNMF" : "NMF");
    m.put("X shape", "(" + x.rows() + ", " + x.cols() + ")");
    m.put("X non-zeros", Long.toString(x.nonZeros()));
    m.put("X sum", Double.toString(x.sum()));
    m.put("X content hash", String.format("%016x", x.contentHash()));
    m.put("execution", onDriver ? "driver" : "distributed");
    if (!onDriver) {
      m.put("X rows per partition", java.util.Arrays.toString(x.partitionRows()));
      m.put("aggregation_depth", Integer.toString(s.aggregationDepth()));
    }
    m.put("n_components", Integer.toString(k));
    m.put("init", customHt == null ? init : "custom (H hash " + String.format("%016x",
        java.util.Arrays.hashCode(customHt.copy().data())) + ")");
    if (!miniBatch) {
      m.put("solver", o.solver());
    }
    m.put("beta_loss", Double.toString(o.betaLoss().beta()));
    m.put("tol", Double.toString(o.tol()));
    m.put("max_iter", Integer.toString(o.maxIter()));
    m.put("random_state", o.randomState() == null ? "None" : Long.toString(o.randomState()));
    m.put("alpha_W", Double.toString(o.alphaW()));
    m.put("alpha_H", o.alphaH() == null ? "same" : Double.toString(o.alphaH()));
    m.put("l1_ratio", Double.toString(o.l1Ratio()));
    if (!miniBatch) {
      m.put("shuffle", Boolean.toString(o.shuffle()));
    } else {
      m.put("batch_size", Integer.toString(o.batchSize()));
      m.put("forget_factor", Double.toString(o.forgetFactor()));
      m.put("max_no_improvement", o.maxNoImprovement() == null ? "None" : o.maxNoImprovement().toString());
      m.put("fresh_restarts", Boolean.toString(o.freshRestarts()));
      m.put("fresh_restarts_max_iter", Integer.toString(o.freshRestartsMaxIter()));
      m.put("transform_max_iter", o.transformMaxIter() == null ? "None" : o.transformMaxIter().toString());
    }
    return m;
  }
}
