package org.sparknmf.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparknmf.linalg.ChunkedQr;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.linalg.Qr;
import org.sparknmf.linalg.RandomizedSvd;
import org.sparknmf.linalg.RowStack;
import org.sparknmf.linalg.Svd;
import org.sparknmf.util.NumpyRandomState;
import scala.Tuple2;

/**
 * scikit-learn's {@code randomized_svd} (the SVD of its NNDSVD start) of an X whose rows are spread
 * over the cluster, in {@code 4 + 2} or {@code 7 + 2} passes over X and with nothing of
 * {@code n_samples} size on the driver.
 *
 * <ul>
 *   <li>Power iterations: one pass each, {@code XᵀX·q} ({@code n_features × (k + 10)}), then the
 *       same LU normalisation as scikit-learn's on the driver; all of them in one barrier stage
 *       where one can run ({@link BarrierPowerIterations}), else a job each. scikit-learn also normalises the
 *       samples' side {@code X·q} by an LU factorisation; that only rescales within the span, so
 *       one Gram product stands for its two products.
 *   <li>The range {@code Y = X·q}: its QR by TSQR (each block's R in one pass, the QR of their
 *       stack on the driver), so that Q is orthonormal to working precision, as scikit-learn's
 *       {@code qr(X·q)}. Each block's chunked factors stay cached for the later passes; its Q is
 *       made from them chunk by chunk where needed, never whole.
 *   <li>{@code B = QᵀX} in a second pass, and its exact SVD on the driver.
 * </ul>
 * In exact arithmetic this is scikit-learn's result for a tall X (it transposes a wide one first,
 * which is not done here). Sums run in partition order, so a start is the same on every run.
 */
final class DistributedSvd implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DistributedSvd.class);

  /** Rows of a block taken at a time: bounds the {@code rows × (k + 10)} temporaries. */
  private static final int CHUNK_ROWS = 4096;

  private final BlockedRows x;
  private final double[] s;
  private final DenseMatrix v;
  private final Broadcast<DenseMatrix> q;
  /**
   * Each block's chunked QR of its range {@code X_b·q}, cached (where {@link #cachesFactors} allows)
   * from the pass that takes R to the last use of U, so that no later pass computes {@code X_b·q}
   * and its QR again; null when not cached.
   */
  private final JavaRDD<ChunkedQr> factors;
  /** Per partition: its piece of the stacked Q times the SVD's Ũ; a block's U is its Q times it. */
  private final Broadcast<DenseMatrix[]> uMaps;

  private DistributedSvd(BlockedRows x, double[] s, DenseMatrix v, Broadcast<DenseMatrix> q,
      JavaRDD<ChunkedQr> factors, Broadcast<DenseMatrix[]> uMaps) {
    this.x = x;
    this.s = s;
    this.v = v;
    this.q = q;
    this.factors = factors;
    this.uMaps = uMaps;
  }

  /** The leading k singular values, descending. */
  double[] s() {
    return s;
  }

  /** The leading k right singular vectors ({@code n_features × k}). */
  DenseMatrix v() {
    return v;
  }

  /**
   * {@code f(block, U's rows of the block)} for every block ({@code rows × k}), aligned with
   * {@code x.blocks()}; not persisted.
   */
  <R> JavaRDD<R> withU(Function2<RowBlock, DenseMatrix, R> f) {
    Broadcast<DenseMatrix[]> maps = uMaps;
    return perBlock(x, factors, q, (b, qr) -> {
      DenseMatrix map = maps.value()[b.partition()];
      DenseMatrix u = new DenseMatrix(b.rows(), map.cols());
      qr.forEachChunk(map,
          (from, rows) -> System.arraycopy(rows.data(), 0, u.data(), from * map.cols(), rows.rows() * map.cols()));
      return f.call(b, u);
    });
  }

  /**
   * Drops the blocks' cached factors; U can still be made from X again. The broadcasts stay as long
   * as RDDs made from U may be recomputed, until Spark's cleaner drops them with those RDDs.
   */
  @Override
  public void close() {
    if (factors != null) {
      factors.unpersist(false);
    }
  }

  /**
   * The leading {@code k} triplets, from scikit-learn's Gaussian test matrix drawn with
   * {@code RandomState(seed)}. The caller closes it after its last use of {@link #withU}.
   */
  static DistributedSvd of(BlockedRows x, int k, long seed) {
    int n = x.cols();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(x.blocks().context());
    DenseMatrix q = powerIterations(jsc, x, RandomizedSvd.testMatrix(n, k, new NumpyRandomState(seed)),
        RandomizedSvd.powerIterations(k, x.rows(), n));

    Broadcast<DenseMatrix> bq = jsc.broadcast(q);
    // Deserialized in memory only: a partition that does not fit is factorised again where used.
    JavaRDD<ChunkedQr> factors = !cachesFactors(x.rows(), x.storedEntries(), q.cols(), k) ? null
        : x.blocks().map(b -> new ChunkedQr(b.x(), bq.value(), CHUNK_ROWS)).persist(StorageLevel.MEMORY_ONLY());
    try {
      DenseMatrix[] rs = new DenseMatrix[x.blocks().getNumPartitions()];
      perBlock(x, factors, bq, (b, qr) -> new Tuple2<>(b.partition(), qr.r())).collect()
          .forEach(t -> rs[t._1()] = t._2());
      List<DenseMatrix> present = new ArrayList<>();
      for (DenseMatrix r : rs) {
        if (r != null) {
          present.add(r);
        }
      }
      Qr stack = Qr.of(RowStack.of(present, q.cols()).toDense());
      int p = stack.q().cols();
      DenseMatrix[] pieces = new DenseMatrix[rs.length];
      for (int part = 0, at = 0; part < rs.length; part++) {
        if (rs[part] != null) {
          pieces[part] = stack.q().rowRange(at, at + rs[part].rows()).copy();
          at += rs[part].rows();
        }
      }

      // Bᵀ = Xᵀ·Q (n × p); the SVD Bᵀ = V·s·Ũᵀ is B's with the sides swapped.
      Broadcast<DenseMatrix[]> bpieces = jsc.broadcast(pieces);
      double[] bt = OrderedAggregation.reduce(perBlock(x, factors, bq, (b, qr) -> {
        DenseMatrix out = new DenseMatrix(n, p);
        qr.forEachChunk(bpieces.value()[b.partition()],
            (from, qRows) -> b.x().rowRange(from, from + qRows.rows()).transposeTimesAdd(qRows, out));
        return out.data();
      }), DistributedSvd::add, 2);
      bpieces.destroy();
      Svd.Result small = Svd.exact(new DenseMatrix(n, p, bt), Math.min(n, p));

      DenseMatrix uTilde = small.vt().transpose().leadingColumns(k);
      DenseMatrix[] maps = new DenseMatrix[rs.length];
      for (int part = 0; part < rs.length; part++) {
        if (pieces[part] != null) {
          maps[part] = new DenseMatrix(pieces[part].rows(), k);
          pieces[part].timesAdd(uTilde, maps[part]);
        }
      }
      return new DistributedSvd(x, Arrays.copyOf(small.s(), k), small.u().leadingColumns(k), bq, factors,
          jsc.broadcast(maps));
    } catch (Throwable e) { // a failed job comes as Spark's checked SparkException too
      if (factors != null) {
        factors.unpersist(false);
      }
      throw e;
    }
  }

  /**
   * {@code f(block, the QR of its range)} for every block: from the cached factors (zipped with the
   * cached blocks), or else factorising the block again.
   */
  private static <R> JavaRDD<R> perBlock(BlockedRows x, JavaRDD<ChunkedQr> factors, Broadcast<DenseMatrix> q,
      Function2<RowBlock, ChunkedQr, R> f) {
    return factors != null ? x.blocks().zip(factors).map(t -> f.call(t._1(), t._2()))
        : x.blocks().map(b -> f.call(b, new ChunkedQr(b.x(), q.value(), CHUNK_ROWS)));
  }

  /**
   * Whether the blocks' range factors ({@code rows × l} doubles, l = k + 10) are cached: only while
   * they weigh no more than X's stored values and W ({@code rows × k}) together, so that the start
   * holds no more than the fit after it does. X of fewer than {@code l − k} stored entries a row
   * (on average) has its blocks factorised again in each pass instead. Cached in memory, the
   * factors may still push X's blocks to disk (or out) when storage memory is short.
   */
  static boolean cachesFactors(long rows, long storedEntries, int l, int k) {
    return rows * (l - k) <= storedEntries;
  }

  /**
   * q after {@code times} power iterations from {@code q0} (q ← L of the LU of XᵀX·q, as
   * scikit-learn normalises): in one barrier stage where one can run, else a job each, which is
   * also the way when the stage fails (the same bits either way).
   */
  private static DenseMatrix powerIterations(JavaSparkContext jsc, BlockedRows x, DenseMatrix q0, int times) {
    if (times > 1 && BarrierPowerIterations.usable(jsc, x)) {
      try {
        return BarrierPowerIterations.run(jsc, x, q0, times);
      } catch (IllegalStateException e) {
        if (Thread.currentThread().isInterrupted()) {
          throw e;
        }
        LOG.warn("{}; running them one job each", e.getMessage());
      }
    }
    DenseMatrix q = q0;
    for (int i = 0; i < times; i++) {
      q = RandomizedSvd.permutedLower(gramTimes(jsc, x, q));
    }
    return q;
  }

  /** The depth of the tree the Gram products' partial sums are added up in. */
  static final int DEPTH = 2;

  /**
   * {@code XᵀX·q} ({@code n_features × l}): one pass over the blocks, summed in partition order so
   * that the same X always gives the same bits.
   */
  private static DenseMatrix gramTimes(JavaSparkContext jsc, BlockedRows x, DenseMatrix q) {
    Broadcast<DenseMatrix> bq = jsc.broadcast(q);
    try {
      double[] sum = OrderedAggregation.reduce(x.blocks().map(b -> gramOf(b, bq.value())), DistributedSvd::add, DEPTH);
      return new DenseMatrix(q.rows(), q.cols(), sum);
    } finally {
      bq.destroy();
    }
  }

  /**
   * One block's {@code X_bᵀX_b·q}, a few thousand rows at a time so that {@code X_b·q} stays small;
   * a new array.
   */
  static double[] gramOf(RowBlock b, DenseMatrix q) {
    int l = q.cols();
    DenseMatrix out = new DenseMatrix(q.rows(), l);
    for (int from = 0; from < b.rows(); from += CHUNK_ROWS) {
      DataMatrix rows = b.x().rowRange(from, Math.min(b.rows(), from + CHUNK_ROWS));
      DenseMatrix y = new DenseMatrix(rows.rows(), l);
      rows.timesAdd(q, y);
      rows.transposeTimesAdd(y, out);
    }
    return out.data();
  }

  /** {@code a += b}; returns a. */
  static double[] add(double[] a, double[] b) {
    for (int i = 0; i < a.length; i++) {
      a[i] += b[i];
    }
    return a;
  }
}
