package org.sparknmf.job;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.CountVectorizer;
import org.apache.spark.ml.feature.CountVectorizerModel;
import org.apache.spark.ml.feature.IDF;
import org.apache.spark.ml.feature.Normalizer;
import org.apache.spark.ml.feature.RegexTokenizer;
import org.apache.spark.ml.feature.StopWordsRemover;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sparknmf.job.InputReader.Input;

/**
 * Text input, one document per line, as tf-idf rows through Spark's own feature stages, in the
 * spirit of scikit-learn's {@code TfidfVectorizer}: words of two or more letters, lower-cased,
 * stop words removed, the {@code --max-features} most frequent terms within {@code --min-df} and
 * {@code --max-df}, idf-weighted and scaled to unit length (Spark's IDF does not normalize, and NMF
 * on unnormalized tf-idf lets long documents dominate).
 */
final class TextFeatures {

  private TextFeatures() {}

  static Input read(SparkSession spark, LocatedLines lines, JobOptions o) {
    if (lines.rows() == 0) {
      throw new IllegalArgumentException("--input: no documents (every line is blank)");
    }
    check(o);
    StructType schema = new StructType().add(InputReader.ROW_ID, DataTypes.LongType, false)
        .add("text", DataTypes.StringType, false);
    Dataset<Row> docs = spark.createDataFrame(lines.map((id, line, where) -> RowFactory.create(id, line)), schema);
    RegexTokenizer tokenizer = new RegexTokenizer().setInputCol("text").setOutputCol("tokens")
        .setGaps(false).setPattern("(?U)\\b\\w\\w+\\b").setToLowercase(true);
    StopWordsRemover stop = new StopWordsRemover().setInputCol("tokens").setOutputCol("terms");
    if ("none".equals(o.stopWords)) {
      stop.setStopWords(new String[0]);
    }
    CountVectorizer counts = new CountVectorizer().setInputCol("terms").setOutputCol("counts")
        .setVocabSize(o.maxFeatures).setMinDF(o.minDf).setMaxDF(o.maxDf);
    IDF idf = new IDF().setInputCol("counts").setOutputCol("tfidf");
    Normalizer norm = new Normalizer().setInputCol("tfidf").setOutputCol(InputReader.FEATURES).setP(2);
    PipelineModel model = new Pipeline()
        .setStages(new PipelineStage[] {tokenizer, stop, counts, idf, norm}).fit(docs);
    String[] vocabulary = ((CountVectorizerModel) model.stages()[2]).vocabulary();
    if (vocabulary.length == 0) {
      throw new IllegalArgumentException("--min-df " + o.minDf + " / --max-df " + o.maxDf
          + ": no term is left in the vocabulary");
    }
    Dataset<Row> x = model.transform(docs).select(InputReader.ROW_ID, InputReader.FEATURES);
    return new Input(x, lines.rows(), vocabulary.length, vocabulary, "text");
  }

  private static void check(JobOptions o) {
    if (o.maxFeatures < 1) {
      throw new IllegalArgumentException("--max-features " + o.maxFeatures + ": must be >= 1");
    }
    if (o.minDf < 0) {
      throw new IllegalArgumentException("--min-df " + o.minDf + ": must be >= 0");
    }
    if (o.maxDf < 0) {
      throw new IllegalArgumentException("--max-df " + o.maxDf + ": must be >= 0");
    }
    if (!"english".equals(o.stopWords) && !"none".equals(o.stopWords)) {
      throw new IllegalArgumentException("--stop-words " + o.stopWords + ": must be english or none");
    }
    if (o.topTerms < 1) {
      throw new IllegalArgumentException("--top-terms " + o.topTerms + ": must be >= 1");
    }
  }
}
