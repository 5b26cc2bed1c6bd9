package org.sparknmf.engine;

import java.io.Serializable;
import java.util.Iterator;
import org.apache.spark.Partition;
import org.apache.spark.TaskContext;
import org.apache.spark.rdd.RDD;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * The blocks made by a function of each partition of {@code parent} read twice in one task, given
 * the partition's own index. Not {@code zipPartitions} of the parent with itself and the task's
 * partition id: a block recomputed inside another RDD's stage (a union of W's slices, say, after
 * its cached copy was lost) runs as a task of that stage, whose partition id is not the block's.
 */
final class TwoReadRdd<T> extends RDD<RowBlock> {

  private static final long serialVersionUID = 1L;
  private static final ClassTag<RowBlock> BLOCKS = ClassTag$.MODULE$.apply(RowBlock.class);

  /** Makes partition {@code index}'s blocks from two reads of its rows. */
  @FunctionalInterface
  interface Blocks<T> extends Serializable {
    Iterator<RowBlock> of(int index, Iterator<T> first, Iterator<T> second);
  }

  private final Blocks<T> blocks;

  TwoReadRdd(RDD<T> parent, Blocks<T> blocks) {
    super(parent, BLOCKS);
    this.blocks = blocks;
  }

  /** The parent through the dependency (no field of its own, which a checkpoint could not clear). */
  @SuppressWarnings("unchecked")
  private RDD<T> parent() {
    return (RDD<T>) firstParent(ClassTag$.MODULE$.AnyRef());
  }

  @Override
  public scala.collection.Iterator<RowBlock> compute(Partition split, TaskContext context) {
    // Each read is the parent's partition anew: from the cache when it is cached, else computed.
    Iterator<T> first = CollectionConverters.asJava(parent().iterator(split, context));
    Iterator<T> second = CollectionConverters.asJava(parent().iterator(split, context));
    return CollectionConverters.asScala(blocks.of(split.index(), first, second));
  }

  @Override
  public Partition[] getPartitions() {
    return parent().partitions();
  }

  @Override
  public Seq<String> getPreferredLocations(Partition split) {
    return parent().preferredLocations(split);
  }
}
