#!/usr/bin/python3
"""Reads a libsvm file with scikit-learn and fits NMF on it, for LibsvmSampleTest.

Usage: python3 libsvm_nmf.py REQUEST.json   (prints one JSON object on stdout)

The request is {"path": str, "params": {NMF constructor arguments}}; the answer is
{"sklearn_version": str, "shape": [m, n], "nnz": int, "sum": float,
 "reconstruction_err": float, "n_iter": int}.
"""
import json
import sys
import warnings

import sklearn
from sklearn.datasets import load_svmlight_file
from sklearn.decomposition import NMF

warnings.simplefilter("ignore")

with open(sys.argv[1], encoding="utf-8") as f:
    request = json.load(f)
x, _ = load_svmlight_file(request["path"], zero_based=False)
model = NMF(**request["params"])
model.fit(x)
json.dump({
    "sklearn_version": sklearn.__version__,
    "shape": list(x.shape),
    "nnz": int(x.nnz),
    "sum": float(x.sum()),
    "reconstruction_err": float(model.reconstruction_err_),
    "n_iter": int(model.n_iter_),
}, sys.stdout)
