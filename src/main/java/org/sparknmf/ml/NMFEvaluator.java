package org.sparknmf.ml;

import org.apache.spark.ml.evaluation.Evaluator;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.sparknmf.solver.BetaLoss;
import org.sparknmf.solver.ReconstructionSums;

/**
 * How well a reconstruction X̂ (an {@link NMFModel}'s {@code reconstructionCol}, W·H) matches the
 * data X ({@code featuresCol}), over all rows of a dataset, for model selection with Spark's
 * {@code CrossValidator} and {@code TrainValidationSplit}. Smaller is better for every metric:
 * <ul>
 *   <li>{@code relativeFrobenius} (default): ‖X − X̂‖_F / ‖X‖_F (NaN when X is all zeros);
 *   <li>{@code frobenius}: ‖X − X̂‖_F;
 *   <li>{@code betaDivergence}: scikit-learn's beta-divergence of X from X̂ for {@code betaLoss}
 *       ({@code frobenius} gives half the squared error), with the same epsilon handling as
 *       {@link org.sparknmf.solver.BetaDivergence}.
 * </ul>
 * One pass over the data: per-row sums ({@link ReconstructionSums}) combined by a
 * {@code treeAggregate}.
 *
 * <pre>{@code
 * NMFModel model = new MiniBatchNMF().setK(4).setReconstructionCol("reconstruction").fit(train);
 * double err = new NMFEvaluator().evaluate(model.transform(test));
 * }</pre>
 */
public final class NMFEvaluator extends Evaluator implements DefaultParamsWritable {

  private static final long serialVersionUID = 1L;

  /** The values of {@code metricName}. */
  public static final String[] METRICS = {"relativeFrobenius", "frobenius", "betaDivergence"};

  private final String uid;
  private final Param<String> featuresCol;
  private final Param<String> reconstructionCol;
  private final Param<String> metricName;
  private final Param<String> betaLoss;
  private final IntParam aggregationDepth;

  public NMFEvaluator() {
    this(Identifiable$.MODULE$.randomUID("nmfEval"));
  }

  public NMFEvaluator(String uid) {
    this.uid = uid;
    featuresCol = new Param<>(this, "featuresCol", "features column name (Vector: the rows of X)");
    reconstructionCol = new Param<>(this, "reconstructionCol",
        "reconstruction column name (Vector: the rows of X̂ = W·H, as NMFModel's reconstructionCol)");
    metricName = new Param<>(this, "metricName", "metric: relativeFrobenius (‖X − X̂‖_F / ‖X‖_F), "
        + "frobenius (‖X − X̂‖_F) or betaDivergence (of X from X̂, for betaLoss)",
        ParamValidators.inArray(METRICS));
    betaLoss = new Param<>(this, "betaLoss", "beta divergence for metricName betaDivergence: frobenius, "
        + "kullback-leibler, itakura-saito or a number",
        new NMFParams.Check<String>(v -> BetaLoss.parse(v) != null));
    aggregationDepth = new IntParam(this, "aggregationDepth", "depth of the tree that sums the rows (>= 1)",
        ParamValidators.gtEq(1));
    setDefault(featuresCol, "features");
    setDefault(reconstructionCol, "reconstruction");
    setDefault(metricName, "relativeFrobenius");
    setDefault(betaLoss, "frobenius");
    setDefault(aggregationDepth, 2);
  }

  @Override
  public String uid() {
    return uid;
  }

  // ---- params ----

  public Param<String> featuresCol() {
    return featuresCol;
  }

  public Param<String> reconstructionCol() {
    return reconstructionCol;
  }

  public Param<String> metricName() {
    return metricName;
  }

  public Param<String> betaLoss() {
    return betaLoss;
  }

  public IntParam aggregationDepth() {
    return aggregationDepth;
  }

  public String getFeaturesCol() {
    return getOrDefault(featuresCol);
  }

  public String getReconstructionCol() {
    return getOrDefault(reconstructionCol);
  }

  public String getMetricName() {
    return getOrDefault(metricName);
  }

  public String getBetaLoss() {
    return getOrDefault(betaLoss);
  }

  public int getAggregationDepth() {
    return (Integer) getOrDefault(aggregationDepth);
  }

  public NMFEvaluator setFeaturesCol(String v) {
    set(featuresCol, v);
    return this;
  }

  public NMFEvaluator setReconstructionCol(String v) {
    set(reconstructionCol, v);
    return this;
  }

  public NMFEvaluator setMetricName(String v) {
    set(metricName, v);
    return this;
  }

  /** frobenius, kullback-leibler, itakura-saito or a number. */
  public NMFEvaluator setBetaLoss(String v) {
    set(betaLoss, v);
    return this;
  }

  public NMFEvaluator setBetaLoss(double v) {
    return setBetaLoss(Double.toString(v));
  }

  public NMFEvaluator setAggregationDepth(int v) {
    set(aggregationDepth, v);
    return this;
  }

  // ---- evaluation ----

  /** Smaller is better for every metric. */
  @Override
  public boolean isLargerBetter() {
    return false;
  }

  @Override
  public double evaluate(Dataset<?> dataset) {
    ReconstructionSums sums = sums(dataset);
    if (sums.rows() == 0) {
      throw new IllegalArgumentException("NMFEvaluator: the dataset has no rows");
    }
    switch (getMetricName()) {
      case "frobenius":
        return sums.frobenius();
      case "betaDivergence":
        return sums.betaDivergence();
      default:
        return sums.relativeFrobenius();
    }
  }

  /** The sums over all rows of the dataset (one Spark job); every metric derives from them. */
  public ReconstructionSums sums(Dataset<?> dataset) {
    StructType schema = dataset.schema();
    String x = getFeaturesCol();
    String rec = getReconstructionCol();
    NMFParams.requireVectorColumn(schema, x, "featuresCol");
    NMFParams.requireVectorColumn(schema, rec, "reconstructionCol");
    BetaLoss loss = "betaDivergence".equals(getMetricName()) ? BetaLoss.parse(getBetaLoss()) : null;
    ReconstructionSums zero = ReconstructionSums.zero(loss);
    return dataset.select(x, rec).toJavaRDD().treeAggregate(zero,
        NMFEvaluator::add, ReconstructionSums::merge, getAggregationDepth());
  }

  private static ReconstructionSums add(ReconstructionSums s, Row r) {
    if (r.isNullAt(0) || r.isNullAt(1)) {
      throw new IllegalArgumentException("NMFEvaluator: null " + (r.isNullAt(0) ? "features" : "reconstruction")
          + " vector");
    }
    Vector x = r.getAs(0);
    double[] xhat = ((Vector) r.getAs(1)).toArray();
    try {
      if (x instanceof SparseVector sv) {
        return s.addSparse(sv.size(), sv.indices(), sv.values(), xhat);
      }
      return s.addDense(((DenseVector) x).values(), xhat);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("NMFEvaluator: " + e.getMessage(), e);
    }
  }

  @Override
  public NMFEvaluator copy(ParamMap extra) {
    return (NMFEvaluator) defaultCopy(extra);
  }

  @Override
  public String toString() {
    return "NMFEvaluator: uid=" + uid + ", metricName=" + getMetricName()
        + ("betaDivergence".equals(getMetricName()) ? ", betaLoss=" + getBetaLoss() : "");
  }

  public static MLReader<NMFEvaluator> read() {
    return new DefaultParamsReader<>();
  }

  public static NMFEvaluator load(String path) {
    return read().load(path);
  }
}
