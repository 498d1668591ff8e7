"""Noisy backends report padding outcomes [N, 2^n) when N is not a power of two.

A padding outcome is a failed attempt, never an index: find_minimum, top_k and retrieve must
neither crash on it (they used to index ``values`` with it: IndexError on every seed) nor return
it. ``PaddingNoise`` is a deliberately noisy Backend: the ideal distribution, with probability
``leak`` replaced by a uniform draw over the padding indices.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from qsearch._validation import SeedLike
from qsearch.algorithms.minimum import find_minimum, top_k
from qsearch.backends.base import ClosedFormAmplification, supports
from qsearch.backends.ideal import IdealBackend
from qsearch.problem import SearchProgram
from qsearch.results import Counts
from qsearch.retrieval.buckets import BucketIndex
from qsearch.retrieval.retrieve import retrieve


class PaddingNoise:
    """Backend protocol only (no closed form): ideal outcomes, a fraction ``leak`` on padding."""

    name = "padding-noise"

    def __init__(self, leak: float = 0.4) -> None:
        self.leak = leak
        self._ideal = IdealBackend()
        self.padding_shots = 0

    def run(
        self, programs: Sequence[SearchProgram], *, shots: int, seed: SeedLike = None
    ) -> list[Counts]:
        rng = np.random.default_rng(seed)
        out = []
        for program, probs in zip(programs, self._ideal.probabilities(programs), strict=True):
            n = program.problem.num_items
            padded = 1 << (n - 1).bit_length()
            assert padded > n, "the fault needs N that is not a power of two"
            leaked = rng.random(shots) < self.leak
            items = np.where(
                leaked, rng.integers(n, padded, size=shots), rng.choice(n, size=shots, p=probs)
            )
            self.padding_shots += int(leaked.sum())
            keys, freq = np.unique(items, return_counts=True)
            out.append({int(k): int(c) for k, c in zip(keys, freq, strict=True)})
        return out


VALUES = np.array([7.0, 3.0, 9.0, 4.0, 8.0, 1.5, 6.0, 5.0, 2.0, 10.0, 11.0])  # N = 11, n = 4


def test_the_fault_backend_takes_the_circuit_path() -> None:
    assert not supports(PaddingNoise(), ClosedFormAmplification)


@pytest.mark.parametrize("seed", range(12))
def test_find_minimum_treats_padding_as_failed_attempts(seed: int) -> None:
    backend = PaddingNoise()
    result = find_minimum(VALUES, backend, seed=seed)
    assert backend.padding_shots > 0  # the fault happened
    assert 0 <= result.found < VALUES.size
    assert result.metadata["value"] == VALUES[result.found]
    padding = [a for a in result.attempts if next(iter(a.counts)) >= VALUES.size]
    assert padding, "padding outcomes are recorded as (failed) attempts"
    assert result.queries.search <= result.metadata["max_queries"]


def test_find_minimum_still_finds_the_minimum_under_padding_noise() -> None:
    found = [find_minimum(VALUES, PaddingNoise(), seed=s).found for s in range(40)]
    # 40% of shots are lost to padding; the budget (22.5√N + 1.4 log²N ≈ 92) absorbs it
    assert sum(f == 5 for f in found) >= 36


@pytest.mark.parametrize("seed", range(8))
def test_top_k_indices_are_never_padding(seed: int) -> None:
    result = top_k(VALUES, 3, PaddingNoise(), seed=seed)
    indices = result.metadata["indices"]
    assert len(set(indices)) == 3 and all(0 <= i < VALUES.size for i in indices)
    assert result.metadata["values"] == [float(VALUES[i]) for i in indices]


@pytest.fixture(scope="module")
def small_index() -> BucketIndex:
    x = np.random.default_rng(4).standard_normal((40, 3))
    index = BucketIndex(3, metric="euclidean", max_bucket_qubits=5, seed=0).fit(x)
    assert any(s & (s - 1) for s in index.bucket_sizes_)  # some bucket is not a power of two
    return index


@pytest.mark.parametrize("algorithm", ["minimum", "grover", "exponential"])
def test_retrieve_on_a_padding_backend(small_index: BucketIndex, algorithm: str) -> None:
    query = small_index.vectors_[7]
    classical = retrieve(small_index, query, k=3, n_probe=3, backend="classical")
    backend = PaddingNoise()
    for seed in range(6):
        hits = retrieve(
            small_index, query, k=3, n_probe=3, backend=backend, algorithm=algorithm, seed=seed
        )
        assert set(hits.ids.tolist()) <= set(small_index.ids_.tolist())
        if algorithm != "minimum":  # grover/exponential verify every hit: exact answers
            np.testing.assert_array_equal(hits.ids, classical.ids)
    assert backend.padding_shots > 0  # the fault happened


@pytest.mark.slow
def test_find_minimum_on_aer_with_a_device_noise_model() -> None:
    pytest.importorskip("qiskit_aer")
    from qsearch.backends.aer import AerBackend

    backend = AerBackend(noise="fake_torino")
    values = VALUES[:5]  # N = 5 on 3 qubits: padding 5, 6, 7
    padding = 0
    for seed in range(3):
        result = find_minimum(values, backend, seed=seed)
        assert 0 <= result.found < values.size
        padding += sum(next(iter(a.counts)) >= values.size for a in result.attempts)
    assert padding > 0  # the device noise did put shots on the padding states
