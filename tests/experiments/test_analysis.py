"""Tidy tables from a sweep store: summaries against closed forms, fitted exponents, k-curves."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qsearch.complexity import success_probability
from qsearch.exceptions import ProblemError, StoreError
from qsearch.experiments.analysis import (
    export_table,
    fit_scaling,
    load_table,
    success_by_iterations,
    summarize,
    wilson_interval,
)
from qsearch.experiments.registry import expected_queries
from qsearch.experiments.runner import sweep
from qsearch.experiments.spec import SweepSpec

SIZES = [64, 256, 1024, 4096]
REPS = 60


@pytest.fixture(scope="module")
def scaling_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scaling")
    spec = {
        "sweep": {
            "name": "scaling",
            "algorithms": ["grover", "classical-random"],
            "sizes": SIZES,
            "marked": 1,
            "repetitions": REPS,
            "seed": 5,
            "output": str(out),
        }
    }
    report = sweep(spec, workers=1)
    assert report.failed == 0
    return out


@pytest.fixture(scope="module")
def table(scaling_store: Path) -> pd.DataFrame:
    return load_table(scaling_store)


def test_table_is_tidy_one_row_per_point(table: pd.DataFrame) -> None:
    assert len(table) == 2 * len(SIZES) * REPS
    assert table["key"].is_unique
    assert set(table["algorithm"]) == {"grover", "classical-random"}
    assert (table["queries"] == table["oracle_queries"] + table["verify_queries"]).all()
    assert (table["status"] == "ok").all() and table["success"].all()
    assert (table["noise"] == "none").all() and table["iterations"].isna().all()
    grover = table[table["algorithm"] == "grover"]
    # Grover stops at its first verified run, so first-run success is success in one attempt.
    assert (grover["first_success"] == (grover["num_attempts"] == 1)).all()
    assert (grover["first_shots"] == 1).all()
    assert table[table["algorithm"] == "classical-random"]["first_iterations"].isna().all()


def test_load_table_accepts_dir_spec_and_file(scaling_store: Path, table: pd.DataFrame) -> None:
    by_file = load_table(scaling_store / "sweep.sqlite")
    pd.testing.assert_frame_equal(by_file, table)
    spec = SweepSpec.from_dict(
        {
            "sweep": {
                "name": "x",
                "algorithms": ["grover"],
                "sizes": [4],
                "repetitions": 1,
                "seed": 0,
                "output": str(scaling_store),
            }
        }
    )
    assert len(load_table(spec)) == len(table)
    with pytest.raises(StoreError, match="No sweep store"):
        load_table(scaling_store / "missing")
    with pytest.raises(ProblemError, match="'source' argument"):
        load_table(42)


def test_summary_means_agree_with_closed_forms(table: pd.DataFrame) -> None:
    summary = summarize(table)
    assert len(summary) == 2 * len(SIZES)
    assert (summary["trials"] == REPS).all() and (summary["failed"] == 0).all()
    for row in summary.itertuples(index=False):
        queries = table[
            (table["algorithm"] == row.algorithm) & (table["num_items"] == row.num_items)
        ]["queries"].to_numpy(dtype=float)
        assert row.mean_queries == pytest.approx(queries.mean())
        assert row.ci_low <= row.mean_queries <= row.ci_high
        expected = expected_queries(row.algorithm, row.num_items, 1)
        assert row.expected_queries == pytest.approx(expected)
        # 5σ of the sample mean (plus a floor for Grover, whose spread can be ~0).
        bound = 5 * queries.std(ddof=1) / math.sqrt(len(queries)) + 0.5
        assert abs(row.mean_queries - expected) <= bound


def test_fitted_exponents_are_half_for_grover_and_one_for_sampling(table: pd.DataFrame) -> None:
    fits = fit_scaling(table, n_bootstrap=300, seed=1).set_index("algorithm")
    assert set(fits.index) == {"grover", "classical-random"}
    for algorithm in fits.index:
        closed = np.polyfit(
            np.log(SIZES), np.log([expected_queries(algorithm, n, 1) for n in SIZES]), 1
        )[0]
        fit = fits.loc[algorithm]
        assert fit["slope_low"] <= fit["slope"] <= fit["slope_high"]
        assert fit["sizes"] == len(SIZES) and fit["trials"] == len(SIZES) * REPS
        assert abs(fit["slope"] - closed) < 0.1
    assert 0.4 < fits.loc["grover", "slope"] < 0.6
    assert 0.85 < fits.loc["classical-random", "slope"] < 1.15
    # The bootstrap is seeded: the same seed gives the same interval.
    again = fit_scaling(table, n_bootstrap=300, seed=1).set_index("algorithm")
    assert again.loc["grover", "slope_low"] == fits.loc["grover", "slope_low"]


def test_success_by_iterations_matches_the_closed_form(tmp_path: Path) -> None:
    n, reps, ks = 64, 120, list(range(0, 9))
    spec = {
        "sweep": {
            "name": "k-curve",
            "algorithms": ["grover"],
            "sizes": [n],
            "marked": [1, 3],
            "iterations": ks,
            "repetitions": reps,
            "seed": 9,
            "output": str(tmp_path),
        }
    }
    assert sweep(spec, workers=1).new == 2 * len(ks) * reps
    curve = success_by_iterations(load_table(tmp_path))
    assert len(curve) == 2 * len(ks)
    for row in curve.itertuples(index=False):
        p = float(success_probability(n, row.num_marked, row.iterations))
        assert row.closed_form == pytest.approx(p)
        assert row.runs == reps
        # 5σ binomial band around the closed form (+1 for discreteness).
        assert abs(row.successes - reps * p) <= 5 * math.sqrt(reps * p * (1 - p)) + 1
        assert row.ci_low <= row.rate <= row.ci_high
    # Fixed-k points are not searches: they stay out of the query summary and fits.
    table = load_table(tmp_path)
    assert summarize(table).empty and fit_scaling(table).empty


def test_wilson_interval_known_values() -> None:
    low, high = wilson_interval(5, 10)
    assert (low, high) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert wilson_interval(0, 20)[0] == 0.0 and wilson_interval(20, 20)[1] == 1.0
    assert wilson_interval(20, 20)[0] == pytest.approx(0.8389, abs=1e-4)
    assert all(math.isnan(v) for v in wilson_interval(0, 0))


def test_export_csv_and_parquet(scaling_store: Path, table: pd.DataFrame, tmp_path: Path) -> None:
    csv = export_table(scaling_store, tmp_path / "t.csv", format="csv")
    assert pd.read_csv(csv)["queries"].tolist() == table["queries"].tolist()
    with pytest.raises(ProblemError, match="'format' argument"):
        export_table(scaling_store, tmp_path / "t.xlsx", format="xlsx")
    pytest.importorskip("pyarrow")
    parquet = export_table(scaling_store, tmp_path / "t.parquet", format="parquet")
    back = pd.read_parquet(parquet)
    assert back["key"].tolist() == table["key"].tolist()
    assert back["queries"].tolist() == table["queries"].tolist()
