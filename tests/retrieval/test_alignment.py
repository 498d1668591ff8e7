"""Mutual k-NN alignment and CKA on cases with known answers; the cross-space experiment."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from qsearch.cli import main
from qsearch.exceptions import ProblemError
from qsearch.retrieval.alignment import (
    alignment_experiment,
    chance_mutual_knn,
    cka,
    gradient_histogram,
    knn_indices,
    mutual_knn,
)

HAS_SKLEARN = importlib.util.find_spec("sklearn") is not None


def clusters(assignment: np.ndarray, dim: int, seed: int) -> np.ndarray:
    """Tight, far-apart clusters: item i sits near the centre of cluster assignment[i]."""
    rng = np.random.default_rng(seed)
    centres = 100.0 * rng.standard_normal((assignment.max() + 1, dim))
    return centres[assignment] + 0.01 * rng.standard_normal((len(assignment), dim))


def test_identical_neighbourhoods_align_perfectly() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((150, 12))
    q, _ = np.linalg.qr(rng.standard_normal((12, 12)))
    assert mutual_knn(x, 2.5 * x @ q, k=7) == 1.0
    assert cka(x, 2.5 * x @ q) == pytest.approx(1.0, abs=1e-9)


def test_same_cluster_structure_in_different_spaces_aligns_perfectly() -> None:
    groups = np.repeat(np.arange(20), 6)  # clusters of k + 1 = 6 items
    a = clusters(groups, 8, seed=1)
    b = clusters(groups, 30, seed=2)  # other dimension, other geometry, same groups
    assert mutual_knn(a, b, k=5, metric="euclidean") == 1.0


def test_half_swapped_clusters_share_exactly_two_of_five_neighbours() -> None:
    # A's clusters: 6 consecutive items. B's clusters: 3 items from one A cluster and 3 from the
    # next, so each item keeps 2 of its 5 A-neighbours in B: m_5 = 2/5 exactly.
    n = 120
    groups_a = np.arange(n) // 6
    pair, offset = np.arange(n) // 12, np.arange(n) % 12
    groups_b = 2 * pair + ((offset % 6) >= 3)
    a = clusters(groups_a, 8, seed=3)
    b = clusters(groups_b, 8, seed=4)
    assert mutual_knn(a, b, k=5, metric="euclidean") == pytest.approx(0.4)


def test_unrelated_representations_sit_at_chance() -> None:
    rng = np.random.default_rng(5)
    n, k = 400, 10
    a, b = rng.standard_normal((n, 16)), rng.standard_normal((n, 16))
    chance = chance_mutual_knn(n, k)
    assert chance == pytest.approx(10 / 399)
    # each item's overlap is hypergeometric with mean k²/(n−1) and variance ≤ k²/(n−1):
    # the mean of n of them (÷k) has σ ≤ 1/√(n(n−1)) ≈ 0.0025; allow 5σ plus dependence slack
    assert abs(mutual_knn(a, b, k) - chance) < 0.02
    assert cka(a, b) < 0.15


def test_knn_indices_exclude_the_item_itself() -> None:
    x = np.random.default_rng(6).standard_normal((50, 4)).astype(np.float32)
    nn = knn_indices(x, 3, metric="euclidean")
    assert not np.any(nn == np.arange(50)[:, None])
    d = ((x[:, None] - x[None]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    np.testing.assert_array_equal(nn, np.argsort(d, axis=1, kind="stable")[:, :3])


def test_gradient_histogram_features() -> None:
    img = np.zeros((1, 64))
    img[0, [3, 11, 19, 27, 35, 43, 51, 59]] = 16  # a vertical stroke: horizontal gradients
    f = gradient_histogram(img)
    assert f.shape == (1, 32)
    assert np.linalg.norm(f) == pytest.approx(1.0, abs=1e-6)
    per_bin = f.reshape(4, 8).sum(axis=0)
    assert per_bin.argmax() in (0, 7)  # orientation ≈ 0 (or π): the gradient is horizontal


def test_digits_experiment_reports_alignment_and_cross_space_recall() -> None:
    report = alignment_experiment("digits", k=10, n_queries=40, seed=1)
    assert report.space_a == "pixels" and report.space_b == "gradient histogram"
    assert report.mutual_knn > 10 * report.chance
    assert 0 < report.cka <= 1
    recall = report.recall.set_index(["query_space", "partition"])["recall"]
    for space in ("pixels", "gradient histogram"):
        other = "gradient histogram" if space == "pixels" else "pixels"
        assert recall[(space, space)] > recall[(space, "random")]
        assert recall[(space, other)] > recall[(space, "random")]
    assert "mutual k-NN alignment" in report.format()


@pytest.mark.skipif(not HAS_SKLEARN, reason="TF-IDF/LSA needs scikit-learn ([ann] extra)")
def test_text_experiment_minilm_versus_lsa() -> None:
    report = alignment_experiment(
        "stdlib-docstrings", k=10, n_buckets=32, n_probe=2, n_queries=30, seed=2
    )
    assert report.space_a == "MiniLM" and report.space_b == "TF-IDF+LSA"
    assert report.chance < 0.003 < 0.1 < report.mutual_knn < 0.9
    recall = report.recall.set_index(["query_space", "partition"])["recall"]
    assert recall[("MiniLM", "TF-IDF+LSA")] > recall[("MiniLM", "random")]


def test_bad_input() -> None:
    x = np.random.default_rng(0).standard_normal((20, 3))
    with pytest.raises(ProblemError, match=r"'B'.*same items.*20.*got 19 rows"):
        mutual_knn(x, x[:19], 3)
    with pytest.raises(ProblemError, match=r"'k'.*<= n - 1 = 19; got 20"):
        mutual_knn(x, x, 20)
    bad = x.copy()
    bad[4, 1] = np.nan
    with pytest.raises(ProblemError, match=r"'A'.*finite.*row 4"):
        mutual_knn(bad, x, 3)
    with pytest.raises(ProblemError, match=r"'A'.*zero vectors"):
        mutual_knn(np.zeros((5, 2)), x[:5], 2)
    with pytest.raises(ProblemError, match=r"'metric'"):
        mutual_knn(x, x, 2, metric="hamming")
    with pytest.raises(ProblemError, match=r"'name'"):
        alignment_experiment("nope")


def test_cli_align(capsys: pytest.CaptureFixture) -> None:
    assert main(["align", "--dataset", "digits", "--queries", "20", "--k", "5"]) == 0
    out = capsys.readouterr().out
    assert "mutual k-NN alignment (k=5)" in out and "cross-space recall@5" in out
