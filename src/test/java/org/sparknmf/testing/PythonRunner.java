package org.sparknmf.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;

/**
 * Runs Debian's scikit-learn ({@code /usr/bin/python3}, package {@code python3-sklearn}) for the
 * tests that compare with a live scikit-learn. The interpreter can be changed with the system
 * property {@code sparknmf.python} (e.g. a path that does not exist, to see the tests skip).
 */
public final class PythonRunner {

  public static final String PYTHON = System.getProperty("sparknmf.python", "/usr/bin/python3");

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static Boolean sklearnAvailable;

  private PythonRunner() {}

  /** True when {@code python3 -c "import sklearn"} succeeds; checked once. */
  public static synchronized boolean sklearnAvailable() {
    if (sklearnAvailable == null) {
      sklearnAvailable = probe();
    }
    return sklearnAvailable;
  }

  private static boolean probe() {
    try {
      Process p = new ProcessBuilder(PYTHON, "-c", "import sklearn")
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      return p.exitValue() == 0;
    } catch (IOException e) {
      return false; // no such interpreter
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Runs the script stored as classpath resource {@code scriptResource} with the request written
   * to a temporary JSON file as its only argument, and parses what it prints on stdout.
   *
   * @throws IllegalStateException when the script fails, times out or prints no JSON
   */
  public static JsonNode runScript(String scriptResource, JsonNode request, long timeoutSeconds) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("live-sklearn");
      Path script = dir.resolve("script.py");
      try (InputStream in = PythonRunner.class.getResourceAsStream(scriptResource)) {
        if (in == null) {
          throw new IllegalStateException("missing test resource " + scriptResource);
        }
        Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
      }
      Path requestFile = dir.resolve("request.json");
      MAPPER.writeValue(requestFile.toFile(), request);
      Path out = dir.resolve("stdout.json");
      Path err = dir.resolve("stderr.txt");
      ProcessBuilder pb = new ProcessBuilder(PYTHON, script.toString(), requestFile.toString())
          .redirectOutput(out.toFile())
          .redirectError(err.toFile());
      // One thread per BLAS call keeps NumPy's sums in a fixed order and the run quick to start.
      pb.environment().put("OMP_NUM_THREADS", "1");
      pb.environment().put("OPENBLAS_NUM_THREADS", "1");
      Process p = pb.start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(scriptResource + " did not finish within " + timeoutSeconds + " s");
      }
      String stderr = Files.readString(err, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IllegalStateException(scriptResource + " exited with " + p.exitValue() + ":\n" + stderr);
      }
      JsonNode result = MAPPER.readTree(out.toFile());
      if (result == null || result.isMissingNode()) {
        throw new IllegalStateException(scriptResource + " printed nothing:\n" + stderr);
      }
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + scriptResource, e);
    } finally {
      deleteQuietly(dir);
    }
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (var files = Files.list(dir)) {
      files.forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // best effort
    }
    dir.toFile().delete();
  }
}
