package org.sparknmf.engine;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function2;
import scala.Tuple2;

/**
 * {@code treeReduce} with a fixed order of summation. Spark's {@code treeAggregate} merges partial
 * results in the order tasks finish, so floating-point sums, and hence the fit, would change from
 * run to run; here partial results are merged by partition index at every level, so a fit is a
 * function of its data, partitioning and parameters alone, whatever tasks are retried or slow.
 */
final class OrderedAggregation {

  private OrderedAggregation() {}

  /**
   * Merges the elements of {@code rdd} (at most one per partition is typical) in partition order,
   * through a tree of the given depth: with P partitions each level groups about P^(1/depth) of them.
   *
   * @throws IllegalStateException when the RDD has no element
   */
  static <T> T reduce(JavaRDD<T> rdd, Function2<T, T, T> merge, int depth) {
    int parts = rdd.getNumPartitions();
    int fan = fan(parts, depth);
    JavaPairRDD<Integer, T> level = rdd.mapPartitionsWithIndex((p, it) -> {
      List<Tuple2<Integer, T>> out = new ArrayList<>(1);
      T acc = mergeAll(it, merge);
      if (acc != null) {
        out.add(new Tuple2<>(p, acc));
      }
      return out.iterator();
    }, true).mapToPair(t -> t);
    for (int d = 1; d < depth && anotherLevel(parts, fan); d++) {
      int groups = (parts + fan - 1) / fan;
      int width = fan;
      level = level.mapToPair(t -> new Tuple2<>(t._1() / width, t))
          .groupByKey(groups)
          .mapToPair(g -> new Tuple2<>(g._1(), mergeInOrder(g._2(), merge)));
      parts = groups;
    }
    return nonEmpty(mergeInOrder(level.collect(), merge));
  }

  /**
   * The same sum as {@link #reduce} of the given per-partition values (null where a partition has
   * none), with the same tree and order, computed in one JVM: the driver of a barrier stage, which
   * receives the tasks' partial results over sockets, gets the bits of the one-job-per-step sum.
   *
   * @throws IllegalStateException when every value is null
   */
  static <T> T reduceLocally(List<T> byPartition, Function2<T, T, T> merge, int depth) {
    int parts = byPartition.size();
    int fan = fan(parts, depth);
    List<Tuple2<Integer, T>> level = new ArrayList<>();
    for (int p = 0; p < parts; p++) {
      if (byPartition.get(p) != null) {
        level.add(new Tuple2<>(p, byPartition.get(p)));
      }
    }
    for (int d = 1; d < depth && anotherLevel(parts, fan); d++) {
      TreeMap<Integer, List<Tuple2<Integer, T>>> groups = new TreeMap<>();
      for (Tuple2<Integer, T> t : level) {
        groups.computeIfAbsent(t._1() / fan, g -> new ArrayList<>()).add(t);
      }
      level = new ArrayList<>();
      for (Map.Entry<Integer, List<Tuple2<Integer, T>>> g : groups.entrySet()) {
        level.add(new Tuple2<>(g.getKey(), mergeInOrder(g.getValue(), merge)));
      }
      parts = (parts + fan - 1) / fan;
    }
    return nonEmpty(mergeInOrder(level, merge));
  }

  /** Another level only when it sends fewer results to the driver (Spark's treeAggregate rule). */
  private static boolean anotherLevel(int parts, int fan) {
    return parts > fan + (parts + fan - 1) / fan;
  }

  /** Partial results merged per group at each level above the first. */
  private static int fan(int parts, int depth) {
    return Math.max(2, (int) Math.ceil(Math.pow(parts, 1.0 / Math.max(1, depth))));
  }

  private static <T> T nonEmpty(T acc) {
    if (acc == null) {
      throw new IllegalStateException("nothing to aggregate: every partition is empty");
    }
    return acc;
  }

  private static <T> T mergeInOrder(Iterable<Tuple2<Integer, T>> parts, Function2<T, T, T> merge) {
    List<Tuple2<Integer, T>> list = new ArrayList<>();
    parts.forEach(list::add);
    list.sort((a, b) -> Integer.compare(a._1(), b._1()));
    T acc = null;
    for (Tuple2<Integer, T> t : list) {
      acc = acc == null ? t._2() : call(merge, acc, t._2());
    }
    return acc;
  }

  private static <T> T mergeAll(Iterator<T> it, Function2<T, T, T> merge) {
    T acc = null;
    while (it.hasNext()) {
      T next = it.next();
      acc = acc == null ? next : call(merge, acc, next);
    }
    return acc;
  }

  private static <T> T call(Function2<T, T, T> merge, T a, T b) {
    try {
      return merge.call(a, b);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
