package org.sparknmf.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.solver.NmfOptions;
import org.sparknmf.testing.LocalSpark;
import scala.Option;

/**
 * Fit checkpoints on HDFS (a MiniDFSCluster): the executors write W's blocks and the driver the
 * rest through HDFS's create and rename, a fit stopped after a checkpoint resumes from it to the
 * bits of an uninterrupted fit, and the folder then holds the finished fit's checkpoint only.
 */
class CheckpointOnHdfsTest {

  @Test
  void aFitStoppedAfterAnHdfsCheckpointResumesToTheSameBits(@TempDir Path base) throws Exception {
    Configuration conf = new Configuration();
    conf.set("dfs.namenode.rpc-address", "127.0.0.1:0");
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.toString());
    JavaSparkContext jsc = LocalSpark.jsc();
    Option<String> contextDir = jsc.sc().getCheckpointDir();
    MiniDFSCluster hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    try {
      hdfs.waitActive();
      String dir = hdfs.getURI().toString() + "/nmf/checkpoints";
      DenseMatrix x = EngineBehaviourTest.lowRank(21, 120, 20, 3, 0.1);
      NmfOptions o = new NmfOptions().nComponents(3).init("random").randomState(4L).batchSize(40).maxIter(5)
          .tol(0.0).maxNoImprovement(null);
      EngineSettings settings = new EngineSettings().execution("distributed").checkpointDir(dir).checkpointInterval(2);
      try (BlockedRows xb = EngineFixtures.blocked(x, 3);
          FitResult reference = new NmfEngine(jsc, o, new EngineSettings().execution("distributed")).fitMiniBatch(xb)) {
        NmfEngine crashing = new NmfEngine(jsc, o, settings).afterCheckpoint(p -> {
          if (p == 2) {
            throw new CheckpointResumeTest.Crash(p);
          }
        });
        assertThrows(CheckpointResumeTest.Crash.class, () -> crashing.fitMiniBatch(xb));
        assertEquals(List.of(CheckpointStore.name(2)), checkpoints(hdfs.getFileSystem(), dir));
        try (FitResult resumed = new NmfEngine(jsc, o, settings.copy().resume(true)).fitMiniBatch(xb)) {
          assertArrayEquals(reference.ht().data(), resumed.ht().data(), "H");
          assertArrayEquals(reference.collectW().data(), resumed.collectW().data(), "W");
          assertEquals(reference.reconstructionErr(), resumed.reconstructionErr(), 0.0);
          assertEquals(reference.nSteps(), resumed.nSteps());
          assertEquals(reference.history(), resumed.history());
        }
        assertEquals(List.of(CheckpointStore.name(5)), checkpoints(hdfs.getFileSystem(), dir));
        assertTrue(hdfs.getFileSystem().exists(new org.apache.hadoop.fs.Path(dir, "checkpoint-0000000005/w/part-00002.bin")));
      }
    } finally {
      // The shared context must not keep checkpointing into a stopped HDFS.
      jsc.sc().checkpointDir_$eq(contextDir);
      hdfs.shutdown();
    }
  }

  private static List<String> checkpoints(FileSystem fs, String dir) throws java.io.IOException {
    List<String> out = new ArrayList<>();
    for (FileStatus s : fs.listStatus(new org.apache.hadoop.fs.Path(dir))) {
      if (s.getPath().getName().contains("checkpoint-")) {
        out.add(s.getPath().getName());
      }
    }
    return out;
  }
}
