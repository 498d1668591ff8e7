"""BucketIndex: balanced k-means, LSH, predicates and their build cost, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qsearch.exceptions import ProblemError
from qsearch.problem import SearchProblem
from qsearch.retrieval.buckets import BucketIndex, BucketProblem, capacity_assign, kmeans
from qsearch.retrieval.retrieve import exact_knn


def blobs(
    n_per: int, centers: np.ndarray, scale: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.concatenate(
        [c + scale * rng.standard_normal((n_per, centers.shape[1])) for c in centers]
    )
    return x.astype(np.float32), np.repeat(np.arange(len(centers)), n_per)


@pytest.fixture(scope="module")
def gaussian() -> np.ndarray:
    return np.random.default_rng(5).standard_normal((1200, 24)).astype(np.float32)


@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
def test_kmeans_recovers_separated_clusters(metric: str) -> None:
    centers = 20.0 * np.eye(6, 10)
    x, truth = blobs(50, centers, 1.0, seed=1)
    index = BucketIndex(6, metric=metric, max_bucket_qubits=7, seed=3).fit(x)
    # the partition equals the blob labels up to renaming
    pairs = set(zip(truth.tolist(), index.assignments_.tolist(), strict=True))
    assert len(pairs) == 6
    np.testing.assert_array_equal(index.bucket_sizes_, np.full(6, 50))


@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
def test_fitted_attributes_and_capacity(gaussian: np.ndarray, metric: str) -> None:
    index = BucketIndex(8, metric=metric, max_bucket_qubits=8, seed=0).fit(gaussian)
    assert index.centroids_.shape == (8, 24)
    assert index.assignments_.shape == (1200,)
    assert index.bucket_sizes_.sum() == 1200
    assert index.bucket_sizes_.max() <= 256
    np.testing.assert_array_equal(np.bincount(index.assignments_, minlength=8), index.bucket_sizes_)
    if metric == "cosine":
        np.testing.assert_allclose(np.linalg.norm(index.centroids_, axis=1), 1.0, atol=1e-5)
        np.testing.assert_allclose(np.linalg.norm(index.vectors_, axis=1), 1.0, atol=1e-5)


def test_capacity_binds_on_an_unbalanced_mixture() -> None:
    # 900 points in one tight cluster and 100 in another: plain k-means would be unbalanced
    centers = np.array([[0.0, 0.0, 0.0], [50.0, 0.0, 0.0]])
    rng = np.random.default_rng(2)
    x = np.concatenate([rng.normal(size=(900, 3)), centers[1] + rng.normal(size=(100, 3))])
    index = BucketIndex(4, metric="euclidean", max_bucket_qubits=8, seed=1).fit(x)
    assert index.bucket_sizes_.max() <= 256
    assert index.bucket_sizes_.sum() == 1000
    # 900 points cannot fit in 3 buckets of 256: the big cluster fills three and spills into
    # the far cluster's bucket, which keeps all of its own 100 points (they are nearest to it)
    assert sorted(index.bucket_sizes_.tolist()) == [232, 256, 256, 256]
    assert len(set(index.assignments_[900:].tolist())) == 1


def test_capacity_assign_is_nearest_when_capacity_does_not_bind(gaussian: np.ndarray) -> None:
    centroids = gaussian[:10]
    labels = capacity_assign(gaussian, centroids, capacity=len(gaussian))
    d = ((gaussian[:, None, :] - centroids[None]) ** 2).sum(-1)
    np.testing.assert_array_equal(labels, d.argmin(axis=1))
    tight = capacity_assign(gaussian, centroids, capacity=120)
    np.testing.assert_array_equal(np.bincount(tight, minlength=10), np.full(10, 120))


def test_kmeans_and_fit_are_reproducible(gaussian: np.ndarray) -> None:
    a = kmeans(gaussian, 5, seed=9)
    np.testing.assert_array_equal(a, kmeans(gaussian, 5, seed=9))
    i1 = BucketIndex(6, seed=4).fit(gaussian)
    i2 = BucketIndex(6, seed=np.random.default_rng(4)).fit(gaussian)
    np.testing.assert_array_equal(i1.assignments_, i2.assignments_)


@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
def test_k_predicate_marks_the_exact_top_k_when_every_bucket_is_probed(
    gaussian: np.ndarray, metric: str
) -> None:
    index = BucketIndex(6, metric=metric, max_bucket_qubits=9, seed=0).fit(gaussian)
    query = gaussian[7] + 0.1
    problems = index.problem_for(query, k=9, n_probe=6)
    assert all(isinstance(p, BucketProblem) for p in problems)
    assert all(isinstance(p.problem, SearchProblem) for p in problems)
    marked = np.concatenate([p.global_ids(p.problem.marked) for p in problems])
    truth, _ = exact_knn(gaussian, query, 9, metric=metric)
    assert sorted(marked.tolist()) == sorted(truth[0].tolist())
    # building each oracle evaluated the predicate on every item of its bucket
    assert [p.problem.build_cost for p in problems] == [p.problem.num_items for p in problems]
    assert sum(p.problem.num_items for p in problems) == 1200
    assert [p.rank for p in problems] == list(range(6))


def test_threshold_predicate_matches_brute_force(gaussian: np.ndarray) -> None:
    index = BucketIndex(4, metric="cosine", max_bucket_qubits=9, seed=0).fit(gaussian)
    query = gaussian[3]
    unit = gaussian / np.linalg.norm(gaussian, axis=1, keepdims=True)
    sims = unit @ (query / np.linalg.norm(query))
    problems = index.problem_for(query, threshold=0.3, n_probe=4)
    marked = np.concatenate([p.global_ids(p.problem.marked) for p in problems])
    assert sorted(marked.tolist()) == np.flatnonzero(sims >= 0.3).tolist()
    both = index.problem_for(query, threshold=0.3, k=2, n_probe=4)
    assert sum(p.problem.num_marked for p in both) == 2


def test_route_orders_buckets_by_centroid_distance(gaussian: np.ndarray) -> None:
    index = BucketIndex(5, metric="euclidean", seed=0).fit(gaussian)
    query = gaussian[0]
    order, comparisons = index.route(query, n_probe=5)
    d = ((index.centroids_ - query) ** 2).sum(axis=1)
    np.testing.assert_array_equal(order, np.argsort(d, kind="stable"))
    assert comparisons == 5
    first = index.problem_for(query, k=1)[0]
    assert first.bucket == order[0]


def test_lsh_bit_disagreement_follows_the_angle() -> None:
    # Charikar 2002: a random hyperplane separates u and v with probability θ/π.
    theta = 1.0
    u = np.array([1.0, 0.0, 0.0, 0.0])
    v = np.array([math.cos(theta), math.sin(theta), 0.0, 0.0])
    x = np.stack([u, v, -u, -v])
    bits = 4096
    index = BucketIndex(2, method="lsh", n_bits=bits, max_bucket_qubits=2, seed=11).fit(x)
    hamming = index.scores(index.prepare_query(u), np.array([1]))[0]
    p = theta / math.pi
    assert abs(hamming - bits * p) <= 5 * math.sqrt(bits * p * (1 - p)) + 1
    # antipodal vectors disagree on every hyperplane
    assert index.scores(index.prepare_query(u), np.array([2]))[0] == bits


def test_lsh_buckets_are_code_prefixes_and_the_predicate_is_hamming(gaussian: np.ndarray) -> None:
    index = BucketIndex(8, method="lsh", n_bits=32, max_bucket_qubits=10, seed=2).fit(gaussian)
    bits = np.unpackbits(index.codes_, axis=1)[:, :32]
    prefix = bits[:, :3] @ np.array([4, 2, 1])
    np.testing.assert_array_equal(index.bucket_codes_[index.assignments_], prefix)
    query = gaussian[10]
    problems = index.problem_for(query, threshold=12, n_probe=index.n_buckets_)
    q_bits = bits[10]
    hamming = (bits != q_bits).sum(axis=1)
    marked = np.concatenate([p.global_ids(p.problem.marked) for p in problems])
    assert sorted(marked.tolist()) == np.flatnonzero(hamming <= 12).tolist()
    assert index.score_name == "hamming" and not index.higher_is_better


def test_lsh_splits_buckets_above_capacity() -> None:
    x = np.tile([1.0, 2.0, 3.0], (40, 1)) + 1e-3 * np.arange(40)[:, None]
    index = BucketIndex(2, method="lsh", max_bucket_qubits=3, seed=0).fit(x)
    assert index.bucket_sizes_.max() <= 8
    assert index.bucket_sizes_.sum() == 40
    assert index.n_buckets_ >= 5


# -- bad input --------
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "ivfpq"}, r"'method'.*\['kmeans', 'lsh'\].*'ivfpq'"),
        ({"metric": "manhattan"}, r"'metric'.*'manhattan'"),
        ({"max_bucket_qubits": -1}, r"'max_bucket_qubits'.*>= 0; got -1"),
        ({"max_bucket_qubits": 31}, r"'max_bucket_qubits'.*<= 30"),
        ({"seed": -3}, r"'seed'"),
    ],
)
def test_bad_constructor_arguments(kwargs: dict, match: str) -> None:
    with pytest.raises(ProblemError, match=match):
        BucketIndex(4, **kwargs)


def test_bad_bucket_counts() -> None:
    with pytest.raises(ProblemError, match=r"'n_buckets'.*>= 1; got 0"):
        BucketIndex(0)
    with pytest.raises(ProblemError, match=r"'n_buckets'.*power of two.*got 6"):
        BucketIndex(6, method="lsh")
    with pytest.raises(ProblemError, match=r"'n_buckets'.*<= the number of items \(3\); got 4"):
        BucketIndex(4).fit(np.eye(3))
    with pytest.raises(ProblemError, match=r"100 items do not fit in 2 buckets of at most 2\^4"):
        BucketIndex(2, max_bucket_qubits=4).fit(np.random.default_rng(0).normal(size=(100, 3)))


@pytest.mark.parametrize(
    ("X", "match"),
    [
        (np.array([[1.0, np.nan], [0.0, 1.0]]), r"'X'.*finite.*row 0"),
        (np.array([[1.0, 2.0], [np.inf, 1.0]]), r"'X'.*finite.*row 1"),
        (np.array([[1.0, 2.0], [0.0, 0.0]]), r"'X'.*zero vectors under the cosine.*row 1"),
        (np.zeros((0, 4)), r"'X'.*must not be empty"),
        (np.ones(4), r"'X'.*shape \(n, d\)"),
        ([["a", "b"]], r"'X'.*numeric"),
    ],
)
def test_bad_vectors(X: object, match: str) -> None:
    with pytest.raises(ProblemError, match=match):
        BucketIndex(1).fit(X)


def test_zero_vector_is_fine_under_euclidean() -> None:
    index = BucketIndex(1, metric="euclidean").fit(np.array([[0.0, 0.0], [1.0, 1.0]]))
    assert index.bucket_sizes_.tolist() == [2]


def test_bad_queries(gaussian: np.ndarray) -> None:
    index = BucketIndex(4, seed=0).fit(gaussian)
    with pytest.raises(ProblemError, match=r"'query'.*24 columns.*got 5"):
        index.problem_for(np.ones(5), k=1)
    with pytest.raises(ProblemError, match=r"'query'.*finite"):
        index.problem_for(np.full(24, np.nan), k=1)
    with pytest.raises(ProblemError, match=r"'query'.*zero vectors"):
        index.problem_for(np.zeros(24), k=1)
    with pytest.raises(ProblemError, match=r"'k'.*<= the number of items \(1200\); got 1201"):
        index.problem_for(gaussian[0], k=1201)
    with pytest.raises(ProblemError, match=r"'n_probe'.*<= the number of buckets \(4\); got 5"):
        index.problem_for(gaussian[0], k=1, n_probe=5)
    with pytest.raises(ProblemError, match=r"'threshold'.*\[-1, 1\]; got 2"):
        index.problem_for(gaussian[0], threshold=2)
    with pytest.raises(ProblemError, match=r"needs a predicate"):
        index.problem_for(gaussian[0])
    with pytest.raises(ProblemError, match=r"fitted"):
        BucketIndex(2).problem_for(gaussian[0], k=1)
