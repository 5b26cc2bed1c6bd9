package org.sparknmf.ml;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.split;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.feature.CountVectorizer;
import org.apache.spark.ml.feature.CountVectorizerModel;
import org.apache.spark.ml.feature.IDF;
import org.apache.spark.ml.feature.Normalizer;
import org.apache.spark.ml.feature.RegexTokenizer;
import org.apache.spark.ml.feature.StopWordsRemover;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparknmf.testing.LocalSpark;

/**
 * Topics from real text: Debian's package descriptions (data-samples/debian-descriptions.tsv)
 * through RegexTokenizer → StopWordsRemover → CountVectorizer → IDF → Normalizer → MiniBatchNMF,
 * in one PipelineModel that is saved and loaded again.
 *
 * <p>The Normalizer makes each document's TF-IDF vector of unit length, as scikit-learn's
 * TfidfVectorizer does (Spark's IDF does not): without it the longest descriptions make topics of
 * their own.
 *
 * <p>CountVectorizerModel and IDFModel put no ML attribute names on their output column, so the
 * vocabulary reaches the NMF model only through MiniBatchNMF's {@code vocabulary} param: the text
 * stages are fitted first, then a Pipeline of that fitted PipelineModel and the MiniBatchNMF is fitted
 * (the fitted stages pass through a Pipeline's fit unchanged), giving one PipelineModel.
 */
class TextPipelineTest {

  static final Path CORPUS = Path.of("data-samples", "debian-descriptions.tsv");
  static final int K = 10;
  static final int TOP = 10;

  /** Words that must head some topic: each names a large, clear family of Debian packages. */
  static final List<String> EXPECTED = List.of("python", "rust", "haskell", "javascript", "game");

  static Dataset<Row> docs;
  static PipelineModel model;
  static CountVectorizerModel vectorizer;
  static List<List<String>> topics;

  @BeforeAll
  static void fit() {
    assertTrue(Files.isRegularFile(CORPUS), "run from the project root: " + CORPUS.toAbsolutePath());
    docs = LocalSpark.session().read().text(CORPUS.toString())
        .select(split(col("value"), "\t", 2).getItem(0).as("id"), split(col("value"), "\t", 2).getItem(1).as("text"))
        .cache();
    long t0 = System.nanoTime();
    PipelineModel text = new Pipeline().setStages(new PipelineStage[] {
        new RegexTokenizer().setInputCol("text").setOutputCol("tokens")
            .setGaps(false).setPattern("[a-z]{2,}").setMinTokenLength(3), // lower-cases first
        new StopWordsRemover().setInputCol("tokens").setOutputCol("words"),
        new CountVectorizer().setInputCol("words").setOutputCol("counts").setVocabSize(2000).setMinDF(3),
        new IDF().setInputCol("counts").setOutputCol("tfidf"),
        new Normalizer().setInputCol("tfidf").setOutputCol("features")}).fit(docs); // L2, p = 2
    long t1 = System.nanoTime();
    vectorizer = (CountVectorizerModel) text.stages()[2];
    MiniBatchNMF nmf = new MiniBatchNMF().setK(K).setSeed(0).setBatchSize(500).setMaxIter(200)
        .setVocabulary(vectorizer.vocabulary());
    model = new Pipeline().setStages(new PipelineStage[] {text, nmf}).fit(docs);
    long t2 = System.nanoTime();
    NMFModel nmfModel = nmfModel(model);
    System.out.printf(Locale.ROOT, "%d documents, %d terms; text stages fitted in %.1f s, MiniBatchNMF in %.1f s "
        + "(%d epochs, %d mini-batch steps)%n", docs.count(), vectorizer.vocabulary().length, (t1 - t0) / 1e9,
        (t2 - t1) / 1e9, nmfModel.nIter(), nmfModel.nSteps());
    topics = termsOf(nmfModel.describeTopics(TOP));
    for (int t = 0; t < topics.size(); t++) {
      System.out.printf(Locale.ROOT, "topic %d: %s%n", t, String.join(" ", topics.get(t)));
    }
  }

  @AfterAll
  static void release() {
    docs.unpersist();
  }

  static NMFModel nmfModel(PipelineModel m) {
    return (NMFModel) m.stages()[m.stages().length - 1];
  }

  static List<List<String>> termsOf(Dataset<Row> described) {
    List<List<String>> out = new ArrayList<>();
    for (Row r : described.orderBy("topic").collectAsList()) {
      out.add(new ArrayList<>(r.<String>getList(r.fieldIndex("terms"))));
    }
    return out;
  }

  @Test
  void theFeatureColumnCarriesNoNamesSoTheVocabularyParamIsNeeded() {
    Dataset<Row> features = ((PipelineModel) model.stages()[0]).transform(docs);
    AttributeGroup group = AttributeGroup.fromStructField(features.schema().apply("features"));
    assertTrue(group.attributes().isEmpty(), "CountVectorizer/IDF now name their features: the two-stage fit "
        + "could become one Pipeline");
    assertArrayEquals(vectorizer.vocabulary(), nmfModel(model).featureNamesIn());
  }

  @Test
  void topicsAreDistinctWordsFromTheVocabulary() {
    Set<String> vocabulary = new HashSet<>(Arrays.asList(vectorizer.vocabulary()));
    assertEquals(K, topics.size());
    for (List<String> terms : topics) {
      assertEquals(TOP, terms.size());
      assertEquals(TOP, new HashSet<>(terms).size(), "repeated term in " + terms);
      assertTrue(vocabulary.containsAll(terms), terms.toString());
    }
  }

  @Test
  void topicsDifferFromOneAnother() {
    for (int a = 0; a < K; a++) {
      for (int b = a + 1; b < K; b++) {
        Set<String> inter = new HashSet<>(topics.get(a));
        inter.retainAll(topics.get(b));
        Set<String> union = new HashSet<>(topics.get(a));
        union.addAll(topics.get(b));
        double jaccard = (double) inter.size() / union.size();
        assertTrue(jaccard <= 0.25, "topics " + a + " and " + b + " overlap (Jaccard " + jaccard + "): "
            + topics.get(a) + " / " + topics.get(b));
      }
    }
  }

  /**
   * Each expected word is among the top terms of a topic, and that topic means it: of the documents
   * whose largest weight in W is that topic, most contain the word, far more than in the corpus.
   */
  @Test
  void expectedSubjectsHaveTopicsThatPickTheirDocuments() {
    List<Row> rows = model.transform(docs).select("words", "nmfFeatures").collectAsList();
    for (String word : EXPECTED) {
      int topic = -1;
      for (int t = 0; t < K && topic < 0; t++) {
        if (topics.get(t).contains(word)) {
          topic = t;
        }
      }
      assertTrue(topic >= 0, "no topic has '" + word + "' in its top " + TOP + " terms: " + topics);
      int all = 0;
      int assigned = 0;
      int assignedWithWord = 0;
      for (Row r : rows) {
        boolean has = r.<String>getList(0).contains(word);
        all += has ? 1 : 0;
        if (((Vector) r.get(1)).argmax() == topic) {
          assigned++;
          assignedWithWord += has ? 1 : 0;
        }
      }
      double inTopic = (double) assignedWithWord / assigned;
      double inCorpus = (double) all / rows.size();
      System.out.printf(Locale.ROOT, "'%s': topic %d, %d documents, %.0f%% contain it (corpus: %.0f%%)%n",
          word, topic, assigned, 100 * inTopic, 100 * inCorpus);
      assertTrue(assigned >= 30, "topic " + topic + " is the largest weight of only " + assigned + " documents");
      assertTrue(inTopic >= 0.5 && inTopic >= 5 * inCorpus, "'" + word + "' in " + inTopic
          + " of topic " + topic + "'s documents, in " + inCorpus + " of all");
    }
  }

  @Test
  void savedAndLoadedPipelineGivesTheSameBitsAndTopics(@TempDir Path dir) throws Exception {
    String path = dir.resolve("text-nmf").toString();
    model.write().save(path);
    PipelineModel back = PipelineModel.load(path);
    NMFModel nmfBack = nmfModel(back);
    assertNotNull(nmfBack.featureNamesIn());
    assertEquals(topics, termsOf(nmfBack.describeTopics(TOP)));
    List<Row> a = nmfModel(model).describeTopics(TOP).orderBy("topic").collectAsList();
    List<Row> b = nmfBack.describeTopics(TOP).orderBy("topic").collectAsList();
    for (int t = 0; t < K; t++) {
      assertEquals(a.get(t).getList(1), b.get(t).getList(1));
      assertEquals(a.get(t).getList(2), b.get(t).getList(2)); // Double.equals: the same bits
    }
    Map<String, double[]> w = wById(model);
    Map<String, double[]> wBack = wById(back);
    assertEquals(w.keySet(), wBack.keySet());
    assertFalse(w.isEmpty());
    for (Map.Entry<String, double[]> e : w.entrySet()) {
      assertArrayEquals(e.getValue(), wBack.get(e.getKey()), "W of " + e.getKey()); // no delta: bit for bit
    }
  }

  private static Map<String, double[]> wById(PipelineModel m) {
    Map<String, double[]> out = new HashMap<>();
    for (Row r : m.transform(docs).select("id", "nmfFeatures").collectAsList()) {
      out.put(r.getString(0), ((Vector) r.get(1)).toArray());
    }
    return out;
  }
}
