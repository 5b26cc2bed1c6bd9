package org.sparknmf.testing;

import java.util.HashSet;
import java.util.Set;
import org.apache.spark.SparkEnv;
import org.apache.spark.storage.BlockId;
import org.apache.spark.storage.BroadcastBlockId;
import org.sparknmf.linalg.DenseMatrix;

/** What the shared session holds right now, read from Spark's own bookkeeping. */
public final class SparkProbes {

  private SparkProbes() {}

  /** RDDs marked persistent in the SparkContext. */
  public static int persistedRdds() {
    return LocalSpark.jsc().sc().getPersistentRDDs().size();
  }

  /** Broadcasts of factors alive in the block manager (Spark's own task binaries are byte arrays). */
  public static int liveBroadcasts() {
    Set<Long> ids = new HashSet<>();
    var bm = SparkEnv.get().blockManager();
    scala.collection.immutable.Seq<BlockId> blocks = bm.getMatchingBlockIds(
        b -> b instanceof BroadcastBlockId bb && bb.field().isEmpty());
    for (BlockId b : scala.jdk.javaapi.CollectionConverters.asJava(blocks)) {
      var values = bm.getLocalValues(b);
      if (values.isDefined() && values.get().data().hasNext()
          && values.get().data().next() instanceof DenseMatrix) {
        ids.add(((BroadcastBlockId) b).broadcastId());
      }
      if (values.isDefined()) {
        bm.releaseLock(b, scala.Option.empty());
      }
    }
    return ids.size();
  }
}
