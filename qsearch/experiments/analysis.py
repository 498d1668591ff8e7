"""From a sweep store to tidy tables: per-point rows, per-size summaries, fitted scaling exponents.

* :func:`load_table`: one row per stored point (parameters, query counts, success, first-attempt
  facts, provenance), as a pandas DataFrame.
* :func:`summarize`: per (algorithm, backend, noise, M, N) the mean oracle, verify, build and
  total cost, Student-t intervals of the query part and of the total, the success rate and the
  closed-form expectation where one exists.
* :func:`fit_scaling`: the exponent b of a mean cost ≈ C·N^b per series (the total by default),
  with a percentile bootstrap CI over repetitions (≈ 1/2 for Grover, Boyer–Brassard–Høyer–Tapp
  1998, arXiv:quant-ph/9605034; ≈ 1 for classical sampling); :func:`expected_slope` is the same
  fit of the exact expectation over the same sizes.
* :func:`success_by_iterations`: the single-run success rate of Grover at each iterate count k
  with a Wilson interval, next to the closed form sin²((2k+1)θ), sin²θ = M/N.

``queries`` is the query-model cost, oracle + verification (``QueryCount.search``), as in
``qsearch compare``; ``total_queries`` adds the oracle's build cost. Comparisons report and fit
the total: a build left off the bill would fake a quantum win.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from qsearch.complexity import fit_power_law, mean_confidence_interval, success_probability
from qsearch.exceptions import BackendUnavailableError, ProblemError
from qsearch.experiments.registry import expected_queries
from qsearch.experiments.spec import STORE_FILENAME, SweepSpec, load_spec
from qsearch.experiments.store import ResultStore

#: Columns that name a series (one curve in a plot, one fitted exponent).
SERIES = ("algorithm", "backend", "noise", "num_marked")
NO_NOISE = "none"
#: Cost columns :func:`fit_scaling` can fit: the whole bill, the query part, the oracle alone.
COSTS = ("total_queries", "queries", "oracle_queries")


def _store_path(source: Any) -> Path:
    if isinstance(source, SweepSpec):
        return source.store_path
    if isinstance(source, dict):
        return load_spec(source).store_path
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.suffix == ".toml":
            return SweepSpec.from_file(path).store_path
        if path.is_dir():
            return path / STORE_FILENAME
        return path
    raise ProblemError(
        "The 'source' argument must be a SweepSpec, a spec dict, a TOML spec path, a sweep "
        f"output directory or a store path; got {type(source).__name__}."
    )


def load_table(source: Any, *, include_errors: bool = True) -> pd.DataFrame:
    """One tidy row per stored point (:func:`tidy_table` of the store's rows).

    Args:
        source: a SweepSpec, a spec dict, a TOML path, the sweep's output directory or the
            ``sweep.sqlite`` path.
        include_errors: keep rows of points that raised (``status == "error"``).
    """
    with ResultStore(_store_path(source), create=False) as store:
        rows = store.rows()
    return tidy_table(rows, include_errors=include_errors)


def tidy_table(rows: Sequence[Mapping[str, Any]], *, include_errors: bool = True) -> pd.DataFrame:
    """Store rows (:data:`qsearch.experiments.store.COLUMNS`) as one tidy table.

    Returns:
        Columns: ``key, algorithm, num_items, num_marked, repetition, backend, backend_options,
        noise ("none" when ideal), iterations (fixed k or <NA>), point_seed, status, error,
        result_backend, found, success, queries, oracle_queries, verify_queries, build_queries,
        total_queries, num_attempts, first_iterations, first_shots, first_success, wall_time_s,
        backend_method, qsearch_version, git_revision, finished_at``, sorted by series, N and
        repetition. ``algorithm`` names the experiment (``SearchResult.method`` is the same
        name, so it is not repeated); ``backend_method`` is the simulator's method (e.g. Aer's
        ``"statevector"``).
    """
    records = [_tidy_record(row) for row in rows if include_errors or row["status"] == "ok"]
    table = pd.DataFrame.from_records(records)
    if table.empty:
        return table
    for column in (
        "iterations",
        "found",
        "oracle_queries",
        "verify_queries",
        "build_queries",
        "total_queries",
        "queries",
        "num_attempts",
        "first_iterations",
        "first_shots",
    ):
        table[column] = table[column].astype("Int64")
    for column in ("success", "first_success"):
        table[column] = table[column].astype("boolean")
    return table.sort_values(
        ["algorithm", "backend", "noise", "num_marked", "num_items", "repetition"],
        kind="stable",
        ignore_index=True,
    )


def _tidy_record(row: Mapping[str, Any]) -> dict[str, Any]:
    meta = json.loads(row["metadata"])
    result = json.loads(row["result"]) if row["result"] else {}
    attempts = result.get("attempts") or []
    first = attempts[0] if attempts else None
    ok = row["status"] == "ok"
    return {
        "key": row["key"],
        "algorithm": row["algorithm"],
        "num_items": row["num_items"],
        "num_marked": row["num_marked"],
        "repetition": row["repetition"],
        "backend": row["backend"],
        "backend_options": row["backend_options"],
        "noise": row["noise"] or NO_NOISE,
        "iterations": row["iterations"],
        "point_seed": row["point_seed"],
        "status": row["status"],
        "error": row["error"],
        "result_backend": row["result_backend"],
        "found": row["found"],
        "success": bool(row["success"]) if ok else None,
        "queries": (row["oracle_queries"] + row["verify_queries"]) if ok else None,
        "oracle_queries": row["oracle_queries"],
        "verify_queries": row["verify_queries"],
        "build_queries": row["build_queries"],
        "total_queries": row["total_queries"],
        "num_attempts": row["num_attempts"],
        "first_iterations": None if first is None else int(first["iterations"]),
        "first_shots": None if first is None else int(first["shots"]),
        "first_success": (
            None if first is None else bool(row["success"]) and row["num_attempts"] == 1
        ),
        "wall_time_s": row["wall_time_s"],
        "backend_method": meta.get("method"),
        "qsearch_version": meta.get("versions", {}).get("qsearch"),
        "git_revision": meta.get("git_revision"),
        "finished_at": row["finished_at"],
    }


def _scaling_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Completed points of the searches themselves (fixed-k points answer another question)."""
    if table.empty:
        return table
    rows = table[(table["status"] == "ok") & table["iterations"].isna()]
    return rows


def summarize(table: pd.DataFrame, *, confidence: float = 0.95) -> pd.DataFrame:
    """Per (algorithm, backend, noise, M, N): mean costs with Student-t CIs and success rate.

    ``mean_queries`` (with ``ci_low``/``ci_high``) is the query part, oracle + verification;
    ``mean_oracle``, ``mean_verify``, ``mean_build`` and ``mean_total`` (with
    ``total_ci_low``/``total_ci_high``) split and sum the whole bill. ``expected_queries`` is
    the closed form of the query part where one is known (NaN otherwise): (k+1)/p for
    Grover with p = sin²((2k+1)θ), (N+1)/(M+1) for sampling without replacement and linear scan,
    N/M with replacement. ``failed`` counts the points of the cell that raised.
    """
    columns = [
        *SERIES,
        "num_items",
        "trials",
        "failed",
        "mean_queries",
        "ci_low",
        "ci_high",
        "expected_queries",
        "success_rate",
        "mean_wall_time_s",
        "mean_oracle",
        "mean_verify",
        "mean_build",
        "mean_total",
        "total_ci_low",
        "total_ci_high",
    ]
    if table.empty:
        return pd.DataFrame(columns=columns)
    search = table[table["iterations"].isna()]
    out = []
    for keys, group in search.groupby([*SERIES, "num_items"], sort=True, dropna=False):
        algorithm, backend, noise, m, n = keys
        ok = group[group["status"] == "ok"]
        parts = {c: math.nan for c in ("oracle_queries", "verify_queries", "build_queries")}
        if ok.empty:
            mean = low = high = total = total_low = total_high = math.nan
            rate = math.nan
        else:
            mean, low, high = mean_confidence_interval(
                ok["queries"].to_numpy(dtype=float), confidence
            )
            total, total_low, total_high = mean_confidence_interval(
                ok["total_queries"].to_numpy(dtype=float), confidence
            )
            parts = {c: float(ok[c].astype(float).mean()) for c in parts}
            rate = float(ok["success"].astype(float).mean())
        out.append(
            {
                "algorithm": algorithm,
                "backend": backend,
                "noise": noise,
                "num_marked": int(m),
                "num_items": int(n),
                "trials": len(ok),
                "failed": int((group["status"] != "ok").sum()),
                "mean_queries": mean,
                "ci_low": low,
                "ci_high": high,
                "expected_queries": expected_queries(str(algorithm), int(n), int(m)),
                "success_rate": rate,
                "mean_wall_time_s": float(ok["wall_time_s"].mean()) if len(ok) else math.nan,
                "mean_oracle": parts["oracle_queries"],
                "mean_verify": parts["verify_queries"],
                "mean_build": parts["build_queries"],
                "mean_total": total,
                "total_ci_low": total_low,
                "total_ci_high": total_high,
            }
        )
    return pd.DataFrame.from_records(out, columns=columns)


def fit_scaling(
    table: pd.DataFrame,
    *,
    confidence: float = 0.95,
    n_bootstrap: int = 1000,
    seed: int = 0,
    cost: str = "total_queries",
) -> pd.DataFrame:
    """Fit a mean cost ≈ C·N^slope per series (algorithm, backend, noise, M).

    Uses :func:`qsearch.complexity.fit_power_law`: least squares on log(mean) vs log N, with a
    percentile bootstrap CI that resamples the repetitions of each size. The interval covers
    the sampling noise of those repetitions only: not the bias of a power law fitted at small
    N (compare :func:`expected_slope`), and it has zero width where every repetition costs the
    same. Series with fewer than two sizes, or a size with a zero-cost point, are left out.

    Args:
        cost: one of :data:`COSTS`: ``"total_queries"`` (oracle + verify + build, the default),
            ``"queries"`` (oracle + verify) or ``"oracle_queries"``.

    Returns:
        Columns ``algorithm, backend, noise, num_marked, slope, slope_low, slope_high,
        intercept, confidence, sizes, min_size, max_size, trials, cost``.
    """
    if cost not in COSTS:
        raise ProblemError(
            f"The 'cost' argument of fit_scaling must be one of {list(COSTS)}; got {cost!r}."
        )
    columns = [
        *SERIES,
        "slope",
        "slope_low",
        "slope_high",
        "intercept",
        "confidence",
        "sizes",
        "min_size",
        "max_size",
        "trials",
        "cost",
    ]
    rows = _scaling_rows(table)
    out = []
    if not rows.empty:
        for keys, group in rows.groupby(list(SERIES), sort=True, dropna=False):
            samples = {
                int(n): g[cost].to_numpy(dtype=float)
                for n, g in group.groupby("num_items")
                if len(g) and (g[cost] > 0).all()
            }
            if len(samples) < 2:
                continue
            fit = fit_power_law(samples, confidence=confidence, n_bootstrap=n_bootstrap, seed=seed)
            algorithm, backend, noise, m = keys
            out.append(
                {
                    "algorithm": algorithm,
                    "backend": backend,
                    "noise": noise,
                    "num_marked": int(m),
                    "slope": fit.slope,
                    "slope_low": fit.slope_low,
                    "slope_high": fit.slope_high,
                    "intercept": fit.intercept,
                    "confidence": fit.confidence,
                    "sizes": len(samples),
                    "min_size": min(samples),
                    "max_size": max(samples),
                    "trials": int(sum(len(v) for v in samples.values())),
                    "cost": cost,
                }
            )
    return pd.DataFrame.from_records(out, columns=columns)


def expected_slope(algorithm: str, sizes: Sequence[int], num_marked: int) -> float:
    """Least-squares log-log slope of the exact expected query cost over ``sizes`` (NaN if none).

    The slope a perfect experiment at these sizes would fit (closed forms of
    :func:`qsearch.experiments.registry.expected_queries`); its gap to 1/2 or 1 is the bias of
    the finite sizes, which no bootstrap interval covers.
    """
    sizes = sorted(set(int(n) for n in sizes))
    if len(sizes) < 2:
        return math.nan
    values = [expected_queries(algorithm, n, num_marked) for n in sizes]
    if not all(math.isfinite(v) and v > 0 for v in values):
        return math.nan
    x = [math.log(n) for n in sizes]
    y = [math.log(v) for v in values]
    mx, my = sum(x) / len(x), sum(y) / len(y)
    return sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True)) / sum(
        (a - mx) ** 2 for a in x
    )


def wilson_interval(successes: int, trials: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (Wilson 1927)."""
    if trials == 0:
        return math.nan, math.nan
    p = successes / trials
    denom = 1 + z**2 / trials
    centre = (p + z**2 / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z**2 / (4 * trials**2)) / denom
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)  # exact at the edges
    return low, high


def success_by_iterations(table: pd.DataFrame) -> pd.DataFrame:
    """Single-run success of Grover per iterate count k, with the closed form beside it.

    Uses the first circuit run of every stored Grover point measured with one shot (fixed-k
    points and the first attempt of ordinary Grover searches alike): it found a marked item
    with probability sin²((2k+1)θ), sin²θ = M/N, on an ideal device (Boyer et al. 1998,
    arXiv:quant-ph/9605034, eq. 2).

    Returns:
        Columns ``backend, noise, num_items, num_marked, iterations, runs, successes, rate,
        ci_low, ci_high (95% Wilson), closed_form``.
    """
    columns = [
        "backend",
        "noise",
        "num_items",
        "num_marked",
        "iterations",
        "runs",
        "successes",
        "rate",
        "ci_low",
        "ci_high",
        "closed_form",
    ]
    if table.empty:
        return pd.DataFrame(columns=columns)
    rows = table[
        (table["status"] == "ok")
        & (table["algorithm"] == "grover")
        & (table["first_shots"] == 1)
        & table["first_iterations"].notna()
    ]
    out = []
    for (backend, noise, n, m, k), group in rows.groupby(
        ["backend", "noise", "num_items", "num_marked", "first_iterations"], sort=True
    ):
        runs = len(group)
        hits = int(group["first_success"].astype(bool).sum())
        low, high = wilson_interval(hits, runs)
        out.append(
            {
                "backend": backend,
                "noise": noise,
                "num_items": int(n),
                "num_marked": int(m),
                "iterations": int(k),
                "runs": runs,
                "successes": hits,
                "rate": hits / runs,
                "ci_low": low,
                "ci_high": high,
                "closed_form": float(success_probability(int(n), int(m), int(k))),
            }
        )
    return pd.DataFrame.from_records(out, columns=columns)


def export_table(source: Any, path: str | os.PathLike[str], *, format: str = "csv") -> Path:
    """Write :func:`load_table` of ``source`` as CSV or Parquet (Parquet needs pyarrow).

    Raises:
        ProblemError: unknown format.
        BackendUnavailableError: Parquet requested without pyarrow installed.
    """
    if format not in ("csv", "parquet"):
        raise ProblemError(
            f"The 'format' argument of export_table must be 'csv' or 'parquet'; got {format!r}."
        )
    table = load_table(source)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if format == "csv":
        table.to_csv(path, index=False)
        return path
    try:
        import pyarrow  # noqa: F401
    except ImportError as exc:
        raise BackendUnavailableError(
            "Parquet export needs pyarrow. Install it with: pip install 'qsearch[dask]' "
            "(or pip install pyarrow)."
        ) from exc
    table.to_parquet(path, index=False)
    return path


#: Experiments whose M is not an input (minimum finding reads N values, no marked set).
IGNORES_MARKED = frozenset({"minimum", "classical-minimum"})


def series_label(row: Any, *, backends: int = 1, show_marked: bool = True) -> str:
    """A legend label: algorithm, then backend (when several), noise (when any) and M (when
    ``show_marked`` and the experiment uses M)."""
    parts = [str(row["algorithm"])]
    if backends > 1:
        parts.append(str(row["backend"]))
    if row["noise"] != NO_NOISE:
        parts.append(f"noise={row['noise']}")
    if show_marked and str(row["algorithm"]) not in IGNORES_MARKED:
        parts.append(f"M={int(row['num_marked'])}")
    return ", ".join(parts)


__all__ = [
    "COSTS",
    "IGNORES_MARKED",
    "NO_NOISE",
    "SERIES",
    "expected_slope",
    "export_table",
    "fit_scaling",
    "load_table",
    "series_label",
    "success_by_iterations",
    "summarize",
    "tidy_table",
    "wilson_interval",
]
