package org.sparknmf.engine;

import java.util.Collections;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.solver.BetaDivergence;
import org.sparknmf.solver.BetaLoss;
import org.sparknmf.solver.FullBatchSolver;
import org.sparknmf.solver.MiniBatchSolver;
import org.sparknmf.solver.NmfOptions;

/**
 * Jobs that need only Hᵀ: W for fixed H (transform) block by block with {@code mapPartitions} and
 * no shuffle, and the reconstruction error. Rows are independent given H, so each block is solved
 * on its own, as scikit-learn's {@code transform} solves the rows it is given: with one block the
 * numbers are scikit-learn's; with several, each block stops on its own change of W.
 */
public final class DistributedTransform {

  private DistributedTransform() {}

  /** MiniBatchNMF's transform (scikit-learn's {@code _solve_W}) of every block. Not persisted. */
  public static JavaRDD<DenseMatrix> miniBatch(JavaRDD<RowBlock> blocks, Broadcast<DenseMatrix> bh,
      NmfOptions options) {
    int maxIter = options.effectiveTransformMaxIter();
    return blocks.map(b -> MiniBatchSolver.solveW(options, b.x(), bh.value(), maxIter));
  }

  /** NMF's transform (the fit's solver with H fixed, from W = 0 for cd or a constant for mu) of every block. */
  public static JavaRDD<DenseMatrix> nmf(JavaRDD<RowBlock> blocks, Broadcast<DenseMatrix> bh,
      NmfOptions options) {
    return blocks.map(b -> nmfBlock(b.x(), bh.value(), options));
  }

  /** One block of {@link #nmf}: what the single-JVM {@code NMF.transform} computes. */
  public static DenseMatrix nmfBlock(DataMatrix x, DenseMatrix ht, NmfOptions options) {
    int k = ht.cols();
    DenseMatrix w = "mu".equals(options.solver())
        ? DenseMatrix.filled(x.rows(), k, Math.sqrt(x.mean() / k))
        : new DenseMatrix(x.rows(), k);
    FullBatchSolver.fit(x, w, ht.copy(), options, false);
    return w;
  }

  /**
   * The final W of a fit with fresh restarts: the transform of X against {@code bh}, cached with its
   * lineage cut. The RDD keeps a reference to {@code bh} (Spark keeps a map's function after a
   * checkpoint), so the caller destroys it with the result.
   */
  static JavaRDD<DenseMatrix> miniBatchW(BlockedRows x, Broadcast<DenseMatrix> bh,
      NmfOptions options, StorageLevel level, boolean reliable) {
    return FactorLineage.cut(miniBatch(x.blocks(), bh, options), level, reliable);
  }

  /** scikit-learn's {@code reconstruction_err_} of X ≈ WH, summed over blocks. */
  public static double reconstructionError(JavaSparkContext jsc, BlockedRows x, JavaRDD<DenseMatrix> w,
      DenseMatrix ht, BetaLoss loss) {
    try (JobPhase phase = JobPhase.of(jsc.sc(), "reconstruction error")) {
      double divergence = divergence(jsc, x.blocks(), w, ht, loss);
      if (divergence == Double.POSITIVE_INFINITY && loss.isFrobenius()) {
        return scaledNorm(jsc, x.blocks(), w, ht); // the squares overflowed: see BetaDivergence
      }
      return Math.sqrt(2.0 * Math.max(divergence, 0.0));
    }
  }

  /** ‖X − WH‖_F from {@link BetaDivergence#scaledSquaredError} of every block. */
  private static double scaledNorm(JavaSparkContext jsc, JavaRDD<RowBlock> blocks, JavaRDD<DenseMatrix> w,
      DenseMatrix ht) {
    Broadcast<DenseMatrix> bh = jsc.broadcast(ht.copy());
    try {
      return BetaDivergence.norm(blocks.zipPartitions(w, (bs, ws) -> bs.hasNext()
          ? List.of(BetaDivergence.scaledSquaredError(bs.next().x(), ws.next(), bh.value())).iterator()
          : Collections.<double[]>emptyIterator()).collect());
    } finally {
      FactorLineage.release(bh);
    }
  }

  /** The beta divergence of X from WH, summed over blocks (it is a sum over rows). */
  static double divergence(JavaSparkContext jsc, JavaRDD<RowBlock> blocks, JavaRDD<DenseMatrix> w,
      DenseMatrix ht, BetaLoss loss) {
    Broadcast<DenseMatrix> bh = jsc.broadcast(ht.copy());
    try {
      JavaRDD<Double> parts = blocks.zipPartitions(w, (bs, ws) -> {
        if (!bs.hasNext()) {
          return Collections.<Double>emptyIterator();
        }
        return List.of(BetaDivergence.of(bs.next().x(), ws.next(), bh.value(), loss)).iterator();
      });
      double sum = 0.0;
      for (double d : parts.collect()) { // partition order: the same sum every run
        sum += d;
      }
      return sum;
    } finally {
      FactorLineage.release(bh);
    }
  }
}
