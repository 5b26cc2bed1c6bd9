package org.sparknmf.engine;

import org.apache.spark.api.java.JavaSparkContext;
import org.sparknmf.solver.NmfOptions;

/**
 * What a distributed fit runs with: the Spark context, scikit-learn's parameters, the engine's
 * settings, whether lineage checkpoints are reliable (the context has a checkpoint directory) and
 * the fit's own checkpoints ({@link Checkpointing#OFF} without a checkpoint folder).
 */
record FitContext(JavaSparkContext jsc, NmfOptions options, EngineSettings settings, boolean reliable,
    Checkpointing checkpoints) {}
