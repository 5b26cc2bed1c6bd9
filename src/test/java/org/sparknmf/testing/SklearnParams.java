package org.sparknmf.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.sparknmf.solver.NmfOptions;

/** scikit-learn's constructor arguments, by their scikit-learn names, as {@link NmfOptions}. */
public final class SklearnParams {

  private SklearnParams() {}

  public static NmfOptions options(JsonNode params) {
    NmfOptions o = new NmfOptions();
    for (Map.Entry<String, JsonNode> entry : params.properties()) {
      JsonNode v = entry.getValue();
      switch (entry.getKey()) {
        case "n_components" -> o.nComponents(v.isNull() ? null : v.asText());
        case "init" -> o.init(v.isNull() ? null : v.asText());
        case "solver" -> o.solver(v.asText());
        case "shuffle" -> o.shuffle(v.asBoolean());
        case "beta_loss" -> {
          if (v.isNumber()) {
            o.betaLoss(v.asDouble());
          } else {
            o.betaLoss(v.asText());
          }
        }
        case "tol" -> o.tol(v.asDouble());
        case "max_iter" -> o.maxIter(v.asInt());
        case "random_state" -> o.randomState(v.isNull() ? null : v.asLong());
        case "alpha_W" -> o.alphaW(v.asDouble());
        case "alpha_H" -> o.alphaH(v.isNumber() ? Double.toString(v.asDouble()) : v.asText());
        case "l1_ratio" -> o.l1Ratio(v.asDouble());
        case "verbose" -> o.verbose(v.asInt());
        case "batch_size" -> o.batchSize(v.asInt());
        case "forget_factor" -> o.forgetFactor(v.asDouble());
        case "max_no_improvement" -> o.maxNoImprovement(v.isNull() ? null : v.asInt());
        case "fresh_restarts" -> o.freshRestarts(v.asBoolean());
        case "fresh_restarts_max_iter" -> o.freshRestartsMaxIter(v.asInt());
        case "transform_max_iter" -> o.transformMaxIter(v.isNull() ? null : v.asInt());
        default -> throw new IllegalArgumentException("scikit-learn parameter not mapped: " + entry.getKey());
      }
    }
    return o;
  }
}
