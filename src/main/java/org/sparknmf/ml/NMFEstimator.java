package org.sparknmf.ml;

import java.util.Arrays;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.sparknmf.engine.BlockedRows;
import org.sparknmf.engine.EngineSettings;
import org.sparknmf.engine.FitResult;
import org.sparknmf.engine.NmfEngine;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.solver.NmfOptions;
import scala.Option;
import scala.Tuple2;

/**
 * What {@link NMF} and {@link MiniBatchNMF} share: the setters of the common params, the schema
 * check, and a fit that blocks the features column, runs the engine and keeps H (not W: a model's
 * {@code transform} computes W, as a scikit-learn model's does).
 *
 * @param <E> the concrete estimator, so setters chain
 */
public abstract class NMFEstimator<E extends NMFEstimator<E>> extends Estimator<NMFModel>
    implements NMFParams, DefaultParamsWritable {

  private static final long serialVersionUID = 1L;

  private final String uid;
  private final Declared declared;

  NMFEstimator(String uid, boolean fullBatch, boolean miniBatch) {
    this.uid = uid;
    this.declared = new Declared(this, fullBatch, miniBatch);
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public Declared declared() {
    return declared;
  }

  /** Whether this estimator fits MiniBatchNMF. */
  abstract boolean miniBatch();

  @SuppressWarnings("unchecked")
  final E self() {
    return (E) this;
  }

  final E setParam(org.apache.spark.ml.param.Param<?> p, Object value) {
    set(p.name(), value);
    return self();
  }

  public E setFeaturesCol(String v) {
    return setParam(featuresCol(), v);
  }

  public E setOutputCol(String v) {
    return setParam(outputCol(), v);
  }

  public E setK(int v) {
    return setParam(k(), v);
  }

  public E setMaxIter(int v) {
    return setParam(maxIter(), v);
  }

  public E setTol(double v) {
    return setParam(tol(), v);
  }

  public E setSeed(long v) {
    return setParam(seed(), v);
  }

  /** frobenius, kullback-leibler, itakura-saito or a number. */
  public E setBetaLoss(String v) {
    return setParam(betaLoss(), v);
  }

  public E setBetaLoss(double v) {
    return setParam(betaLoss(), Double.toString(v));
  }

  public E setInit(String v) {
    return setParam(init(), v);
  }

  public E setAlphaW(double v) {
    return setParam(alphaW(), v);
  }

  /** A number, or "same". */
  public E setAlphaH(String v) {
    return setParam(alphaH(), v);
  }

  public E setAlphaH(double v) {
    return setParam(alphaH(), Double.toString(v));
  }

  public E setL1Ratio(double v) {
    return setParam(l1Ratio(), v);
  }

  public E setVerbose(int v) {
    return setParam(verbose(), v);
  }

  /** Starting H ({@code k × n_features}) for init "custom". */
  public E setInitH(Matrix v) {
    return setParam(initH(), v);
  }

  public E setInitWCol(String v) {
    return setParam(initWCol(), v);
  }

  public E setReconstructionCol(String v) {
    return setParam(reconstructionCol(), v);
  }

  public E setVocabulary(String[] v) {
    return setParam(vocabulary(), v);
  }

  public E setExecution(String v) {
    return setParam(execution(), v);
  }

  public E setNumPartitions(int v) {
    return setParam(numPartitions(), v);
  }

  public E setStorageLevel(String v) {
    return setParam(storageLevel(), v);
  }

  public E setAggregationDepth(int v) {
    return setParam(aggregationDepth(), v);
  }

  public E setCheckpointInterval(int v) {
    return setParam(checkpointInterval(), v);
  }

  /** A folder for the fit's checkpoints (any Hadoop path); empty for none. */
  public E setCheckpointDir(String v) {
    return setParam(checkpointDir(), v);
  }

  public E setResume(boolean v) {
    return setParam(resume(), v);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return validateAndTransformSchema(schema);
  }

  @Override
  public NMFModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    NmfOptions options = toOptions();
    EngineSettings settings = toSettings();
    Dataset<Row> df = dataset.toDF();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(df.sparkSession().sparkContext());
    NmfEngine engine = new NmfEngine(jsc, options, settings);
    try (BlockedRows x = BlockedRows.fromDataset(df, getFeaturesCol(), settings.partitions(),
        settings.storageLevel())) {
      try (FitResult r = fitWith(engine, x, df)) {
        NMFModel model = new NMFModel(uid, r.ht(), r.reconstructionErr(), r.nIter(), r.nSteps(),
            r.history(), r.state(), miniBatch(), featureNames(df.schema(), x.cols()));
        copyValues(model, copyValues$default$2());
        return model.setParent(this);
      }
    }
  }

  private FitResult fitWith(NmfEngine engine, BlockedRows x, Dataset<Row> df) {
    if (!"custom".equals(getInit())) {
      return miniBatch() ? engine.fitMiniBatch(x) : engine.fitNmf(x);
    }
    if (!isDefined(initH())) {
      throw new IllegalArgumentException("init='custom' needs initH (k × n_features)");
    }
    Matrix h = valueOf(initH());
    DenseMatrix ht = new DenseMatrix(h.numCols(), h.numRows());
    for (int j = 0; j < h.numCols(); j++) {
      for (int t = 0; t < h.numRows(); t++) {
        ht.set(j, t, h.apply(t, j));
      }
    }
    String wCol = valueOf(initWCol());
    if (wCol.isEmpty()) {
      throw new IllegalArgumentException("init='custom' needs initWCol, the column of starting W rows");
    }
    NMFParams.requireVectorColumn(df.schema(), wCol, "initWCol");
    JavaPairRDD<Long, double[]> w = df.select(wCol).javaRDD().zipWithIndex()
        .mapToPair(t -> new Tuple2<>(t._2(), ((Vector) t._1().get(0)).toArray()));
    return miniBatch() ? engine.fitMiniBatch(x, ht, w) : engine.fitNmf(x, ht, w);
  }

  /** The vocabulary param, else the ML attribute names of the features column, else null. */
  private String[] featureNames(StructType schema, int n) {
    String[] vocab = getVocabulary();
    if (vocab.length > 0) {
      if (vocab.length != n) {
        throw new IllegalArgumentException("vocabulary has " + vocab.length + " names, but the features have "
            + n + " columns");
      }
      return vocab.clone();
    }
    AttributeGroup group = AttributeGroup.fromStructField(schema.apply(getFeaturesCol()));
    if (group.attributes().isEmpty()) {
      return null;
    }
    Attribute[] attrs = group.attributes().get();
    if (attrs.length != n || Arrays.stream(attrs).anyMatch(a -> a == null || a.name().isEmpty())) {
      return null;
    }
    return Arrays.stream(attrs).map(a -> a.name().get()).toArray(String[]::new);
  }

  @Override
  public E copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  /**
   * Spark's {@code DefaultParamsReader}, but refusing a folder saved by another class: that reader
   * instantiates whatever class the metadata names, so {@code NMF.load} of a saved MiniBatchNMF
   * would end in a ClassCastException at the caller, and of a saved model in a NoSuchMethodException.
   */
  static <T extends NMFEstimator<T>> MLReader<T> reader(Class<T> cls) {
    return new MLReader<T>() {
      @Override
      public T load(String path) {
        DefaultParamsReader.Metadata metadata = ParamsMetadata.load(path, sparkSession(), cls.getName());
        T instance;
        try {
          instance = cls.getConstructor(String.class).newInstance(metadata.uid());
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException("cannot create " + cls.getName(), e);
        }
        metadata.getAndSetParams(instance, Option.empty());
        return instance;
      }
    };
  }
}
