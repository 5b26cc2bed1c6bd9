package org.sparknmf.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sparknmf.testing.TestMatrices;

/**
 * The Java LAPACK's first calls in a fresh JVM, as on a new executor whose two tasks start at once:
 * the machine constants are set before any factorisation runs, and two threads factorising at the
 * same moment get the same bits (with the constants racing, one of them could get 0 or Infinity for
 * the safe minimum, and DLARFG loop for ever).
 */
class JavaLapackTest {

  @Test
  void loadingTheLapackSetsTheMachineConstants() throws Exception {
    assertEquals("the constants are set", inFreshJvm("load"));
  }

  @Test
  void firstCallsFromTwoThreadsInAFreshJvmAgree() throws Exception {
    for (int run = 0; run < 6; run++) {
      assertEquals("the same bits", inFreshJvm("race"), "run " + run);
    }
  }

  private static String inFreshJvm(String what) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), JavaLapackTest.class.getName(), what)
        .redirectErrorStream(true).start();
    boolean ended = p.waitFor(60, TimeUnit.SECONDS);
    if (!ended) {
      p.destroyForcibly();
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertTrue(ended, what + ": did not end within 60 s: " + out);
    assertEquals(0, p.exitValue(), out);
    return out;
  }

  /**
   * The fresh JVM's side: "load" loads the LAPACK and reports whether the machine constants are set;
   * "race" has two threads make their first factorisation at once and compares their bits.
   */
  public static void main(String[] args) throws Exception {
    if (args[0].equals("load")) {
      Class.forName(JavaLapack.class.getName());
      boolean set = !org.netlib.lapack.Dlamch.first && org.netlib.lapack.Dlamch.sfmin == Double.MIN_NORMAL;
      System.out.println(set ? "the constants are set" : "the constants are not set");
      return;
    }
    DenseMatrix y = TestMatrices.random(new Random(5), 200, 12, 0.0);
    CyclicBarrier together = new CyclicBarrier(2);
    double[][] r = new double[2][];
    Thread[] threads = new Thread[2];
    for (int t = 0; t < 2; t++) {
      int id = t;
      threads[t] = new Thread(() -> {
        try {
          together.await();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        r[id] = Qr.of(y).r().data();
      });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    System.out.println(Arrays.equals(r[0], r[1]) ? "the same bits" : "different bits");
  }
}
