"""The main job: quantum versus classical query complexity on random problems.

``qsearch compare`` draws, for each size N and trial t, one random problem with M marked items
(the same instance for every method of that trial), solves it with the quantum algorithm and its
classical counterparts (``qsearch.experiments.registry.COMPARISONS``), and reports the mean number
of
queries (oracle + classical verifications) with a 95% Student-t interval, the success rate, the
closed-form expectation where one exists, and the fitted log-log slope of mean queries vs N with a
bootstrap CI (≈ 0.5 for Grover, ≈ 1.0 for classical sampling).

The command is a preset of :mod:`qsearch.experiments.sweeps`
(:func:`qsearch.experiments.sweeps.compare_spec`): points
run on a local process pool and are stored in ``OUT/sweep.sqlite``, so an interrupted run resumes
and a larger grid runs only the new points. :func:`run_comparison` computes the same points in
memory (it also accepts a Backend instance), for notebooks and tests.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from qsearch._validation import check_int
from qsearch.backends.base import Backend, get_backend
from qsearch.complexity import (
    PowerLawFit,
    success_probability,
)
from qsearch.exceptions import ProblemError
from qsearch.experiments.analysis import NO_NOISE, fit_scaling, load_table
from qsearch.experiments.analysis import summarize as analysis_summarize
from qsearch.experiments.plots import queries_figure, save_figure
from qsearch.experiments.progress import progress_bar
from qsearch.experiments.registry import COMPARISONS, EXPERIMENTS
from qsearch.experiments.sweeps import SweepSpec, compare_spec, point_seed, sweep
from qsearch.schedules import bbht_expected_cost, optimal_iterations

DEFAULT_SIZES_IDEAL = (16, 64, 256, 1024, 4096, 16384, 65536)
DEFAULT_SIZES_CIRCUIT = (4, 16, 64, 256)


@dataclass(frozen=True)
class Comparison:
    """Everything ``qsearch compare`` computed: per-trial rows, the summary table, the fits."""

    rows: pd.DataFrame
    summary: pd.DataFrame
    fits: dict[str, PowerLawFit]


def expected_queries(method: str, num_items: int, num_marked: int) -> float:
    """Closed-form mean of oracle + verification queries, where one is known (else NaN).

    Grover with k optimal iterates succeeds per run with p = sin²((2k+1)θ); runs are repeated
    until success, each costing k oracle queries and one check: (k + 1)/p. BBHT exponential
    search: its exact expected iterations plus one check per round
    (:func:`qsearch.schedules.bbht_expected_cost`).
    """
    n, m = num_items, num_marked
    if m == 0:
        return math.nan
    if method == "grover":
        k = optimal_iterations(n, m)
        return (k + 1) / float(success_probability(n, m, k))
    if method in ("classical-random", "classical-linear"):
        return (n + 1) / (m + 1)
    if method == "classical-random-replace":
        return n / m
    if method == "exponential":
        iterations, rounds = bbht_expected_cost(n, m)
        return iterations + rounds  # each round: its iterates plus one classical check
    return math.nan


def run_comparison(
    sizes: Sequence[int],
    *,
    marked: int = 1,
    trials: int = 100,
    backend: str | Backend = "ideal",
    seed: int = 7,
    algorithm: str = "grover",
    progress: bool | None = None,
) -> Comparison:
    """Run every method of ``COMPARISONS[algorithm]`` on ``trials`` random problems per size.

    Args:
        sizes: the N values (each >= 2 and > marked).
        marked: M, marked items per problem.
        trials: random problems per size.
        backend: where quantum methods run (registry name or instance).
        seed: root seed; trial t of size N uses :func:`point_seed`.
        algorithm: a key of ``COMPARISONS``.
        progress: show a progress bar (None: only on a terminal).
    """
    if algorithm not in COMPARISONS:
        raise ProblemError(
            f"The 'algorithm' argument of run_comparison must be one of {sorted(COMPARISONS)}; "
            f"got {algorithm!r}."
        )
    sizes = [check_int(n, "sizes", "run_comparison", minimum=2) for n in sizes]
    if len(sizes) < 2 or len(set(sizes)) != len(sizes):
        raise ProblemError(
            "The 'sizes' argument of run_comparison must hold at least 2 distinct sizes; "
            f"got {sizes}."
        )
    marked = check_int(marked, "marked", "run_comparison", minimum=1)
    if marked >= min(sizes):
        raise ProblemError(
            f"The 'marked' argument of run_comparison must be below every size (smallest "
            f"{min(sizes)}); got {marked}."
        )
    trials = check_int(trials, "trials", "run_comparison", minimum=2)
    seed = check_int(seed, "seed", "run_comparison", minimum=0)
    device = get_backend(backend)
    methods = COMPARISONS[algorithm]
    records: list[dict[str, Any]] = []
    total = len(sizes) * len(methods) * trials
    with progress_bar(total, desc="compare", enabled=progress) as bar:
        for n in sorted(sizes):
            for t in range(trials):
                instance = point_seed(seed, n, marked, t)
                for method in methods:
                    started = time.perf_counter()
                    result = EXPERIMENTS[method](n, marked, instance, device)
                    records.append(
                        {
                            "method": method,
                            "algorithm": method,  # the column analysis groups by
                            "noise": NO_NOISE,
                            "iterations": math.nan,  # a search, not a fixed-k point
                            "status": "ok",
                            "num_items": n,
                            "num_marked": marked,
                            "trial": t,
                            "instance_seed": instance,
                            "backend": result.backend,
                            "queries": result.queries.search,
                            "oracle_queries": result.queries.oracle,
                            "verify_queries": result.queries.verify,
                            "build_queries": result.queries.build,
                            "success": result.success,
                            "found": result.found,
                            "wall_time_s": time.perf_counter() - started,
                        }
                    )
                    bar.update()
    return tabulate(pd.DataFrame.from_records(records), seed=seed)


def tabulate(rows: pd.DataFrame, *, seed: int) -> Comparison:
    """Summary table and per-method slopes of per-trial rows, via
    :mod:`qsearch.experiments.analysis`.

    ``rows`` has the columns of a sweep table (``algorithm``, ``backend``, ``noise``,
    ``num_marked``, ``num_items``, ``iterations``, ``status``, ``queries``, ``success``,
    ``wall_time_s``); the summary gains a ``method`` column equal to ``algorithm``.
    """
    summary = analysis_summarize(rows)
    summary.insert(0, "method", summary["algorithm"])
    fits = {
        str(row.algorithm): PowerLawFit(
            row.slope, row.intercept, row.slope_low, row.slope_high, row.confidence
        )
        for row in fit_scaling(rows, seed=seed).itertuples(index=False)
    }
    return Comparison(rows, summary, fits)


def format_report(comparison: Comparison) -> str:
    """The table and slopes as printed by ``qsearch compare``.

    ``mean queries`` is the query-model cost (oracle + verification). When a method also spends
    classical work building its oracle over the data (e.g. minimum finding's thresholds), the
    mean of that ``build`` cost is printed beside it: the fine print is never left out.
    """
    build = comparison.rows.groupby(["method", "num_items"])["build_queries"].mean()
    show_build = bool((build > 0).any())
    header = f"{'method':<26}{'N':>8}{'mean queries':>14}{'95% CI':>22}{'expected':>11}"
    lines = [header + (f"{'build':>10}" if show_build else "") + f"{'success':>9}"]
    for row in comparison.summary.itertuples(index=False):
        ci = f"[{row.ci_low:.1f}, {row.ci_high:.1f}]"
        expected = "" if math.isnan(row.expected_queries) else f"{row.expected_queries:.1f}"
        extra = f"{build.get((row.method, row.num_items), 0.0):>10.1f}" if show_build else ""
        lines.append(
            f"{row.method:<26}{row.num_items:>8}{row.mean_queries:>14.1f}{ci:>22}"
            f"{expected:>11}{extra}{row.success_rate:>9.2f}"
        )
    lines.append("")
    lines.append("fitted scaling, mean queries ∝ N^slope (95% bootstrap CI):")
    for method, fit in comparison.fits.items():
        lines.append(
            f"  {method:<26} slope {fit.slope:.3f}  [{fit.slope_low:.3f}, {fit.slope_high:.3f}]"
        )
    if show_build:
        lines.append(
            "build = classical predicate evaluations spent building the oracle over the data, "
            "not in 'mean queries'."
        )
    return "\n".join(lines)


def plot_comparison(comparison: Comparison, path: Path) -> Path:
    """Log-log plot of mean queries vs N with 95% CI bands and the fitted slopes in the legend."""
    fits = pd.DataFrame.from_records(
        [
            {
                "algorithm": method,
                "backend": backend,
                "noise": NO_NOISE,
                "num_marked": int(num_marked),
                "slope": fit.slope,
                "slope_low": fit.slope_low,
                "slope_high": fit.slope_high,
            }
            for (method, backend, num_marked), fit in _fit_keys(comparison)
        ]
    )
    return save_figure(queries_figure(comparison.summary, fits), path)


def _fit_keys(comparison: Comparison) -> list[tuple[tuple[str, str, int], PowerLawFit]]:
    keys = comparison.summary.drop_duplicates("method").set_index("method")
    return [
        ((method, str(keys.loc[method, "backend"]), int(keys.loc[method, "num_marked"])), fit)
        for method, fit in comparison.fits.items()
    ]


def comparison_from_sweep(spec: SweepSpec, *, seed: int) -> Comparison:
    """Read a ``compare_spec`` sweep's store back as a :class:`Comparison`."""
    table = load_table(spec, include_errors=False)
    table = table.drop(columns=["method"], errors="ignore").rename(
        columns={"repetition": "trial", "point_seed": "instance_seed"}
    )
    table.insert(0, "method", table["algorithm"])
    return tabulate(table, seed=seed)


def _parse_sizes(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--sizes must be comma-separated integers like 16,64,256; got {text!r}"
        ) from None


def _parse_option(text: str) -> tuple[str, Any]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"--option must look like KEY=VALUE; got {text!r}")
    for cast in (int, float):
        try:
            return key, cast(value)
        except ValueError:
            pass
    return key, value


def _run_cli(args: argparse.Namespace) -> int:
    options = dict(args.option or [])
    threads = options.pop("threads", None)  # an execution setting, not part of a point
    sizes = args.sizes or list(
        DEFAULT_SIZES_IDEAL if args.backend == "ideal" else DEFAULT_SIZES_CIRCUIT
    )
    trials = args.trials or (100 if args.backend == "ideal" else 20)
    spec = compare_spec(
        sizes,
        marked=args.marked,
        trials=trials,
        backend=args.backend,
        seed=args.seed,
        algorithm=args.algorithm,
        noise=args.noise,
        backend_options=options,
        output=args.out,
    )
    report = sweep(spec, workers=args.workers, threads=threads)
    comparison = comparison_from_sweep(spec, seed=args.seed)
    print(
        f"qsearch compare: algorithm={args.algorithm} backend={args.backend}"
        + (f" noise={args.noise}" if args.noise else "")
        + f" M={args.marked} "
        f"trials={trials} seed={args.seed} ({report.summary()})"
    )
    print(format_report(comparison))
    out = Path(args.out)
    comparison.rows.to_csv(out / "results.csv", index=False)
    comparison.summary.to_csv(out / "summary.csv", index=False)
    png = plot_comparison(comparison, out / "queries.png")
    print(f"\nwrote {out / 'results.csv'}, {out / 'summary.csv'} and {png}")
    print(f"(rerunning resumes from {report.store_path}; a larger grid runs only new points)")
    return 1 if report.failed else (130 if report.interrupted else 0)


def register_cli(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "compare",
        help="quantum vs classical query complexity on random problems",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
    )
    parser.add_argument("--sizes", type=_parse_sizes, help="comma-separated N values")
    parser.add_argument("--marked", type=int, default=1, help="marked items M (default 1)")
    parser.add_argument(
        "--trials", type=int, help="random problems per size (default 100 ideal, 20 otherwise)"
    )
    parser.add_argument("--backend", default="ideal", help="backend name (default ideal)")
    parser.add_argument("--noise", help="device noise model for circuit backends, e.g. fake_torino")
    parser.add_argument(
        "--option",
        type=_parse_option,
        action="append",
        metavar="KEY=VALUE",
        help="backend option, repeatable (e.g. --option method=matrix_product_state)",
    )
    parser.add_argument("--algorithm", default="grover", help=f"one of {sorted(COMPARISONS)}")
    parser.add_argument("--seed", type=int, default=7, help="root seed (default 7)")
    parser.add_argument("--out", default="results/compare", help="output directory")
    parser.add_argument(
        "--workers", type=int, help="local worker processes (default: the available cores)"
    )
    parser.set_defaults(func=_run_cli)
