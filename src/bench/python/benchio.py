"""Shared helpers of the benchmark's Python scripts: matrix files, the results CSV, number formats.

Not a script: prepare_data.py, sklearn_run.py and report.py import it from their own folder.

Matrix files, as the Java runner reads them too:
  *.npy  dense float64, C order (np.save)
  *.npz  scipy.sparse.save_npz(..., compressed=False) of a CSR matrix: float64 data, int32 indices
         and indptr, sorted column indices, no duplicates and no explicit zeros
"""
import csv
import os
import pathlib

import numpy as np
import scipy.sparse as sp

# The results CSV, shared with the Java runner: same columns in the same order.
RESULT_COLUMNS = [
    "dataset", "rows", "cols", "nnz", "tool", "estimator", "solver", "beta_loss", "k", "init",
    "master", "cpus", "partitions", "batch_size", "max_iter", "tol", "startup_s", "load_s", "fit_s",
    "n_iter", "n_steps", "rel_error", "beta_divergence", "target_error", "time_to_target_s",
    "iters_to_target", "heap_peak_mb", "rss_peak_mb", "spark_jobs", "step_ms", "overhead_pct",
    "coherence", "note",
]


def seconds_since_process_start():
    """Seconds since this process was started (exec), from /proc.

    Field 22 of /proc/self/stat is the start time in clock ticks after boot, /proc/uptime the
    seconds since boot now: both on the same clock, so this includes the interpreter's own start,
    which time.perf_counter() taken inside the script would miss. Resolution: one tick (10 ms).
    """
    stat = pathlib.Path("/proc/self/stat").read_text()
    # The command name (field 2) is in parentheses and may hold spaces: split after it.
    fields_after_comm = stat[stat.rindex(")") + 2:].split()
    start_ticks = int(fields_after_comm[22 - 3])
    uptime = float(pathlib.Path("/proc/uptime").read_text().split()[0])
    return uptime - start_ticks / os.sysconf("SC_CLK_TCK")


def canonical_csr(x):
    """x as the CSR form the .npz files promise (see the module docstring)."""
    x = sp.csr_matrix(x, dtype=np.float64)
    x.sum_duplicates()      # also sorts the indices
    x.eliminate_zeros()
    x.sort_indices()
    if x.nnz >= np.iinfo(np.int32).max:
        raise ValueError(f"{x.nnz} non-zeros do not fit the int32 indices the Java reader expects")
    x.indices = x.indices.astype(np.int32, copy=False)
    x.indptr = x.indptr.astype(np.int32, copy=False)
    return x


def save_matrix(path, x):
    """Writes x to path: .npy for a dense array, uncompressed .npz for a sparse one."""
    path = pathlib.Path(path)
    # Write to a temporary name and rename, so an interrupted run never leaves a file that the
    # "skip what exists" rule of prepare_data.py would then keep.
    tmp = path.with_name(path.stem + ".partial" + path.suffix)
    if path.suffix == ".npy":
        np.save(tmp, np.ascontiguousarray(x, dtype=np.float64))
    else:
        sp.save_npz(tmp, canonical_csr(x), compressed=False)
    tmp.replace(path)


def load_matrix(path):
    """The matrix in path (.npy: dense ndarray, .npz: CSR), float64."""
    path = pathlib.Path(path)
    if path.suffix == ".npy":
        return np.ascontiguousarray(np.load(path), dtype=np.float64)
    if path.suffix == ".npz":
        return sp.load_npz(path).tocsr().astype(np.float64, copy=False)
    raise ValueError(f"{path}: expected a .npy (dense) or .npz (scipy sparse) file")


def matrix_shape_nnz(path):
    """(rows, cols, nnz, kind) of a matrix file, without loading all of a large one.

    nnz of a dense file is its count of non-zero entries, as for a sparse one.
    """
    path = pathlib.Path(path)
    if path.suffix == ".npy":
        x = np.load(path, mmap_mode="r")
        return x.shape[0], x.shape[1], int(np.count_nonzero(x)), "dense"
    # An NpzFile reads only the members asked for: shape and indptr, not data and indices.
    with np.load(path) as npz:
        rows, cols = (int(n) for n in npz["shape"])
        nnz = int(npz["indptr"][-1])
    return rows, cols, nnz, "sparse"


def append_result(path, row):
    """Appends one row (dict with RESULT_COLUMNS keys) to the results CSV, header first if new."""
    path = pathlib.Path(path)
    unknown = set(row) - set(RESULT_COLUMNS)
    if unknown:
        raise ValueError(f"not result columns: {sorted(unknown)}")
    new = not path.exists() or path.stat().st_size == 0
    if not new:
        # Refuse to mix layouts: a stale file with other columns would make the report wrong.
        with open(path, newline="") as f:
            header = next(csv.reader(f), [])
        if header != RESULT_COLUMNS:
            raise ValueError(f"{path} has other columns than {','.join(RESULT_COLUMNS)}")
    with open(path, "a", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        if new:
            writer.writerow(RESULT_COLUMNS)
        writer.writerow(["" if row.get(c) is None else row[c] for c in RESULT_COLUMNS])


def read_results(path):
    """The rows of a results CSV as dicts of strings."""
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def fmt_time(seconds):
    """Times and sizes in the CSV: 6 significant digits."""
    return "%.6g" % seconds


def fmt_exact(x):
    """Errors and divergences in the CSV: the shortest text that parses back to the same double."""
    return repr(float(x))


def fmt_short(x):
    """Numbers in the report: 4 significant digits, whole numbers from 1000 on (no exponent)."""
    if x is None:
        return ""
    if x != x or abs(x) == float("inf"):
        return str(x)
    if abs(x) >= 1000:
        return f"{x:.0f}"
    return f"{x:.4g}"
