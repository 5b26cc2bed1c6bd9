package org.sparknmf.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stage's checkpoint params: {@code checkpointDir} makes the fit save its state there (every
 * {@code checkpointInterval} epochs and at the end), {@code resume} continues it — here a finished
 * fit, which comes back as the same model without another step — and refuses a checkpoint of
 * other parameters. (Stopping a fit mid-way and resuming it is the engine's test,
 * CheckpointResumeTest, and the job's, JobResumeIT.)
 */
class StageCheckpointTest {

  private static final Dataset<Row> DATA = StageTestData.frame(StageTestData.matrix(60, 8, 4));

  private static MiniBatchNMF stage(Path dir) {
    return new MiniBatchNMF().setK(3).setInit("random").setSeed(7).setMaxIter(6).setBatchSize(10)
        .setExecution("distributed").setNumPartitions(3).setCheckpointInterval(2).setCheckpointDir(dir.toString());
  }

  @Test
  void aFitLeavesItsCheckpointAndResumingItGivesTheSameModel(@TempDir Path dir) throws IOException {
    NMFModel first = stage(dir).fit(DATA);
    try (Stream<Path> files = Files.list(dir)) {
      List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
      assertEquals(List.of("checkpoint-" + String.format("%010d", first.nIter()), "rdd"), names);
    }
    NMFModel again = stage(dir).setResume(true).fit(DATA);
    assertArrayEquals(first.components().toArray(), again.components().toArray(), 0.0, "components");
    assertEquals(first.reconstructionErr(), again.reconstructionErr(), 0.0);
    assertEquals(first.nIter(), again.nIter());
    assertEquals(first.nSteps(), again.nSteps());
    assertArrayEquals(first.summary().objectiveHistory(), again.summary().objectiveHistory(), 0.0);

    IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
        () -> stage(dir).setResume(true).setAlphaW(0.1).fit(DATA));
    assertTrue(other.getMessage().contains("alpha_W: 0.1 here, 0.0 in the checkpoint"), other.getMessage());
  }

  @Test
  void resumeNeedsACheckpointDir() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new MiniBatchNMF().setK(3).setResume(true).fit(DATA));
    assertTrue(e.getMessage().contains("resume needs a checkpointDir"), e.getMessage());
  }
}
