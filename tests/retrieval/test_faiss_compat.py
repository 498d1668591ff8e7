"""FAISS habits of BucketIndex: batch search, expected recall and its warning, save/load."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from qsearch.exceptions import ProblemError, QSearchWarning
from qsearch.retrieval.buckets import BucketIndex
from qsearch.retrieval.data.datasets import load
from qsearch.retrieval.faiss_compat import FORMAT_VERSION, LOW_RECALL
from qsearch.retrieval.retrieve import exact_knn

faiss = pytest.importorskip("faiss")


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, np.ndarray]:
    """(indexed items, held-out queries) of the digits set (64 integer pixel features)."""
    x = load("digits").vectors
    return x[150:], x[:150]


@pytest.fixture(scope="module")
def ivf(digits) -> BucketIndex:
    return BucketIndex(40, metric="euclidean", max_bucket_qubits=7, seed=0).fit(digits[0])


def _agree_up_to_ties(items, queries, d, ids, other_ids) -> None:
    """Same neighbours: equal true distances, and equal id sets strictly inside the k-th."""
    for q, row_d, mine, theirs in zip(queries, d, ids, other_ids, strict=True):
        true = ((items[theirs].astype(np.float64) - q) ** 2).sum(axis=1)
        np.testing.assert_array_equal(np.sort(true), row_d)
        inner = row_d < row_d[-1]
        assert set(mine[inner]) == set(theirs[true < row_d[-1]])


def test_probing_every_bucket_equals_exact_knn_and_faiss_flat_l2(digits, ivf):
    items, queries = digits
    d, ids = ivf.search(queries, 10, n_probe=ivf.n_buckets_)
    assert d.shape == ids.shape == (150, 10) and ids.dtype == np.int64
    assert np.all(np.diff(d, axis=1) >= 0)
    exact_ids, exact_dist = exact_knn(items, queries, 10, metric="euclidean")
    np.testing.assert_array_equal(ids, exact_ids)  # both break ties by the lower id
    np.testing.assert_allclose(d, exact_dist**2, rtol=1e-6)
    flat = faiss.IndexFlatL2(items.shape[1])
    flat.add(items)
    faiss_d, faiss_ids = flat.search(queries, 10)
    np.testing.assert_allclose(d, faiss_d, rtol=1e-6)  # squared L2, as FAISS reports it
    _agree_up_to_ties(items, queries, d, ids, faiss_ids)


def test_cosine_index_reports_squared_distances_of_unit_vectors(digits):
    items, queries = digits
    index = BucketIndex(32, metric="cosine", max_bucket_qubits=7, seed=1).fit(items)
    d, ids = index.search(queries, 5, n_probe=32)
    exact_ids, cosines = exact_knn(items, queries, 5, metric="cosine")
    np.testing.assert_allclose(d, 2 - 2 * cosines, atol=1e-5)
    unit = items / np.linalg.norm(items, axis=1, keepdims=True)
    flat = faiss.IndexFlatL2(items.shape[1])
    flat.add(unit.astype(np.float32))
    _, faiss_ids = flat.search(queries / np.linalg.norm(queries, axis=1, keepdims=True), 5)
    assert np.mean(ids == faiss_ids) > 0.99 and np.mean(ids == exact_ids) > 0.99  # float ties


def test_partial_probe_returns_the_buckets_retrieve_searches(digits, ivf):
    _, queries = digits
    _, ids = ivf.search(queries[:30], 10, n_probe=3)
    for q, row in zip(queries[:30], ids, strict=True):
        problems = ivf.problem_for(q, k=10, n_probe=3)
        marked = np.concatenate([bp.global_ids(bp.problem.marked) for bp in problems])
        assert set(marked.tolist()) == set(row.tolist())


def test_fewer_items_than_k_are_padded_faiss_style():
    x = np.random.default_rng(0).normal(size=(40, 6)).astype(np.float32)
    index = BucketIndex(4, metric="euclidean", max_bucket_qubits=5, seed=0).fit(x)
    k = 30
    d, ids = index.search(x[0], k, n_probe=1, warn=False)
    size = int(index.bucket_sizes_[index.route(x[0])[0][0]])
    assert d.shape == (1, k) and size < k
    assert np.all(ids[0, size:] == -1) and np.all(np.isinf(d[0, size:]))
    assert np.all(ids[0, :size] >= 0) and ids[0, 0] == 0 and d[0, 0] == 0.0


def test_expected_recall_tracks_measured_recall(digits, ivf):
    items, queries = digits
    exact_ids, _ = exact_knn(items, queries, 10, metric="euclidean")
    curve = [ivf.expected_recall(p, 10) for p in range(1, ivf.n_buckets_ + 1)]
    assert np.all(np.diff(curve) >= 0) and curve[-1] == 1.0
    for n_probe in (1, 2, 4):
        _, ids = ivf.search(queries, 10, n_probe=n_probe)
        measured = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(ids, exact_ids, strict=True)])
        assert abs(curve[n_probe - 1] - measured) < 0.08, (n_probe, curve[n_probe - 1], measured)


def test_low_n_probe_warns_with_the_estimate_and_a_remedy():
    x = np.random.default_rng(5).standard_normal((1200, 24)).astype(np.float32)
    index = BucketIndex(64, metric="euclidean", max_bucket_qubits=6, seed=0).fit(x)
    estimate = index.expected_recall(1, 10)
    assert estimate < LOW_RECALL
    with pytest.warns(QSearchWarning, match=r"n_probe=1 of 64 buckets is expected to find \d+%"):
        index.search(x[:3], 10, n_probe=1)
    enough = next(p for p in range(1, 65) if index.expected_recall(p, 10) >= LOW_RECALL)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        index.search(x[:3], 10, n_probe=1, warn=False)
        index.search(x[:3], 10, n_probe=enough)


@pytest.mark.parametrize("method", ["kmeans", "lsh"])
def test_save_load_round_trip(tmp_path: Path, method: str):
    x = np.random.default_rng(2).normal(size=(300, 12)).astype(np.float32)
    texts = [f"item {i}" for i in range(300)]
    index = BucketIndex(8, method=method, max_bucket_qubits=8, seed=4).fit(
        x, ids=np.arange(1000, 1300), texts=texts
    )
    path = index.save(tmp_path / "index")
    assert path.name == "index.npz"
    with np.load(path, allow_pickle=False) as data:  # arrays only
        assert int(data["format_version"]) == FORMAT_VERSION
    loaded = BucketIndex.load(tmp_path / "index")
    assert repr(loaded) == repr(index) and loaded.seed == 4 and loaded.texts_ == tuple(texts)
    for a, b in zip(
        index.search(x[:20], 7, n_probe=3, warn=False),
        loaded.search(x[:20], 7, n_probe=3, warn=False),
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)
    for before, after in zip(
        index.problem_for(x[5], k=4, n_probe=2),
        loaded.problem_for(x[5], k=4, n_probe=2),
        strict=True,
    ):
        assert before.problem == after.problem
        np.testing.assert_array_equal(before.ids, after.ids)
    np.testing.assert_array_equal(loaded.bucket_sizes_, index.bucket_sizes_)


def test_load_errors_are_clear(tmp_path: Path):
    with pytest.raises(FileNotFoundError):
        BucketIndex.load(tmp_path / "missing.npz")
    text = tmp_path / "notes.npz"
    text.write_text("not an index")
    with pytest.raises(ProblemError, match="not a qsearch index file"):
        BucketIndex.load(text)
    other = tmp_path / "other.npz"
    np.savez(other, a=np.arange(3))
    with pytest.raises(ProblemError, match="no kind="):
        BucketIndex.load(other)
    x = np.random.default_rng(0).normal(size=(50, 4)).astype(np.float32)
    path = BucketIndex(4, seed=0).fit(x).save(tmp_path / "ok.npz")
    with np.load(path) as data:
        arrays = dict(data)
    arrays["format_version"] = np.array(FORMAT_VERSION + 1)
    np.savez(tmp_path / "newer.npz", **arrays)
    with pytest.raises(ProblemError, match="newer than this qsearch reads"):
        BucketIndex.load(tmp_path / "newer.npz")
    del arrays["centroids_"]
    arrays["format_version"] = np.array(FORMAT_VERSION)
    np.savez(tmp_path / "partial.npz", **arrays)
    with pytest.raises(ProblemError, match="lacks the arrays"):
        BucketIndex.load(tmp_path / "partial.npz")
    with pytest.raises(ProblemError, match="needs a fitted index"):
        BucketIndex(4).save(tmp_path / "unfitted.npz")


def test_bad_search_arguments(ivf):
    with pytest.raises(ProblemError, match="'k' argument of BucketIndex.search"):
        ivf.search(np.zeros(64), 0)
    with pytest.raises(ProblemError, match="'n_probe' argument of BucketIndex.search"):
        ivf.search(np.zeros(64), 3, n_probe=ivf.n_buckets_ + 1)
    with pytest.raises(ProblemError, match="queries"):
        ivf.search(np.zeros(5), 3)
    with pytest.raises(ProblemError, match="needs a fitted index"):
        BucketIndex(4).search(np.zeros(3), 1)
