package org.sparknmf.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.sparknmf.engine.BlockedRows;
import org.sparknmf.engine.EngineSettings;
import org.sparknmf.engine.FitResult;
import org.sparknmf.engine.NmfEngine;
import org.sparknmf.linalg.Blas;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.local.MiniBatchNMF;
import org.sparknmf.local.NMF;
import org.sparknmf.solver.NmfOptions;

/**
 * The first thing to run: scikit-learn's documentation example, then NMF and MiniBatchNMF on a
 * real data set (the digits sample, or a CSV of numbers given as the first argument), on one JVM
 * and then with the distributed engine on Spark ({@code spark.master}, local[*] by default).
 */
public final class QuickStart {

  private QuickStart() {}

  public static void main(String[] args) throws IOException {
    System.out.println("BLAS: " + Blas.implementation());

    // scikit-learn's own example (sklearn.decomposition.NMF docstring).
    double[][] x = {{1, 1}, {2, 1}, {3, 1.2}, {4, 1}, {5, 0.8}, {6, 1}};
    NMF model = new NMF().setNComponents(2).setInit("random").setRandomState(0);
    double[][] w = model.fitTransform(x);
    System.out.println("\nscikit-learn's example, NMF(n_components=2, init='random', random_state=0):");
    System.out.println("W = " + Arrays.deepToString(w));
    System.out.println("H = " + Arrays.deepToString(model.components()));
    System.out.printf("reconstruction_err = %.6f, n_iter = %d%n", model.reconstructionErr(), model.nIter());

    Path input = Path.of(args.length > 0 ? args[0] : defaultSample());
    DenseMatrix data = readCsv(input);
    System.out.printf("%n%s: %d samples × %d features%n", input, data.rows(), data.cols());
    double norm = Math.sqrt(data.squaredNorm());

    long t0 = System.nanoTime();
    NMF nmf = new NMF().setNComponents(16).setMaxIter(400).setRandomState(0);
    nmf.fit(data);
    System.out.printf("NMF(k=16, cd, nndsvda):        relative error %.4f, %d iterations, %.2f s%n",
        nmf.reconstructionErr() / norm, nmf.nIter(), (System.nanoTime() - t0) / 1e9);

    t0 = System.nanoTime();
    MiniBatchNMF mb = new MiniBatchNMF().setNComponents(16).setBatchSize(256).setRandomState(0);
    mb.fit(data);
    System.out.printf("MiniBatchNMF(k=16, batch 256): relative error %.4f, %d epochs, %d steps, %.2f s%n",
        mb.reconstructionErr() / norm, mb.nIter(), mb.nSteps(), (System.nanoTime() - t0) / 1e9);

    distributed(data, norm);
  }

  /** The same fits by the distributed engine: X as row blocks over 4 partitions. */
  private static void distributed(DenseMatrix data, double norm) {
    SparkSession spark = SparkSession.builder()
        .master(System.getProperty("spark.master", "local[*]"))
        .appName("spark-nmf quick start")
        .config("spark.ui.enabled", "false")
        .getOrCreate();
    try {
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      EngineSettings settings = new EngineSettings().execution("distributed");
      try (BlockedRows x = BlockedRows.fromMatrix(jsc, data, 4, settings.storageLevel())) {
        System.out.printf("%nDistributed engine on %s, X in %d blocks:%n", jsc.master(), x.numPartitions());
        long t0 = System.nanoTime();
        NmfOptions nmf = new NmfOptions().nComponents(16).maxIter(400).randomState(0L);
        try (FitResult r = new NmfEngine(jsc, nmf, settings).fitNmf(x)) {
          System.out.printf("NMF(k=16, cd, nndsvda):        relative error %.4f, %d iterations, %.2f s%n",
              r.reconstructionErr() / norm, r.nIter(), (System.nanoTime() - t0) / 1e9);
        }
        t0 = System.nanoTime();
        // One Spark job per step: on data this small that overhead, not the arithmetic, sets the pace.
        NmfOptions mb = new NmfOptions().nComponents(16).batchSize(256).maxIter(20).randomState(0L);
        try (FitResult r = new NmfEngine(jsc, mb, settings).fitMiniBatch(x)) {
          System.out.printf("MiniBatchNMF(k=16, batch 256, 20 epochs): relative error %.4f, %d steps, %.2f s%n",
              r.reconstructionErr() / norm, r.nSteps(), (System.nanoTime() - t0) / 1e9);
        }
      }
    } finally {
      spark.stop();
    }
  }

  private static String defaultSample() {
    Path here = Path.of("data-samples/digits.csv");
    if (Files.exists(here)) {
      return here.toString();
    }
    String dir = System.getProperty("sparknmf.home", ".");
    return Path.of(dir, "data-samples", "digits.csv").toString();
  }

  /** Numbers only, one row per line, comma-separated. */
  private static DenseMatrix readCsv(Path path) throws IOException {
    List<String> lines = Files.readAllLines(path);
    double[][] rows = new double[lines.size()][];
    for (int i = 0; i < rows.length; i++) {
      String[] cells = lines.get(i).split(",");
      rows[i] = new double[cells.length];
      for (int j = 0; j < cells.length; j++) {
        try {
          rows[i][j] = Double.parseDouble(cells[j].trim());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(path + ": row " + i + ", column " + j + ": not a number: '"
              + cells[j] + "'");
        }
      }
    }
    return DenseMatrix.of(rows);
  }
}
