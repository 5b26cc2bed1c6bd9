package org.sparknmf.engine;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.solver.MiniBatchState;
import scala.Tuple2;

/**
 * A finished fit: Hᵀ on the driver, W on the executors (one block per block of X, same rows, cached)
 * until a caller asks for it, and the fitted attributes.
 */
public final class FitResult implements AutoCloseable {

  private final DenseMatrix ht;
  private final JavaRDD<DenseMatrix> w;
  private final JavaRDD<RowBlock> rows;
  private final double reconstructionErr;
  private final int nIter;
  private final int nSteps;
  private final List<Double> history;
  private final MiniBatchState state;
  private final boolean distributed;
  private final List<Broadcast<?>> held;

  FitResult(DenseMatrix ht, JavaRDD<DenseMatrix> w, JavaRDD<RowBlock> rows, double reconstructionErr,
      int nIter, int nSteps, List<Double> history, MiniBatchState state, boolean distributed) {
    this(ht, w, rows, reconstructionErr, nIter, nSteps, history, state, distributed, List.of());
  }

  /** @param held broadcasts W's lineage refers to, destroyed with the result */
  FitResult(DenseMatrix ht, JavaRDD<DenseMatrix> w, JavaRDD<RowBlock> rows, double reconstructionErr,
      int nIter, int nSteps, List<Double> history, MiniBatchState state, boolean distributed,
      List<Broadcast<?>> held) {
    this.held = List.copyOf(held);
    this.ht = ht;
    this.w = w;
    this.rows = rows;
    this.reconstructionErr = reconstructionErr;
    this.nIter = nIter;
    this.nSteps = nSteps;
    this.history = List.copyOf(history);
    this.state = state;
    this.distributed = distributed;
  }

  /** Hᵀ, {@code n_features × k}. */
  public DenseMatrix ht() {
    return ht;
  }

  /** H, {@code k × n_features} (scikit-learn's {@code components_}). */
  public DenseMatrix components() {
    return ht.transpose();
  }

  /** W as one block per block of X (aligned with {@code BlockedRows.blocks()}), cached. */
  public JavaRDD<DenseMatrix> w() {
    return w;
  }

  /** W's rows with their row ids. */
  public JavaRDD<Tuple2<Long, double[]>> wRows() {
    return FitResultAssembly.rowsWithIds(rows, w);
  }

  /** W on the driver, in row-id order: {@code n_samples × k} doubles, so only for data that fits. */
  public DenseMatrix collectW() {
    return FitResultAssembly.inRowOrder(rows, w, ht.cols());
  }

  public double reconstructionErr() {
    return reconstructionErr;
  }

  public int nIter() {
    return nIter;
  }

  /** Mini-batch steps (MiniBatchNMF), 0 for full batch. */
  public int nSteps() {
    return nSteps;
  }

  /**
   * The objective per step: mini-batch cost per sample (MiniBatchNMF); for cd the violation ratio
   * per iteration, for mu the reconstruction error at each check.
   */
  public List<Double> history() {
    return history;
  }

  /** The mini-batch state (accumulators, smoothed cost, steps) for partial fits; null for full batch. */
  public MiniBatchState state() {
    return state;
  }

  /** Whether the fit ran on the executors (else on the driver). */
  public boolean distributed() {
    return distributed;
  }

  /** Releases the cached W (and what its lineage holds). */
  @Override
  public void close() {
    w.unpersist(false);
    held.forEach(FactorLineage::release);
  }
}
