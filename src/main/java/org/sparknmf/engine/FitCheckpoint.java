package org.sparknmf.engine;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.solver.FullBatchProgress;
import org.sparknmf.solver.MiniBatchProgress;
import org.sparknmf.solver.MiniBatchState;
import org.sparknmf.solver.NmfOptions;
import org.sparknmf.util.NumpyRandomState;

/**
 * Everything a fit needs to continue after its driver is lost, as plain numbers and arrays: Hᵀ,
 * the objective history, for MiniBatchNMF the accumulators A and B, the smoothed cost (its value,
 * its minimum, the steps without improvement), ρ, the batch size and the loop position; for NMF
 * the iterations done, the stopping rule's reference values and cd's shuffle generator. W is not
 * held here: it is written and read block by block ({@link CheckpointStore}), and {@link #w}
 * describes the files. {@link #signature} names the data and parameters the fit was made with.
 */
final class FitCheckpoint {

  static final String MINI_BATCH = "minibatch";
  static final String FULL_BATCH = "nmf";

  /** How W is saved. */
  enum WLayout {
    /** Not saved: MiniBatchNMF with fresh restarts keeps no W between steps. */
    NONE,
    /** One file per partition of X: the W rows of that partition, in row order. */
    PARTITIONS,
    /** One file: all of W in row-id order (a fit on the driver). */
    DRIVER
  }

  /** One saved block of W (a class: Spark's Kryo cannot build records). */
  static final class WBlock implements Serializable {
    private static final long serialVersionUID = 1L;
    final int partition;
    final String file;
    final int rows;
    final long bytes;
    final long crc32;

    WBlock(int partition, String file, int rows, long bytes, long crc32) {
      this.partition = partition;
      this.file = file;
      this.rows = rows;
      this.bytes = bytes;
      this.crc32 = crc32;
    }
  }

  /** {@link #MINI_BATCH} or {@link #FULL_BATCH}. */
  String algorithm;
  /** Epochs (MiniBatchNMF) or iterations (NMF) completed. */
  int progress;
  /** Whether the fit had stopped (converged or out of iterations). */
  boolean finished;
  /** scikit-learn's n_iter_, once finished. */
  int nIter;
  /** The data and parameters of the fit: name → value, in a fixed order. */
  Map<String, String> signature = new LinkedHashMap<>();
  DenseMatrix ht;
  List<Double> history;

  // MiniBatchNMF
  DenseMatrix numeratorAcc;
  DenseMatrix denominatorAcc;
  int batchSize;
  double rho;
  Double ewaCost;
  Double ewaCostMin;
  int noImprovement;
  int nextStep;
  int stepsDone;

  // NMF
  double violationInit;
  double errorInit;
  double previousError;
  NumpyRandomState.State rng;

  // W, and where the checkpoint was read from
  WLayout wLayout = WLayout.NONE;
  int wCols;
  WBlock[] wBlocks = new WBlock[0];
  String location;

  /** A MiniBatchNMF fit after {@code epochs} epochs (its {@code n_iter_} when finished). */
  static FitCheckpoint miniBatch(int epochs, MiniBatchProgress at, MiniBatchState state, DenseMatrix ht) {
    FitCheckpoint c = new FitCheckpoint();
    c.algorithm = MINI_BATCH;
    c.progress = epochs;
    c.finished = at.finished();
    c.nIter = at.finished() ? epochs : 0;
    c.ht = ht;
    c.history = state.costHistory();
    c.numeratorAcc = state.numeratorAccumulator();
    c.denominatorAcc = state.denominatorAccumulator();
    c.batchSize = state.batchSize();
    c.rho = state.rho();
    c.ewaCost = state.ewaCost();
    c.ewaCostMin = state.ewaCostMin();
    c.noImprovement = state.noImprovement();
    c.nextStep = at.nextStep();
    c.stepsDone = at.stepsDone();
    return c;
  }

  /** A full-batch NMF fit as {@code at} stands. */
  static FitCheckpoint fullBatch(FullBatchProgress at, DenseMatrix ht) {
    FitCheckpoint c = new FitCheckpoint();
    c.algorithm = FULL_BATCH;
    c.progress = at.iterations();
    c.finished = at.finished();
    c.nIter = at.nIter();
    c.ht = ht;
    c.history = at.history();
    c.violationInit = at.violationInit();
    c.errorInit = at.errorInit();
    c.previousError = at.previousError();
    c.rng = at.rng() == null ? null : at.rng().state();
    return c;
  }

  boolean miniBatch() {
    return MINI_BATCH.equals(algorithm);
  }

  /** "epoch 12" (MiniBatchNMF) or "iteration 40" (NMF). */
  String progressName() {
    return (miniBatch() ? "epoch " : "iteration ") + progress;
  }

  /** {@link #progressName}, and ", finished" for a fit that had stopped. */
  String describe() {
    return progressName() + (finished ? ", finished" : "");
  }

  MiniBatchState miniBatchState(NmfOptions options) {
    return MiniBatchState.restore(options, batchSize, rho, numeratorAcc, denominatorAcc, ewaCost, ewaCostMin,
        noImprovement, stepsDone, history);
  }

  MiniBatchProgress miniBatchProgress() {
    return MiniBatchProgress.restore(nextStep, stepsDone, finished);
  }

  FullBatchProgress fullBatchProgress() {
    return FullBatchProgress.restore(progress, violationInit, errorInit, previousError, history, rng, finished,
        nIter);
  }
}
