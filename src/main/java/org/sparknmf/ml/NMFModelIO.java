package org.sparknmf.ml;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.solver.MiniBatchState;
import scala.Option;

/**
 * How an {@link NMFModel} is saved: its params as Spark's metadata JSON ({@code DefaultParamsWriter}),
 * H and the fitted state as one parquet row in {@code data/}. No Java serialization touches a file.
 */
final class NMFModelIO {

  private NMFModelIO() {}

  private static final StructType SCHEMA = new StructType()
      .add("nFeatures", DataTypes.IntegerType, false)
      .add("k", DataTypes.IntegerType, false)
      .add("ht", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
      .add("reconstructionErr", DataTypes.DoubleType, false)
      .add("nIter", DataTypes.IntegerType, false)
      .add("nSteps", DataTypes.IntegerType, false)
      .add("miniBatch", DataTypes.BooleanType, false)
      .add("featureNames", DataTypes.createArrayType(DataTypes.StringType), true)
      .add("objectiveHistory", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
      .add("batchSize", DataTypes.IntegerType, true)
      .add("rho", DataTypes.DoubleType, true)
      .add("numeratorAcc", DataTypes.createArrayType(DataTypes.DoubleType, false), true)
      .add("denominatorAcc", DataTypes.createArrayType(DataTypes.DoubleType, false), true)
      .add("ewaCost", DataTypes.DoubleType, true)
      .add("ewaCostMin", DataTypes.DoubleType, true)
      .add("noImprovement", DataTypes.IntegerType, true)
      .add("costHistory", DataTypes.createArrayType(DataTypes.DoubleType, false), true);

  static final class Writer extends MLWriter {
    private final NMFModel model;

    Writer(NMFModel model) {
      this.model = model;
    }

    @Override
    public void saveImpl(String path) {
      ParamsMetadata.save(model, path, sparkSession());
      DenseMatrix ht = model.ht();
      MiniBatchState s = model.state();
      Row row = RowFactory.create(ht.rows(), ht.cols(), boxed(ht.data()), model.reconstructionErr(),
          model.nIter(), model.nSteps(), model.isMiniBatch(), model.featureNamesIn(),
          boxed(model.summary().objectiveHistory()),
          s == null ? null : s.batchSize(), s == null ? null : s.rho(),
          s == null ? null : boxed(s.numeratorAccumulator().copy().data()),
          s == null ? null : boxed(s.denominatorAccumulator().copy().data()),
          s == null ? null : s.ewaCost(), s == null ? null : s.ewaCostMin(),
          s == null ? null : s.noImprovement(),
          s == null ? null : s.costHistory().toArray(new Double[0]));
      sparkSession().createDataFrame(List.of(row), SCHEMA).repartition(1).write().parquet(path + "/data");
    }
  }

  static final class Reader extends MLReader<NMFModel> {
    @Override
    public NMFModel load(String path) {
      DefaultParamsReader.Metadata metadata = ParamsMetadata.load(path, sparkSession(), NMFModel.class.getName());
      List<Row> rows = sparkSession().read().parquet(path + "/data").takeAsList(2);
      if (rows.size() != 1) {
        throw invalid(path, "data holds " + (rows.isEmpty() ? "no row" : "more than one row") + ", expected one");
      }
      Row r = rows.get(0);
      int n = r.getInt(present(r, "nFeatures", path));
      int k = r.getInt(present(r, "k", path));
      if (n < 1 || k < 1) {
        throw invalid(path, "nFeatures and k must be >= 1, got " + n + " and " + k);
      }
      DenseMatrix ht = matrix(r, "ht", n, k, path);
      boolean miniBatch = r.getBoolean(present(r, "miniBatch", path));
      int namesAt = r.fieldIndex("featureNames");
      List<String> names = r.isNullAt(namesAt) ? null : r.getList(namesAt);
      if (names != null && names.size() != n) {
        throw invalid(path, "featureNames has " + names.size() + " names, expected " + n);
      }
      List<Double> history = new ArrayList<>(r.getList(present(r, "objectiveHistory", path)));
      NMFModel shell = NMFModel.restored(metadata.uid(), ht, 0, 0, 0, List.of(), null, miniBatch, null);
      metadata.getAndSetParams(shell, Option.empty());
      MiniBatchState state = null;
      if (!r.isNullAt(r.fieldIndex("numeratorAcc"))) {
        state = MiniBatchState.restore(shell.toOptions(), r.getInt(present(r, "batchSize", path)),
            r.getDouble(present(r, "rho", path)), matrix(r, "numeratorAcc", n, k, path),
            matrix(r, "denominatorAcc", n, k, path), nullableDouble(r, "ewaCost"),
            nullableDouble(r, "ewaCostMin"), r.getInt(present(r, "noImprovement", path)),
            r.getInt(present(r, "nSteps", path)), r.getList(present(r, "costHistory", path)));
      }
      NMFModel model = NMFModel.restored(metadata.uid(), ht, r.getDouble(present(r, "reconstructionErr", path)),
          r.getInt(present(r, "nIter", path)), r.getInt(present(r, "nSteps", path)), history, state, miniBatch,
          names == null ? null : names.toArray(new String[0]));
      metadata.getAndSetParams(model, Option.empty());
      return model;
    }

    /** The index of a field the data must hold (not null), or a clear error. */
    private static int present(Row r, String field, String path) {
      int i;
      try {
        i = r.fieldIndex(field);
      } catch (IllegalArgumentException e) {
        throw invalid(path, "data has no field " + field);
      }
      if (r.isNullAt(i)) {
        throw invalid(path, field + " is null");
      }
      return i;
    }

    private static IllegalArgumentException invalid(String path, String why) {
      return new IllegalArgumentException(path + " is not a valid NMFModel: " + why);
    }

    private static DenseMatrix matrix(Row r, String field, int rows, int cols, String path) {
      List<Double> values = r.getList(present(r, field, path));
      if (rows < 1 || cols < 1 || values.size() != (long) rows * cols) {
        throw new IllegalArgumentException(path + " is not a valid NMFModel: " + field + " has "
            + values.size() + " values, expected " + rows + " × " + cols);
      }
      DenseMatrix m = new DenseMatrix(rows, cols);
      for (int i = 0; i < values.size(); i++) {
        double v = values.get(i);
        if (!(v >= 0) || Double.isInfinite(v)) {
          throw new IllegalArgumentException(path + " is not a valid NMFModel: " + field + " holds " + v);
        }
        m.data()[i] = v;
      }
      return m;
    }

    private static Double nullableDouble(Row r, String field) {
      return r.isNullAt(r.fieldIndex(field)) ? null : r.getDouble(r.fieldIndex(field));
    }
  }

  private static Double[] boxed(double[] a) {
    Double[] b = new Double[a.length];
    for (int i = 0; i < a.length; i++) {
      b[i] = a[i];
    }
    return b;
  }
}
