package org.sparknmf.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.DoubleStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Bit-exact agreement with NumPy's legacy {@code RandomState} (JUnit compares doubles by bits). */
class NumpyRandomStateTest {

  private static final String PYTHON = "/usr/bin/python3";
  private static final long[] SEEDS = {0, 7, 4294967295L};
  private static final int[] PERMUTATION_SIZES = {0, 1, 7, 64};
  private static final int NORMALS = 5001;

  // The literals below are outputs of numpy 1.x (1.24) numpy.random.RandomState, whose legacy
  // streams NumPy keeps frozen across versions.

  @Test
  void randomSampleMatchesPublishedNumpyValues() {
    NumpyRandomState r = new NumpyRandomState(0);
    assertEquals(0.5488135039273248, r.randomSample());
    assertEquals(0.7151893663724195, r.randomSample());
    assertEquals(0.6027633760716439, r.randomSample());
    assertEquals(0.3745401188473625, new NumpyRandomState(42).randomSample());
  }

  @Test
  void standardNormalMatchesPublishedNumpyValuesIncludingTheCachedSecondDraw() {
    double[] out = new double[3];
    new NumpyRandomState(0).standardNormal(out);
    assertArrayEquals(
        new double[] {1.764052345967664, 0.4001572083672233, 0.9787379841057392}, out);
    assertEquals(0.4967141530112327, new NumpyRandomState(42).standardNormal());
  }

  @Test
  void permutationMatchesPublishedNumpyValues() {
    assertArrayEquals(
        new int[] {2, 8, 4, 9, 1, 6, 7, 3, 0, 5}, new NumpyRandomState(0).permutation(10));
    assertArrayEquals(
        new int[] {8, 1, 5, 0, 7, 2, 9, 4, 3, 6}, new NumpyRandomState(42).permutation(10));
  }

  @Test
  void rawOutputIsTheReferenceMt19937() {
    // Matsumoto and Nishimura's reference init_genrand(5489) stream.
    NumpyRandomState r = new NumpyRandomState(5489);
    assertEquals(3499211612L, r.nextUint32());
    assertEquals(581869302L, r.nextUint32());
  }

  @Test
  void matchesInstalledNumpy() throws Exception {
    Assumptions.assumeTrue(numpyInstalled(), "numpy not installed");
    // One RandomState per seed: an odd number of normals leaves one cached across the uniform
    // draws, and the next standard_normal() must return it before the permutations. Thousands of
    // normals, because NumPy's normals go through the C library's log and Java's Math.log differs
    // from glibc's in the last bit about once in a few thousand arguments: normals are compared to
    // within 1 ulp, everything else exactly.
    String script =
        String.join(
            "\n",
            "import numpy as np",
            "for seed in " + Arrays.toString(SEEDS) + ":",
            "    r = np.random.RandomState(seed)",
            "    v = r.standard_normal(" + NORMALS + ").tolist() + r.random_sample(200).tolist()",
            "    v.append(r.standard_normal())",
            "    for n in " + Arrays.toString(PERMUTATION_SIZES) + ":",
            "        v += r.permutation(n).tolist()",
            "    print(' '.join(repr(x) for x in v))");
    List<String> lines = run(PYTHON, "-c", script);
    assertEquals(SEEDS.length, lines.size(), () -> "python printed " + lines);
    for (int s = 0; s < SEEDS.length; s++) {
      double[] expected =
          Arrays.stream(lines.get(s).trim().split(" ")).mapToDouble(Double::parseDouble).toArray();
      double[] actual = javaStream(SEEDS[s]);
      assertEquals(expected.length, actual.length, "seed " + SEEDS[s]);
      for (int i = 0; i < expected.length; i++) {
        boolean normal = i < NORMALS || i == NORMALS + 200;
        double tolerance = normal ? Math.ulp(expected[i]) : 0.0;
        assertEquals(expected[i], actual[i], tolerance, "seed " + SEEDS[s] + ", value " + i);
      }
    }
  }

  @Test
  void rejectsSeedsNumpyRejects() {
    for (long seed : new long[] {-1, 1L << 32}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> new NumpyRandomState(seed));
      assertTrue(e.getMessage().contains("random_state"), e.getMessage());
      assertTrue(e.getMessage().contains(Long.toString(seed)), e.getMessage());
    }
  }

  @Test
  void fromSeedOrEntropySeedsLikeTheConstructor() {
    assertEquals(
        new NumpyRandomState(3).randomSample(),
        NumpyRandomState.fromSeedOrEntropy(3L).randomSample());
    double u = NumpyRandomState.fromSeedOrEntropy(null).randomSample();
    assertTrue(u >= 0 && u < 1, () -> "random_sample() = " + u);
  }

  /** The same draws as the Python script in {@link #matchesInstalledNumpy}. */
  private static double[] javaStream(long seed) {
    NumpyRandomState r = new NumpyRandomState(seed);
    DoubleStream.Builder v = DoubleStream.builder();
    double[] normals = new double[NORMALS];
    r.standardNormal(normals);
    Arrays.stream(normals).forEach(v);
    for (int i = 0; i < 200; i++) {
      v.add(r.randomSample());
    }
    v.add(r.standardNormal());
    for (int n : PERMUTATION_SIZES) {
      Arrays.stream(r.permutation(n)).forEach(v::add);
    }
    return v.build().toArray();
  }

  private static boolean numpyInstalled() throws InterruptedException {
    try {
      Process p =
          new ProcessBuilder(PYTHON, "-c", "import numpy")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      boolean ok = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
      p.destroyForcibly();
      return ok;
    } catch (IOException e) {
      return false;
    }
  }

  /** The stdout lines of a command that must succeed. */
  private static List<String> run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), () -> String.join(" ", command) + " failed:\n" + out);
    return out.lines().toList();
  }
}
