"""evaluate_retrieval: recall against exact search, the cost columns, the scaling conclusion."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qsearch.cli import main
from qsearch.exceptions import ProblemError
from qsearch.retrieval.evaluation import COLUMNS, RetrievalEvaluation, evaluate_retrieval

HAS_FAISS = importlib.util.find_spec("faiss") is not None
HAS_HNSWLIB = importlib.util.find_spec("hnswlib") is not None


@pytest.fixture(scope="module")
def digits_eval() -> RetrievalEvaluation:
    return evaluate_retrieval("digits", k=5, n_queries=24, n_probe=4, seed=3)


def _row(result: RetrievalEvaluation, prefix: str) -> pd.Series:
    rows = result.table[result.table["method"].str.startswith(prefix)]
    assert len(rows) == 1, prefix
    return rows.iloc[0]


def test_table_columns_and_exact_baseline(digits_eval: RetrievalEvaluation) -> None:
    assert list(digits_eval.table.columns) == list(COLUMNS)
    exact = _row(digits_eval, "exact brute force")
    assert exact.recall == 1.0
    assert exact.distance_computations == digits_eval.params["num_items"] == 1797 - 24


def test_quantum_and_classical_pipelines_share_buckets_and_recall(
    digits_eval: RetrievalEvaluation,
) -> None:
    classical = _row(digits_eval, "qsearch IVF k-means [classical]")
    quantum = _row(digits_eval, "qsearch IVF k-means [ideal]")
    assert quantum.recall == classical.recall
    assert 0.5 < classical.recall <= 1.0
    # routing is its own column (it was inside "build"), the same for both pipelines ...
    assert quantum.routing_queries == classical.routing_queries == digits_eval.params["n_buckets"]
    assert classical.build_queries == 0
    # ... and the quantum build is exactly the classical scan (N_b per probed bucket) ...
    assert quantum.build_queries == pytest.approx(classical.verify_queries)
    assert classical.distance_computations == classical.routing_queries + classical.verify_queries
    assert quantum.total_queries == pytest.approx(
        quantum.oracle_queries
        + quantum.verify_queries
        + quantum.routing_queries
        + quantum.build_queries
    )
    text = digits_eval.format()
    assert f"costs {quantum.build_queries:.0f} predicate evaluations (both" in text
    # ... so the quantum total exceeds it by the search queries: the honest conclusion
    assert quantum.total_queries > classical.total_queries
    assert 0 < quantum.oracle_queries < classical.verify_queries
    assert classical.oracle_queries == 0


def test_scaling_fit_shows_sqrt_search_and_linear_build(
    digits_eval: RetrievalEvaluation,
) -> None:
    fits = digits_eval.fits
    assert 0.35 < fits["search"].slope < 0.65
    assert fits["search"].slope_low < 0.5 + 0.15 and fits["search"].slope_high > 0.5 - 0.15
    assert fits["build"].slope == pytest.approx(1.0, abs=0.02)
    sizes = digits_eval.scaling["mean_bucket_size"].to_numpy()
    assert np.all(np.diff(sizes) < 0)  # more buckets, smaller buckets
    text = digits_eval.format()
    assert "Conclusion" in text and "grows as √N_b, slower than a scan" in text
    assert "build cost grows as" in text and "shrink" not in text


@pytest.mark.skipif(not (HAS_FAISS and HAS_HNSWLIB), reason="needs the [ann] extra")
def test_ann_rows(digits_eval: RetrievalEvaluation) -> None:
    assert _row(digits_eval, "faiss flat").recall == 1.0
    ivf = _row(digits_eval, "faiss IVF-Flat")
    n_items, nlist = digits_eval.params["num_items"], digits_eval.params["n_buckets"]
    assert nlist < ivf.distance_computations < nlist + n_items
    assert ivf.recall > 0.5
    hnsw = _row(digits_eval, "faiss HNSW")
    assert hnsw.recall > 0.9 and 0 < hnsw.distance_computations < n_items
    hnswlib_row = _row(digits_eval, "hnswlib HNSW")
    assert hnswlib_row.recall > 0.9 and math.isnan(hnswlib_row.distance_computations)


def test_probing_every_bucket_gives_full_recall() -> None:
    x = np.random.default_rng(1).standard_normal((300, 8)).astype(np.float32)
    result = evaluate_retrieval(
        x,
        k=4,
        n_buckets=5,
        n_probe=5,
        n_queries=10,
        include_lsh=False,
        include_ann=False,
        scaling_buckets=None,
        seed=0,
    )
    assert result.table["recall"].tolist() == [1.0, 1.0, 1.0]
    assert len(result.scaling) == 0 and result.fits == {}


def test_csv_and_png(digits_eval: RetrievalEvaluation, tmp_path: Path) -> None:
    csv = digits_eval.to_csv(tmp_path / "out" / "e.csv")
    frame = pd.read_csv(csv)
    assert set(digits_eval.table["method"]) <= set(frame["method"])
    assert (frame["method"] == "scaling").sum() == len(digits_eval.scaling)
    png = digits_eval.plot(tmp_path / "out" / "e.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_queries": 1797}, r"'n_queries'.*below the number of items \(1797\); got 1797"),
        ({"k": 2000}, r"'k'.*<= the indexed items"),
        ({"n_buckets": 4, "n_probe": 5}, r"'n_probe'.*<= n_buckets \(4\); got 5"),
        ({"n_buckets": 5000}, r"'n_buckets'.*got 5000"),
    ],
)
def test_bad_arguments(kwargs: dict, match: str) -> None:
    with pytest.raises(ProblemError, match=match):
        evaluate_retrieval("digits", include_ann=False, scaling_buckets=None, **kwargs)


def test_unknown_dataset() -> None:
    with pytest.raises(ProblemError, match=r"\['digits', 'stdlib-docstrings'\]"):
        evaluate_retrieval("mnist")


def test_cli_evaluate_writes_csv_and_png(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code = main(
        [
            "evaluate",
            "--dataset",
            "digits",
            "--k",
            "3",
            "--queries",
            "8",
            "--no-ann",
            "--out",
            str(tmp_path),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "recall@k" in out and "Conclusion" in out
    assert (tmp_path / "digits.csv").is_file() and (tmp_path / "digits.png").is_file()


def test_cli_errors_are_clean(capsys: pytest.CaptureFixture) -> None:
    assert main(["evaluate", "--dataset", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("qsearch: error:") and "['digits', 'stdlib-docstrings']" in err
    assert "Traceback" not in err
