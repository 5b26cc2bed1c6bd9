package org.sparknmf.ml;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.attribute.NumericAttribute;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sparknmf.engine.BlockedRows;
import org.sparknmf.engine.DistributedTransform;
import org.sparknmf.engine.EngineSettings;
import org.sparknmf.engine.NmfEngine;
import org.sparknmf.engine.RowBlock;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.solver.DataChecks;
import org.sparknmf.solver.MiniBatchSolver;
import org.sparknmf.solver.MiniBatchState;
import org.sparknmf.solver.NmfOptions;

/**
 * A fitted NMF: H ({@link #components()}) and scikit-learn's fitted attributes. {@code transform}
 * adds W as {@code outputCol} (solved row block by row block against H, no shuffle; the column's ML
 * attributes are named {@code nmf0 … nmf{k-1}}, scikit-learn's {@code get_feature_names_out}),
 * {@link #inverseTransform} maps W back to features, {@link #describeTopics} lists each component's
 * top features, and a MiniBatchNMF model keeps learning with {@link #partialFit}.
 */
public final class NMFModel extends Model<NMFModel>
    implements FullBatchParams, MiniBatchParams, MLWritable {

  private static final long serialVersionUID = 1L;

  private final String uid;
  private final Declared declared;
  private final DenseMatrix ht;
  private final double reconstructionErr;
  private final int nIter;
  private final boolean miniBatch;
  private final String[] featureNamesIn;
  private final List<Double> objectiveHistory;
  private MiniBatchState state;
  private int nSteps;

  NMFModel(String uid, DenseMatrix ht, double reconstructionErr, int nIter, int nSteps,
      List<Double> objectiveHistory, MiniBatchState state, boolean miniBatch, String[] featureNamesIn) {
    this.uid = uid;
    this.declared = new Declared(this, true, true);
    this.ht = ht.copy();
    this.reconstructionErr = reconstructionErr;
    this.nIter = nIter;
    this.nSteps = nSteps;
    this.objectiveHistory = new ArrayList<>(objectiveHistory);
    this.state = state;
    this.miniBatch = miniBatch;
    this.featureNamesIn = featureNamesIn == null ? null : featureNamesIn.clone();
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public Declared declared() {
    return declared;
  }

  // ---- setters (the columns and the transform's own settings) ----

  public NMFModel setFeaturesCol(String v) {
    set(featuresCol().name(), v);
    return this;
  }

  public NMFModel setOutputCol(String v) {
    set(outputCol().name(), v);
    return this;
  }

  public NMFModel setReconstructionCol(String v) {
    set(reconstructionCol().name(), v);
    return this;
  }

  public NMFModel setTransformMaxIter(int v) {
    set(transformMaxIter().name(), v);
    return this;
  }

  public NMFModel setMaxIter(int v) {
    set(maxIter().name(), v);
    return this;
  }

  public NMFModel setTol(double v) {
    set(tol().name(), v);
    return this;
  }

  // ---- fitted attributes ----

  /** H, {@code k × n_features} (scikit-learn's {@code components_}). */
  public Matrix components() {
    // Hᵀ row-major (n × k) is H column-major (k × n), Spark's layout.
    return new org.apache.spark.ml.linalg.DenseMatrix(ht.cols(), ht.rows(), ht.copy().data());
  }

  /** Number of components (scikit-learn's {@code n_components_}). */
  public int numComponents() {
    return ht.cols();
  }

  /** scikit-learn's {@code n_features_in_}. */
  public int numFeatures() {
    return ht.rows();
  }

  /** The beta divergence of the training data from WH, as sqrt(2·divergence). */
  public double reconstructionErr() {
    return reconstructionErr;
  }

  public int nIter() {
    return nIter;
  }

  /** Mini-batch steps so far (fit and partial fits); 0 for full-batch NMF. */
  public int nSteps() {
    return nSteps;
  }

  /** Whether MiniBatchNMF fitted this model. */
  public boolean isMiniBatch() {
    return miniBatch;
  }

  /** The input's feature names (scikit-learn's {@code feature_names_in_}), or null. */
  public String[] featureNamesIn() {
    return featureNamesIn == null ? null : featureNamesIn.clone();
  }

  /** {@code nmf0 … nmf{k-1}}: the names of W's columns. */
  public String[] getFeatureNamesOut() {
    String[] names = new String[ht.cols()];
    for (int t = 0; t < names.length; t++) {
      names[t] = "nmf" + t;
    }
    return names;
  }

  /** The training summary: the objective per step (MiniBatchNMF) or per check (NMF). */
  public NMFTrainingSummary summary() {
    return new NMFTrainingSummary(objectiveHistory.stream().mapToDouble(Double::doubleValue).toArray(),
        nIter, nSteps, reconstructionErr);
  }

  /** Hᵀ on the driver ({@code n_features × k}); a copy. */
  public DenseMatrix ht() {
    return ht.copy();
  }

  MiniBatchState state() {
    return state;
  }

  // ---- transform ----

  @Override
  public StructType transformSchema(StructType schema) {
    return validateAndTransformSchema(schema);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType out = transformSchema(dataset.schema());
    Dataset<Row> df = dataset.toDF();
    int col = df.schema().fieldIndex(getFeaturesCol());
    Broadcast<DenseMatrix> bh = JavaSparkContext.fromSparkContext(df.sparkSession().sparkContext())
        .broadcast(ht);
    NmfOptions o = toOptions();
    boolean mb = miniBatch;
    boolean withReconstruction = !getReconstructionCol().isEmpty();
    MapPartitionsFunction<Row, Row> solve = rows -> transformPartition(rows, col, bh.value(), o, mb,
        withReconstruction);
    AttributeGroup attrs = new AttributeGroup(getOutputCol(), Arrays.stream(getFeatureNamesOut())
        .map(name -> NumericAttribute.defaultAttr().withName(name)).toArray(NumericAttribute[]::new));
    return df.mapPartitions(solve, Encoders.row(out)).withMetadata(getOutputCol(), attrs.toMetadata());
  }

  /** W for one partition's rows, as scikit-learn's transform of those rows; rows keep their order. */
  private static Iterator<Row> transformPartition(Iterator<Row> it, int col, DenseMatrix ht,
      NmfOptions o, boolean miniBatch, boolean withReconstruction) {
    List<Row> rows = new ArrayList<>();
    it.forEachRemaining(rows::add);
    if (rows.isEmpty()) {
      return rows.iterator();
    }
    long[] ids = new long[rows.size()];
    List<Vector> vectors = new ArrayList<>(rows.size());
    for (int i = 0; i < ids.length; i++) {
      ids[i] = i;
      Vector v = rows.get(i).getAs(col);
      if (v == null) {
        throw new IllegalArgumentException("featuresCol is null in row " + i + " of partition "
            + TaskContext.getPartitionId());
      }
      DataChecks.requireFeatures(v.size(), ht.rows(), "X");
      vectors.add(v);
    }
    RowBlock block;
    try {
      block = BlockedRows.blockOf(TaskContext.getPartitionId(), ids, vectors);
    } catch (IllegalArgumentException e) {
      // The ids are positions in this partition (numbering the DataFrame's rows would cost a job
      // before transform could return), so "row 1" alone would point at the wrong row.
      throw new IllegalArgumentException(e.getMessage() + " (rows counted within partition "
          + TaskContext.getPartitionId() + ")", e);
    }
    DataChecks.requireNoZerosFor(o.betaLoss(), block.x(), "X");
    DenseMatrix w = miniBatch
        ? MiniBatchSolver.solveW(o, block.x(), ht, o.effectiveTransformMaxIter())
        : DistributedTransform.nmfBlock(block.x(), ht, o);
    DenseMatrix rec = null;
    if (withReconstruction) {
      rec = new DenseMatrix(w.rows(), ht.rows());
      w.timesTransposeInto(ht, rec);
    }
    List<Row> result = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      Object[] values = new Object[r.size() + (withReconstruction ? 2 : 1)];
      for (int c = 0; c < r.size(); c++) {
        values[c] = r.get(c);
      }
      values[r.size()] = Vectors.dense(w.rowRange(i, i + 1).copy().data());
      if (withReconstruction) {
        values[r.size() + 1] = Vectors.dense(rec.rowRange(i, i + 1).copy().data());
      }
      result.add(RowFactory.create(values));
    }
    return result.iterator();
  }

  /**
   * W·H for the W rows in {@code outputCol}: the data in the original feature space (scikit-learn's
   * {@code inverse_transform}), in {@code reconstructionCol} ("reconstruction" when unset).
   */
  public Dataset<Row> inverseTransform(Dataset<?> dataset) {
    String wCol = getOutputCol();
    NMFParams.requireVectorColumn(dataset.schema(), wCol, "outputCol");
    String target = getReconstructionCol().isEmpty() ? "reconstruction" : getReconstructionCol();
    DenseMatrix h = ht;
    int k = ht.cols();
    var udf = functions.udf((Vector w) -> {
      if (w.size() != k) {
        throw new IllegalArgumentException("W has " + w.size() + " columns, but the model has " + k + " components");
      }
      DenseMatrix x = new DenseMatrix(1, h.rows());
      new DenseMatrix(1, k, w.toArray()).timesTransposeInto(h, x);
      return Vectors.dense(x.data());
    }, SQLDataTypes.VectorType());
    return dataset.toDF().withColumn(target, udf.apply(functions.col(wCol)));
  }

  /**
   * The {@code maxTermsPerTopic} features of largest weight in each component, as Spark's
   * {@code LDAModel.describeTopics}: columns topic, termIndices, termWeights, and terms when the
   * feature names are known.
   */
  public Dataset<Row> describeTopics(int maxTermsPerTopic) {
    if (maxTermsPerTopic < 1) {
      throw new IllegalArgumentException("maxTermsPerTopic must be >= 1, got " + maxTermsPerTopic);
    }
    int n = ht.rows();
    int top = Math.min(maxTermsPerTopic, n);
    List<Row> rows = new ArrayList<>();
    for (int t = 0; t < ht.cols(); t++) {
      final int topic = t;
      Integer[] order = new Integer[n];
      for (int j = 0; j < n; j++) {
        order[j] = j;
      }
      Arrays.sort(order, Comparator.comparingDouble((Integer j) -> -ht.get(j, topic)).thenComparing(j -> j));
      int[] idx = new int[top];
      double[] weights = new double[top];
      String[] terms = new String[top];
      for (int i = 0; i < top; i++) {
        idx[i] = order[i];
        weights[i] = ht.get(order[i], topic);
        terms[i] = featureNamesIn == null ? null : featureNamesIn[order[i]];
      }
      rows.add(featureNamesIn == null
          ? RowFactory.create(t, boxed(idx), boxed(weights))
          : RowFactory.create(t, boxed(idx), boxed(weights), terms));
    }
    StructType schema = new StructType()
        .add("topic", DataTypes.IntegerType, false)
        .add("termIndices", DataTypes.createArrayType(DataTypes.IntegerType), false)
        .add("termWeights", DataTypes.createArrayType(DataTypes.DoubleType), false);
    if (featureNamesIn != null) {
      schema = schema.add("terms", DataTypes.createArrayType(DataTypes.StringType), false);
    }
    return SparkSession.active().createDataFrame(rows, schema);
  }

  private static Integer[] boxed(int[] a) {
    return Arrays.stream(a).boxed().toArray(Integer[]::new);
  }

  private static Double[] boxed(double[] a) {
    return Arrays.stream(a).boxed().toArray(Double[]::new);
  }

  // ---- online learning ----

  /**
   * One more mini-batch step on {@code chunk} (scikit-learn's {@code partial_fit}): updates H and
   * the accumulators of this model in place. Only for models fitted by MiniBatchNMF.
   */
  public NMFModel partialFit(Dataset<?> chunk) {
    if (!miniBatch) {
      throw new IllegalStateException("partialFit needs a model fitted by MiniBatchNMF");
    }
    NMFParams.requireVectorColumn(chunk.schema(), getFeaturesCol(), "featuresCol");
    EngineSettings settings = toSettings();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(chunk.sparkSession().sparkContext());
    try (BlockedRows x = BlockedRows.fromDataset(chunk.toDF(), getFeaturesCol(), settings.partitions(),
        settings.storageLevel())) {
      MiniBatchState next = new NmfEngine(jsc, toOptions(), settings).partialFit(x, ht, state);
      state = next;
      nSteps = next.nSteps();
      objectiveHistory.add(next.costHistory().get(next.costHistory().size() - 1));
    }
    return this;
  }

  // ---- copy and persistence ----

  @Override
  public NMFModel copy(ParamMap extra) {
    NMFModel copy = new NMFModel(uid, ht, reconstructionErr, nIter, nSteps, objectiveHistory, null,
        miniBatch, featureNamesIn);
    copyValues(copy, extra).setParent(parent());
    // partialFit updates the accumulators in place: the copy gets its own.
    MiniBatchState s = state;
    if (s != null) {
      copy.state = MiniBatchState.restore(copy.toOptions(), s.batchSize(), s.rho(), s.numeratorAccumulator(),
          s.denominatorAccumulator(), s.ewaCost(), s.ewaCostMin(), s.noImprovement(), s.nSteps(),
          s.costHistory());
    }
    return copy;
  }

  @Override
  public MLWriter write() {
    return new NMFModelIO.Writer(this);
  }

  public static MLReader<NMFModel> read() {
    return new NMFModelIO.Reader();
  }

  public static NMFModel load(String path) {
    return read().load(path);
  }

  /** Restores a saved model (its params are set by the reader). */
  static NMFModel restored(String uid, DenseMatrix ht, double reconstructionErr, int nIter, int nSteps,
      List<Double> history, MiniBatchState state, boolean miniBatch, String[] featureNames) {
    return new NMFModel(uid, ht, reconstructionErr, nIter, nSteps, history, state, miniBatch, featureNames);
  }
}
