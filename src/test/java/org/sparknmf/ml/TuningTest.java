package org.sparknmf.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.ml.tuning.TrainValidationSplit;
import org.apache.spark.ml.tuning.TrainValidationSplitModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model selection with Spark's tuning on data of known rank: X (300 × 30) = W·H for seeded uniform
 * factors of rank 4, plus Gaussian noise of standard deviation 0.01 (clipped at 0). The evaluator
 * scores held-out rows, whose W is solved against the fitted H, so the error keeps falling as k
 * grows; the grids are chosen so that the right answer is a strict minimum that a broken fit,
 * transform or evaluator would miss.
 */
class TuningTest {

  static final int RANK = 4;
  static Dataset<Row> data;

  @BeforeAll
  static void knownRank() {
    data = NMFStageSmokeTest.frame(lowRank(300, 30, RANK, 0.01, 11)).repartition(2).cache();
  }

  static double[][] lowRank(int m, int n, int rank, double noise, long seed) {
    Random rnd = new Random(seed);
    double[][] w = new double[m][rank];
    double[][] h = new double[rank][n];
    for (double[] r : w) {
      for (int t = 0; t < rank; t++) {
        r[t] = rnd.nextDouble();
      }
    }
    for (double[] r : h) {
      for (int j = 0; j < n; j++) {
        r[j] = rnd.nextDouble();
      }
    }
    double[][] x = new double[m][n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double v = 0.0;
        for (int t = 0; t < rank; t++) {
          v += w[i][t] * h[t][j];
        }
        x[i][j] = Math.max(0.0, v + noise * rnd.nextGaussian());
      }
    }
    return x;
  }

  private static NMF nmf() {
    return new NMF().setSeed(0).setMaxIter(400).setTol(1e-6).setReconstructionCol("reconstruction");
  }

  private static int argmin(double[] a) {
    int best = 0;
    for (int i = 1; i < a.length; i++) {
      if (a[i] < a[best]) {
        best = i;
      }
    }
    return best;
  }

  @Test
  void crossValidationFindsTheRankAndSavesTheModel(@TempDir Path dir) throws Exception {
    NMF est = nmf();
    ParamMap[] grid = new ParamGridBuilder().addGrid(est.k(), new int[] {1, 2, RANK}).build();
    CrossValidator cv = new CrossValidator().setEstimator(est).setEvaluator(new NMFEvaluator())
        .setEstimatorParamMaps(grid).setNumFolds(3).setSeed(5);
    CrossValidatorModel cvModel = cv.fit(data);
    double[] metrics = cvModel.avgMetrics();
    System.out.println("TuningTest CV k in {1, 2, 4}: relative Frobenius " + Arrays.toString(metrics));
    int[] ks = Arrays.stream(grid).mapToInt(p -> (Integer) p.apply(est.k())).toArray();
    assertArrayEquals(new int[] {1, 2, RANK}, ks);
    assertTrue(metrics[0] > metrics[1] && metrics[1] > metrics[2], Arrays.toString(metrics));
    // At the true rank only the noise is left (~1% of the signal); one component short costs far more.
    assertTrue(metrics[2] < 0.03, Arrays.toString(metrics));
    assertTrue(metrics[1] > 3 * metrics[2], Arrays.toString(metrics));
    NMFModel best = (NMFModel) cvModel.bestModel();
    assertEquals(RANK, best.numComponents());
    assertEquals("reconstruction", best.getReconstructionCol());

    // The whole CrossValidatorModel (estimator, evaluator, grid, best model) saves and loads.
    String path = dir.resolve("cv").toString();
    cvModel.write().save(path);
    CrossValidatorModel back = CrossValidatorModel.load(path);
    assertArrayEquals(metrics, back.avgMetrics(), 0.0);
    assertTrue(back.getEvaluator() instanceof NMFEvaluator);
    assertEquals(3, back.getEstimatorParamMaps().length);
    assertEquals(RANK, ((NMFModel) back.bestModel()).numComponents());
    List<Row> a = cvModel.transform(data).collectAsList();
    List<Row> b = back.transform(data).collectAsList();
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) {
      for (String col : new String[] {"features", "nmfFeatures", "reconstruction"}) {
        assertArrayEquals(((Vector) a.get(i).getAs(col)).toArray(), ((Vector) b.get(i).getAs(col)).toArray(),
            0.0, col + " row " + i);
      }
    }
    assertEquals(new NMFEvaluator().evaluate(cvModel.transform(data)),
        new NMFEvaluator().evaluate(back.transform(data)), 0.0);
  }

  @Test
  void crossValidationPrefersNoRegularization() {
    NMF est = nmf().setK(RANK);
    ParamMap[] grid = new ParamGridBuilder().addGrid(est.alphaW(), new double[] {0.0, 1.0}).build();
    CrossValidatorModel cvModel = new CrossValidator().setEstimator(est).setEvaluator(new NMFEvaluator())
        .setEstimatorParamMaps(grid).setNumFolds(3).setSeed(5).fit(data);
    double[] metrics = cvModel.avgMetrics();
    System.out.println("TuningTest CV alphaW in {0, 1}: relative Frobenius " + Arrays.toString(metrics));
    assertEquals(0.0, (Double) grid[argmin(metrics)].apply(est.alphaW()), 0.0);
    assertTrue(metrics[1] > 2 * metrics[0], Arrays.toString(metrics));
    assertEquals(0.0, ((NMFModel) cvModel.bestModel()).getAlphaW(), 0.0);
  }

  @Test
  void trainValidationSplitWithMiniBatchNMF() {
    MiniBatchNMF est = new MiniBatchNMF().setSeed(0).setBatchSize(64).setMaxIter(100)
        .setReconstructionCol("reconstruction");
    ParamMap[] grid = new ParamGridBuilder().addGrid(est.k(), new int[] {2, 3, RANK}).build();
    TrainValidationSplitModel tvs = new TrainValidationSplit().setEstimator(est)
        .setEvaluator(new NMFEvaluator().setMetricName("frobenius"))
        .setEstimatorParamMaps(grid).setTrainRatio(0.75).setSeed(5).fit(data);
    double[] metrics = tvs.validationMetrics();
    System.out.println("TuningTest TVS MiniBatchNMF k in {2, 3, 4}: Frobenius " + Arrays.toString(metrics));
    assertTrue(metrics[0] > metrics[1] && metrics[1] > metrics[2], Arrays.toString(metrics));
    NMFModel best = (NMFModel) tvs.bestModel();
    assertEquals(RANK, best.numComponents());
    assertTrue(best.isMiniBatch());
  }
}
