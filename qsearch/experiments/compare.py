"""The main job: quantum versus classical query complexity on random problems.

``qsearch compare`` draws, for each size N and trial t, one random problem with M marked items
(the same instance for every algorithm of that trial), solves it with the quantum algorithm and
its classical counterparts (``qsearch.experiments.registry.COMPARISONS``), and reports the mean
number of queries (oracle + classical verifications) with a 95% Student-t interval, the success
rate, the closed-form expectation where one exists, and the fitted log-log slope of mean queries
vs N with a bootstrap CI (≈ 0.5 for Grover, ≈ 1.0 for classical sampling).

The command is a preset of sweeps (:func:`compare_spec`): points run on a local process pool and
are stored in ``OUT/sweep.sqlite``, so an interrupted run resumes and a larger grid runs only the
new points. :func:`run_comparison` computes the same points in memory (it also accepts a Backend
instance), for notebooks and tests; both give rows of the sweep table
(:func:`qsearch.experiments.analysis.tidy_table`: trial t is ``repetition`` t, its instance seed
``point_seed``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from qsearch._validation import check_int
from qsearch.backends.base import Backend, get_backend
from qsearch.complexity import PowerLawFit
from qsearch.exceptions import ProblemError
from qsearch.experiments.analysis import NO_NOISE, fit_scaling, load_table, summarize, tidy_table
from qsearch.experiments.plots import queries_figure, save_figure
from qsearch.experiments.progress import progress_bar
from qsearch.experiments.registry import COMPARISONS
from qsearch.experiments.runner import run_point
from qsearch.experiments.spec import Point, SweepSpec

DEFAULT_SIZES_IDEAL = (16, 64, 256, 1024, 4096, 16384, 65536)
DEFAULT_SIZES_CIRCUIT = (4, 16, 64, 256)


@dataclass(frozen=True)
class Comparison:
    """Everything ``qsearch compare`` computed: per-trial rows, the summary table, the fits."""

    rows: pd.DataFrame
    summary: pd.DataFrame
    fits: dict[str, PowerLawFit]


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
    """Run every algorithm of ``COMPARISONS[algorithm]`` on ``trials`` random problems per size.

    The rows are those a sweep of :func:`compare_spec` with the same arguments stores (points
    that raise are kept as ``error`` rows and counted in the summary's ``failed`` column).

    Args:
        sizes: the N values (each >= 2 and > marked).
        marked: M, marked items per problem.
        trials: random problems per size.
        backend: where quantum algorithms run (registry name or instance).
        seed: root seed; trial t of size N uses
            :func:`qsearch.experiments.spec.point_seed` ``(seed, N, M, t)``.
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
    backend_name = backend if isinstance(backend, str) else device.name
    algorithms = COMPARISONS[algorithm]
    rows: list[dict[str, Any]] = []
    total = len(sizes) * len(algorithms) * trials
    with progress_bar(total, desc="compare", enabled=progress) as bar:
        for n in sorted(sizes):
            for t in range(trials):
                for name in algorithms:
                    point = Point(name, n, marked, t, backend_name, seed)
                    rows.append(run_point(point, backend=device))
                    bar.update()
    return tabulate(tidy_table(rows), seed=seed)


def tabulate(rows: pd.DataFrame, *, seed: int) -> Comparison:
    """Summary table and per-algorithm slopes of a sweep table, via
    :mod:`qsearch.experiments.analysis` (``seed`` seeds the bootstrap of the slopes)."""
    fits = {
        str(row.algorithm): PowerLawFit(
            row.slope, row.intercept, row.slope_low, row.slope_high, row.confidence
        )
        for row in fit_scaling(rows, seed=seed).itertuples(index=False)
    }
    return Comparison(rows, summarize(rows), fits)


def format_report(comparison: Comparison) -> str:
    """The table and slopes as printed by ``qsearch compare``.

    ``mean queries`` is the query-model cost (oracle + verification). When an algorithm spends
    classical work building its oracle over the data (e.g. minimum finding's thresholds), the
    mean of that ``build`` cost is printed beside it: the fine print is never left out.
    """
    build = comparison.rows.groupby(["algorithm", "num_items"])["build_queries"].mean()
    show_build = bool((build > 0).any())
    header = f"{'algorithm':<26}{'N':>8}{'mean queries':>14}{'95% CI':>22}{'expected':>11}"
    lines = [header + (f"{'build':>10}" if show_build else "") + f"{'success':>9}"]
    for row in comparison.summary.itertuples(index=False):
        ci = f"[{row.ci_low:.1f}, {row.ci_high:.1f}]"
        expected = "" if math.isnan(row.expected_queries) else f"{row.expected_queries:.1f}"
        extra = f"{build.get((row.algorithm, row.num_items), 0.0):>10.1f}" if show_build else ""
        lines.append(
            f"{row.algorithm:<26}{row.num_items:>8}{row.mean_queries:>14.1f}{ci:>22}"
            f"{expected:>11}{extra}{row.success_rate:>9.2f}"
        )
    lines.append("")
    lines.append("fitted scaling, mean queries ∝ N^slope (95% bootstrap CI):")
    for algorithm, fit in comparison.fits.items():
        lines.append(
            f"  {algorithm:<26} slope {fit.slope:.3f}  [{fit.slope_low:.3f}, {fit.slope_high:.3f}]"
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
                "algorithm": algorithm,
                "backend": backend,
                "noise": NO_NOISE,
                "num_marked": int(num_marked),
                "slope": fit.slope,
                "slope_low": fit.slope_low,
                "slope_high": fit.slope_high,
            }
            for (algorithm, backend, num_marked), fit in _fit_keys(comparison)
        ]
    )
    return save_figure(queries_figure(comparison.summary, fits), path)


def _fit_keys(comparison: Comparison) -> list[tuple[tuple[str, str, int], PowerLawFit]]:
    keys = comparison.summary.drop_duplicates("algorithm").set_index("algorithm")
    return [
        ((name, str(keys.loc[name, "backend"]), int(keys.loc[name, "num_marked"])), fit)
        for name, fit in comparison.fits.items()
    ]


def comparison_from_sweep(spec: SweepSpec, *, seed: int) -> Comparison:
    """Read a :func:`compare_spec` sweep's store back as a :class:`Comparison`."""
    return tabulate(load_table(spec, include_errors=False), seed=seed)


def compare_spec(
    sizes: Sequence[int],
    *,
    marked: int = 1,
    trials: int = 100,
    backend: str = "ideal",
    seed: int = 7,
    algorithm: str = "grover",
    noise: str | None = None,
    backend_options: Mapping[str, Any] | None = None,
    output: str | os.PathLike[str] = "results/compare",
) -> SweepSpec:
    """``qsearch compare`` as a sweep: the algorithms of ``COMPARISONS[algorithm]``, same sizes.

    The points are exactly those of :func:`run_comparison` with the same arguments (trial t of
    size N is repetition t; both use the seed ``SeedSequence([seed, N, M, t])``), so
    ``sweep(compare_spec(...))`` stores the same results, resumably, and
    :func:`comparison_from_sweep` gives its table and slopes.
    """
    if algorithm not in COMPARISONS:
        raise ProblemError(
            f"The 'algorithm' argument of compare_spec must be one of {sorted(COMPARISONS)}; "
            f"got {algorithm!r}."
        )
    table: dict[str, Any] = {
        "name": f"compare-{algorithm}",
        "algorithms": list(COMPARISONS[algorithm]),
        "sizes": list(sizes),
        "marked": marked,
        "repetitions": trials,
        "seed": seed,
        "backend": backend,
        "backend_options": dict(backend_options or {}),
        "output": str(output),
    }
    if noise is not None:
        table["noise"] = noise
    return SweepSpec.from_dict({"sweep": table}, where="compare_spec")


__all__ = [
    "DEFAULT_SIZES_CIRCUIT",
    "DEFAULT_SIZES_IDEAL",
    "Comparison",
    "compare_spec",
    "comparison_from_sweep",
    "format_report",
    "plot_comparison",
    "run_comparison",
    "tabulate",
]
