package org.sparknmf.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparknmf.testing.Assertions2.assertMatrixClose;
import static org.sparknmf.testing.Assertions2.assertRelClose;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.rdd.RDD;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.RDDBlockId;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparknmf.linalg.CsrMatrix;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.local.MiniBatchNMF;
import org.sparknmf.local.NMF;
import org.sparknmf.solver.BetaDivergence;
import org.sparknmf.solver.BetaLoss;
import org.sparknmf.solver.NmfOptions;
import org.sparknmf.testing.LocalSpark;
import scala.Tuple2;

/**
 * What the engine promises beyond the reference cases: determinism (same bits for the same data,
 * partitioning and seed, also when cached blocks are lost mid-fit), MiniBatchNMF on several
 * partitions, the driver path of execution "auto", Dataset input and clear errors for bad rows.
 */
class EngineBehaviourTest {

  static DenseMatrix lowRank(long seed, int m, int n, int rank, double noise) {
    Random r = new Random(seed);
    double[][] a = new double[m][rank];
    double[][] b = new double[rank][n];
    for (double[] row : a) {
      for (int t = 0; t < rank; t++) {
        row[t] = r.nextDouble();
      }
    }
    for (double[] row : b) {
      for (int j = 0; j < n; j++) {
        row[j] = r.nextDouble();
      }
    }
    DenseMatrix x = new DenseMatrix(m, n);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double v = 0;
        for (int t = 0; t < rank; t++) {
          v += a[i][t] * b[t][j];
        }
        x.set(i, j, v + noise * r.nextDouble());
      }
    }
    return x;
  }

  private static NmfOptions miniBatch() {
    return new NmfOptions().nComponents(4).init("random").randomState(7L).batchSize(25).maxIter(30);
  }

  private static FitResult fit(DataMatrix x, int partitions, NmfOptions o, boolean miniBatch,
      EngineSettings settings) {
    BlockedRows xb = EngineFixtures.blocked(x, partitions);
    NmfEngine engine = new NmfEngine(LocalSpark.jsc(), o, settings);
    return miniBatch ? engine.fitMiniBatch(xb) : engine.fitNmf(xb);
  }

  @Test
  void sameSeedAndPartitioningGiveTheSameBits() {
    DenseMatrix x = lowRank(1, 120, 30, 4, 0.1);
    for (boolean mb : new boolean[] {true, false}) {
      NmfOptions o = mb ? miniBatch() : new NmfOptions().nComponents(4).init("random").randomState(3L).maxIter(40);
      try (FitResult a = fit(x, 3, o, mb, EngineFixtures.distributed());
          FitResult b = fit(x, 3, o, mb, EngineFixtures.distributed())) {
        assertArrayEquals(a.ht().data(), b.ht().data(), "H of two identical fits");
        assertArrayEquals(a.collectW().data(), b.collectW().data(), "W of two identical fits");
        assertEquals(a.reconstructionErr(), b.reconstructionErr());
      }
    }
  }

  /**
   * Drops cached blocks (of X and of the uncheckpointed W versions) after every few jobs: Spark
   * recomputes them from lineage, and the fit must come out the same to the bit.
   */
  @ParameterizedTest(name = "miniBatch={0}")
  @ValueSource(booleans = {true, false})
  void lostCachedBlocksAreRecomputedToTheSameBits(boolean mb, @TempDir Path checkpoints) {
    DenseMatrix x = lowRank(2, 150, 30, 4, 0.1);
    NmfOptions o = mb ? miniBatch() : new NmfOptions().nComponents(4).solver("mu").init("random").randomState(5L).maxIter(60);
    // Reliable checkpoints: a lost block of a local checkpoint could not be recomputed at all.
    EngineSettings settings = EngineFixtures.distributed().checkpointDir(checkpoints.toString()).checkpointInterval(3);
    FitResult undisturbed = fit(x, 3, o, mb, settings);
    AtomicInteger jobs = new AtomicInteger();
    AtomicInteger dropped = new AtomicInteger();
    SparkListener dropper = new SparkListener() {
      @Override
      public void onJobEnd(SparkListenerJobEnd end) {
        if (jobs.incrementAndGet() % 7 == 0) {
          dropped.addAndGet(dropCachedBlocks());
        }
      }
    };
    LocalSpark.jsc().sc().addSparkListener(dropper);
    FitResult disturbed;
    try {
      disturbed = fit(x, 3, o, mb, settings);
    } finally {
      LocalSpark.jsc().sc().removeSparkListener(dropper);
    }
    try (undisturbed; disturbed) {
      assertTrue(dropped.get() > 0, "some cached blocks were dropped");
      assertArrayEquals(undisturbed.ht().data(), disturbed.ht().data(), "H after lost blocks");
      assertArrayEquals(undisturbed.collectW().data(), disturbed.collectW().data(), "W after lost blocks");
    }
  }

  /** Removes partition 0 of every cached RDD that is not checkpointed (those are recomputable). */
  private static int dropCachedBlocks() {
    int n = 0;
    for (RDD<?> rdd : scala.jdk.javaapi.CollectionConverters.asJava(LocalSpark.jsc().sc().getPersistentRDDs()).values()) {
      if (!rdd.isCheckpointed() && rdd.getStorageLevel() != StorageLevel.NONE()) {
        RDDBlockId block = new RDDBlockId(rdd.id(), 0);
        if (SparkEnv.get().blockManager().getStatus(block).isDefined()) {
          SparkEnv.get().blockManager().removeBlock(block, true);
          n++;
        }
      }
    }
    return n;
  }

  @Test
  void miniBatchOnSeveralPartitionsConvergesLikeOnOne() {
    DenseMatrix x = lowRank(3, 400, 40, 5, 0.05);
    double norm = Math.sqrt(x.squaredNorm());
    NmfOptions o = new NmfOptions().nComponents(5).init("nndsvda").batchSize(50).maxIter(40);
    try (FitResult one = fit(x, 1, o, true, EngineFixtures.distributed());
        FitResult four = fit(x, 4, o, true, EngineFixtures.distributed())) {
      double e1 = one.reconstructionErr() / norm;
      double e4 = four.reconstructionErr() / norm;
      assertTrue(e4 < 0.1, "relative error on 4 partitions " + e4);
      assertRelClose(e1, e4, 0.05, "relative error, 4 vs 1 partitions");
      assertEquals(8, four.nSteps() / Math.max(1, four.nIter()), "steps per epoch = ceil(400/50)");
      for (double v : four.collectW().data()) {
        assertTrue(v >= 0 && Double.isFinite(v));
      }
      double direct = BetaDivergence.reconstructionError(x, four.collectW(), four.ht(), BetaLoss.FROBENIUS);
      assertRelClose(direct, four.reconstructionErr(), 1e-9, "reconstruction_err from collected W and H");
    }
  }

  @Test
  void autoRunsSmallDataOnTheDriverWithTheLocalNumbers() {
    DenseMatrix x = lowRank(4, 60, 20, 3, 0.1);
    NmfOptions o = new NmfOptions().nComponents(3).init("random").randomState(0L).solver("mu");
    try (FitResult r = fit(x, 2, o, false, new EngineSettings())) {
      assertFalse(r.distributed(), "small X runs on the driver");
      NMF local = new NMF().setOptions(o);
      double[][] w = local.fitTransform(x);
      assertMatrixClose(local.components(), r.components().toArray(), 1e-12, "H");
      assertMatrixClose(w, r.collectW().toArray(), 1e-12, "W");
      assertEquals(local.nIter(), r.nIter());
    }
    NmfOptions mb = miniBatch();
    try (FitResult r = fit(x, 2, mb, true, new EngineSettings().execution("driver"))) {
      MiniBatchNMF local = new MiniBatchNMF().setOptions(mb);
      double[][] w = local.fitTransform(x);
      assertMatrixClose(local.components(), r.components().toArray(), 1e-12, "H");
      assertMatrixClose(w, r.collectW().toArray(), 1e-12, "W");
      assertEquals(local.nSteps(), r.nSteps());
    }
  }

  @Test
  void fullBatchOnManyPartitionsMatchesTheDriver() {
    DataMatrix x = CsrMatrix.fromDense(lowRank(5, 90, 25, 3, 0.0));
    NmfOptions o = new NmfOptions().nComponents(3).init("nndsvda").solver("cd").shuffle(true).randomState(11L)
        .alphaW(0.01).l1Ratio(0.3);
    try (FitResult driver = fit(x, 1, o, false, new EngineSettings().execution("driver"));
        FitResult dist = fit(x, 5, o, false, EngineFixtures.distributed())) {
      assertTrue(dist.distributed());
      assertMatrixClose(driver.components().toArray(), dist.components().toArray(), 1e-6, "H");
      assertMatrixClose(driver.collectW().toArray(), dist.collectW().toArray(), 1e-6, "W");
      assertEquals(driver.nIter(), dist.nIter(), "n_iter");
      assertRelClose(driver.reconstructionErr(), dist.reconstructionErr(), 1e-6, "reconstruction_err");
    }
  }

  @Test
  void datasetColumnIsBlockedInRowOrder() {
    StructType schema = new StructType().add("features", new VectorUDT());
    List<Row> rows = new ArrayList<>();
    DenseMatrix x = lowRank(6, 30, 8, 2, 0.0);
    for (int i = 0; i < x.rows(); i++) {
      rows.add(RowFactory.create(i % 2 == 0
          ? Vectors.dense(x.rowRange(i, i + 1).copy().data())
          : Vectors.dense(x.rowRange(i, i + 1).copy().data()).toSparse()));
    }
    Dataset<Row> df = LocalSpark.session().createDataFrame(rows, schema).repartition(1);
    try (BlockedRows b = BlockedRows.fromDataset(df, "features", 3, StorageLevel.MEMORY_ONLY())) {
      assertEquals(30, b.rows());
      assertEquals(8, b.cols());
      assertEquals(3, b.numPartitions());
      assertArrayEquals(x.data(), b.collect().toDense().data(), "rows in input order");
      assertArrayEquals(new int[] {10, 10, 10}, b.partitionRows(), "equal contiguous blocks");
    }
  }

  /**
   * Blocks are the exact ranges from ⌊p·m/P⌋, whatever the session ran before. Spark's sortByKey
   * would sample its bounds once m exceeds its sample (here 240 rows), with a seed drawn from the RDD id.
   */
  @Test
  void blocksAreExactRangesOfRowIds() {
    StructType schema = new StructType().add("features", new VectorUDT());
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 2003; i++) {
      rows.add(RowFactory.create(Vectors.dense(i % 7, 1.0)));
    }
    Dataset<Row> df = LocalSpark.session().createDataFrame(rows, schema).repartition(1);
    for (int extra = 0; extra < 3; extra++) {
      LocalSpark.jsc().parallelize(List.of(1, 2, 3)).map(v -> v + 1).count();
      try (BlockedRows b = BlockedRows.fromDataset(df, "features", 4, StorageLevel.MEMORY_ONLY())) {
        assertArrayEquals(new int[] {500, 501, 501, 501}, b.partitionRows(), "after " + extra + " other jobs");
        assertTrue(b.blocks().rdd().toDebugString().contains("ShuffledRDD"), "one partition cut into four");
      }
    }
  }

  /**
   * Cached input already in the blocks' ranges (Spark's parallelize makes them) is blocked where it
   * is; the same input read from its source is shuffled, so reading and building take separate stages.
   */
  @Test
  void cachedInputInTheBlocksRangesIsNotShuffled() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 2003; i++) {
      rows.add(RowFactory.create(Vectors.dense(i, 1.0)));
    }
    StructType schema = new StructType().add("features", new VectorUDT());
    Dataset<Row> inRanges = LocalSpark.session().createDataFrame(LocalSpark.jsc().parallelize(rows, 4), schema);
    try (BlockedRows b = BlockedRows.fromDataset(inRanges, "features", 4, StorageLevel.MEMORY_ONLY())) {
      assertTrue(b.blocks().rdd().toDebugString().contains("ShuffledRDD"), "not cached: shuffled");
    }
    inRanges.cache();
    try (BlockedRows b = BlockedRows.fromDataset(inRanges, "features", 4, StorageLevel.MEMORY_ONLY())) {
      assertFalse(b.blocks().rdd().toDebugString().contains("ShuffledRDD"), b.blocks().rdd().toDebugString());
      assertArrayEquals(new int[] {500, 501, 501, 501}, b.partitionRows());
      double[] first = b.collect().toDense().data();
      for (int i = 0; i < 2003; i++) {
        assertEquals(i, first[2 * i], "row " + i + " in input order");
      }
    } finally {
      inRanges.unpersist(true);
    }
    // Same partition count, other ranges: shuffled into the blocks' ranges.
    Dataset<Row> uneven = LocalSpark.session().createDataFrame(LocalSpark.jsc().parallelize(rows.subList(0, 1000), 1)
        .union(LocalSpark.jsc().parallelize(rows.subList(1000, 2003), 3)), schema).cache();
    try (BlockedRows b = BlockedRows.fromDataset(uneven, "features", 4, StorageLevel.MEMORY_ONLY())) {
      assertTrue(b.blocks().rdd().toDebugString().contains("ShuffledRDD"));
      assertArrayEquals(new int[] {500, 501, 501, 501}, b.partitionRows());
    } finally {
      uneven.unpersist(true);
    }
  }

  @Test
  void badRowsAreNamed() {
    StructType schema = new StructType().add("features", new VectorUDT());
    List<Row> rows = List.of(RowFactory.create(Vectors.dense(1, 2)), RowFactory.create(Vectors.dense(1, -3)));
    Dataset<Row> df = LocalSpark.session().createDataFrame(rows, schema);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BlockedRows.fromDataset(df, "features", 0, StorageLevel.MEMORY_ONLY()));
    assertTrue(e.getMessage().contains("negative value (-3.0) at row 1, column 1"), e.getMessage());
    List<Row> ragged = List.of(RowFactory.create(Vectors.dense(1, 2)), RowFactory.create(Vectors.dense(1, 2, 3)));
    Dataset<Row> rdf = LocalSpark.session().createDataFrame(ragged, schema).repartition(1);
    e = assertThrows(IllegalArgumentException.class,
        () -> BlockedRows.fromDataset(rdf, "features", 0, StorageLevel.MEMORY_ONLY()));
    assertTrue(e.getMessage().contains("features"), e.getMessage());
    NmfOptions o = new NmfOptions().nComponents(1);
    try (BlockedRows zeros = EngineFixtures.blocked(new DenseMatrix(4, 3), 2)) {
      e = assertThrows(IllegalArgumentException.class,
          () -> new NmfEngine(LocalSpark.jsc(), o, EngineFixtures.distributed()).fitNmf(zeros));
      assertTrue(e.getMessage().contains("all zeros"), e.getMessage());
    }
  }

  /** With a partition count, rows go straight to their slots: bad rows and bad ids are named. */
  @Test
  void placedRowsAreCheckedAndNamed() {
    StructType schema = new StructType().add("features", new VectorUDT());
    List<Row> rows = List.of(RowFactory.create(Vectors.dense(1, 2)), RowFactory.create(Vectors.dense(1, -3)),
        RowFactory.create(Vectors.dense(4, 5)));
    Dataset<Row> df = LocalSpark.session().createDataFrame(rows, schema).repartition(1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BlockedRows.fromDataset(df, "features", 2, StorageLevel.MEMORY_ONLY()));
    assertTrue(e.getMessage().contains("negative value (-3.0) at row 1, column 1"), e.getMessage());
    List<Row> ragged = List.of(RowFactory.create(Vectors.dense(1, 2, 3)), RowFactory.create(Vectors.dense(1, 2)));
    Dataset<Row> rdf = LocalSpark.session().createDataFrame(ragged, schema).repartition(1);
    e = assertThrows(IllegalArgumentException.class,
        () -> BlockedRows.fromDataset(rdf, "features", 2, StorageLevel.MEMORY_ONLY()));
    assertTrue(e.getMessage().contains("X row 1 has 2 features"), e.getMessage());

    org.apache.spark.ml.linalg.Vector v = Vectors.dense(1, 2);
    JavaPairRDD<Long, org.apache.spark.ml.linalg.Vector> twice = JavaPairRDD.fromJavaRDD(LocalSpark.jsc()
        .parallelize(List.of(new Tuple2<>(0L, v), new Tuple2<>(1L, v), new Tuple2<>(1L, v)), 2));
    e = assertThrows(IllegalArgumentException.class,
        () -> BlockedRows.fromIndexed(twice, 2, StorageLevel.MEMORY_ONLY()));
    assertTrue(e.getMessage().contains("row id 1 occurs twice") || e.getMessage().contains("row id 2 is missing"),
        e.getMessage());
    JavaPairRDD<Long, org.apache.spark.ml.linalg.Vector> gap = JavaPairRDD.fromJavaRDD(LocalSpark.jsc()
        .parallelize(List.of(new Tuple2<>(0L, v), new Tuple2<>(1L, v), new Tuple2<>(5L, v)), 2));
    e = assertThrows(IllegalArgumentException.class,
        () -> BlockedRows.fromIndexed(gap, 2, StorageLevel.MEMORY_ONLY()));
    assertTrue(e.getMessage().contains("row id 5 is outside 0 … 2"), e.getMessage());

    // Sparse rows make CSR blocks, whose arrays a first read of the rows sizes: the same checks.
    // Three rows in ranges [0, 1) and [1, 3); only the second partition's rows are bad.
    org.apache.spark.ml.linalg.Vector s = Vectors.sparse(4, new int[] {1}, new double[] {2});
    org.apache.spark.ml.linalg.Vector negative = Vectors.sparse(4, new int[] {3}, new double[] {-1});
    org.apache.spark.ml.linalg.Vector wide = Vectors.sparse(5, new int[] {1}, new double[] {2});
    List<List<Tuple2<Long, org.apache.spark.ml.linalg.Vector>>> bad = List.of(
        List.of(new Tuple2<>(0L, s), new Tuple2<>(1L, s), new Tuple2<>(1L, s)),
        List.of(new Tuple2<>(0L, s), new Tuple2<>(1L, s), new Tuple2<>(5L, s)),
        List.of(new Tuple2<>(0L, s), new Tuple2<>(2L, s), new Tuple2<>(3L, s)),
        List.of(new Tuple2<>(0L, s), new Tuple2<>(1L, negative), new Tuple2<>(2L, s)),
        List.of(new Tuple2<>(0L, wide), new Tuple2<>(1L, s), new Tuple2<>(2L, s)));
    List<String> named = List.of("row id 1 occurs twice", "row id 5 is outside 0 … 2", "row id 1 is missing",
        "negative value (-1.0) at row 1, column 3", "X row 1 has 4 features, another has 5");
    for (int c = 0; c < bad.size(); c++) {
      JavaPairRDD<Long, org.apache.spark.ml.linalg.Vector> badRows = JavaPairRDD.fromJavaRDD(LocalSpark.jsc()
          .parallelize(bad.get(c), 2));
      e = assertThrows(IllegalArgumentException.class,
          () -> BlockedRows.fromIndexed(badRows, 2, StorageLevel.MEMORY_ONLY()));
      assertTrue(e.getMessage().contains(named.get(c)), named.get(c) + ": " + e.getMessage());
    }
  }

  /** A block's kind is X's: a sparse X gives CSR blocks, also for a block that is dense by itself. */
  @Test
  void placedBlocksTakeTheKindOfX() {
    StructType schema = new StructType().add("features", new VectorUDT());
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      double[] d = new double[10];
      if (i < 10) {
        java.util.Arrays.fill(d, 1.0 + i); // the first block is all non-zeros
      } else {
        d[i % 10] = i;
      }
      rows.add(RowFactory.create(Vectors.dense(d)));
    }
    Dataset<Row> df = LocalSpark.session().createDataFrame(rows, schema).repartition(1);
    try (BlockedRows b = BlockedRows.fromDataset(df, "features", 4, StorageLevel.MEMORY_ONLY())) {
      for (RowBlock block : b.blocks().collect()) {
        assertTrue(block.x() instanceof CsrMatrix, "block " + block.partition() + " is CSR");
      }
      DenseMatrix expected = new DenseMatrix(40, 10);
      for (int i = 0; i < 40; i++) {
        for (int j = 0; j < 10; j++) {
          expected.set(i, j, ((org.apache.spark.ml.linalg.Vector) rows.get(i).get(0)).apply(j));
        }
      }
      assertArrayEquals(expected.data(), b.collect().toDense().data(), "rows in input order");
    }
  }
}
