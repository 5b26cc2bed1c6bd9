package org.sparknmf.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;
import org.sparknmf.linalg.CsrMatrix;
import org.sparknmf.local.MiniBatchNMF;
import org.sparknmf.solver.NmfOptions;
import org.sparknmf.testing.LocalSpark;
import scala.Tuple2;

/**
 * MiniBatchNMF at a size where the engine matters: 100,000 × 10,000 sparse (1.2 million
 * non-zeros: each row mixes two of 20 topics, each topic with 30 key words among 500), fitted on 4 partitions, reaches the relative
 * error of the single-JVM MiniBatchNMF on the same data within 2 %.
 */
class LargeSparseMiniBatchTest {

  private static final int ROWS = 100_000;
  private static final int COLS = 10_000;
  private static final int TOPICS = 20;

  /** Each row mixes two topics; its 12 words come from the topics' feature ranges. */
  static CsrMatrix corpus(long seed) {
    Random r = new Random(seed);
    int perRow = 12;
    int[] indptr = new int[ROWS + 1];
    int[] indices = new int[ROWS * perRow];
    double[] values = new double[ROWS * perRow];
    int span = COLS / TOPICS;
    int p = 0;
    for (int i = 0; i < ROWS; i++) {
      int a = r.nextInt(TOPICS);
      int b = r.nextInt(TOPICS);
      int[] cols = new int[perRow];
      int n = 0;
      while (n < perRow) {
        int topic = r.nextDouble() < 0.7 ? a : b;
        // Mostly a topic's 30 key words, sometimes any of its 500.
        int c = topic * span + (r.nextDouble() < 0.8 ? r.nextInt(30) : r.nextInt(span));
        boolean dup = false;
        for (int q = 0; q < n; q++) {
          dup |= cols[q] == c;
        }
        if (!dup) {
          cols[n++] = c;
        }
      }
      Arrays.sort(cols);
      for (int c : cols) {
        indices[p] = c;
        // A key word's count grows with its weight in the topic; other words occur once.
        int rank = c % span;
        values[p] = rank < 30 ? 4.0 - rank / 10.0 : 1.0;
        p++;
      }
      indptr[i + 1] = p;
    }
    return new CsrMatrix(ROWS, COLS, indptr, indices, values);
  }

  @Test
  void reachesTheSingleJvmErrorWithinTwoPercent() {
    CsrMatrix x = corpus(42);
    double norm = Math.sqrt(x.squaredNorm());
    NmfOptions o = new NmfOptions().nComponents(TOPICS).init("random").randomState(0L)
        .batchSize(5000).maxIter(10);

    MiniBatchNMF local = new MiniBatchNMF().setOptions(o);
    local.fit(x);
    double localRel = local.reconstructionErr() / norm;

    List<Tuple2<Long, Vector>> rows = new ArrayList<>(ROWS);
    for (int i = 0; i < ROWS; i++) {
      int from = x.rowBegin(i);
      int to = x.rowEnd(i);
      rows.add(new Tuple2<>((long) i, Vectors.sparse(COLS, Arrays.copyOfRange(x.indices(), from, to),
          Arrays.copyOfRange(x.values(), from, to))));
    }
    JavaPairRDD<Long, Vector> rdd = JavaPairRDD.fromJavaRDD(LocalSpark.jsc().parallelize(rows, 4));
    try (BlockedRows xb = BlockedRows.fromIndexed(rdd, 0, StorageLevel.MEMORY_AND_DISK());
        FitResult r = new NmfEngine(LocalSpark.jsc(), o, EngineFixtures.distributed()).fitMiniBatch(xb)) {
      assertTrue(r.distributed());
      assertTrue(xb.blocks().first().x() instanceof CsrMatrix, "sparse blocks");
      double distRel = r.reconstructionErr() / norm;
      System.out.printf("100000×10000 sparse MiniBatchNMF k=%d: single JVM %.5f (%d steps), "
          + "4 partitions %.5f (%d steps)%n", TOPICS, localRel, local.nSteps(), distRel, r.nSteps());
      assertTrue(Math.abs(distRel - localRel) <= 0.02 * localRel,
          "relative error " + distRel + " vs single JVM " + localRel);
    }
  }
}
