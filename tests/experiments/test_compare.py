"""The comparison: slopes that separate quantum from classical, shared instances, and the sweep
preset that stores exactly the rows of the in-memory run."""

import math
import re
from pathlib import Path

import numpy as np
import pytest

from qsearch import ProblemError
from qsearch.backends.base import get_backend
from qsearch.experiments.analysis import load_table
from qsearch.experiments.compare import (
    check_backend,
    compare_spec,
    describe_backend,
    format_report,
    run_comparison,
)
from qsearch.experiments.registry import expected_queries
from qsearch.experiments.runner import sweep
from qsearch.experiments.store import COLUMNS


def test_slopes_separate_quantum_from_classical() -> None:
    comparison = run_comparison([64, 256, 1024, 4096, 16384], trials=60, seed=3, progress=False)
    fits = comparison.fits
    assert 0.4 <= fits["grover"].slope <= 0.55
    assert fits["grover"].slope_low <= fits["grover"].slope <= fits["grover"].slope_high
    for algorithm in ("classical-random", "classical-random-replace", "classical-linear"):
        assert 0.85 <= fits[algorithm].slope <= 1.15, algorithm
    summary = comparison.summary
    assert set(summary["algorithm"]) == {
        "grover",
        "classical-random",
        "classical-random-replace",
        "classical-linear",
    }
    assert (summary["success_rate"] == 1.0).all()
    grover = summary[summary["algorithm"] == "grover"].set_index("num_items")
    # mean queries of the trials are consistent with the closed form (k+1)/p
    for n, row in grover.iterrows():
        assert row["ci_low"] - 0.5 <= expected_queries("grover", int(n), 1) <= row["ci_high"] + 0.5


def test_algorithms_share_instances() -> None:
    rows = run_comparison([16, 64], trials=5, seed=1, progress=False).rows
    by_trial = rows.groupby(["num_items", "repetition"])["point_seed"].nunique()
    assert (by_trial == 1).all()
    found = rows.pivot_table(
        index=["num_items", "repetition"], columns="algorithm", values="found", aggfunc="first"
    )
    assert (found.nunique(axis=1) == 1).all()  # M = 1: every algorithm finds the same item


def test_bad_input() -> None:
    with pytest.raises(ProblemError, match="'sizes'"):
        run_comparison([16])
    with pytest.raises(ProblemError, match="'marked' argument of run_comparison"):
        run_comparison([4, 16], marked=4)
    with pytest.raises(ProblemError, match="'algorithm'"):
        run_comparison([4, 16], algorithm="shor")
    assert math.isnan(expected_queries("grover", 16, 0))


def test_compare_is_a_preset_of_sweep(tmp_path: Path) -> None:
    comparison = run_comparison([16, 64], marked=2, trials=4, seed=7, progress=False)
    spec = compare_spec([16, 64], marked=2, trials=4, seed=7, output=tmp_path)
    assert sweep(spec, workers=1).new == len(comparison.rows)
    table = load_table(tmp_path)
    # One row layout: the in-memory rows have exactly the stored table's columns and values
    # (apart from timing and provenance).
    assert list(comparison.rows.columns) == list(table.columns)
    assert "method" not in table.columns and "method" in COLUMNS  # SearchResult.method, stored
    provenance = ["wall_time_s", "finished_at", "git_revision"]
    ours = table.drop(columns=provenance)
    theirs = comparison.rows.drop(columns=provenance)
    assert ours.astype(object).equals(theirs.astype(object))
    with pytest.raises(ProblemError, match="'algorithm' argument of compare_spec"):
        compare_spec([16, 64], algorithm="nope")


# --- The whole bill and honest slopes (issue 13, items 5, 6, 8) -----------------------------


def _polyfit_slope(sizes: list[int], values: list[float]) -> float:
    return float(np.polyfit(np.log(sizes), np.log(values), 1)[0])


def _grover_expectation(n: int) -> float:
    """(k+1)/p by hand: k = floor(π/(4θ)), sin θ = 1/√N, p = sin²((2k+1)θ) (BBHT 1998)."""
    theta = math.asin(1 / math.sqrt(n))
    k = math.floor(math.pi / (4 * theta))
    return (k + 1) / math.sin((2 * k + 1) * theta) ** 2


def test_report_prints_exact_and_oracle_only_slopes_beside_the_fit() -> None:
    sizes = [16, 64, 256, 1024]
    comparison = run_comparison(sizes, trials=20, seed=5, progress=False)
    slopes = comparison.slopes.set_index("algorithm")
    grover = slopes.loc["grover"]
    # Independent references: the hand-computed closed form, and the trials' oracle means.
    exact = _polyfit_slope(sizes, [_grover_expectation(n) for n in sizes])
    assert grover["expected_slope"] == pytest.approx(exact, abs=1e-9)
    rows = comparison.rows[comparison.rows["algorithm"] == "grover"]
    oracle_means = rows.groupby("num_items")["oracle_queries"].mean().astype(float)
    assert grover["oracle_slope"] == pytest.approx(_polyfit_slope(sizes, list(oracle_means)))
    assert grover["oracle_slope"] > grover["slope"]  # the +1 check per attempt flattens it
    classical = slopes.loc["classical-random"]
    assert classical["expected_slope"] == pytest.approx(
        _polyfit_slope(sizes, [(n + 1) / 2 for n in sizes])
    )
    assert math.isnan(classical["oracle_slope"])  # no oracle queries at all
    report = format_report(comparison)
    fits = report.split("fitted scaling")[1]
    line = next(ln for ln in fits.splitlines() if ln.strip().startswith("grover "))
    assert f"{grover['expected_slope']:.3f}" in line and f"{grover['oracle_slope']:.3f}" in line
    assert "covers their sampling noise only, not the bias" in report
    (start,) = re.findall(r"grover: every trial cost the same at N >= (\d+)", report)
    spread = rows.groupby("num_items")["total_queries"].nunique()
    assert (spread[spread.index >= int(start)] == 1).all() and spread.loc[16] > 1
    assert "grover: oracle given, build = 0" in report
    for column in ("oracle", "verify", "build", "total", "95% CI (total)"):
        assert column in report.splitlines()[0]


def test_minimum_slope_and_total_include_the_build() -> None:
    sizes = [16, 64, 256]
    comparison = run_comparison(sizes, algorithm="minimum", trials=4, seed=3, progress=False)
    rows = comparison.rows[comparison.rows["algorithm"] == "minimum"]
    total = rows["oracle_queries"] + rows["verify_queries"] + rows["build_queries"]
    means = total.groupby(rows["num_items"]).mean().astype(float)
    assert comparison.fits["minimum"].slope == pytest.approx(_polyfit_slope(sizes, list(means)))
    summary = comparison.summary.set_index(["algorithm", "num_items"])
    for n in sizes:
        assert summary.loc[("minimum", n), "mean_total"] == pytest.approx(means[n])
        assert summary.loc[("minimum", n), "mean_build"] > 0
    slopes = comparison.slopes.set_index("algorithm")
    assert slopes.loc["minimum", "slope"] > slopes.loc["minimum", "query_slope"]
    report = format_report(comparison)
    assert "minimum: build = classical predicate evaluations" in report
    assert "included in total" in report
    assert "oracle given" not in report


def test_header_names_the_device_and_the_noise_model() -> None:
    assert describe_backend(get_backend("ideal")) == "backend=ideal noise=none"
    pytest.importorskip("qiskit_aer")
    assert "noise=fake_torino" in check_backend("aer", noise="fake_torino", options={})
    pytest.importorskip("qiskit_ibm_runtime")
    ibm = check_backend("ibm", noise=None, options={})
    assert "device=fake_torino (offline snapshot" in ibm and "noise=fake_torino device" in ibm
