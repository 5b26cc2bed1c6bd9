#!/usr/bin/env bash
# Regenerates debian-descriptions-counts.libsvm and debian-descriptions-vocabulary.txt from
# debian-descriptions.tsv: the word counts of each package description, a sparse matrix of
# 3572 documents × 2000 terms, in libsvm / svmlight format, and its vocabulary.
#
# With scikit-learn (Debian 12: python3-sklearn 1.2.1, NumPy 1.24.2, SciPy 1.10.1):
#   1. the TEXT part of every line (after the tab; the package name is left out) goes through
#      CountVectorizer(stop_words='english', min_df=5, max_features=2000): lower-cased, tokens of
#      two or more word characters (the default token_pattern), scikit-learn's English stop words
#      removed, terms in fewer than 5 documents dropped, then the 2000 most frequent terms kept;
#   2. dump_svmlight_file(X, y, zero_based=False): one line per document, in the order of the .tsv,
#      "LABEL INDEX:COUNT ...", indices 1-based and increasing, the label being the document's
#      0-based line number in the .tsv (the row_id spark-nmf gives it; NMF ignores labels);
#   3. the vocabulary, one term a line in feature order: line j names feature index j.
# Deterministic: the same input and library versions give the same bytes (MD5s printed below).
# 140 terms tie for the last places at a count of 12; CountVectorizer keeps 34 of them in the
# order NumPy's argsort leaves them, so another NumPy might pick other ties.
set -euo pipefail
cd "$(dirname "$0")"
python=${PYTHON:-/usr/bin/python3}

"$python" - <<'EOF'
import sys
import numpy as np
import scipy
import sklearn
from sklearn.datasets import dump_svmlight_file
from sklearn.feature_extraction.text import CountVectorizer

texts = []
with open("debian-descriptions.tsv", encoding="utf-8", newline="\n") as f:
    for number, line in enumerate(f, 1):
        name, sep, text = line.rstrip("\n").partition("\t")
        if not sep:
            sys.exit(f"debian-descriptions.tsv line {number}: no tab")
        texts.append(text)

vectorizer = CountVectorizer(stop_words="english", min_df=5, max_features=2000)
x = vectorizer.fit_transform(texts)
x.sort_indices()
labels = np.arange(x.shape[0])
with open("debian-descriptions-counts.libsvm", "wb") as f:
    dump_svmlight_file(x, labels, f, zero_based=False)
with open("debian-descriptions-vocabulary.txt", "w", encoding="utf-8", newline="\n") as f:
    for term in vectorizer.get_feature_names_out():
        f.write(term + "\n")

print(f"scikit-learn {sklearn.__version__}, NumPy {np.__version__}, SciPy {scipy.__version__}", file=sys.stderr)
print(f"{x.shape[0]} documents x {x.shape[1]} terms, {x.nnz} non-zero counts "
      f"({100.0 * x.nnz / (x.shape[0] * x.shape[1]):.2f} %), total {x.sum()}", file=sys.stderr)
EOF
ls -l debian-descriptions-counts.libsvm debian-descriptions-vocabulary.txt >&2
md5sum debian-descriptions-counts.libsvm debian-descriptions-vocabulary.txt >&2
