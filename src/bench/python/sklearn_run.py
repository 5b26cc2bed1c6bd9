#!/usr/bin/python3
"""Fits scikit-learn's NMF or MiniBatchNMF to one data set and appends one row to the results CSV.

    /usr/bin/python3 src/bench/python/sklearn_run.py --data FILE.npy|FILE.npz --dataset NAME \\
        --estimator NMF|MiniBatchNMF --solver cd|mu \\
        --beta-loss frobenius|kullback-leibler|itakura-saito --k K --init INIT \\
        --max-iter N --tol T --seed S [--batch-size B] [--forget-factor F] \\
        [--max-no-improvement M] [--target-error E] --out RESULTS.csv

The scikit-learn side of the end-to-end benchmark; the Java runner writes rows of the same CSV
(columns: benchio.RESULT_COLUMNS). fit_s is the wall time of fit_transform alone; rel_error is
||X - WH||_F / ||X||_F of the W it returns and components_.

With --target-error E, time_to_target_s and iters_to_target say when the fit first reached
rel_error <= E: the plain fit if it did, else fits from scratch with tol=0 (and, for MiniBatchNMF,
max_no_improvement=None, so that they run all their iterations) and max_iter 1.5 times the previous
one, at most 10 of them; both stay empty when none reached E.

A fit that raises (e.g. itakura-saito on data with zeros) still appends its row, with the error in
note, and the script exits with status 1.
"""
import argparse
import math
import os
import resource
import sys
import time
import warnings

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.decomposition import NMF, MiniBatchNMF
from sklearn.decomposition._nmf import _beta_divergence
from sklearn.exceptions import ConvergenceWarning

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import benchio  # noqa: E402

# Startup ends here, when everything the fit needs is imported (the Java runner's counterpart is
# its JVM and Spark start).
STARTUP_S = benchio.seconds_since_process_start()

LADDER_FACTOR = 1.5
LADDER_TRIES = 10
# Rows of X - WH computed at a time for a dense X, to bound the temporary to about 64 MB.
DENSE_BLOCK_ELEMENTS = 8_000_000


def one_line(text):
    # Notes stay on one line, so the CSV stays one row per line for any reader.
    return " ".join(str(text).split())


def rss_peak_mb():
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", required=True, help=".npy (dense) or .npz (scipy sparse) file")
    p.add_argument("--dataset", required=True, help="name in the results, e.g. digits")
    p.add_argument("--estimator", required=True, choices=["NMF", "MiniBatchNMF"])
    p.add_argument("--solver", choices=["cd", "mu"],
                   help="NMF's solver (default cd); MiniBatchNMF is always mu")
    p.add_argument("--beta-loss", default="frobenius",
                   choices=["frobenius", "kullback-leibler", "itakura-saito"])
    p.add_argument("--k", required=True, type=int, help="n_components")
    p.add_argument("--init", required=True, choices=["random", "nndsvd", "nndsvda", "nndsvdar"])
    p.add_argument("--max-iter", required=True, type=int)
    p.add_argument("--tol", required=True, type=float)
    p.add_argument("--seed", required=True, type=int, help="random_state")
    p.add_argument("--batch-size", type=int, help="MiniBatchNMF only (scikit-learn's default 1024)")
    p.add_argument("--forget-factor", type=float, help="MiniBatchNMF only (default 0.7)")
    p.add_argument("--max-no-improvement", type=int,
                   help="MiniBatchNMF only (default 10; 0: None, no stop for lack of improvement)")
    p.add_argument("--target-error", type=float,
                   help="also measure the time to reach this rel_error (see above)")
    p.add_argument("--out", required=True, help="results CSV, appended to")
    args = p.parse_args()

    # Catch combinations here, with a clear message, rather than deep inside scikit-learn or, for
    # the MiniBatchNMF options, silently ignored by NMF.
    if args.estimator == "MiniBatchNMF":
        if args.solver == "cd":
            p.error("MiniBatchNMF has only the mu solver")
        args.solver = "mu"
    else:
        args.solver = args.solver or "cd"
        given = [o for o in ("batch_size", "forget_factor", "max_no_improvement")
                 if getattr(args, o) is not None]
        if given:
            p.error("NMF takes no " + ", ".join("--" + o.replace("_", "-") for o in given))
    if args.solver == "cd" and args.beta_loss != "frobenius":
        p.error("solver cd handles only --beta-loss frobenius")
    return args


def make_estimator(args, max_iter, tol, max_no_improvement_off=False):
    common = dict(n_components=args.k, init=args.init, beta_loss=args.beta_loss, tol=tol,
                  max_iter=max_iter, random_state=args.seed)
    if args.estimator == "NMF":
        return NMF(solver=args.solver, **common)
    # Pass only the options given, so that scikit-learn's own defaults apply otherwise.
    extra = {name: getattr(args, name) for name in ("batch_size", "forget_factor",
                                                    "max_no_improvement")
             if getattr(args, name) is not None}
    if max_no_improvement_off or extra.get("max_no_improvement") == 0:
        extra["max_no_improvement"] = None
    return MiniBatchNMF(**common, **extra)


# Fits shorter than this are timed a second time in the same process, warm.
WARM_REFIT_BELOW_S = 10.0


def timed_fit(model, x):
    """(W, seconds of fit_transform, texts of the warnings it gave)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        w = model.fit_transform(x)
        seconds = time.perf_counter() - start
    return w, seconds, [one_line(c.message) for c in caught
                        if not issubclass(c.category, ConvergenceWarning)]


def relative_error(x, w, h):
    """||X - WH||_F / ||X||_F, without forming WH for a sparse X."""
    if sp.issparse(x):
        # ||X - WH||^2 = ||X||^2 - 2 <X, WH> + ||WH||^2 with <X, WH> = sum(W * (X H^T)) and
        # ||WH||^2 = sum((W^T W) * (H H^T)): products of n x k and k x k only.
        norm_x2 = float(np.dot(x.data, x.data))
        cross = float(np.sum(w * (x @ h.T)))
        norm_wh2 = float(np.sum((w.T @ w) * (h @ h.T)))
        residual2 = max(norm_x2 - 2.0 * cross + norm_wh2, 0.0)  # rounding can make it < 0
    else:
        # Dense: the difference itself, a block of rows at a time (no cancellation, bounded memory).
        norm_x2 = float(np.einsum("ij,ij->", x, x))
        residual2 = 0.0
        step = max(1, DENSE_BLOCK_ELEMENTS // max(1, x.shape[1]))
        for i in range(0, x.shape[0], step):
            r = x[i:i + step] - w[i:i + step] @ h
            residual2 += float(np.einsum("ij,ij->", r, r))
    return math.sqrt(residual2 / norm_x2)


def time_to_target(args, x, target, fit_s, n_iter, rel_error):
    """(seconds, iterations, note) of the first fit of the ladder with rel_error <= target."""
    if rel_error <= target:
        return fit_s, n_iter, "target reached by the fit"
    max_iter = n_iter
    for attempt in range(1, LADDER_TRIES + 1):
        max_iter = max(max_iter + 1, math.ceil(max_iter * LADDER_FACTOR))
        model = make_estimator(args, max_iter, tol=0.0, max_no_improvement_off=True)
        w, seconds, _ = timed_fit(model, x)
        reached = relative_error(x, w, model.components_)
        print(f"  target {target!r}: max_iter {max_iter}, {seconds:.3f} s, rel_error {reached!r}",
              flush=True)
        if reached <= target:
            return seconds, model.n_iter_, f"target reached at ladder try {attempt}"
    return None, None, (f"target not reached in {LADDER_TRIES} ladder tries "
                        f"(max_iter {max_iter}: rel_error {reached!r})")


def main():
    args = parse_args()
    row = dict(dataset=args.dataset, tool=f"scikit-learn {sklearn.__version__}",
               estimator=args.estimator, solver=args.solver, beta_loss=args.beta_loss, k=args.k,
               init=args.init, max_iter=args.max_iter, tol=benchio.fmt_exact(args.tol),
               startup_s=benchio.fmt_time(STARTUP_S), cpus=len(os.sched_getaffinity(0)))

    start = time.perf_counter()
    x = benchio.load_matrix(args.data)
    row["load_s"] = benchio.fmt_time(time.perf_counter() - start)
    row["rows"], row["cols"] = x.shape
    row["nnz"] = x.nnz if sp.issparse(x) else int(np.count_nonzero(x))

    model = make_estimator(args, args.max_iter, args.tol)
    if args.estimator == "MiniBatchNMF":
        row["batch_size"] = model.batch_size
    try:
        w, fit_s, other_warnings = timed_fit(model, x)
    except Exception as e:  # the row still records that this configuration fails, and why
        row["note"] = one_line(f"fit failed: {type(e).__name__}: {e}")
        row["rss_peak_mb"] = benchio.fmt_time(rss_peak_mb())
        benchio.append_result(args.out, row)
        print(f"{args.dataset} {args.estimator}: {row['note']}", file=sys.stderr)
        sys.exit(1)
    h = model.components_
    rel_error = relative_error(x, w, h)
    notes = ["max_iter reached"] if model.n_iter_ >= args.max_iter else []
    notes += other_warnings
    row.update(fit_s=benchio.fmt_time(fit_s), n_iter=model.n_iter_,
               rel_error=benchio.fmt_exact(rel_error),
               # Taken before the ladder's refits, so it is the peak of one load and fit.
               rss_peak_mb=benchio.fmt_time(rss_peak_mb()))
    if args.estimator == "MiniBatchNMF":
        row["n_steps"] = model.n_steps_
    if args.beta_loss != "frobenius":
        row["beta_divergence"] = benchio.fmt_exact(
            _beta_divergence(x, w, h, args.beta_loss, square_root=False))

    if fit_s < WARM_REFIT_BELOW_S:
        # A second fit in the same process: what a notebook's next fit costs (spark-nmf's does too).
        _, again_s, _ = timed_fit(make_estimator(args, args.max_iter, args.tol), x)
        notes.append(f"second fit in the same process {again_s:.3g} s")
    if args.target_error is not None:
        row["target_error"] = benchio.fmt_exact(args.target_error)
        seconds, iters, note = time_to_target(args, x, args.target_error, fit_s, model.n_iter_,
                                              rel_error)
        if seconds is not None:
            row["time_to_target_s"] = benchio.fmt_time(seconds)
            row["iters_to_target"] = iters
        notes.append(note)
    row["note"] = "; ".join(notes)
    benchio.append_result(args.out, row)
    print(f"{args.dataset} {args.estimator} {args.solver}/{args.beta_loss} k={args.k}: "
          f"fit {fit_s:.3f} s, n_iter {model.n_iter_}, rel_error {rel_error:.6g}", flush=True)


if __name__ == "__main__":
    main()
