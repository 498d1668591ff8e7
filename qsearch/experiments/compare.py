"""The main job: quantum versus classical query complexity on random problems.

``qsearch compare`` draws, for each size N and trial t, one random problem with M marked items
(the same instance for every algorithm of that trial), solves it with the quantum algorithm and
its classical counterparts (``qsearch.experiments.registry.COMPARISONS``), and reports the whole
bill — oracle queries, classical verifications, the classical build of the oracle, and their
total — with a 95% Student-t interval on the total, the success rate, the closed-form expectation
where one exists, and the fitted log-log slope of the mean total vs N with a bootstrap CI
(≈ 0.5 for Grover, ≈ 1.0 for classical sampling), beside the slope of the query part, of the
oracle alone and of the exact expectation over the same sizes (the bias no interval covers).

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
from qsearch.experiments.analysis import (
    NO_NOISE,
    expected_slope,
    fit_scaling,
    load_table,
    summarize,
    tidy_table,
)
from qsearch.experiments.plots import queries_figure, save_figure
from qsearch.experiments.progress import progress_bar
from qsearch.experiments.registry import COMPARISONS
from qsearch.experiments.runner import run_point
from qsearch.experiments.spec import Point, SweepSpec

DEFAULT_SIZES_IDEAL = (16, 64, 256, 1024, 4096, 16384, 65536)
DEFAULT_SIZES_CIRCUIT = (4, 16, 64, 256)


@dataclass(frozen=True)
class Comparison:
    """Everything ``qsearch compare`` computed: per-trial rows, the summary table, the fits.

    ``fits`` are fits of the mean total cost; ``slopes`` has, per algorithm, the total's slope
    and CI beside the query part's (``query_slope``, with CI), the oracle-only slope
    (``oracle_slope``, NaN without oracle queries) and the slope of the exact expectation over
    the same sizes (``expected_slope``, NaN without a closed form). ``setting`` names where the
    quantum points ran (backend, device, noise model).
    """

    rows: pd.DataFrame
    summary: pd.DataFrame
    fits: dict[str, PowerLawFit]
    slopes: pd.DataFrame
    setting: str = ""


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
    setting = describe_backend(device)
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
    return tabulate(tidy_table(rows), seed=seed, setting=setting)


def describe_backend(device: Backend) -> str:
    """Where the quantum points ran, as the header and figures say it: the backend, the device
    (an ``ibm`` backend offline runs a fake snapshot), and the noise model (none when ideal)."""
    parts = [f"backend={device.name}"]
    device_name = getattr(device, "device_name", None)
    noise = getattr(device, "noise", None)
    if device_name:
        offline = str(device_name).startswith("fake_")
        parts.append(
            f"device={device_name}"
            + (" (offline snapshot, simulated locally with its noise model)" if offline else "")
        )
        noise = noise or f"{device_name} device"
    parts.append(f"noise={noise or NO_NOISE}")
    return " ".join(parts)


def check_backend(backend: str, *, noise: str | None, options: Mapping[str, Any]) -> str:
    """Build the backend once before any point runs; :func:`describe_backend` of it.

    Raises:
        ProblemError: the backend, noise model or an option is not accepted (naming them), so
            no sweep is started whose every point would fail the same way.
    """
    kwargs = dict(options)
    if noise is not None:
        kwargs["noise"] = noise
    try:
        device = get_backend(backend, **kwargs)
    except TypeError as exc:
        raise ProblemError(
            f"The backend options {sorted(options)} of compare are not all accepted by backend "
            f"{backend!r}: {exc}."
        ) from exc
    except (ProblemError, ValueError, ImportError) as exc:
        raise ProblemError(
            f"Backend {backend!r} (noise={noise!r}, options={dict(options)}) cannot be built: {exc}"
        ) from exc
    return describe_backend(device)


def tabulate(rows: pd.DataFrame, *, seed: int, setting: str = "") -> Comparison:
    """Summary table and per-algorithm slopes of a sweep table, via
    :mod:`qsearch.experiments.analysis` (``seed`` seeds the bootstrap of the slopes)."""
    total = fit_scaling(rows, seed=seed, cost="total_queries")
    fits = {
        str(row.algorithm): PowerLawFit(
            row.slope, row.intercept, row.slope_low, row.slope_high, row.confidence
        )
        for row in total.itertuples(index=False)
    }
    query = fit_scaling(rows, seed=seed, cost="queries").set_index("algorithm")
    oracle = fit_scaling(rows, seed=seed, n_bootstrap=2, cost="oracle_queries")
    oracle = oracle.set_index("algorithm")["slope"]
    records = []
    for row in total.itertuples(index=False):
        name = str(row.algorithm)
        ok = rows[(rows["algorithm"] == name) & (rows["status"] == "ok")]
        q = query.loc[name] if name in query.index else None
        records.append(
            {
                "algorithm": name,
                "slope": row.slope,
                "slope_low": row.slope_low,
                "slope_high": row.slope_high,
                "query_slope": math.nan if q is None else q["slope"],
                "query_slope_low": math.nan if q is None else q["slope_low"],
                "query_slope_high": math.nan if q is None else q["slope_high"],
                "oracle_slope": float(oracle.get(name, math.nan)),
                "expected_slope": expected_slope(
                    name, ok["num_items"].unique().tolist(), int(row.num_marked)
                ),
                "build_free": bool((ok["build_queries"] == 0).all()),
            }
        )
    slopes = pd.DataFrame.from_records(records, columns=_SLOPE_COLUMNS)
    return Comparison(rows, summarize(rows), fits, slopes, setting)


_SLOPE_COLUMNS = [
    "algorithm",
    "slope",
    "slope_low",
    "slope_high",
    "query_slope",
    "query_slope_low",
    "query_slope_high",
    "oracle_slope",
    "expected_slope",
    "build_free",
]


def _number(value: float, digits: int = 1) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def format_report(comparison: Comparison) -> str:
    """The bill, the table and the slopes as printed by ``qsearch compare``.

    Every row shows the mean oracle, verify and build costs and their **total**; the interval,
    the closed form and the fitted slope are of the total. The slope of the query part (oracle
    + verify), of the oracle alone and of the exact expectation over the same sizes stand beside
    it, with what the bootstrap interval does and does not cover.
    """
    header = (
        f"{'algorithm':<26}{'N':>8}{'oracle':>11}{'verify':>10}{'build':>11}{'total':>11}"
        f"{'95% CI (total)':>24}{'expected':>11}{'success':>9}"
    )
    lines = [header]
    for row in comparison.summary.itertuples(index=False):
        ci = f"[{_number(row.total_ci_low)}, {_number(row.total_ci_high)}]"
        known = row.mean_build == 0 and math.isfinite(row.expected_queries)
        expected = _number(row.expected_queries) if known else ""  # closed form of the total
        failed = f"  ({row.failed} failed)" if row.failed else ""
        lines.append(
            f"{row.algorithm:<26}{row.num_items:>8}{_number(row.mean_oracle):>11}"
            f"{_number(row.mean_verify):>10}{_number(row.mean_build):>11}"
            f"{_number(row.mean_total):>11}{ci:>24}{expected:>11}"
            f"{_number(row.success_rate, 2):>9}{failed}"
        )
    lines += [
        "",
        *_slope_lines(comparison.slopes),
        "",
        *_bill_notes(comparison.slopes, comparison.summary),
    ]
    return "\n".join(lines)


def _slope_lines(slopes: pd.DataFrame) -> list[str]:
    if slopes.empty:
        return ["fitted scaling: none (a slope needs >= 2 sizes with completed points)."]
    lines = [
        "fitted scaling of the mean total, total ∝ N^slope (95% bootstrap CI), beside the query",
        "part (oracle + verify), the oracle alone and the exact expectation over the same sizes:",
        f"  {'algorithm':<26}{'total slope':>12}{'95% CI':>18}{'query part':>12}"
        f"{'oracle only':>13}{'exact expectation':>19}",
    ]
    for row in slopes.itertuples(index=False):
        ci = f"[{row.slope_low:.3f}, {row.slope_high:.3f}]"
        lines.append(
            f"  {row.algorithm:<26}{row.slope:>12.3f}{ci:>18}{_number(row.query_slope, 3):>12}"
            f"{_number(row.oracle_slope, 3):>13}{_number(row.expected_slope, 3):>19}"
        )
    return lines


def _deterministic_sizes(summary: pd.DataFrame) -> dict[str, list[int]]:
    """Per algorithm, the sizes from which on every trial had the same total cost."""
    out = {}
    for name, group in summary.groupby("algorithm", sort=True):
        group = group.sort_values("num_items")
        flat = (group["total_ci_low"] == group["total_ci_high"]).to_numpy()
        tail = [int(n) for n, f in zip(group["num_items"], flat, strict=True) if f]
        if len(tail) and flat[len(flat) - len(tail) :].all():
            out[str(name)] = tail
    return out


def _bill_notes(slopes: pd.DataFrame, summary: pd.DataFrame) -> list[str]:
    notes = [
        "The interval resamples the trials at each size: it covers their sampling noise only, "
        "not the bias",
        "of fitting a power law at these finite sizes (e.g. the +1 verification per attempt; "
        "compare the",
        "exact-expectation and oracle-only slopes), nor anything outside these sizes.",
    ]
    if not slopes.empty:
        for name, sizes in _deterministic_sizes(summary).items():
            notes.append(
                f"{name}: every trial cost the same at N >= {min(sizes)}: zero width there is "
                "determinism, not precision."
            )
        given = slopes[slopes["build_free"] & (slopes["oracle_slope"].notna())]
        if len(given):
            notes.append(
                f"{', '.join(given['algorithm'])}: oracle given, build = 0 (an oracle built over N "
                "data items would add N predicate evaluations)."
            )
        built = slopes[~slopes["build_free"]]["algorithm"].tolist()
        if built:
            notes.append(
                f"{', '.join(built)}: build = classical predicate evaluations spent building the "
                "oracle over the data, included in total."
            )
    return notes


def plot_comparison(comparison: Comparison, path: Path, *, cost: str = "total") -> Path:
    """Log-log plot of the mean total (``cost="query"``: the query part) vs N with 95% CI bands,
    the closed forms where known and the fitted slopes in the legend; the format follows the
    suffix (png, svg, pdf)."""
    slopes = comparison.slopes
    prefix = "" if cost == "total" else "query_"
    fits = pd.DataFrame.from_records(
        [
            {
                "algorithm": algorithm,
                "backend": backend,
                "noise": noise,
                "num_marked": int(num_marked),
                "slope": row[prefix + "slope"],
                "slope_low": row[prefix + "slope_low"],
                "slope_high": row[prefix + "slope_high"],
            }
            for (algorithm, backend, noise, num_marked), row in _fit_keys(comparison, slopes)
        ]
    )
    figure = queries_figure(comparison.summary, fits, cost=cost, setting=comparison.setting)
    return save_figure(figure, path)


def _fit_keys(
    comparison: Comparison, slopes: pd.DataFrame
) -> list[tuple[tuple[str, str, str, int], Any]]:
    keys = comparison.summary.drop_duplicates("algorithm").set_index("algorithm")
    return [
        (
            (
                name,
                str(keys.loc[name, "backend"]),
                str(keys.loc[name, "noise"]),
                int(keys.loc[name, "num_marked"]),
            ),
            row,
        )
        for name, row in slopes.set_index("algorithm", drop=False).iterrows()
    ]


def comparison_from_sweep(spec: SweepSpec, *, seed: int, setting: str = "") -> Comparison:
    """Read a :func:`compare_spec` sweep's store back as a :class:`Comparison` (failed points
    are kept as ``error`` rows and counted in the summary's ``failed`` column).

    Raises:
        ProblemError: no point of the sweep completed (the message quotes the first error).
    """
    rows = load_table(spec, include_errors=True)
    ok = rows[rows["status"] == "ok"] if not rows.empty else rows
    if ok.empty:
        first = "" if rows.empty else f" First error: {rows['error'].iloc[0]}"
        raise ProblemError(
            f"Every point of the comparison failed ({len(rows)} points, none completed); "
            f"nothing to tabulate.{first}"
        )
    return tabulate(rows, seed=seed, setting=setting)


def failure_lines(rows: pd.DataFrame, *, limit: int = 5) -> list[str]:
    """One line per distinct error of the failed points: count, an example point, the message."""
    failed = rows[rows["status"] != "ok"] if not rows.empty else rows
    if failed.empty:
        return []
    lines = [f"{len(failed)} points failed:"]
    for error, group in list(failed.groupby("error", sort=False))[:limit]:
        first = group.iloc[0]
        message = str(error).strip().splitlines()[-1] if str(error).strip() else "(no message)"
        lines.append(
            f"  {len(group)} x e.g. {first['algorithm']} N={first['num_items']}: {message[:300]}"
        )
    return lines


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
    "check_backend",
    "compare_spec",
    "comparison_from_sweep",
    "describe_backend",
    "failure_lines",
    "format_report",
    "plot_comparison",
    "run_comparison",
    "tabulate",
]
