package org.sparknmf.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerBlockUpdated;
import org.apache.spark.storage.RDDBlockId;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparknmf.linalg.CsrMatrix;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.linalg.RandomizedSvd;
import org.sparknmf.solver.Initialization;
import org.sparknmf.testing.Assertions2;
import org.sparknmf.testing.LocalSpark;
import scala.Tuple2;

class DistributedInitTest {

  private static final int K = 3;

  /**
   * NNDSVD is sign-invariant, so W and Hᵀ must match the single-JVM result (scikit-learn's
   * randomized SVD there, the same one through distributed Gram products here) for k = 3.
   */
  @ParameterizedTest(name = "{0} {1}x{2} rank {3} sparse={4} partitions={5}")
  @CsvSource({
      "nndsvd,  60,  40,  3, false, 1",
      "nndsvd,  60,  40,  3, false, 3",
      "nndsvda, 60,  40,  3, false, 1",
      "nndsvda, 60,  40,  3, false, 3",
      "nndsvd,  200, 160, 3, false, 3",
      "nndsvd,  300, 150, 3, true,  1",
      "nndsvd,  300, 150, 3, true,  3",
      "nndsvda, 300, 150, 3, true,  3",
      // rank 2 < k: the third singular value is rounding, the third component stays 0 (or is filled)
      "nndsvd,  60,  40,  2, false, 2",
      "nndsvda, 200, 160, 2, false, 2",
      // rank 20 or 30 > k + 10: the randomized SVD is an approximation, and must be the same one
      "nndsvd,  400, 120, 20, false, 3",
      "nndsvda, 300, 240, 40, false, 2",
  })
  void nndsvdMatchesSingleJvm(String init, int m, int n, int rank, boolean sparse, int partitions) {
    DataMatrix x = lowRank(m, n, rank, sparse, 11L * m + n);
    Initialization.Factors local = Initialization.initialize(x, K, init, 7L);
    JavaSparkContext jsc = LocalSpark.jsc();
    try (BlockedRows bx = BlockedRows.fromMatrix(jsc, x, partitions, StorageLevel.MEMORY_ONLY())) {
      if (sparse) {
        assertTrue(bx.blocks().first().x() instanceof CsrMatrix, "sparse X is blocked as CSR");
      }
      Set<Integer> cachedBefore = new HashSet<>(jsc.getPersistentRDDs().keySet());
      String group = "distributed-init-" + System.nanoTime();
      jsc.setJobGroup(group, init, false);
      DistributedInit.Start start;
      try {
        start = DistributedInit.initialize(bx, K, init, 7L, StorageLevel.MEMORY_ONLY());
      } finally {
        jsc.clearJobGroup();
      }
      int jobs = jsc.statusTracker().getJobIdsForGroup(group).length;
      // The power iterations in one barrier stage where the blocks fit the task slots (local[2]:
      // two), else a job each; two jobs for the range's QR and Xᵀ·Q, one for the norms of U's
      // parts, one for W.
      int iterationJobs = BarrierPowerIterations.usable(jsc, bx) ? 1 : RandomizedSvd.powerIterations(K, m, n);
      assertEquals(partitions <= 2, BarrierPowerIterations.usable(jsc, bx), "barrier stage usable");
      assertEquals(iterationJobs + 4, jobs, "jobs");
      // W is the only RDD the start leaves cached: the blocks' QR factors are dropped.
      Set<Integer> cachedNow = new HashSet<>(jsc.getPersistentRDDs().keySet());
      cachedNow.removeAll(cachedBefore);
      assertEquals(Set.of(start.w().id()), cachedNow, "RDDs the start left cached");
      double[][] w = assemble(bx, start);
      double errW = Assertions2.relativeError(w, local.w().toArray());
      double errH = Assertions2.relativeError(start.ht().toArray(), local.ht().toArray());
      System.out.printf("%s %dx%d rank %d sparse=%s partitions=%d: jobs %d, W rel diff %.3g, Ht rel diff %.3g%n",
          init, m, n, rank, sparse, partitions, jobs, errW, errH);
      Assertions2.assertMatrixClose(local.w().toArray(), w, 1e-9, "W");
      Assertions2.assertMatrixClose(local.ht().toArray(), start.ht().toArray(), 1e-9, "Ht");
    }
  }

  /** The power iterations in one barrier stage give q, so the start, to the bit as a job each does. */
  @ParameterizedTest(name = "{0}x{1} sparse={2}")
  @CsvSource({
      "300, 150, false",
      "300, 150, true",
      // fewer features than k + 10: the first normalisation narrows q to 8 columns
      "200, 8, false",
  })
  void powerIterationsInOneBarrierStageGiveTheBitsOfAJobEach(int m, int n, boolean sparse) {
    DataMatrix x = lowRank(m, n, Math.min(20, n), sparse, 5L);
    JavaSparkContext jsc = LocalSpark.jsc();
    try (BlockedRows bx = BlockedRows.fromMatrix(jsc, x, 2, StorageLevel.MEMORY_ONLY())) {
      assertTrue(BarrierPowerIterations.usable(jsc, bx), "two blocks on local[2]");
      DistributedInit.Start barrier = DistributedInit.initialize(bx, K, "nndsvda", 7L, StorageLevel.MEMORY_ONLY());
      double[][] wBarrier = assemble(bx, barrier);
      jsc.setLocalProperty(BarrierMiniBatch.ENABLED_KEY, "false");
      DistributedInit.Start jobs;
      try {
        assertFalse(BarrierPowerIterations.usable(jsc, bx), "barrier stages off");
        jobs = DistributedInit.initialize(bx, K, "nndsvda", 7L, StorageLevel.MEMORY_ONLY());
      } finally {
        jsc.setLocalProperty(BarrierMiniBatch.ENABLED_KEY, null);
      }
      assertArrayEquals(jobs.ht().data(), barrier.ht().data(), "Hᵀ");
      double[][] wJobs = assemble(bx, jobs);
      for (int i = 0; i < wJobs.length; i++) {
        assertArrayEquals(wJobs[i], wBarrier[i], "W row " + i);
      }
    }
  }

  /**
   * The blocks' range factors (rows × (k + 10)) are cached across the start's passes only where
   * they weigh no more than X's values and W: not for rows of fewer than 10 stored entries. Either
   * way the start is the single JVM's and leaves only W cached.
   */
  @ParameterizedTest
  @CsvSource({
      "40, true",  // dense, 40 entries a row
      "2,  false", // at most k · 2 = 6 entries a row
  })
  void rangeFactorsCachedOnlyWhereTheyWeighNoMoreThanXAndW(int perRow, boolean cached) throws Exception {
    CsrMatrix x = perRow >= 40 ? CsrMatrix.fromDense((DenseMatrix) lowRank(200, 40, K, false, 9L))
        : wideSparse(400, 300, K, perRow, 9L);
    assertEquals(cached, DistributedSvd.cachesFactors(x.rows(), x.storedEntries(), K + 10, K), "rule");
    Initialization.Factors local = Initialization.initialize(x, K, "nndsvd", 7L);
    JavaSparkContext jsc = LocalSpark.jsc();
    try (BlockedRows bx = BlockedRows.fromMatrix(jsc, x, 2, StorageLevel.MEMORY_ONLY())) {
      bx.blocks().count();
      Set<Integer> stored = ConcurrentHashMap.newKeySet();
      SparkListener blocks = new SparkListener() {
        @Override
        public void onBlockUpdated(SparkListenerBlockUpdated e) {
          if (e.blockUpdatedInfo().blockId() instanceof RDDBlockId id && e.blockUpdatedInfo().storageLevel().isValid()) {
            stored.add(id.rddId());
          }
        }
      };
      jsc.sc().listenerBus().waitUntilEmpty();
      jsc.sc().addSparkListener(blocks);
      DistributedInit.Start start;
      try {
        start = DistributedInit.initialize(bx, K, "nndsvd", 7L, StorageLevel.MEMORY_ONLY());
        jsc.sc().listenerBus().waitUntilEmpty();
      } finally {
        jsc.sc().removeSparkListener(blocks);
      }
      stored.remove(start.w().id());
      assertEquals(cached ? 1 : 0, stored.size(), "RDDs besides W whose blocks the start cached: " + stored);
      for (int id : stored) {
        assertFalse(jsc.getPersistentRDDs().containsKey(id), "the range factors are dropped");
      }
      Assertions2.assertMatrixClose(local.w().toArray(), assemble(bx, start), 1e-9, "W");
      Assertions2.assertMatrixClose(local.ht().toArray(), start.ht().toArray(), 1e-9, "Ht");
    }
  }

  /** A million features (wider than tall): never an n × n matrix. */
  @Test
  void nndsvdWithAMillionFeatures() {
    int m = 300;
    int n = 1_000_000;
    CsrMatrix x = wideSparse(m, n, K, 40, 21L);
    Initialization.Factors local = Initialization.initialize(x, K, "nndsvd", null);
    try (BlockedRows bx = BlockedRows.fromMatrix(LocalSpark.jsc(), x, 3, StorageLevel.MEMORY_ONLY())) {
      long t0 = System.nanoTime();
      DistributedInit.Start start = DistributedInit.initialize(bx, K, "nndsvd", null, StorageLevel.MEMORY_ONLY());
      double[][] w = assemble(bx, start);
      double errW = Assertions2.relativeError(w, local.w().toArray());
      double errH = Assertions2.relativeError(start.ht().toArray(), local.ht().toArray());
      System.out.printf("nndsvd %dx%d (%d non-zeros): %.1f s, W rel diff %.3g, Ht rel diff %.3g%n",
          m, n, x.storedEntries(), (System.nanoTime() - t0) / 1e9, errW, errH);
      Assertions2.assertMatrixClose(local.w().toArray(), w, 1e-6, "W");
      Assertions2.assertMatrixClose(local.ht().toArray(), start.ht().toArray(), 1e-6, "Ht");
    }
  }

  @Test
  void randomDrawsHLikeScikitLearnAndWIndependentOfPartitioning() {
    DataMatrix x = integers(50, 30, 5L);
    int k = 4;
    Initialization.Factors local = Initialization.initialize(x, k, "random", 42L);
    double[][] first = null;
    for (int partitions : new int[] {1, 2, 5}) {
      try (BlockedRows bx = BlockedRows.fromMatrix(LocalSpark.jsc(), x, partitions, StorageLevel.MEMORY_ONLY())) {
        DistributedInit.Start start = DistributedInit.initialize(bx, k, "random", 42L, StorageLevel.MEMORY_ONLY());
        // Integer X: its sum, and so the scale, is exact in any partitioning.
        assertArrayEquals(local.ht().data(), start.ht().data(), "Ht, partitions " + partitions);
        double[][] w = assemble(bx, start);
        assertFiniteNonNegative(w, "W");
        if (first == null) {
          first = w;
        } else {
          assertArrayEquals(first, w, "W with " + partitions + " partitions");
        }
      }
    }
  }

  @Test
  void nndsvdarFillsTheZerosOfNndsvdAndWIndependentOfPartitioning() {
    DataMatrix x = lowRank(60, 40, K, false, 3L);
    Initialization.Factors nndsvd = Initialization.initialize(x, K, "nndsvd", null);
    assertTrue(zeros(nndsvd.w().toArray()) > 0 && zeros(nndsvd.ht().toArray()) > 0, "NNDSVD has zeros to fill");
    double[][] first = null;
    for (int partitions : new int[] {1, 3}) {
      try (BlockedRows bx = BlockedRows.fromMatrix(LocalSpark.jsc(), x, partitions, StorageLevel.MEMORY_ONLY())) {
        DistributedInit.Start start = DistributedInit.initialize(bx, K, "nndsvdar", 7L, StorageLevel.MEMORY_ONLY());
        double[][] w = assemble(bx, start);
        double[][] ht = start.ht().toArray();
        assertEquals(0, zeros(w), "zeros left in W");
        assertEquals(0, zeros(ht), "zeros left in Ht");
        assertFiniteNonNegative(w, "W");
        assertFiniteNonNegative(ht, "Ht");
        Assertions2.assertMatrixClose(nndsvd.w().toArray(), keepWhereNonZero(w, nndsvd.w().toArray()), 1e-6, "W");
        Assertions2.assertMatrixClose(nndsvd.ht().toArray(), keepWhereNonZero(ht, nndsvd.ht().toArray()), 1e-6, "Ht");
        if (first == null) {
          first = w;
        } else {
          assertSameDraws(first, w, "W with " + partitions + " partitions");
        }
      }
    }
  }

  /**
   * The SVD and X.mean() are sums whose order follows the partitioning, so only rounding may differ;
   * a different draw would differ by about 100%.
   */
  private static void assertSameDraws(double[][] expected, double[][] actual, String what) {
    double scale = 0.0;
    for (double[] row : expected) {
      for (double v : row) {
        scale = Math.max(scale, Math.abs(v));
      }
    }
    for (int i = 0; i < expected.length; i++) {
      for (int j = 0; j < expected[i].length; j++) {
        double tol = 1e-9 * Math.abs(expected[i][j]) + 1e-12 * scale;
        assertEquals(expected[i][j], actual[i][j], tol, what + " at (" + i + ", " + j + ")");
      }
    }
  }

  @Test
  void customWIsPlacedByRowIdAndChecked() {
    int m = 20;
    int n = 6;
    DataMatrix x = integers(m, n, 9L);
    double[][] w = new double[m][];
    for (int i = 0; i < m; i++) {
      w[i] = new double[] {i + 0.5, 2 * i + 0.25};
    }
    DenseMatrix ht = DenseMatrix.filled(n, 2, 0.5);
    try (BlockedRows bx = BlockedRows.fromMatrix(LocalSpark.jsc(), x, 3, StorageLevel.MEMORY_ONLY())) {
      DistributedInit.Start start = DistributedInit.custom(bx, pairs(w, -1), ht);
      assertArrayEquals(w, assemble(bx, start));
      assertArrayEquals(ht.data(), start.ht().data());

      IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
          () -> DistributedInit.custom(bx, pairs(w, 7), ht));
      assertTrue(missing.getMessage().contains("row id 7"), missing.getMessage());

      w[11][1] = -1.0;
      IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
          () -> DistributedInit.custom(bx, pairs(w, -1), ht));
      assertTrue(negative.getMessage().contains("negative") && negative.getMessage().contains("row 11"),
          negative.getMessage());
    }
  }

  @Test
  void refusesMoreComponentsThanTheSvdHas() {
    DataMatrix x = integers(10, 5, 1L);
    IllegalArgumentException local = assertThrows(IllegalArgumentException.class,
        () -> Initialization.initialize(x, 6, "nndsvd", null));
    try (BlockedRows bx = BlockedRows.fromMatrix(LocalSpark.jsc(), x, 2, StorageLevel.MEMORY_ONLY())) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> DistributedInit.initialize(bx, 6, "nndsvd", null, StorageLevel.MEMORY_ONLY()));
      assertTrue(e.getMessage().contains("n_components"), e.getMessage());
      assertEquals(local.getMessage(), e.getMessage());
    }
  }

  /** W's blocks stacked in row-id order, each checked to have its X block's rows. */
  private static double[][] assemble(BlockedRows x, DistributedInit.Start start) {
    List<Tuple2<RowBlock, DenseMatrix>> pairs = new ArrayList<>(x.blocks().zip(start.w()).collect());
    pairs.sort(Comparator.comparingLong(p -> p._1().rowId(0)));
    List<double[]> rows = new ArrayList<>();
    for (Tuple2<RowBlock, DenseMatrix> p : pairs) {
      assertEquals(p._1().rows(), p._2().rows(), "W block rows");
      Collections.addAll(rows, p._2().toArray());
    }
    assertEquals(x.rows(), rows.size());
    start.w().unpersist(false);
    return rows.toArray(new double[0][]);
  }

  /** (row id, row) pairs in a shuffled order, without row {@code skip}. */
  private static JavaPairRDD<Long, double[]> pairs(double[][] w, int skip) {
    List<Tuple2<Long, double[]>> list = new ArrayList<>();
    for (int i = 0; i < w.length; i++) {
      if (i != skip) {
        list.add(new Tuple2<>((long) i, w[i].clone()));
      }
    }
    Collections.shuffle(list, new Random(3));
    return JavaPairRDD.fromJavaRDD(LocalSpark.jsc().parallelize(list, 2));
  }

  /**
   * A · B of exact rank k, A (m × k) and B (k × n) non-negative; sparse: A half zeros and B about
   * 95% zeros, so that X is about 10% non-zero.
   */
  private static DataMatrix lowRank(int m, int n, int k, boolean sparse, long seed) {
    Random r = new Random(seed);
    DenseMatrix a = new DenseMatrix(m, k);
    DenseMatrix bt = new DenseMatrix(n, k);
    for (int i = 0; i < m; i++) {
      for (int t = 0; t < k; t++) {
        a.set(i, t, !sparse || r.nextDouble() < 0.5 ? r.nextDouble() : 0.0);
      }
      if (sparse) {
        a.set(i, i % k, 0.5 + r.nextDouble()); // every row uses one component at least
      }
    }
    for (int j = 0; j < n; j++) {
      for (int t = 0; t < k; t++) {
        bt.set(j, t, !sparse || r.nextDouble() < 0.05 ? r.nextDouble() : 0.0);
      }
    }
    DenseMatrix x = new DenseMatrix(m, n);
    a.timesTransposeInto(bt, x);
    return sparse ? CsrMatrix.fromDense(x) : x;
  }

  /**
   * A · B of rank k built directly as CSR: each of B's k rows has {@code perRow} non-zeros in
   * random columns, each row of A is non-negative and dense.
   */
  private static CsrMatrix wideSparse(int m, int n, int k, int perRow, long seed) {
    Random r = new Random(seed);
    List<java.util.TreeMap<Integer, Double>> b = new ArrayList<>();
    for (int t = 0; t < k; t++) {
      java.util.TreeMap<Integer, Double> row = new java.util.TreeMap<>();
      while (row.size() < perRow) {
        row.put(r.nextInt(n), 0.1 + r.nextDouble());
      }
      b.add(row);
    }
    int[] indptr = new int[m + 1];
    List<Integer> indices = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    for (int i = 0; i < m; i++) {
      java.util.TreeMap<Integer, Double> xi = new java.util.TreeMap<>();
      for (int t = 0; t < k; t++) {
        double a = 0.1 + r.nextDouble();
        b.get(t).forEach((j, v) -> xi.merge(j, a * v, Double::sum));
      }
      xi.forEach((j, v) -> {
        indices.add(j);
        values.add(v);
      });
      indptr[i + 1] = indices.size();
    }
    return new CsrMatrix(m, n, indptr, indices.stream().mapToInt(Integer::intValue).toArray(),
        values.stream().mapToDouble(Double::doubleValue).toArray());
  }

  private static DenseMatrix integers(int m, int n, long seed) {
    Random r = new Random(seed);
    DenseMatrix x = new DenseMatrix(m, n);
    double[] d = x.data();
    for (int i = 0; i < d.length; i++) {
      d[i] = r.nextInt(10);
    }
    return x;
  }

  private static void assertFiniteNonNegative(double[][] a, String what) {
    for (double[] row : a) {
      for (double v : row) {
        assertTrue(Double.isFinite(v) && v >= 0.0, what + " has " + v);
      }
    }
  }

  private static int zeros(double[][] a) {
    int c = 0;
    for (double[] row : a) {
      for (double v : row) {
        c += v == 0.0 ? 1 : 0;
      }
    }
    return c;
  }

  /** {@code a} with its entries zeroed where {@code reference} is 0. */
  private static double[][] keepWhereNonZero(double[][] a, double[][] reference) {
    double[][] out = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i].clone();
      for (int j = 0; j < a[i].length; j++) {
        if (reference[i][j] == 0.0) {
          out[i][j] = 0.0;
        }
      }
    }
    return out;
  }
}
