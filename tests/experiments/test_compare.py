"""The comparison: slopes that separate quantum from classical, shared instances, and the sweep
preset that stores exactly the rows of the in-memory run."""

import math
from pathlib import Path

import pytest

from qsearch import ProblemError
from qsearch.experiments.analysis import load_table
from qsearch.experiments.compare import compare_spec, run_comparison
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
