#!/usr/bin/python3
"""Writes the data sets of the end-to-end benchmark into one folder.

    /usr/bin/python3 src/bench/python/prepare_data.py --out DIR [--quick]

Files (an existing file is kept, so a rerun only adds what is missing; delete a file to remake it):
  digits.npy       scikit-learn's digits, 1797 x 64, dense
  lowrank.npy      20,000 x 500 dense, rank 10 plus small non-negative noise, seed 0
  text-counts.npz  Debian package descriptions (short + long text of each package in the apt lists,
                   identical texts once): word counts over a 5,000-term vocabulary, CSR
  text-tfidf.npz   the same rows and terms, tf-idf (TfidfTransformer defaults: smooth idf, l2 rows)
  text-vocab.txt   the vocabulary, one term per line, in column order
  sparse.npz       1,000,000 x 20,000 CSR, density 0.001 (about 20 M non-zeros), seed 0;
                   not with --quick
  datasets.csv     name,rows,cols,nnz,kind,file for every data set present

Dense files are np.save float64 C order; sparse ones scipy.sparse.save_npz(compressed=False) with
float64 data, int32 indices and indptr, sorted indices (see benchio.py).
Needs Debian's python3-numpy, python3-scipy and python3-sklearn (scikit-learn 1.2.1).
"""
import argparse
import csv
import glob
import pathlib
import subprocess
import sys
import time

import numpy as np
import scipy.sparse as sp
from sklearn.datasets import load_digits
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import benchio  # noqa: E402

TRANSLATION_GLOB = "/var/lib/apt/lists/*Translation-en*"
MIN_DOCUMENTS = 50_000
# Fixed, because the random draws of sparse.npz are made chunk by chunk: another chunk size would
# give another matrix for the same seed.
SPARSE_CHUNK_ROWS = 50_000


def make_digits():
    return load_digits().data.astype(np.float64)


def make_lowrank():
    rng = np.random.default_rng(0)
    w = rng.random((20000, 10))
    h = rng.random((10, 500))
    return w @ h + 0.01 * np.abs(rng.standard_normal((20000, 500)))


def make_sparse(rows, cols, density, seed, chunk_rows=SPARSE_CHUNK_ROWS):
    """A random CSR matrix: row i has Binomial(cols, density) distinct columns, uniform among all,
    with values uniform in (0, 1]. Built a chunk of rows at a time so that the only full-size arrays
    are the result's own (data 8 and indices 4 bytes per non-zero)."""
    rng = np.random.default_rng(seed)
    counts = rng.binomial(cols, density, size=rows)
    indptr = np.zeros(rows + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    nnz = int(indptr[-1])
    indices = np.empty(nnz, dtype=np.int32)
    data = np.empty(nnz, dtype=np.float64)
    for start in range(0, rows, chunk_rows):
        stop = min(start + chunk_rows, rows)
        want = counts[start:stop]
        # Keys row*cols + col sort by row, then column. Draw with replacement, drop repeats, and
        # draw again for the rows left short (a row only draws what it misses, so it never gets too
        # many): rejecting repeats keeps every set of columns of a given size equally likely.
        keys = np.empty(0, dtype=np.int64)
        missing = want
        while missing.sum() > 0:
            local_rows = np.repeat(np.arange(stop - start, dtype=np.int64), missing)
            drawn = rng.integers(0, cols, size=local_rows.size, dtype=np.int64)
            keys = np.unique(np.concatenate([keys, local_rows * cols + drawn]))
            have = np.bincount(keys // cols, minlength=stop - start)
            missing = want - have
        lo, hi = indptr[start], indptr[stop]
        indices[lo:hi] = keys % cols
        data[lo:hi] = 1.0 - rng.random(hi - lo)  # random() is in [0, 1): this is (0, 1]
    if nnz >= np.iinfo(np.int32).max:
        raise ValueError(f"{nnz} non-zeros do not fit int32 indptr")
    return sp.csr_matrix((data, indices, indptr.astype(np.int32)), shape=(rows, cols))


def translation_files():
    """The apt lists' English description files, running apt-get update once if there are none."""
    files = sorted(glob.glob(TRANSLATION_GLOB))
    if not files:
        # Slim images set Acquire::Languages "none"; ask for the English descriptions explicitly.
        print(f"no {TRANSLATION_GLOB}: running apt-get update -o Acquire::Languages=en", flush=True)
        subprocess.run(["apt-get", "update", "-o", "Acquire::Languages=en"], check=True)
        files = sorted(glob.glob(TRANSLATION_GLOB))
    if not files:
        sys.exit(f"error: still no {TRANSLATION_GLOB} after apt-get update; the sources may not "
                 "fetch translations")
    return files


def read_descriptions(path):
    """Documents of one Translation-en file: 'short description' + long description per stanza.

    The file is deb822: Package, Description-md5, Description-en: <short line>, then continuation
    lines that start with a space; ' .' alone is a paragraph break. apt-helper cat-file
    decompresses whatever apt stored (.lz4, .gz, .xz or plain) to plain text.
    """
    text = subprocess.run(["/usr/lib/apt/apt-helper", "cat-file", path], check=True,
                          capture_output=True).stdout.decode("utf-8", errors="replace")
    documents = []
    lines = None  # the description lines of the current stanza, None outside Description-en
    for line in text.splitlines() + [""]:
        if line.startswith("Description-en:"):
            lines = [line[len("Description-en:"):].strip()]
        elif lines is not None and line.startswith(" "):
            lines.append("" if line.strip() == "." else line.strip())
        elif lines is not None:  # any other field or the blank line ending the stanza
            documents.append("\n".join(lines).strip())
            lines = None
    return documents


def make_text():
    """(counts, tfidf, vocabulary) of the package descriptions."""
    documents = {}  # dict as an ordered set: identical descriptions count once, first order kept
    for path in translation_files():
        found = read_descriptions(path)
        print(f"  {path}: {len(found)} descriptions", flush=True)
        documents.update(dict.fromkeys(found))
    documents = [d for d in documents if d]
    if len(documents) < MIN_DOCUMENTS:
        sys.exit(f"error: only {len(documents)} distinct package descriptions in "
                 f"{TRANSLATION_GLOB}, the benchmark wants at least {MIN_DOCUMENTS}. The lists "
                 "may be stale or partial: run apt-get update (with the main component in the "
                 "sources) and look again.")
    vectorizer = CountVectorizer(max_features=5000, stop_words="english", min_df=2, max_df=0.5,
                                 token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b", dtype=np.float64)
    counts = benchio.canonical_csr(vectorizer.fit_transform(documents))
    # Rows with no vocabulary term would be all-zero rows: drop them, before the idf, so that the
    # tf-idf file is what TfidfTransformer gives for the counts file as saved.
    counts = counts[np.diff(counts.indptr) > 0]
    tfidf = TfidfTransformer().fit_transform(counts)
    print(f"  {len(documents)} distinct descriptions, {counts.shape[0]} non-empty documents, "
          f"{counts.shape[1]} terms, {counts.nnz} non-zeros", flush=True)
    return counts, tfidf, vectorizer.get_feature_names_out()


def write_datasets_csv(out):
    """datasets.csv: one line per matrix file in out."""
    with open(out / "datasets.csv", "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["name", "rows", "cols", "nnz", "kind", "file"])
        for path in sorted(out.glob("*.np[yz]")):
            if ".partial." in path.name:
                continue
            rows, cols, nnz, kind = benchio.matrix_shape_nnz(path)
            writer.writerow([path.stem, rows, cols, nnz, kind, path.name])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, type=pathlib.Path, help="folder for the files")
    parser.add_argument("--quick", action="store_true",
                        help="leave out the large sparse.npz (1,000,000 x 20,000)")
    args = parser.parse_args()
    out = args.out
    out.mkdir(parents=True, exist_ok=True)

    def step(names, make):
        """Makes the files `names` with make() unless all of them exist; prints the time taken."""
        paths = [out / n for n in names]
        if all(p.exists() for p in paths):
            print(f"{', '.join(names)}: exists, kept", flush=True)
            return
        print(f"{', '.join(names)}: making", flush=True)
        start = time.perf_counter()
        results = make()
        for path, x in zip(paths, results):
            if path.suffix == ".txt":
                path.write_text("".join(term + "\n" for term in x), encoding="utf-8")
            else:
                benchio.save_matrix(path, x)
        print(f"{', '.join(names)}: {time.perf_counter() - start:.1f} s", flush=True)

    step(["digits.npy"], lambda: [make_digits()])
    step(["lowrank.npy"], lambda: [make_lowrank()])
    step(["text-counts.npz", "text-tfidf.npz", "text-vocab.txt"], make_text)
    if not args.quick:
        step(["sparse.npz"], lambda: [make_sparse(1_000_000, 20_000, 0.001, seed=0)])
    write_datasets_csv(out)
    print(f"{out / 'datasets.csv'}:")
    print((out / "datasets.csv").read_text(), end="")


if __name__ == "__main__":
    main()
