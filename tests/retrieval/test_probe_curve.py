"""The recall-vs-n_probe curve (qsearch evaluate): measured, estimated, FAISS IVF-Flat."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qsearch.cli import main
from qsearch.exceptions import ProblemError
from qsearch.retrieval.evaluation import evaluate_retrieval
from qsearch.retrieval.probe_curve import PROBE_COLUMNS, recall_vs_n_probe, write_probe_curve


@pytest.fixture(scope="module")
def curve() -> pd.DataFrame:
    return recall_vs_n_probe("digits", k=10, n_queries=60, seed=3)


def test_curve_rises_to_exact_recall(curve: pd.DataFrame) -> None:
    assert tuple(curve.columns) == PROBE_COLUMNS
    assert list(curve["n_probe"]) == [1, 2, 4, 8, 16, 32, 42]  # nlist = round(√(1797 − 60))
    recall = curve["recall"].to_numpy()
    assert np.all(np.diff(recall) >= 0)  # a superset of buckets never loses a true neighbour
    assert recall[-1] == 1.0 and recall[0] < 1.0
    assert np.all(np.diff(curve["items_scanned"]) > 0)
    assert curve["items_scanned"].iloc[-1] == 1797 - 60


def test_estimate_and_faiss_track_the_measured_recall(curve: pd.DataFrame) -> None:
    assert np.all(np.abs(curve["expected_recall"] - curve["recall"]) < 0.1)
    assert curve["faiss_ivf_recall"].notna().all()
    assert np.all(np.abs(curve["faiss_ivf_recall"] - curve["recall"]) < 0.1)


def test_the_curve_uses_evaluate_retrievals_split_and_index() -> None:
    table = evaluate_retrieval(
        "digits",
        k=5,
        n_probe=2,
        n_queries=30,
        include_lsh=False,
        include_ann=False,
        scaling_buckets=None,
        seed=4,
    ).table
    classical = table.loc[table["method"] == "qsearch IVF k-means [classical]", "recall"].item()
    curve = recall_vs_n_probe("digits", k=5, n_probes=[2], n_queries=30, seed=4)
    assert curve["recall"].item() == pytest.approx(classical)


def test_write_probe_curve(curve: pd.DataFrame, tmp_path: Path) -> None:
    csv, png = write_probe_curve(curve, tmp_path / "c.csv", tmp_path / "sub" / "c.png")
    pd.testing.assert_frame_equal(pd.read_csv(csv), curve, check_dtype=False)
    assert png.stat().st_size > 10_000


def test_bad_arguments() -> None:
    with pytest.raises(ProblemError, match="'n_probes' argument of recall_vs_n_probe"):
        recall_vs_n_probe("digits", n_buckets=8, n_probes=[1, 9])
    with pytest.raises(ProblemError, match="n_queries"):
        recall_vs_n_probe("digits", n_queries=1797)


def test_cli_evaluate_writes_the_curve(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    args = ["evaluate", "--dataset", "digits", "--k", "3", "--queries", "8", "--no-ann"]
    assert main([*args, "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "recall@3 vs n_probe" in out and "expected_recall" in out
    table = pd.read_csv(tmp_path / "digits_n_probe.csv")
    assert tuple(table.columns) == PROBE_COLUMNS and table["recall"].iloc[-1] == 1.0
    assert (tmp_path / "digits_n_probe.png").is_file()
    assert main([*args, "--out", str(tmp_path / "skip"), "--no-probe-curve"]) == 0
    assert not (tmp_path / "skip" / "digits_n_probe.csv").exists()
