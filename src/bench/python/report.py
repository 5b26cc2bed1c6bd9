#!/usr/bin/python3
"""Turns the benchmark's results CSV into a markdown report.

    /usr/bin/python3 src/bench/python/report.py --results RESULTS.csv --machine MACHINE.txt \\
        --command "CMD" --out-md OUT.md

The report: the date (UTC), the command that ran the benchmark, the machine facts of MACHINE.txt
(lines "key: value": cores, memory, java, blas, os, ...), then one table per data set with a row
per run, and a scaling table for runs made both at master local[1] and at local[N].
"× scikit-learn" divides a run's fit_s by that of scikit-learn's run of the same data set,
estimator, solver, beta_loss and k: the first such row in the CSV that also has the same init,
batch_size, max_iter and tol, else the first such row. Columns that are empty for every run of a
data set are left out of its table.
"""
import argparse
import datetime
import pathlib
import re
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import benchio  # noqa: E402

LOSS_SHORT = {"frobenius": "fro", "kullback-leibler": "KL", "itakura-saito": "IS"}

LEGEND = """\
- **fit s**: wall time of the fit alone (scikit-learn: `fit_transform`), without start-up and
  loading (those are in **start / load s**).
- **× scikit-learn**: fit s divided by scikit-learn's fit s for the same data set, estimator,
  solver, loss and k; above 1 is slower than scikit-learn.
- **to target s**: time until the fit first reached `rel_error` ≤ the target (scikit-learn's own
  final error), from refits with more iterations; in parentheses divided by scikit-learn's fit s.
- **rel_error**: ‖X − WH‖_F / ‖X‖_F. **n_iter (n_steps)**: iterations (epochs for
  MiniBatchNMF) and mini-batch steps.
- **rss / heap MB**: peak resident memory of the process / peak JVM heap.
- **step ms**, **overhead %**, **jobs**: Spark runs only. For spark-nmf, whose jobs are named
  after the fit's phases (Spark's job description): the wall time of the jobs of the steps
  (iterations) divided by the steps (iterations), whether a job runs one step or a barrier stage of
  many; and the share of those jobs' wall time that is Spark's (wall time minus, per stage, the
  longest task's run time). For LDA and ALS: the median job's wall time and Spark's share of it.
  **jobs**: all jobs of the fit. The note adds jobs per step, the cost of an empty job (one empty
  task per partition and an aggregate) measured in the same process, and for spark-nmf each phase's
  wall time, jobs and Spark share (blocking X, the start, the steps, the final error).
- **Scaling**: fit speedup = t(local[1]) / t(local[N]); per-step speedup the same for the time
  per step (or iteration), given only when both runs made about the same number of steps (within
  10 %): runs stopped early after very different numbers of steps did unequal work, and the
  equal-work runs (tol 0, no early stop) give the figure; efficiency = per-step speedup / N. A
  run made several times (the sparse set's equal-work pair: three times each, alternating) counts
  by its median fit; **runs** gives how many of each and the range of their fit times.
  **cpus**: the CPUs the process could run on. The sparse set's equal-work local[1] runs are made
  twice over: on the whole machine, where local[1]'s one task thread leaves the other CPU to the
  JVM's own threads (garbage collector, JIT compiler, Spark's scheduler), and bound to one CPU
  (`taskset -c 0`, with G1 as in the other runs), where it has what each task of local[2] has; the
  scaling table gives the efficiency against each.
- **note**, "second fit in the same process": a fit under 10 s without Spark is run once more in
  the same process and timed, its code loaded and compiled. "spark-nmf (Spark, execution auto)"
  is the ML stage with its default `execution` (X of at most `driverMaxEntries` entries is fitted
  on the driver); the other Spark rows force the cluster engine.
"""


def number(text):
    """The float in a CSV cell, or None when the cell is empty or not a number."""
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def short(text):
    """A CSV number cell at 4 significant digits; other text unchanged."""
    x = number(text)
    return benchio.fmt_short(x) if x is not None else (text or "")


def is_sklearn(row):
    return row["tool"].startswith("scikit-learn")


def comparison_key(row):
    """What a run is compared with scikit-learn on."""
    # Numbers as numbers: Java writes 1e-4 as 1.0E-4, Python as 0.0001.
    return row["dataset"], row["estimator"], row["solver"], row["beta_loss"], number(row["k"])


def settings_key(row):
    """comparison_key and the remaining settings of a run, whatever the tool."""
    return comparison_key(row) + (row["init"], number(row["batch_size"]),
                                  number(row["max_iter"]), number(row["tol"]))


def run_key(row):
    """The same run apart from where it ran: for the scaling table."""
    return settings_key(row) + (row["tool"],)


def sklearn_references(results):
    """{key: scikit-learn row} for settings_key and comparison_key, first finished run first."""
    reference = {}
    for r in results:
        if is_sklearn(r) and number(r["fit_s"]):
            reference.setdefault(settings_key(r), r)
            reference.setdefault(comparison_key(r), r)
    return reference


def local_threads(master):
    """N of master local[N], else None (local[*] and clusters do not say how many cores)."""
    m = re.fullmatch(r"local\[(\d+)\]", master or "")
    return int(m.group(1)) if m else None


def ratio(a, b):
    """a / b at 3 significant digits, or '' when either is missing."""
    a, b = number(a), number(b)
    return f"{a / b:.3g}" if a is not None and b else ""


def pair(row, a, b):
    """'a / b' of two number cells, '–' for a missing one; '' when both are missing."""
    if not row[a] and not row[b]:
        return ""
    return f"{short(row[a]) or '–'} / {short(row[b]) or '–'}"


def markdown_table(header, rows):
    """A markdown table; the columns that are empty in every row are left out."""
    keep = [i for i in range(len(header)) if any(r[i] for r in rows)]
    def line(cells):
        return "| " + " | ".join(str(cells[i]).replace("|", "\\|") for i in keep) + " |"
    return "\n".join([line(header), "|" + "---|" * len(keep)] + [line(r) for r in rows])


def machine_lines(path):
    path = pathlib.Path(path)
    if not path.exists():
        return [f"- ({path} not found)"]
    lines = []
    for text in path.read_text().splitlines():
        key, sep, value = text.partition(":")
        if not text.strip():
            continue
        lines.append(f"- **{key.strip()}**: {value.strip()}" if sep else f"- {text.strip()}")
    return lines


def dataset_section(name, rows, reference):
    first = rows[0]
    size = ""
    if first["rows"] and first["cols"]:
        n_rows, n_cols, nnz = int(first["rows"]), int(first["cols"]), number(first["nnz"])
        size = f"{n_rows:,} × {n_cols:,}"
        if nnz is not None:
            size += f", {int(nnz):,} non-zeros ({100 * nnz / (n_rows * n_cols):.3g} %)"
    # Runs compared with each other together (in order of first appearance), scikit-learn first.
    group_order = {}
    for r in rows:
        group_order.setdefault(comparison_key(r), len(group_order))
    rows = sorted(rows, key=lambda r: (group_order[comparison_key(r)], not is_sklearn(r)))

    header = ["tool", "estimator", "solver/loss", "k", "init", "batch", "master", "cpus", "partitions",
              "fit s", "× scikit-learn", "to target s", "n_iter (n_steps)", "rel_error",
              "start / load s", "rss / heap MB", "step ms", "overhead %", "jobs", "coherence",
              "note"]
    table = []
    for r in rows:
        ref = reference.get(settings_key(r)) or reference.get(comparison_key(r))
        ref_fit = ref["fit_s"] if ref else None
        to_target = short(r["time_to_target_s"])
        if to_target and ref_fit:
            to_target += f" ({ratio(r['time_to_target_s'], ref_fit)}×)"
        iters = r["n_iter"] + (f" ({r['n_steps']})" if r["n_steps"] else "")
        start_load = pair(r, "startup_s", "load_s")
        memory = pair(r, "rss_peak_mb", "heap_peak_mb")
        table.append([
            r["tool"], r["estimator"],
            f"{r['solver']}/{LOSS_SHORT.get(r['beta_loss'], r['beta_loss'])}", r["k"], r["init"],
            r["batch_size"], r["master"], r["cpus"], r["partitions"], short(r["fit_s"]),
            ratio(r["fit_s"], ref_fit) if ref_fit else "", to_target, iters, short(r["rel_error"]),
            start_load, memory,
            short(r["step_ms"]), short(r["overhead_pct"]), r["spark_jobs"], short(r["coherence"]),
            r["note"],
        ])
    return [f"## {name}", "", size, "", markdown_table(header, table), ""]


def steps(row):
    """Mini-batch steps of a run, else its iterations."""
    return number(row["n_steps"]) or number(row["n_iter"])


def median_run(rows):
    """The run of median fit time (the lower middle one of an even count), or None."""
    if not rows:
        return None
    ordered = sorted(rows, key=lambda r: number(r["fit_s"]))
    return ordered[(len(ordered) - 1) // 2]


def spread(rows):
    """How many runs, and their fit times' range when more than one."""
    times = sorted(number(r["fit_s"]) for r in rows)
    if len(times) == 1:
        return "1"
    return f"{len(times)}: {benchio.fmt_short(times[0])}–{benchio.fmt_short(times[-1])}"


def scaling_section(results):
    """Speedup of local[N] over local[1] for each run made at both; repeated runs count by their median.

    local[1] runs are told apart by the CPUs their process had: on the whole machine, its one task
    thread leaves the other cores to the JVM's own threads (collector, compiler, Spark's); bound to
    one CPU, it has what each task of local[N] on N CPUs has.
    """
    one_thread = {}  # by settings and CPUs
    runs = {}  # by settings, thread count and partition count (local[2] on 2 partitions or on 4)
    for r in results:
        n = local_threads(r["master"])
        if n is not None and number(r["fit_s"]):
            if n == 1:
                one_thread.setdefault(run_key(r), {}).setdefault(r["cpus"], []).append(r)
            else:
                runs.setdefault((run_key(r), n, r["partitions"]), []).append(r)
    table = []
    for (key, n, _), rs in runs.items():
        r = median_run(rs)
        for cpus, bases in sorted(one_thread.get(key, {}).items(), key=lambda c: -(number(c[0]) or 0)):
            base = median_run(bases)
            t1, tn = number(base["fit_s"]), number(r["fit_s"])
            # The runs may stop after different numbers of steps (other partitionings take other
            # batches): the strong-scaling figure is per step, the same batch size in both, and only
            # for about the same work, since the start and blocking X are paid once however many
            # steps follow (12 steps against 65 would make a second core look 9 times as fast).
            s1, sn = steps(base), steps(r)
            similar = s1 and sn and abs(s1 - sn) <= 0.1 * max(s1, sn)
            per_step = (t1 / s1) / (tn / sn) if similar else None
            table.append([r["dataset"], r["tool"], r["estimator"],
                          f"{r['solver']}/{LOSS_SHORT.get(r['beta_loss'], r['beta_loss'])}", r["k"],
                          cpus, f"{benchio.fmt_short(t1)} ({s1:g})", r["master"], r["cpus"],
                          f"{benchio.fmt_short(tn)} ({sn:g})", f"{spread(bases)}; {spread(rs)}",
                          f"{t1 / tn:.3g}",
                          "" if per_step is None else f"{per_step:.3g}",
                          "" if per_step is None else f"{per_step / n:.3g}"])
    if not table:
        return []
    header = ["dataset", "tool", "estimator", "solver/loss", "k", "local[1] cpus", "local[1] fit s (steps)",
              "master", "cpus", "fit s (steps)", "runs (fit s)", "fit speedup", "per-step speedup",
              "efficiency"]
    return ["## Scaling", "", markdown_table(header, table), ""]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--results", required=True,
                   help="results CSV of sklearn_run.py and the Java runner")
    p.add_argument("--machine", required=True, help="machine facts, lines 'key: value'")
    p.add_argument("--command", required=True, help="the command line that ran the benchmark")
    p.add_argument("--out-md", required=True, help="markdown file to write")
    args = p.parse_args()

    results = benchio.read_results(args.results)
    reference = sklearn_references(results)
    datasets = {}
    for r in results:
        datasets.setdefault(r["dataset"], []).append(r)

    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = ["# spark-nmf end-to-end benchmark", "", f"{now}, {len(results)} runs.", "",
           "```", args.command, "```", "", *machine_lines(args.machine), ""]
    for name, rows in datasets.items():
        out += dataset_section(name, rows, reference)
    out += scaling_section(results)
    out += ["## Columns", "", LEGEND]
    pathlib.Path(args.out_md).write_text("\n".join(out))
    print(f"wrote {args.out_md}: {len(results)} runs, {len(datasets)} data sets")


if __name__ == "__main__":
    main()
