package org.sparknmf.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.net.StandardSocketFactory;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.sparknmf.ml.NMFModel;
import org.sparknmf.testing.LocalSpark;

/**
 * The job on a real HDFS (a MiniDFSCluster in this JVM, next to Spark's shaded Hadoop client):
 * input and output as hdfs:// URIs give the same bits as local files, the output is committed
 * atomically there too, a folder of parts keeps the rows in file order, and an unreachable namenode
 * is reported at once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HdfsJobTest {

  private static final Path DIGITS = Path.of("data-samples", "digits.csv");
  private static final int DIGITS_ROWS = 1797;
  /**
   * The fit every run makes. Random init rather than the default nndsvda: LAPACK's SVD behind
   * nndsvda does not always repeat its last bits with native OpenBLAS (7 runs in 20 on digits gave
   * other bits in one JVM), while random init and the solver repeat theirs exactly.
   */
  private static final String[] FIT = {"--estimator", "nmf", "--n-components", "8", "--init", "random",
      "--random-state", "0"};

  @TempDir static Path tmp;

  private static MiniDFSCluster cluster;
  private static FileSystem hdfs;
  private static String root;
  private static double[][] localComponents;
  private static double[][] localW;
  private static boolean run1Done;

  @BeforeAll
  static void startHdfs() throws IOException {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("hdfs").toString());
    conf.set("dfs.namenode.rpc-address", "127.0.0.1:0");
    cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    cluster.waitActive();
    root = "hdfs://127.0.0.1:" + cluster.getNameNodePort();
    hdfs = JobRuns.fs(root + "/");

    hdfs.copyFromLocalFile(new org.apache.hadoop.fs.Path(DIGITS.toAbsolutePath().toString()),
        new org.apache.hadoop.fs.Path(root + "/in/digits.csv"));
    List<String> lines = Files.readAllLines(DIGITS);
    assertEquals(DIGITS_ROWS, lines.size());
    int[] bounds = {0, 600, 1200, DIGITS_ROWS};
    for (int p = 0; p < 3; p++) {
      try (OutputStream s = hdfs.create(new org.apache.hadoop.fs.Path(root + "/in/parts/part-" + p + ".csv"))) {
        s.write((String.join("\n", lines.subList(bounds[p], bounds[p + 1])) + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  @AfterAll
  static void stopHdfs() throws IOException {
    if (hdfs != null) {
      hdfs.close(); // the cached client of this namenode, shared with Spark: gone with it
    }
    if (cluster != null) {
      cluster.shutdown();
    }
  }

  /** The same fit on the local file with local output: what every HDFS run must reproduce. */
  private static synchronized double[][] localComponents() {
    if (localComponents == null) {
      String out = tmp.resolve("local-out").toString();
      JobRuns.Result r = JobRuns.run(concat(new String[] {"--input", DIGITS.toString(), "--output", out}, FIT));
      assertEquals(0, r.code(), r::toString);
      localComponents = JobRuns.components(out);
      localW = w(out);
    }
    return localComponents;
  }

  /** The job from digits.csv on HDFS into hdfs://.../out/run1, once. */
  private static synchronized String run1() {
    String out = root + "/out/run1";
    if (!run1Done) {
      JobRuns.Result r = JobRuns.run(concat(new String[] {"--input", root + "/in/digits.csv", "--output", out}, FIT));
      assertEquals(0, r.code(), r::toString);
      assertTrue(r.out().contains("Results in " + out), r::toString);
      run1Done = true;
    }
    return out;
  }

  @Test
  @Order(1)
  void hdfsInputAndOutputGiveTheLocalRunsBits() throws IOException {
    String out = run1();
    for (String name : List.of("components.csv", "summary.json", "convergence.png", "W/_SUCCESS", "model/metadata")) {
      assertTrue(hdfs.exists(new org.apache.hadoop.fs.Path(out + "/" + name)), () -> name + " missing in " + out);
    }
    assertEquals(Set.of("run1"), names(root + "/out"), "no temporary sibling left next to the output");
    assertFalse(names(out + "/W").contains("_temporary"));

    double[][] h = JobRuns.components(out);
    assertEquals(8, h.length);
    assertEquals(64, h[0].length);
    double[][] local = localComponents();
    for (int t = 0; t < h.length; t++) {
      assertArrayEquals(local[t], h[t], 0.0, "component " + t + ": HDFS and local runs differ");
    }

    Matrix model = NMFModel.load(out + "/model").components();
    for (int t = 0; t < h.length; t++) {
      for (int j = 0; j < h[t].length; j++) {
        assertEquals(h[t][j], model.apply(t, j), 0.0, "model/ and components.csv differ at " + t + "," + j);
      }
    }

    double[][] w = w(out);
    assertEquals(DIGITS_ROWS, w.length);
    assertArrayEquals(localW, w, "W from HDFS and from the local run differ");
    assertEquals(DIGITS_ROWS, JobRuns.summary(out).get("n_samples").asInt());
  }

  @Test
  @Order(2)
  void anExistingHdfsOutputIsKeptWithoutOverwriteAndReplacedWithIt() throws IOException {
    String out = run1();
    FileStatus before = hdfs.getFileStatus(new org.apache.hadoop.fs.Path(out + "/summary.json"));
    Set<String> files = names(out);

    JobRuns.Result refused = JobRuns.run(concat(new String[] {"--input", root + "/in/digits.csv", "--output", out},
        FIT));
    assertEquals(2, refused.code(), refused::toString);
    assertTrue(refused.err().contains("already exists"), refused::toString);
    assertEquals(files, names(out));
    assertEquals(before.getModificationTime(),
        hdfs.getFileStatus(new org.apache.hadoop.fs.Path(out + "/summary.json")).getModificationTime());
    assertEquals(8, JobRuns.components(out).length);
    assertEquals(Set.of("run1"), names(root + "/out"));

    // A different k, so that the replacement shows in the results.
    JobRuns.Result replaced = JobRuns.run("--input", root + "/in/digits.csv", "--output", out, "--overwrite",
        "--estimator", "nmf", "--n-components", "5", "--init", "random", "--random-state", "0");
    assertEquals(0, replaced.code(), replaced::toString);
    assertEquals(5, JobRuns.components(out).length);
    assertEquals(5, JobRuns.summary(out).get("n_components").asInt());
    assertEquals(files, names(out));
    assertEquals(Set.of("run1"), names(root + "/out"), "no .old- or .tmp- sibling left");
  }

  @Test
  @Order(3)
  void aFolderOfPartsOnHdfsKeepsTheRowsInFileOrder() throws IOException {
    String out = root + "/out/parts";
    JobRuns.Result r = JobRuns.run(concat(new String[] {"--input", root + "/in/parts", "--output", out}, FIT));
    assertEquals(0, r.code(), r::toString);
    assertEquals(DIGITS_ROWS, JobRuns.summary(out).get("n_samples").asInt());
    // The full-batch fit sums over the rows in row_id order: the same bits only if the three files
    // were read as the single file's rows 0-599, 600-1199 and 1200-1796.
    double[][] h = JobRuns.components(out);
    double[][] local = localComponents();
    for (int t = 0; t < h.length; t++) {
      assertArrayEquals(local[t], h[t], 0.0, "component " + t + ": the parts and the single file differ");
    }
    // W is solved one partition at a time (three here, two for the single file), so its last bits
    // may differ; a row out of place would differ in its first digit.
    double[][] w = w(out);
    assertEquals(DIGITS_ROWS, w.length);
    for (int i = 0; i < DIGITS_ROWS; i++) {
      double scale = Arrays.stream(localW[i]).max().orElse(0);
      assertArrayEquals(localW[i], w[i], 1e-9 * scale, "W row " + i + " of the parts and of the single file");
    }
  }

  @Test
  @Order(4)
  void anUnreachableNamenodeIsReportedAtOnce() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // free once closed: nothing listens there
    }
    String input = "hdfs://127.0.0.1:" + port + "/x.csv";
    JobRuns.Result r = refusedWithin(15, "--input", input, "--output", tmp.resolve("unreachable").toString());
    assertTrue(r.err().lines().anyMatch(l -> l.startsWith("spark-nmf: ") && l.contains("127.0.0.1:" + port)),
        r::toString);
    assertFalse(Files.exists(tmp.resolve("unreachable")));

    String output = "hdfs://127.0.0.1:" + port + "/out";
    r = refusedWithin(15, "--input", DIGITS.toString(), "--output", output);
    assertTrue(r.err().lines().anyMatch(l -> l.startsWith("spark-nmf: --output " + output + ": ")), r::toString);
  }

  /**
   * A namenode whose host drops connections (down, or behind a firewall): Hadoop's client would try
   * 46 times, a connect timeout each; the job's checks try once.
   */
  @Test
  @Order(5)
  void aHostThatDropsConnectionsIsReportedAfterOneConnectTimeout() throws IOException {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    List<Socket> queued = new ArrayList<>();
    // A socket that listens but never accepts: once its queue is full the kernel drops new SYNs.
    try (ServerSocket silent = new ServerSocket(0, 1, loopback)) {
      int port = silent.getLocalPort();
      boolean dropping = false;
      for (int i = 0; i < 8 && !dropping; i++) {
        Socket s = new Socket();
        try {
          s.connect(new InetSocketAddress(loopback, port), 500);
          queued.add(s);
        } catch (SocketTimeoutException e) {
          s.close();
          dropping = true;
        }
      }
      Assumptions.assumeTrue(dropping, "connections to a full accept queue are not dropped here");

      // A 2 s connect timeout, as a user may set it (the job keeps it): 2 s in all, or 92 s with
      // Hadoop's 46 tries. Hadoop's IPC client takes it from the conf that created the client, one
      // per socket factory and shared while in use: a factory class of its own gives a new client.
      Configuration conf = LocalSpark.session().sparkContext().hadoopConfiguration();
      Map<String, String> settings = Map.of("ipc.client.connect.timeout", "2000",
          "hadoop.rpc.socket.factory.class.default", OwnSocketFactory.class.getName());
      Map<String, String> before = new HashMap<>();
      settings.forEach((key, value) -> {
        before.put(key, conf.get(key));
        conf.set(key, value);
      });
      try {
        String input = "hdfs://127.0.0.1:" + port + "/x.csv";
        JobRuns.Result r = refusedWithin(15, "--input", input, "--output", tmp.resolve("silent").toString());
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("spark-nmf: --input " + input + ": ")
            && l.contains("timeout")), r::toString);
      } finally {
        before.forEach((key, value) -> {
          if (value != null) {
            conf.set(key, value);
          } else {
            conf.unset(key);
          }
        });
      }
    } finally {
      for (Socket s : queued) {
        s.close();
      }
    }
  }

  /** A run of the job that must end with exit code 2 (bad input) within {@code seconds}. */
  private static JobRuns.Result refusedWithin(double seconds, String... inputAndOutput) {
    long t0 = System.nanoTime();
    JobRuns.Result r = JobRuns.run(concat(inputAndOutput, "--estimator", "nmf", "--n-components", "2"));
    double took = (System.nanoTime() - t0) / 1e9;
    assertEquals(2, r.code(), r::toString);
    assertTrue(took < seconds, () -> "took " + took + " s to report an unreachable namenode:\n" + r);
    return r;
  }

  /** Hadoop's socket factory under another class name, hence a Hadoop IPC client of its own. */
  public static final class OwnSocketFactory extends StandardSocketFactory {}

  /** W/ of an output folder as rows indexed by row_id (which must be 0 .. n-1, each once). */
  private static double[][] w(String outputDir) {
    List<Row> rows = LocalSpark.session().read().parquet(outputDir + "/W").orderBy("row_id").collectAsList();
    double[][] w = new double[rows.size()][];
    for (int i = 0; i < w.length; i++) {
      Row row = rows.get(i);
      assertEquals(i, row.getLong(0), "row_id");
      w[i] = new double[row.size() - 1];
      for (int t = 0; t < w[i].length; t++) {
        w[i][t] = row.getDouble(t + 1);
      }
    }
    return w;
  }

  private static Set<String> names(String dir) throws IOException {
    Set<String> names = new TreeSet<>();
    for (FileStatus f : hdfs.listStatus(new org.apache.hadoop.fs.Path(dir))) {
      names.add(f.getPath().getName());
    }
    return names;
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
