package org.sparknmf.job;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.sparknmf.ml.MiniBatchNMF;
import org.sparknmf.ml.NMF;
import org.sparknmf.ml.NMFEstimator;

/**
 * Turns the job's options into a configured Spark ML estimator, checking every value with the
 * stage's own validators so that an error names the option ({@code --tol}) rather than the param.
 * Where the command line spells a value differently from the stage ({@code auto}, {@code none}) it
 * is translated here, in one place.
 */
final class StageConfig {

  private StageConfig() {}

  /** The estimator the options describe; {@code seed} is the random state to use. */
  static NMFEstimator<?> estimator(JobOptions o, long seed) {
    NMFEstimator<?> stage = switch (o.estimator) {
      case "nmf" -> new NMF();
      case "minibatch" -> new MiniBatchNMF();
      default -> throw new IllegalArgumentException("--estimator " + o.estimator + ": must be nmf or minibatch");
    };
    ParamMap params = new ParamMap();
    for (Map.Entry<String, String> given : o.given.entrySet()) {
      String option = given.getKey();
      String paramName = JobOptions.STAGE_PARAMS.get(option);
      if (paramName == null) {
        continue;
      }
      String only = JobOptions.ESTIMATOR_ONLY.get(option);
      if (only != null && !only.equals(o.estimator)) {
        throw new IllegalArgumentException("--" + option + " applies to --estimator " + only
            + ", not " + o.estimator);
      }
      put(params, stage.getParam(paramName), option, stageValue(option, given.getValue()));
    }
    put(params, stage.getParam("seed"), "random-state", seed);
    if (o.resume && o.checkpointDir == null) {
      throw new IllegalArgumentException("--resume needs --checkpoint-dir, the folder to resume from");
    }
    return (NMFEstimator<?>) stage.copy(params);
  }

  /** A fresh random state when none is given, like scikit-learn's {@code random_state=None}. */
  static long seedOf(JobOptions o) {
    return o.randomState != null ? o.randomState : ThreadLocalRandom.current().nextLong(1L << 32);
  }

  /** The value of every stage param the estimator has, under the job's option names. */
  static Map<String, Object> effective(NMFEstimator<?> stage) {
    Map<String, Object> out = new LinkedHashMap<>();
    JobOptions.STAGE_PARAMS.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
      if (stage.hasParam(e.getValue())) {
        out.put(e.getKey(), optionValue(e.getKey(), stage.getOrDefault(stage.getParam(e.getValue()))));
      }
    });
    return out;
  }

  /** The command line's spelling of a stage value (the reverse of {@link #stageValue}). */
  private static Object optionValue(String option, Object value) {
    return switch (option) {
      case "n-components" -> ((Integer) value) == 0 ? "auto" : value;
      case "max-no-improvement" -> ((Integer) value) == 0 ? "none" : value;
      case "transform-max-iter", "partitions" -> ((Integer) value) == 0 ? null : value;
      case "checkpoint-dir" -> "".equals(value) ? null : value;
      default -> value;
    };
  }

  /** The stage's value of an option given as text (already typed-checked by the command line). */
  private static Object stageValue(String option, String text) {
    return switch (option) {
      case "n-components" -> "auto".equalsIgnoreCase(text) ? "0" : positive(option, text);
      case "max-no-improvement" -> "none".equalsIgnoreCase(text) ? "0" : positive(option, text);
      case "transform-max-iter", "partitions" -> positive(option, text);
      default -> text;
    };
  }

  /** The stage reads 0 as "auto"/"none" for these: the command line wants those words instead. */
  private static String positive(String option, String text) {
    int v;
    try {
      v = Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + option + " " + text + ": not an integer");
    }
    if (v < 1) {
      throw new IllegalArgumentException("--" + option + " " + text + ": must be >= 1");
    }
    return Integer.toString(v);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void put(ParamMap params, Param<?> param, String option, Object value) {
    Object typed;
    try {
      String text = String.valueOf(value).trim();
      if (param instanceof IntParam) {
        typed = Integer.valueOf(text);
      } else if (param instanceof DoubleParam) {
        typed = Double.valueOf(text);
      } else if (param instanceof LongParam) {
        typed = Long.valueOf(text);
      } else if (param instanceof BooleanParam) {
        typed = Boolean.valueOf(text);
      } else {
        typed = text;
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + option + " " + value + ": not a number");
    }
    if (!Boolean.TRUE.equals(((Param) param).isValid().apply(typed))) {
      throw new IllegalArgumentException("--" + option + " " + value + ": invalid (" + param.doc() + ")");
    }
    params.put((Param) param, typed);
  }
}
