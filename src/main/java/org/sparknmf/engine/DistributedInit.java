package org.sparknmf.engine;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.Optional;
import org.apache.spark.storage.StorageLevel;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.solver.Initialization;
import org.sparknmf.solver.Initialization.NndsvdComponent;
import org.sparknmf.util.NumpyRandomState;
import scala.Tuple2;

/**
 * Starting factors for a distributed fit, as {@link Initialization} makes them on one JVM, without
 * bringing O(n_samples) data to the driver: Hᵀ ({@code n_features × k}) is made on the driver, W
 * as one dense block per block of X, on the executors.
 *
 * <p>W cannot be drawn from scikit-learn's single stream without visiting the rows in order, so a
 * row's random draws (init='random', and the zeros that init='nndsvdar' fills) come from
 * {@code RandomState(rowSeed(seed, rowId))}: the same for any partitioning, but not scikit-learn's
 * numbers. Hᵀ is drawn on the driver exactly as scikit-learn draws H for init='random'.
 *
 * <p>NNDSVD takes its SVD from scikit-learn's randomized SVD run over the cluster
 * ({@link DistributedSvd}).
 */
public final class DistributedInit {

  /**
   * Hᵀ ({@code n_features × k}) on the driver, W as one DenseMatrix ({@code rows × k}) per block,
   * aligned with {@code x.blocks()}: same partitions, same row order.
   */
  public record Start(DenseMatrix ht, JavaRDD<DenseMatrix> w) {}

  private DistributedInit() {}

  /**
   * @param init random, nndsvd, nndsvda or nndsvdar (the caller resolves scikit-learn's default)
   * @param seed NumPy-compatible seed, or null for one drawn from entropy (once, for every row)
   * @param level where an NNDSVD start keeps W, or null when the fit will not read W
   * @return the start. An NNDSVD start's W is computed (one job, while the SVD's factors are still
   *     cached) and persisted at {@code level}, or with a null level neither; a random start's is
   *     neither. The fit that takes W unpersists it.
   */
  public static Start initialize(BlockedRows x, int k, String init, Long seed, StorageLevel level) {
    Initialization.checkInit(init, k, x.rows(), x.cols());
    long s = NumpyRandomState.seedOrEntropy(seed);
    return "random".equals(init) ? random(x, k, s) : nndsvd(x, k, init, s, level);
  }

  private static Start random(BlockedRows x, int k, long seed) {
    double avg = Initialization.randomScale(x.mean(), k);
    DenseMatrix ht = Initialization.randomHt(x.cols(), k, avg, new NumpyRandomState(seed));
    JavaRDD<DenseMatrix> w = x.blocks().map(b -> {
      DenseMatrix wb = new DenseMatrix(b.rows(), k);
      for (int i = 0; i < b.rows(); i++) {
        NumpyRandomState rng = rowRandom(seed, b.rowId(i));
        for (int t = 0; t < k; t++) {
          wb.set(i, t, Initialization.randomEntry(avg, rng));
        }
      }
      return wb;
    });
    return new Start(ht, w);
  }

  private static Start nndsvd(BlockedRows x, int k, String init, long seed, StorageLevel level) {
    // Every one of the k components is kept, as scikit-learn keeps them: a singular value far below
    // the largest is no rounding error here, since the range's Q is orthonormal to working precision.
    try (DistributedSvd svd = DistributedSvd.of(x, k, seed)) {
      Start start = fromSvd(x, k, init, seed, svd);
      if (level == null) {
        return start;
      }
      JavaRDD<DenseMatrix> w = start.w().persist(level);
      try {
        w.count();
      } catch (Throwable e) { // a failed job comes as Spark's checked SparkException too
        w.unpersist(false);
        throw e;
      }
      return start;
    }
  }

  private static Start fromSvd(BlockedRows x, int k, String init, long seed, DistributedSvd svd) {
    int n = x.cols();
    double[] s = svd.s();
    DenseMatrix v = svd.v();
    double[] vSquares = partSquares(v);
    double[] uSquares = OrderedAggregation.reduce(svd.withU((b, u) -> partSquares(u)), DistributedInit::add, 2);

    NndsvdComponent[] comps = new NndsvdComponent[k];
    for (int t = 0; t < k; t++) {
      comps[t] = NndsvdComponent.of(t, s[t], Math.sqrt(uSquares[t]), Math.sqrt(uSquares[k + t]),
          Math.sqrt(vSquares[t]), Math.sqrt(vSquares[k + t]));
    }
    DenseMatrix ht = new DenseMatrix(n, k);
    for (int t = 0; t < k; t++) {
      for (int j = 0; j < n; j++) {
        ht.set(j, t, comps[t].h(v.get(j, t)));
      }
    }
    double mean = x.mean();
    if ("nndsvda".equals(init)) {
      Initialization.fillZerosOfH(ht, () -> mean);
    } else if ("nndsvdar".equals(init)) {
      NumpyRandomState rng = new NumpyRandomState(seed);
      Initialization.fillZerosOfH(ht, () -> Initialization.nndsvdarFill(mean, rng));
    }

    JavaRDD<DenseMatrix> w = svd.withU((b, u) -> {
      DenseMatrix wb = new DenseMatrix(b.rows(), k);
      for (int i = 0; i < b.rows(); i++) {
        for (int t = 0; t < k; t++) {
          wb.set(i, t, comps[t].w(u.get(i, t)));
        }
      }
      if ("nndsvda".equals(init)) {
        Initialization.fillZeros(wb, () -> mean);
      } else if ("nndsvdar".equals(init)) {
        for (int i = 0; i < b.rows(); i++) {
          NumpyRandomState rng = rowRandom(seed, b.rowId(i));
          Initialization.fillZeros(wb.rowRange(i, i + 1), () -> Initialization.nndsvdarFill(mean, rng));
        }
      }
      return wb;
    });
    return new Start(ht, w);
  }

  /**
   * init='custom' with W given by row id (e.g. a column of the input): W's rows are moved to the
   * blocks of X by one shuffle and checked in an eager job, so that a missing row, a row of the
   * wrong length or a bad value is reported here, naming the row id. Rows of W for ids X does not
   * have are ignored.
   *
   * @param ht Hᵀ ({@code n_features × k}); k is its number of columns
   */
  public static Start custom(BlockedRows x, JavaPairRDD<Long, double[]> w, DenseMatrix ht) {
    // Checked as H (k × n), so that messages give scikit-learn's shape and positions.
    Initialization.checkCustom(ht == null ? null : ht.transpose(), ht == null ? 0 : ht.cols(), x.cols(), "H");
    int k = ht.cols();
    int parts = x.blocks().getNumPartitions();
    // Where each row of X sits: partition in the high 32 bits, position in its block in the low.
    JavaPairRDD<Long, Long> slots = JavaPairRDD.fromJavaRDD(x.blocks().mapPartitionsWithIndex((p, it) -> {
      List<Tuple2<Long, Long>> out = new ArrayList<>();
      it.forEachRemaining(b -> {
        for (int i = 0; i < b.rows(); i++) {
          out.add(new Tuple2<>(b.rowId(i), ((long) p << 32) | i));
        }
      });
      return out.iterator();
    }, true));
    JavaPairRDD<Long, double[]> given = w.mapValues(r -> r == null ? new double[0] : r);
    JavaPairRDD<Long, Tuple2<Long, Optional<double[]>>> placed = slots.leftOuterJoin(given, parts)
        .mapToPair(r -> new Tuple2<>(r._2()._1(), new Tuple2<>(r._1(), r._2()._2())))
        .partitionBy(new SlotPartitioner(parts));
    JavaRDD<DenseMatrix> aligned = x.blocks().zipPartitions(placed, (blocks, ws) -> {
      if (!blocks.hasNext()) {
        return List.<DenseMatrix>of().iterator();
      }
      return List.of(customBlock(blocks.next(), ws, k)).iterator();
    });
    double max = SparkErrors.rethrowingBadInput(() -> aligned.map(DistributedInit::maxEntry).reduce(Math::max));
    Initialization.requireSomePositive(max, "W");
    return new Start(ht, aligned);
  }

  /** W's rows for one block of X, each checked; {@code ws} holds (slot, (row id, W row)) for this block's rows. */
  private static DenseMatrix customBlock(RowBlock b,
      Iterator<Tuple2<Long, Tuple2<Long, Optional<double[]>>>> ws, int k) {
    DenseMatrix wb = new DenseMatrix(b.rows(), k);
    boolean[] seen = new boolean[b.rows()];
    while (ws.hasNext()) {
      Tuple2<Long, Tuple2<Long, Optional<double[]>>> r = ws.next();
      int i = (int) (long) r._1();
      long id = r._2()._1();
      if (!r._2()._2().isPresent()) {
        throw new IllegalArgumentException("W has no row for row id " + id + " of X");
      }
      double[] row = r._2()._2().get();
      if (row.length != k) {
        throw new IllegalArgumentException("W row " + id + " has " + row.length
            + " values, expected n_components = " + k);
      }
      if (seen[i]) {
        throw new IllegalArgumentException("W has more than one row for row id " + id);
      }
      seen[i] = true;
      for (int t = 0; t < k; t++) {
        wb.set(i, t, BlockedRows.checked("W", id, t, row[t]));
      }
    }
    return wb;
  }

  /** Assigns a slot (partition &lt;&lt; 32 | position) to its partition. */
  private static final class SlotPartitioner extends Partitioner {
    private final int parts;

    SlotPartitioner(int parts) {
      this.parts = parts;
    }

    @Override
    public int numPartitions() {
      return parts;
    }

    @Override
    public int getPartition(Object slot) {
      return (int) ((Long) slot >>> 32);
    }
  }

  /**
   * The NumPy seed of row {@code rowId}'s draws: output number rowId + 1 of SplitMix64 seeded with
   * {@code seed}, top 32 bits. Depends on the row alone, not on where it is.
   */
  static long rowSeed(long seed, long rowId) {
    long z = seed + (rowId + 1) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return (z ^ (z >>> 31)) >>> 32;
  }

  private static NumpyRandomState rowRandom(long seed, long rowId) {
    return new NumpyRandomState(rowSeed(seed, rowId));
  }

  /** Squared norms of the positive parts of u's columns, then of the negative parts. */
  private static double[] partSquares(DenseMatrix u) {
    int c = u.cols();
    double[] sq = new double[2 * c];
    for (int i = 0; i < u.rows(); i++) {
      for (int t = 0; t < c; t++) {
        double e = u.get(i, t);
        sq[e > 0 ? t : c + t] += e * e;
      }
    }
    return sq;
  }

  private static double[] add(double[] a, double[] b) {
    for (int i = 0; i < a.length; i++) {
      a[i] += b[i];
    }
    return a;
  }

  private static double maxEntry(DenseMatrix m) {
    double max = 0.0;
    for (int i = 0; i < m.rows(); i++) {
      for (int j = 0; j < m.cols(); j++) {
        max = Math.max(max, m.get(i, j));
      }
    }
    return max;
  }
}
