package org.sparknmf.ml;

import java.io.Serializable;

import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparknmf.engine.EngineSettings;
import org.sparknmf.solver.BetaLoss;
import org.sparknmf.solver.NmfOptions;
import scala.runtime.AbstractFunction1;

/**
 * The parameters of the NMF stages, with their docs, validators, defaults and the schema checks:
 * Spark's names where Spark has a convention ({@code featuresCol}, {@code outputCol}, {@code k},
 * {@code maxIter}, {@code tol}, {@code seed}), scikit-learn's camel-cased otherwise, and the
 * engine's own. The estimators and the model implement it and add setters only.
 *
 * <p>Java cannot mix in Spark's Scala param traits, so the Param objects live in a {@link Declared}
 * per stage (created with the stage as parent), and this interface exposes each as a public no-arg
 * method named like the param, which is how Spark finds params by reflection.
 */
public interface NMFParams extends Params {

  /** The Param objects of one stage. */
  Declared declared();

  // ---- common to NMF, MiniBatchNMF and the model ----

  default Param<String> featuresCol() {
    return declared().featuresCol;
  }

  default Param<String> outputCol() {
    return declared().outputCol;
  }

  default IntParam k() {
    return declared().k;
  }

  default IntParam maxIter() {
    return declared().maxIter;
  }

  default DoubleParam tol() {
    return declared().tol;
  }

  default LongParam seed() {
    return declared().seed;
  }

  default Param<String> betaLoss() {
    return declared().betaLoss;
  }

  default Param<String> init() {
    return declared().init;
  }

  default DoubleParam alphaW() {
    return declared().alphaW;
  }

  default Param<String> alphaH() {
    return declared().alphaH;
  }

  default DoubleParam l1Ratio() {
    return declared().l1Ratio;
  }

  default IntParam verbose() {
    return declared().verbose;
  }

  default Param<Matrix> initH() {
    return declared().initH;
  }

  default Param<String> initWCol() {
    return declared().initWCol;
  }

  default Param<String> reconstructionCol() {
    return declared().reconstructionCol;
  }

  default StringArrayParam vocabulary() {
    return declared().vocabulary;
  }

  default Param<String> execution() {
    return declared().execution;
  }

  default IntParam numPartitions() {
    return declared().numPartitions;
  }

  default Param<String> storageLevel() {
    return declared().storageLevel;
  }

  default IntParam aggregationDepth() {
    return declared().aggregationDepth;
  }

  default IntParam checkpointInterval() {
    return declared().checkpointInterval;
  }

  default Param<String> checkpointDir() {
    return declared().checkpointDir;
  }

  default BooleanParam resume() {
    return declared().resume;
  }

  // ---- typed getters ----

  default String getFeaturesCol() {
    return valueOf(featuresCol());
  }

  default String getOutputCol() {
    return valueOf(outputCol());
  }

  default int getK() {
    return valueOf(k());
  }

  default int getMaxIter() {
    return valueOf(maxIter());
  }

  default double getTol() {
    return valueOf(tol());
  }

  default long getSeed() {
    return valueOf(seed());
  }

  default String getBetaLoss() {
    return valueOf(betaLoss());
  }

  default String getInit() {
    return valueOf(init());
  }

  default double getAlphaW() {
    return valueOf(alphaW());
  }

  default String getAlphaH() {
    return valueOf(alphaH());
  }

  default double getL1Ratio() {
    return valueOf(l1Ratio());
  }

  default int getVerbose() {
    return valueOf(verbose());
  }

  default String getReconstructionCol() {
    return valueOf(reconstructionCol());
  }

  default String[] getVocabulary() {
    return valueOf(vocabulary());
  }

  default String getExecution() {
    return valueOf(execution());
  }

  default int getNumPartitions() {
    return valueOf(numPartitions());
  }

  default String getStorageLevel() {
    return valueOf(storageLevel());
  }

  default int getAggregationDepth() {
    return valueOf(aggregationDepth());
  }

  default int getCheckpointInterval() {
    return valueOf(checkpointInterval());
  }

  default String getCheckpointDir() {
    return valueOf(checkpointDir());
  }

  default boolean getResume() {
    return valueOf(resume());
  }

  /** The value of {@code p}: set, else default (Scala's {@code $(p)}, typed for Java). */
  @SuppressWarnings("unchecked")
  default <T> T valueOf(Param<?> p) {
    return (T) getOrDefault(p);
  }

  // ---- translation to the layers below ----

  /**
   * scikit-learn's parameters as the solvers take them. {@code k} 0 is scikit-learn's
   * {@code n_components=None} (one per feature), or with {@code init="custom"} its {@code "auto"}.
   */
  default NmfOptions toOptions() {
    NmfOptions o = new NmfOptions();
    int k = getK();
    if (k > 0) {
      o.nComponents(k);
    } else if ("custom".equals(getInit())) {
      o.nComponents("auto");
    }
    o.init("auto".equals(getInit()) ? null : getInit())
        .betaLoss(getBetaLoss())
        .tol(getTol())
        .maxIter(getMaxIter())
        .randomState(getSeed() & 0xFFFFFFFFL)
        .alphaW(getAlphaW())
        .alphaH(getAlphaH())
        .l1Ratio(getL1Ratio())
        .verbose(getVerbose());
    if (hasParam("solver")) {
      o.solver((String) getOrDefault(getParam("solver")));
      o.shuffle((Boolean) getOrDefault(getParam("shuffle")));
    }
    if (hasParam("batchSize")) {
      o.batchSize((Integer) getOrDefault(getParam("batchSize")))
          .forgetFactor((Double) getOrDefault(getParam("forgetFactor")))
          .freshRestarts((Boolean) getOrDefault(getParam("freshRestarts")))
          .freshRestartsMaxIter((Integer) getOrDefault(getParam("freshRestartsMaxIter")));
      int noImprovement = (Integer) getOrDefault(getParam("maxNoImprovement"));
      o.maxNoImprovement(noImprovement == 0 ? null : noImprovement);
      int transformMaxIter = (Integer) getOrDefault(getParam("transformMaxIter"));
      o.transformMaxIter(transformMaxIter == 0 ? null : transformMaxIter);
    }
    return o;
  }

  /** The engine's settings. */
  default EngineSettings toSettings() {
    String dir = getCheckpointDir();
    if (getResume() && dir.isEmpty()) {
      throw new IllegalArgumentException("resume needs a checkpointDir to resume from");
    }
    return new EngineSettings()
        .execution(getExecution())
        .partitions(getNumPartitions())
        .storageLevel(getStorageLevel())
        .aggregationDepth(getAggregationDepth())
        .checkpointInterval(getCheckpointInterval())
        .checkpointDir(dir.isEmpty() ? null : dir)
        .resume(getResume());
  }

  // ---- schema ----

  /** Checks the input column and adds the output column (and the reconstruction column when set). */
  default StructType validateAndTransformSchema(StructType schema) {
    String in = getFeaturesCol();
    requireVectorColumn(schema, in, "featuresCol");
    String out = getOutputCol();
    if (java.util.Arrays.asList(schema.fieldNames()).contains(out)) {
      throw new IllegalArgumentException("outputCol '" + out + "' already exists in the input");
    }
    StructType result = schema.add(new StructField(out, SQLDataTypes.VectorType(), false,
        org.apache.spark.sql.types.Metadata.empty()));
    String rec = getReconstructionCol();
    if (!rec.isEmpty()) {
      if (java.util.Arrays.asList(result.fieldNames()).contains(rec)) {
        throw new IllegalArgumentException("reconstructionCol '" + rec + "' already exists in the input or is "
            + "the outputCol");
      }
      result = result.add(new StructField(rec, SQLDataTypes.VectorType(), false,
          org.apache.spark.sql.types.Metadata.empty()));
    }
    return result;
  }

  /** A column that exists and holds Spark ML vectors, or a clear error naming the param. */
  static void requireVectorColumn(StructType schema, String col, String param) {
    if (!java.util.Arrays.asList(schema.fieldNames()).contains(col)) {
      throw new IllegalArgumentException(param + ": column '" + col + "' does not exist; the input has "
          + java.util.Arrays.toString(schema.fieldNames()));
    }
    DataType t = schema.apply(col).dataType();
    if (!t.equals(SQLDataTypes.VectorType())) {
      throw new IllegalArgumentException(param + ": column '" + col + "' must hold vectors "
          + "(org.apache.spark.ml.linalg.Vector), but it is " + t.simpleString());
    }
  }

  /** The Param objects of one stage: created with the stage as parent, with their defaults set. */
  final class Declared implements Serializable {
    private static final long serialVersionUID = 1L;

    final Param<String> featuresCol;
    final Param<String> outputCol;
    final IntParam k;
    final IntParam maxIter;
    final DoubleParam tol;
    final LongParam seed;
    final Param<String> betaLoss;
    final Param<String> init;
    final DoubleParam alphaW;
    final Param<String> alphaH;
    final DoubleParam l1Ratio;
    final IntParam verbose;
    final Param<Matrix> initH;
    final Param<String> initWCol;
    final Param<String> reconstructionCol;
    final StringArrayParam vocabulary;
    final Param<String> execution;
    final IntParam numPartitions;
    final Param<String> storageLevel;
    final IntParam aggregationDepth;
    final IntParam checkpointInterval;
    final Param<String> checkpointDir;
    final BooleanParam resume;
    // full batch
    final Param<String> solver;
    final BooleanParam shuffle;
    // mini-batch
    final IntParam batchSize;
    final DoubleParam forgetFactor;
    final IntParam maxNoImprovement;
    final BooleanParam freshRestarts;
    final IntParam freshRestartsMaxIter;
    final IntParam transformMaxIter;

    /**
     * @param fullBatch whether the stage has {@code solver} and {@code shuffle}
     * @param miniBatch whether it has the mini-batch params
     */
    public Declared(Params s, boolean fullBatch, boolean miniBatch) {
      featuresCol = new Param<>(s, "featuresCol", "features column name (Vector: the rows of X)");
      outputCol = new Param<>(s, "outputCol", "output column name (Vector: the rows of W)");
      k = new IntParam(s, "k", "number of components (n_components); 0: one per feature, or with "
          + "init='custom' the number of rows of initH (scikit-learn's 'auto')", ParamValidators.gtEq(0));
      maxIter = new IntParam(s, "maxIter", "maximum number of iterations (epochs for MiniBatchNMF) (>= 1)",
          ParamValidators.gtEq(1));
      tol = new DoubleParam(s, "tol", "tolerance of the stopping condition (>= 0)", ParamValidators.gtEq(0));
      seed = new LongParam(s, "seed", "random seed (its low 32 bits seed NumPy's generator, as "
          + "scikit-learn's random_state)");
      betaLoss = new Param<>(s, "betaLoss", "beta divergence to minimize: frobenius, kullback-leibler, "
          + "itakura-saito or a number", new Check<>(v -> BetaLoss.parse(v) != null));
      init = new Param<>(s, "init", "initialization: auto (scikit-learn's default: nndsvda when k <= "
          + "min(n_samples, n_features), else random), random, nndsvd, nndsvda, nndsvdar, custom",
          ParamValidators.inArray(new String[] {"auto", "random", "nndsvd", "nndsvda", "nndsvdar", "custom"}));
      alphaW = new DoubleParam(s, "alphaW", "regularization of W (>= 0), scaled by n_features",
          ParamValidators.gtEq(0));
      alphaH = new Param<>(s, "alphaH", "regularization of H: a number >= 0, or 'same' (= alphaW)",
          new Check<>(v -> new NmfOptions().alphaH(v) != null));
      l1Ratio = new DoubleParam(s, "l1Ratio", "share of L1 in the regularization, in [0, 1]",
          ParamValidators.inRange(0, 1));
      verbose = new IntParam(s, "verbose", "verbosity level (>= 0)", ParamValidators.gtEq(0));
      initH = new Param<>(s, "initH", "starting H (k × n_features) for init='custom'");
      initWCol = new Param<>(s, "initWCol", "column of starting W rows (Vector of k) for init='custom'; "
          + "empty: W starts as scikit-learn's transform start");
      reconstructionCol = new Param<>(s, "reconstructionCol", "if not empty, transform also adds W·H "
          + "(the reconstructed features) in this column");
      vocabulary = new StringArrayParam(s, "vocabulary", "names of the features (e.g. "
          + "CountVectorizerModel.vocabulary); empty: taken from the features column's ML attributes");
      execution = new Param<>(s, "execution", "where the fit runs: auto (on the driver when X is small), "
          + "driver, distributed", ParamValidators.inArray(EngineSettings.EXECUTIONS.toArray(new String[0])));
      numPartitions = new IntParam(s, "numPartitions", "blocks of X (>= 0; 0 keeps the input's partitions)",
          ParamValidators.gtEq(0));
      storageLevel = new Param<>(s, "storageLevel", "Spark storage level of the cached blocks of X and W",
          new Check<>(v -> new EngineSettings().storageLevel(v) != null));
      aggregationDepth = new IntParam(s, "aggregationDepth", "depth of the tree that sums statistics (>= 1)",
          ParamValidators.gtEq(1));
      checkpointInterval = new IntParam(s, "checkpointInterval", "checkpoint the fit every this many "
          + "epochs or iterations (>= 1): its whole state to checkpointDir when set, and the factors' lineage "
          + "(reliably when there is a checkpointDir or the SparkContext has a checkpoint directory)",
          ParamValidators.gtEq(1));
      checkpointDir = new Param<>(s, "checkpointDir", "folder (any Hadoop path, shared by driver and executors) "
          + "where the fit saves its state every checkpointInterval epochs (iterations), so that a fit whose "
          + "driver died can be resumed; empty: none");
      resume = new BooleanParam(s, "resume", "continue the fit saved in checkpointDir (a new fit when there "
          + "is none; refused when it is of other data or parameters); false refuses a checkpointDir holding an "
          + "unfinished fit");
      s.setDefault(featuresCol, "features");
      s.setDefault(outputCol, "nmfFeatures");
      s.setDefault(k, 0);
      s.setDefault(maxIter, 200);
      s.setDefault(tol, 1e-4);
      s.setDefault(seed, (long) s.getClass().getName().hashCode());
      s.setDefault(betaLoss, "frobenius");
      s.setDefault(init, "auto");
      s.setDefault(alphaW, 0.0);
      s.setDefault(alphaH, "same");
      s.setDefault(l1Ratio, 0.0);
      s.setDefault(verbose, 0);
      s.setDefault(initWCol, "");
      s.setDefault(reconstructionCol, "");
      s.setDefault(vocabulary, new String[0]);
      s.setDefault(execution, "auto");
      s.setDefault(numPartitions, 0);
      s.setDefault(storageLevel, "MEMORY_AND_DISK");
      s.setDefault(aggregationDepth, 2);
      s.setDefault(checkpointInterval, 10);
      s.setDefault(checkpointDir, "");
      s.setDefault(resume, false);

      solver = fullBatch ? new Param<>(s, "solver", "numerical solver: cd (coordinate descent, Frobenius "
          + "only) or mu (multiplicative update)", ParamValidators.inArray(new String[] {"cd", "mu"})) : null;
      shuffle = fullBatch ? new BooleanParam(s, "shuffle", "randomize the order of coordinates in cd") : null;
      if (fullBatch) {
        s.setDefault(solver, "cd");
        s.setDefault(shuffle, false);
      }
      batchSize = miniBatch ? new IntParam(s, "batchSize", "rows per mini-batch (>= 1)", ParamValidators.gtEq(1)) : null;
      forgetFactor = miniBatch ? new DoubleParam(s, "forgetFactor", "weight of past batches, in [0, 1]",
          ParamValidators.inRange(0, 1)) : null;
      maxNoImprovement = miniBatch ? new IntParam(s, "maxNoImprovement", "stop after this many steps "
          + "without improvement of the smoothed cost (>= 0; 0 disables: scikit-learn's None)",
          ParamValidators.gtEq(0)) : null;
      freshRestarts = miniBatch ? new BooleanParam(s, "freshRestarts", "solve W from scratch at every step") : null;
      freshRestartsMaxIter = miniBatch ? new IntParam(s, "freshRestartsMaxIter", "iterations of a fresh "
          + "W solve (>= 1)", ParamValidators.gtEq(1)) : null;
      transformMaxIter = miniBatch ? new IntParam(s, "transformMaxIter", "iterations of transform (>= 0; "
          + "0: maxIter)", ParamValidators.gtEq(0)) : null;
      if (miniBatch) {
        s.setDefault(batchSize, 1024);
        s.setDefault(forgetFactor, 0.7);
        s.setDefault(maxNoImprovement, 10);
        s.setDefault(freshRestarts, false);
        s.setDefault(freshRestartsMaxIter, 30);
        s.setDefault(transformMaxIter, 0);
      }
    }
  }

  /** A serializable validator from a check that throws or returns false on bad values. */
  final class Check<T> extends AbstractFunction1<T, Object> implements Serializable {
    private static final long serialVersionUID = 1L;
    private final SerializablePredicate<T> test;

    Check(SerializablePredicate<T> test) {
      this.test = test;
    }

    @Override
    public Object apply(T value) {
      try {
        return value != null && test.test(value);
      } catch (IllegalArgumentException e) {
        return false;
      }
    }
  }

  /** A predicate that can travel with its Param. */
  interface SerializablePredicate<T> extends java.util.function.Predicate<T>, Serializable {}

}
