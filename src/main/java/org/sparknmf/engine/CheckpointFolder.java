package org.sparknmf.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * What an application needs of a fit's checkpoint folder ({@link EngineSettings#checkpointDir})
 * outside a fit: the random state of the fit saved there (to resume it without being told the
 * seed again) and removing the folder's checkpoints once the results are safe.
 */
public final class CheckpointFolder {

  private CheckpointFolder() {}

  /** The {@code random_state} of the newest fit saved in {@code dir}; empty when none is saved (or it had none). */
  public static OptionalLong savedRandomState(Configuration conf, String dir) {
    try {
      Map<String, String> signature = CheckpointStore.open(conf, dir).latestSignature();
      String seed = signature == null ? null : signature.get("random_state");
      if (seed == null || "None".equals(seed)) {
        return OptionalLong.empty();
      }
      return OptionalLong.of(Long.parseLong(seed));
    } catch (IOException e) {
      throw new UncheckedIOException("checkpointDir " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Deletes the fit checkpoints in {@code dir} and the lineage checkpoints Spark wrote under its
   * {@code rdd/} subfolder; other files, and the folder itself, are left alone.
   */
  public static void clear(Configuration conf, String dir) {
    try {
      CheckpointStore store = CheckpointStore.open(conf, dir);
      store.removeAll();
      Path rdd = new Path(NmfEngine.rddCheckpointDir(store.dir().toString()));
      FileSystem fs = rdd.getFileSystem(conf);
      if (fs.exists(rdd)) {
        fs.delete(rdd, true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("checkpointDir " + dir + ": " + e.getMessage(), e);
    }
  }
}
