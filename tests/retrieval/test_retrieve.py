"""retrieve(): hits equal to exact search, the bill, quantum vs classical on the same buckets."""

from __future__ import annotations

import numpy as np
import pytest

from qsearch.exceptions import ProblemError
from qsearch.retrieval.buckets import BucketIndex
from qsearch.retrieval.retrieve import Hits, exact_knn, expected_bills, retrieve, smallest_k
from qsearch.schedules import optimal_iterations


@pytest.fixture(scope="module")
def points() -> np.ndarray:
    return np.random.default_rng(3).standard_normal((600, 16)).astype(np.float32)


@pytest.fixture(scope="module")
def index(points: np.ndarray) -> BucketIndex:
    texts = [f"item {i}" for i in range(len(points))]
    return BucketIndex(6, metric="cosine", max_bucket_qubits=8, seed=1).fit(points, texts=texts)


# -- exact search --------
@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
def test_exact_knn_matches_a_naive_sort(points: np.ndarray, metric: str) -> None:
    queries = points[:7] + 0.05
    ids, scores = exact_knn(points, queries, 5, metric=metric)
    for q, row_ids, row_scores in zip(queries, ids, scores, strict=True):
        if metric == "cosine":
            s = points @ q / np.linalg.norm(points, axis=1) / np.linalg.norm(q)
            naive = np.lexsort((np.arange(len(s)), -s))[:5]
        else:
            s = np.linalg.norm(points - q, axis=1)
            naive = np.lexsort((np.arange(len(s)), s))[:5]
        np.testing.assert_array_equal(row_ids, naive)
        np.testing.assert_allclose(row_scores, s[naive], rtol=1e-4, atol=1e-4)


def test_exact_knn_breaks_ties_by_lower_index() -> None:
    x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [2.0, 0.0]])
    ids, _ = exact_knn(x, np.array([1.0, 0.0]), 3, metric="cosine")
    assert ids[0].tolist() == [0, 2, 3]
    ids, _ = exact_knn(x, np.array([1.0, 0.0]), 4, metric="euclidean")
    assert ids[0].tolist() == [0, 2, 3, 1]  # distances 0, 0, 1, √2


@pytest.mark.parametrize(("n", "k"), [(100_000, 10), (65_537, 7), (40_000, 20), (300, 5)])
def test_smallest_k_is_exact_with_ties_and_tails(n: int, k: int) -> None:
    rng = np.random.default_rng(n)
    d = rng.standard_normal((6, n)).astype(np.float32)
    d[0] = np.round(d[0], 1)  # many ties at the k-th value
    d[1] = np.round(d[1])  # massive ties
    d[2, -3:] = -50.0  # winners in the short tail group
    d[3, ::7] = -5.0  # k-way ties among the winners
    ids, vals = smallest_k(d, k)
    for row in range(6):
        expected = np.lexsort((np.arange(n), d[row]))[:k]
        np.testing.assert_array_equal(ids[row], expected)
        np.testing.assert_array_equal(vals[row], d[row, expected])


def test_exact_knn_bad_input(points: np.ndarray) -> None:
    with pytest.raises(ProblemError, match=r"'k'.*<= the number of items \(600\); got 601"):
        exact_knn(points, points[0], 601)
    with pytest.raises(ProblemError, match=r"'queries'.*16 columns.*got 3"):
        exact_knn(points, np.ones(3), 1)
    with pytest.raises(ProblemError, match=r"'metric'"):
        exact_knn(points, points[0], 1, metric="l1")


# -- retrieval: answers --------
@pytest.mark.parametrize("backend", ["ideal", "classical"])
def test_probing_every_bucket_returns_the_exact_top_k(
    index: BucketIndex, points: np.ndarray, backend: str
) -> None:
    query = points[11] + 0.2
    hits = retrieve(index, query, k=7, n_probe=6, backend=backend, algorithm="grover", seed=5)
    truth, scores = exact_knn(points, query, 7)
    np.testing.assert_array_equal(hits.ids, truth[0])
    np.testing.assert_allclose(hits.scores, scores[0], atol=1e-5)
    assert hits.texts == tuple(f"item {i}" for i in truth[0])
    assert hits.complete and isinstance(hits, Hits) and len(hits) == 7


def test_quantum_and_classical_agree_on_the_same_buckets(
    index: BucketIndex, points: np.ndarray
) -> None:
    for i in range(5):
        q = points[100 + i]
        quantum = retrieve(index, q, k=4, n_probe=2, algorithm="grover", seed=i)
        classical = retrieve(index, q, k=4, n_probe=2, backend="classical")
        np.testing.assert_array_equal(quantum.ids, classical.ids)


def test_threshold_retrieval_with_exponential_search_finds_every_match(
    index: BucketIndex, points: np.ndarray
) -> None:
    query = points[40]
    hits = retrieve(index, query, threshold=0.45, n_probe=6, algorithm="exponential", seed=2)
    unit = points / np.linalg.norm(points, axis=1, keepdims=True)
    sims = unit @ (query / np.linalg.norm(query))
    expected = np.flatnonzero(sims >= 0.45)
    assert sorted(hits.ids.tolist()) == expected.tolist()
    assert hits.algorithm == "exponential" and hits.complete
    assert np.all(np.diff(hits.scores) <= 0)  # best first


def test_minimum_finding_top_k_and_its_bill(index: BucketIndex, points: np.ndarray) -> None:
    query = points[60]
    hits = retrieve(index, query, k=3, n_probe=1, algorithm="minimum", seed=4)
    (bp,) = index.problem_for(query, k=3, n_probe=1)
    expected = bp.global_ids(bp.problem.marked)
    assert sorted(hits.ids.tolist()) == sorted(expected.tolist())
    row = hits.buckets[0]
    size = bp.problem.num_items
    # the scores cost N_b; top_k's threshold oracles N_b each, on their own line of the bill
    assert row["build"] == hits.cost["build_predicates"] == size
    assert row["threshold_build"] == hits.cost["threshold_oracles"] == size * row["thresholds"]
    assert row["thresholds"] >= 1
    assert hits.queries.build == hits.centroid_comparisons + size * (1 + row["thresholds"])
    assert f"threshold oracles ({row['thresholds']} rebuilt x N_b)" in hits.format()
    assert hits.queries.oracle == row["oracle"] > 0


@pytest.mark.parametrize(("k", "threshold"), [(3, None), (None, 0.55)])
def test_auto_picks_the_algorithm_with_the_smallest_measured_bill(
    index: BucketIndex, points: np.ndarray, k: int | None, threshold: float | None
) -> None:
    """Minimum finding's bill was ten times Grover's and auto picked it (issue 13 item 7)."""
    query = points[0]
    names = ["grover", "exponential"] + (["minimum"] if threshold is None else [])
    measured = {
        name: np.mean(
            [
                retrieve(
                    index, query, k=k, threshold=threshold, algorithm=name, seed=s
                ).queries.total
                for s in range(6)
            ]
        )
        for name in names
    }
    auto = retrieve(index, query, k=k, threshold=threshold, seed=1)
    assert auto.algorithm == min(measured, key=measured.__getitem__) == "grover"
    assert auto.choice is not None and auto.choice.startswith("auto chose grover")
    assert all(name in auto.choice for name in names)
    assert auto.choice in auto.format()


def test_expected_grover_bill_matches_the_measured_mean(
    index: BucketIndex, points: np.ndarray
) -> None:
    query = points[3]
    problems = index.problem_for(query, k=4, n_probe=2)
    (expected,) = expected_bills(problems, 4, ["grover"]).values()
    bills = [
        retrieve(index, query, k=4, n_probe=2, algorithm="grover", seed=s).queries
        for s in range(300)
    ]
    mean = np.mean([b.total for b in bills]) - 6  # minus routing (6 buckets)
    sem = np.std([b.total for b in bills]) / np.sqrt(len(bills))
    assert abs(mean - expected) < 5 * sem + 1e-9


def test_lsh_retrieval_returns_hamming_neighbours(points: np.ndarray) -> None:
    lsh = BucketIndex(4, method="lsh", n_bits=16, max_bucket_qubits=9, seed=3).fit(points)
    query = points[5]
    hits = retrieve(lsh, query, k=5, n_probe=lsh.n_buckets_, algorithm="grover", seed=1)
    classical = retrieve(lsh, query, k=5, n_probe=lsh.n_buckets_, backend="classical")
    np.testing.assert_array_equal(hits.ids, classical.ids)
    assert hits.ids[0] == 5 and hits.scores[0] == 0.0  # the item itself: Hamming distance 0
    assert hits.score_name == "hamming" and np.all(np.diff(hits.scores) >= 0)


# -- retrieval: the bill --------
def test_classical_bill_is_routing_plus_a_scan(index: BucketIndex, points: np.ndarray) -> None:
    hits = retrieve(index, points[9], k=3, n_probe=2, backend="classical")
    sizes = [row["size"] for row in hits.buckets]
    assert hits.queries.oracle == 0
    assert hits.queries.verify == sum(sizes)
    assert hits.queries.build == hits.centroid_comparisons == 6
    assert hits.backend == "classical" and hits.algorithm == "scan"


def test_quantum_bill_adds_up_per_bucket(index: BucketIndex, points: np.ndarray) -> None:
    hits = retrieve(index, points[9], k=3, n_probe=3, algorithm="grover", seed=7)
    rows = hits.buckets
    assert hits.queries.oracle == sum(r["oracle"] for r in rows)
    assert hits.queries.verify == sum(r["verify"] for r in rows)
    assert hits.queries.build == sum(r["size"] for r in rows) + hits.centroid_comparisons
    assert hits.cost["build_predicates"] == sum(r["size"] for r in rows)
    assert sum(r["found"] for r in rows) == sum(r["marked"] for r in rows) == 3
    assert "oracle queries" in hits.format() and "total" in hits.format()


def test_grover_with_one_match_spends_optimal_iterations_per_attempt(
    index: BucketIndex, points: np.ndarray
) -> None:
    # k = 1, one bucket: one marked item, so every attempt runs the optimal k iterates once
    for seed in range(10):
        hits = retrieve(index, points[200 + seed], k=1, algorithm="grover", seed=seed)
        (row,) = hits.buckets
        iterations = optimal_iterations(row["size"], 1)
        assert row["oracle"] == iterations * row["verify"]


def test_same_seed_same_bill(index: BucketIndex, points: np.ndarray) -> None:
    a = retrieve(index, points[1], k=4, n_probe=3, seed=12)
    b = retrieve(index, points[1], k=4, n_probe=3, seed=12)
    assert a.queries == b.queries
    np.testing.assert_array_equal(a.ids, b.ids)


def test_retrieval_runs_on_aer(aer: object) -> None:
    x = np.random.default_rng(0).standard_normal((24, 4)).astype(np.float32)
    small = BucketIndex(2, max_bucket_qubits=4, seed=0).fit(x)
    hits = retrieve(small, x[3], k=2, backend=aer, algorithm="grover", seed=3)
    classical = retrieve(small, x[3], k=2, backend="classical")
    np.testing.assert_array_equal(hits.ids, classical.ids)
    assert hits.backend.startswith("aer")


# -- bad input --------
def test_bad_retrieval_arguments(index: BucketIndex, points: np.ndarray) -> None:
    with pytest.raises(ProblemError, match=r"'index'.*BucketIndex; got ndarray"):
        retrieve(points, points[0], k=1)  # type: ignore[arg-type]
    with pytest.raises(ProblemError, match=r"'index'.*fitted"):
        retrieve(BucketIndex(2), points[0], k=1)
    with pytest.raises(ProblemError, match=r"'algorithm'.*'magic'"):
        retrieve(index, points[0], k=1, algorithm="magic")
    with pytest.raises(ProblemError, match=r"'minimum' with a threshold"):
        retrieve(index, points[0], threshold=0.5, algorithm="minimum")
    with pytest.raises(ProblemError, match=r"'query'.*16 columns"):
        retrieve(index, np.ones(3), k=1)
    with pytest.raises(ProblemError, match=r"'k'.*got 601"):
        retrieve(index, points[0], k=601)
    with pytest.raises(ProblemError, match=r"'n_probe'.*got 7"):
        retrieve(index, points[0], k=1, n_probe=7)


# -- CLI ------------------------------------------------------------------------------------------
def test_cli_retrieve_prints_hits_and_bill(capsys: pytest.CaptureFixture) -> None:
    from qsearch.cli import main

    code = main(["retrieve", "--dataset", "stdlib-docstrings", "--query", "17", "--k", "3"])
    out = capsys.readouterr().out
    assert code == 0
    lines = [line.split() for line in out.splitlines() if line[:4].strip().isdigit()]
    assert [int(parts[0]) for parts in lines] == [1, 2, 3]
    assert all(int(parts[1]) != 17 for parts in lines)  # the query item is not its own hit
    assert "centroid comparisons" in out and "oracle queries" in out and "total" in out


def test_cli_retrieve_classical_on_digits(capsys: pytest.CaptureFixture) -> None:
    from qsearch.cli import main

    assert main(["retrieve", "--dataset", "digits", "--query", "0", "--backend", "classical"]) == 0
    out = capsys.readouterr().out
    assert "bill (classical, scan)" in out and "label 0" in out


def test_cli_retrieve_bad_queries(capsys: pytest.CaptureFixture) -> None:
    from qsearch.cli import main

    assert main(["retrieve", "--dataset", "digits", "--query", "a seven"]) == 2
    assert "must be an item id" in capsys.readouterr().err
    assert main(["retrieve", "--dataset", "digits", "--query", "5000"]) == 2
    assert "[0, 1797)" in capsys.readouterr().err
