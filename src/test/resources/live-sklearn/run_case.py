#!/usr/bin/python3
"""Runs NMF / MiniBatchNMF cases with the installed scikit-learn for LiveScikitLearnTest.

Usage: python3 run_case.py REQUEST.json   (prints one JSON object on stdout)

The request is {"cases": [case, ...]}; one case is
  {"name": str, "estimator": "NMF" | "MiniBatchNMF",
   "params": {scikit-learn constructor arguments},
   "X": matrix,                  # fit_transform(X)        (absent for partial_fit cases)
   "chunks": [matrix, ...],      # partial_fit on each     (instead of X)
   "transform": matrix,          # transform(...)          (optional)
   "inverse_transform": true}    # inverse_transform(W)    (optional)
with matrix = {"format": "dense", "shape": [m, n], "rows": [[...], ...]}
           or {"format": "csr", "shape": [m, n], "indptr": [...], "indices": [...], "data": [...]}.
The answer is {"sklearn_version": str, "results": {name: result}}; a result holds W, H,
reconstruction_err, n_iter, n_steps (MiniBatchNMF), transform, inverse_transform,
partial_fit (the H and n_steps after each call), or "error" when scikit-learn raised.
"""
import json
import sys
import traceback
import warnings

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.decomposition import NMF, MiniBatchNMF

warnings.simplefilter("ignore")


def matrix(x):
    if x["format"] == "csr":
        return sp.csr_matrix(
            (np.asarray(x["data"], dtype=np.float64),
             np.asarray(x["indices"], dtype=np.int32),
             np.asarray(x["indptr"], dtype=np.int32)),
            shape=tuple(x["shape"]))
    return np.asarray(x["rows"], dtype=np.float64).reshape(x["shape"])


def dense(a):
    return np.asarray(a.todense() if sp.issparse(a) else a, dtype=np.float64).tolist()


def run(case):
    cls = {"NMF": NMF, "MiniBatchNMF": MiniBatchNMF}[case["estimator"]]
    model = cls(**case["params"])
    out = {}
    if "chunks" in case:
        steps = []
        for chunk in case["chunks"]:
            model.partial_fit(matrix(chunk))
            steps.append({"H": dense(model.components_), "n_steps": int(model.n_steps_)})
        out["partial_fit"] = steps
        out["H"] = dense(model.components_)
        out["n_steps"] = int(model.n_steps_)
    else:
        w = model.fit_transform(matrix(case["X"]))
        out["W"] = dense(w)
        out["H"] = dense(model.components_)
        out["reconstruction_err"] = float(model.reconstruction_err_)
        out["n_iter"] = int(model.n_iter_)
        out["n_components"] = int(model.n_components_)
        if hasattr(model, "n_steps_"):
            out["n_steps"] = int(model.n_steps_)
        if case.get("inverse_transform"):
            out["inverse_transform"] = dense(model.inverse_transform(w))
    if "transform" in case:
        out["transform"] = dense(model.transform(matrix(case["transform"])))
    return out


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        request = json.load(f)
    results = {}
    for case in request["cases"]:
        try:
            results[case["name"]] = run(case)
        except Exception as e:  # reported per case, so one bad case does not hide the others
            results[case["name"]] = {"error": "%s: %s" % (type(e).__name__, e),
                                     "traceback": traceback.format_exc()}
    json.dump({"sklearn_version": sklearn.__version__, "results": results}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
