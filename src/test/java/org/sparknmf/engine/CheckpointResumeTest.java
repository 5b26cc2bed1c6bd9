package org.sparknmf.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.solver.NmfOptions;
import org.sparknmf.testing.LocalSpark;

/**
 * A fit that saves checkpoints and is stopped after one of them (a listener throws, as a crash
 * would end it) continues from the checkpoint to the very bits of an uninterrupted fit: H, W,
 * the error, the counts and the objective history. For MiniBatchNMF (W kept per slice, or fresh
 * restarts), NMF with cd and a shuffled order (the generator continues), NMF with mu, on the
 * executors and on the driver. A checkpoint of other data or parameters is refused naming what
 * differs; the rules without {@code resume}, and damaged or half-written checkpoints, too.
 */
class CheckpointResumeTest {

  /** What a crash after a checkpoint looks like to the test. */
  static final class Crash extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Crash(int at) {
      super("simulated crash after checkpoint " + at);
    }
  }

  private static final DenseMatrix X = EngineBehaviourTest.lowRank(11, 150, 24, 4, 0.1);
  /** X in 3 blocks, shared by the fits (released at the end, so later tests see no cached RDD of ours). */
  private static BlockedRows x3;
  private static int cachedBefore;

  @BeforeAll
  static void block() {
    cachedBefore = LocalSpark.jsc().sc().getPersistentRDDs().size();
    x3 = EngineFixtures.blocked(X, 3);
  }

  /** Crashed, refused and resumed fits alike leave no cached RDD behind. */
  @AfterAll
  static void release() {
    x3.close();
    int after = LocalSpark.jsc().sc().getPersistentRDDs().size();
    assertTrue(after <= cachedBefore, "cached RDDs: " + cachedBefore + " before the tests, " + after + " after");
  }

  private static NmfOptions miniBatch() {
    // No early stop: every epoch runs, so there are epochs before and after the crash.
    return new NmfOptions().nComponents(4).init("random").randomState(7L).batchSize(20).maxIter(9)
        .tol(0.0).maxNoImprovement(null);
  }

  private static NmfOptions cdShuffled() {
    return new NmfOptions().nComponents(4).init("random").randomState(5L).shuffle(true).maxIter(25).tol(1e-9);
  }

  /**
   * Random init: the distributed NNDSVD start comes from MLlib's SVD, whose sums are taken in the
   * order tasks finish, so two fits from it may differ in the last bits before any checkpoint.
   */
  private static NmfOptions mu() {
    return new NmfOptions().nComponents(4).solver("mu").betaLoss("kullback-leibler").init("random")
        .randomState(3L).maxIter(30).tol(1e-9);
  }

  private static FitResult fit(NmfOptions o, boolean miniBatch, EngineSettings s, Integer crashAt) {
    NmfEngine engine = new NmfEngine(LocalSpark.jsc(), o, s);
    if (crashAt != null) {
      engine.afterCheckpoint(p -> {
        if (p == crashAt) {
          throw new Crash(p);
        }
      });
    }
    return miniBatch ? engine.fitMiniBatch(x3) : engine.fitNmf(x3);
  }

  private static EngineSettings settings(String execution, Path dir, int interval) {
    EngineSettings s = new EngineSettings().execution(execution).checkpointInterval(interval);
    return dir == null ? s : s.checkpointDir(dir.toString());
  }

  private static void assertSameFit(FitResult expected, FitResult actual) {
    assertArrayEquals(expected.ht().data(), actual.ht().data(), "H, bit for bit");
    assertArrayEquals(expected.collectW().data(), actual.collectW().data(), "W, bit for bit");
    assertEquals(Double.doubleToLongBits(expected.reconstructionErr()),
        Double.doubleToLongBits(actual.reconstructionErr()), "reconstruction_err, bit for bit");
    assertEquals(expected.nIter(), actual.nIter(), "n_iter");
    assertEquals(expected.nSteps(), actual.nSteps(), "n_steps");
    assertEquals(expected.history(), actual.history(), "objective history");
  }

  /** Reference without checkpoints; with checkpoints, stopped after {@code crashAt}; resumed. */
  private static void crashAndResume(NmfOptions o, boolean miniBatch, String execution, int interval, int crashAt,
      Path dir) throws IOException {
    try (FitResult reference = fit(o, miniBatch, settings(execution, null, interval), null)) {
      assertTrue(reference.nIter() > crashAt, "the fit goes on after the crash: n_iter " + reference.nIter());
      Crash crash = assertThrows(Crash.class, () -> fit(o, miniBatch, settings(execution, dir, interval), crashAt));
      assertTrue(crash.getMessage().endsWith(" " + crashAt));
      assertEquals(List.of(CheckpointStore.name(crashAt)), checkpointFolders(dir),
          "after the crash: the last checkpoint only");
      List<Integer> saved = new ArrayList<>();
      NmfEngine engine = new NmfEngine(LocalSpark.jsc(), o, settings(execution, dir, interval).resume(true))
          .afterCheckpoint(saved::add);
      try (FitResult resumed = miniBatch ? engine.fitMiniBatch(x3) : engine.fitNmf(x3)) {
        assertEquals(reference.distributed(), resumed.distributed());
        assertSameFit(reference, resumed);
      }
      // The resumed fit went on saving from where it was, and ended with a finished checkpoint.
      assertTrue(saved.get(0) == crashAt + interval || saved.size() == 1, "first save after resuming: " + saved);
      assertEquals(reference.nIter(), saved.get(saved.size() - 1));
      assertEquals(List.of(CheckpointStore.name(reference.nIter())), checkpointFolders(dir));
    }
  }

  static List<String> checkpointFolders(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.contains("checkpoint-")).sorted().toList();
    }
  }

  @Test
  void miniBatchOnTheExecutorsResumesToTheSameBits(@TempDir Path dir) throws IOException {
    crashAndResume(miniBatch(), true, "distributed", 2, 4, dir);
  }

  @Test
  void miniBatchWithFreshRestartsResumesToTheSameBits(@TempDir Path dir) throws IOException {
    crashAndResume(miniBatch().freshRestarts(true).maxIter(5), true, "distributed", 1, 3, dir);
  }

  @Test
  void miniBatchOnTheDriverResumesToTheSameBits(@TempDir Path dir) throws IOException {
    crashAndResume(miniBatch(), true, "driver", 3, 6, dir);
  }

  @Test
  void shuffledCoordinateDescentContinuesItsRandomOrder(@TempDir Path dir) throws IOException {
    crashAndResume(cdShuffled(), false, "distributed", 3, 6, dir);
  }

  @Test
  void shuffledCoordinateDescentOnTheDriver(@TempDir Path dir) throws IOException {
    crashAndResume(cdShuffled(), false, "driver", 4, 8, dir);
  }

  @Test
  void multiplicativeUpdateResumesToTheSameBits(@TempDir Path dir) throws IOException {
    // Stopped between two error checks (every 10 iterations): the last checked error is kept.
    crashAndResume(mu(), false, "distributed", 5, 15, dir);
  }

  @Test
  void checkpointingDoesNotChangeTheFit(@TempDir Path dir) {
    try (FitResult plain = fit(miniBatch(), true, settings("distributed", null, 2), null);
        FitResult saved = fit(miniBatch(), true, settings("distributed", dir, 2), null)) {
      assertSameFit(plain, saved);
    }
  }

  @Test
  void aCheckpointOfOtherDataOrParametersIsRefused(@TempDir Path dir) {
    assertThrows(Crash.class, () -> fit(miniBatch(), true, settings("distributed", dir, 2), 2));
    EngineSettings resume = settings("distributed", dir, 2).resume(true);
    IllegalArgumentException k = assertThrows(IllegalArgumentException.class,
        () -> fit(miniBatch().nComponents(5), true, resume, null));
    assertTrue(k.getMessage().contains("n_components: 5 here, 4 in the checkpoint"), k.getMessage());
    assertTrue(k.getMessage().contains("epoch 2"), k.getMessage());
    IllegalArgumentException seed = assertThrows(IllegalArgumentException.class,
        () -> fit(miniBatch().randomState(8L).batchSize(30), true, resume, null));
    assertTrue(seed.getMessage().contains("random_state: 8 here, 7 in the checkpoint"), seed.getMessage());
    assertTrue(seed.getMessage().contains("batch_size: 30 here, 20 in the checkpoint"), seed.getMessage());
    IllegalArgumentException estimator = assertThrows(IllegalArgumentException.class,
        () -> fit(cdShuffled(), false, resume, null));
    assertTrue(estimator.getMessage().contains("estimator: NMF here, MiniBatchNMF in the checkpoint"),
        estimator.getMessage());

    DenseMatrix other = X.copy();
    other.set(17, 3, other.get(17, 3) + 1e-9);
    NmfEngine engine = new NmfEngine(LocalSpark.jsc(), miniBatch(), resume);
    IllegalArgumentException data;
    try (BlockedRows y = EngineFixtures.blocked(other, 3)) {
      data = assertThrows(IllegalArgumentException.class, () -> engine.fitMiniBatch(y));
    }
    assertTrue(data.getMessage().contains("X content hash:"), data.getMessage());
    assertTrue(data.getMessage().contains("X sum:"), data.getMessage());
    IllegalArgumentException parts;
    try (BlockedRows x2 = EngineFixtures.blocked(X, 2)) {
      parts = assertThrows(IllegalArgumentException.class, () -> engine.fitMiniBatch(x2));
    }
    assertTrue(parts.getMessage().contains("X rows per partition: [75, 75] here, [50, 50, 50] in the checkpoint"),
        parts.getMessage());
    assertFalse(parts.getMessage().contains("X content hash"), "same data: " + parts.getMessage());
    IllegalArgumentException where = assertThrows(IllegalArgumentException.class,
        () -> fit(miniBatch(), true, settings("driver", dir, 2).resume(true), null));
    assertTrue(where.getMessage().contains("execution: driver here, distributed in the checkpoint"), where.getMessage());
  }

  @Test
  void withoutResumeAnUnfinishedFitIsRefusedAndAFinishedOneReplaced(@TempDir Path dir) throws IOException {
    assertThrows(Crash.class, () -> fit(miniBatch(), true, settings("distributed", dir, 3), 3));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> fit(miniBatch(), true, settings("distributed", dir, 3), null));
    assertTrue(e.getMessage().contains("unfinished fit (epoch 3)"), e.getMessage());
    assertTrue(e.getMessage().contains("resume"), e.getMessage());
    assertEquals(List.of(CheckpointStore.name(3)), checkpointFolders(dir), "the refused fit changed nothing");

    // Resumed to the end: the folder holds the finished fit, which a new fit replaces.
    fit(miniBatch(), true, settings("distributed", dir, 3).resume(true), null).close();
    assertEquals(List.of(CheckpointStore.name(9)), checkpointFolders(dir));
    List<Integer> saved = new ArrayList<>();
    NmfEngine fresh = new NmfEngine(LocalSpark.jsc(), miniBatch().maxIter(4), settings("distributed", dir, 3))
        .afterCheckpoint(saved::add);
    try (FitResult r = fresh.fitMiniBatch(x3)) {
      assertEquals(4, r.nIter());
    }
    assertEquals(List.of(3, 4), saved);
    assertEquals(List.of(CheckpointStore.name(4)), checkpointFolders(dir));
  }

  @Test
  void resumingAFinishedFitReturnsItWithoutAStep(@TempDir Path dir) {
    try (FitResult first = fit(cdShuffled(), false, settings("distributed", dir, 5), null)) {
      List<Integer> saved = new ArrayList<>();
      NmfEngine engine = new NmfEngine(LocalSpark.jsc(), cdShuffled(), settings("distributed", dir, 5).resume(true))
          .afterCheckpoint(saved::add);
      try (FitResult again = engine.fitNmf(x3)) {
        assertSameFit(first, again);
      }
      assertEquals(List.of(), saved, "nothing left to save");
    }
  }

  @Test
  void resumeWithAnEmptyFolderStartsANewFit(@TempDir Path dir) {
    try (FitResult reference = fit(mu(), false, settings("distributed", null, 10), null);
        FitResult started = fit(mu(), false, settings("distributed", dir.resolve("new"), 10).resume(true), null)) {
      assertSameFit(reference, started);
    }
  }

  @Test
  void incompleteCheckpointsAreIgnoredAndDamagedOnesRefused(@TempDir Path dir) throws IOException {
    assertThrows(Crash.class, () -> fit(cdShuffled(), false, settings("distributed", dir, 2), 4));
    // A save the crash interrupted: a hidden temporary folder, without a manifest.
    Path partial = Files.createDirectories(dir.resolve(".checkpoint-0000000006.tmp-1234"));
    Files.write(partial.resolve("ht.bin"), new byte[] {1, 2, 3});
    // Spark's lineage checkpoints live beside the fit's and are left alone.
    assertTrue(Files.isDirectory(dir.resolve("rdd")));
    Path ht = dir.resolve(CheckpointStore.name(4)).resolve("ht.bin");
    byte[] bytes = Files.readAllBytes(ht);
    try (RandomAccessFile f = new RandomAccessFile(ht.toFile(), "rw")) {
      f.seek(bytes.length - 3);
      f.write(bytes[bytes.length - 3] ^ 0x40);
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> fit(cdShuffled(), false, settings("distributed", dir, 2).resume(true), null));
    assertTrue(e.getMessage().contains("ht.bin is damaged"), e.getMessage());
    assertFalse(Files.exists(partial), "the incomplete checkpoint was removed");
    assertTrue(Files.isDirectory(dir.resolve("rdd")));
  }

  @Test
  void resumeNeedsAFolder() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> fit(miniBatch(), true, settings("distributed", null, 2).resume(true), null));
    assertTrue(e.getMessage().contains("checkpointDir"), e.getMessage());
  }
}
