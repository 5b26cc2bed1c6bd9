package org.sparknmf.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.sparknmf.linalg.CsrMatrix;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.util.NumpyRandomState;

/** One reference case computed by scikit-learn 1.2.1 (see src/test/resources/sklearn-fixtures/README.md). */
public record SklearnFixture(String name, JsonNode json) {

  public static final List<String> NAMES = List.of(
      "init_nndsvd_small", "init_nndsvd_wide", "init_nndsvda_small", "init_nndsvda_wide",
      "minibatch_forget1", "minibatch_fresh_restarts", "minibatch_frobenius", "minibatch_is",
      "minibatch_kl", "minibatch_partial_fit", "minibatch_reg", "minibatch_sparse_kl",
      "nmf_cd_frobenius", "nmf_cd_frobenius_l1l2", "nmf_cd_frobenius_l2_w_only", "nmf_cd_maxiter5",
      "nmf_cd_nndsvda", "nmf_cd_sparse", "nmf_mu_beta0.5", "nmf_mu_beta1.5", "nmf_mu_beta3",
      "nmf_mu_frobenius", "nmf_mu_is", "nmf_mu_kl", "nmf_mu_kl_l1", "nmf_mu_kl_sparse",
      "nmf_mu_nndsvd");

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static JsonNode starts;

  public static SklearnFixture load(String name) {
    try (InputStream in = SklearnFixture.class.getResourceAsStream("/sklearn-fixtures/" + name + ".json")) {
      if (in == null) {
        throw new IllegalStateException("missing fixture " + name);
      }
      return new SklearnFixture(name, MAPPER.readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static List<SklearnFixture> all() {
    List<SklearnFixture> list = new ArrayList<>();
    for (String n : NAMES) {
      list.add(load(n));
    }
    return list;
  }

  /**
   * The starting W and H of an init='custom' case. The fixtures' W0/H0 were recorded after
   * scikit-learn updated them in place, so they are rebuilt from the generator's seed
   * (fixture-starts.json, verified against scikit-learn by src/test/python/recover_fixture_starts.py).
   */
  public DenseMatrix[] customStart() {
    JsonNode c = startTable().get("cases").get(name);
    if (c == null) {
      throw new IllegalStateException("no recovered start for " + name);
    }
    int k = json.get("H0").size();
    int n = json.get("H0").get(0).size();
    int drawnRows = c.get("drawn_rows").asInt();
    int wRows = c.get("w_rows").asInt();
    double avg = Math.sqrt(wholeMean() / k);
    NumpyRandomState rng = new NumpyRandomState(c.get("seed").asLong());
    double[] w = new double[drawnRows * k];
    rng.standardNormal(w);
    double[] h = new double[k * n];
    rng.standardNormal(h);
    for (int i = 0; i < w.length; i++) {
      w[i] = avg * Math.abs(w[i]);
    }
    for (int i = 0; i < h.length; i++) {
      h[i] = avg * Math.abs(h[i]);
    }
    return new DenseMatrix[] {new DenseMatrix(drawnRows, k, w).rowRange(0, wRows).copy(), new DenseMatrix(k, n, h)};
  }

  /** Mean of all of X (every chunk, for partial_fit cases). */
  private double wholeMean() {
    double sum = 0.0;
    long count = 0;
    List<JsonNode> xs = new ArrayList<>();
    if (json.has("steps")) {
      json.get("steps").forEach(s -> xs.add(s.get("X")));
    } else {
      xs.add(json.get("X"));
    }
    for (JsonNode x : xs) {
      DataMatrix m = matrix(x);
      sum += m.sum();
      count += (long) m.rows() * m.cols();
    }
    return sum / count;
  }

  private static synchronized JsonNode startTable() {
    if (starts == null) {
      try (InputStream in = SklearnFixture.class.getResourceAsStream("/sklearn-fixtures/fixture-starts.json")) {
        starts = MAPPER.readTree(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return starts;
  }

  public String estimator() {
    return json.get("estimator").asText();
  }

  public JsonNode params() {
    return json.get("params");
  }

  public JsonNode expected() {
    return json.get("expected");
  }

  /** True when the case is deterministic (custom start or an exact-rank init case). */
  public boolean deterministic() {
    JsonNode init = params().get("init");
    return estimator().equals("init") || (init != null && "custom".equals(init.asText()));
  }

  /** X as stored: dense or CSR. */
  public static DataMatrix matrix(JsonNode x) {
    int rows = x.get("shape").get(0).asInt();
    int cols = x.get("shape").get(1).asInt();
    if ("csr".equals(x.get("format").asText())) {
      return new CsrMatrix(rows, cols, ints(x.get("indptr")), ints(x.get("indices")), doubles(x.get("data")));
    }
    return new DenseMatrix(rows, cols, flatten(x.get("rows"), cols));
  }

  /** A nested JSON array as a dense matrix (null when the node is absent or null). */
  public static DenseMatrix dense(JsonNode rows) {
    if (rows == null || rows.isNull()) {
      return null;
    }
    int r = rows.size();
    int c = r == 0 ? 0 : rows.get(0).size();
    return new DenseMatrix(r, c, flatten(rows, c));
  }

  public static double[][] array(JsonNode rows) {
    DenseMatrix d = dense(rows);
    return d == null ? null : d.toArray();
  }

  private static double[] flatten(JsonNode rows, int cols) {
    double[] d = new double[rows.size() * cols];
    for (int i = 0; i < rows.size(); i++) {
      for (int j = 0; j < cols; j++) {
        d[i * cols + j] = rows.get(i).get(j).asDouble();
      }
    }
    return d;
  }

  private static int[] ints(JsonNode a) {
    int[] r = new int[a.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = a.get(i).asInt();
    }
    return r;
  }

  private static double[] doubles(JsonNode a) {
    double[] r = new double[a.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = a.get(i).asDouble();
    }
    return r;
  }

  @Override
  public String toString() {
    return name;
  }
}
