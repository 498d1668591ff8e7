"""Minimum finding (Dürr & Høyer 1996, arXiv:quant-ph/9607014) and top-k (DHHM 2004)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qsearch.algorithms.minimum import _ThresholdRounds, durr_hoyer_budget, find_minimum, top_k
from qsearch.backends.ideal import IdealBackend
from qsearch.exceptions import ProblemError
from qsearch.problem import SearchProblem, SearchProgram


@pytest.mark.parametrize("num_items", [64, 1024])
def test_success_within_the_durr_hoyer_budget(ideal, num_items: int) -> None:
    """Theorem 1: success ≥ 1/2 within 22.5√N + 1.4 log₂²N; in practice far higher."""
    trials = 150
    rng = np.random.default_rng(num_items)
    budget = math.ceil(22.5 * math.sqrt(num_items) + 1.4 * math.log2(num_items) ** 2)
    assert durr_hoyer_budget(num_items) == budget
    correct = 0
    for seed in range(trials):
        values = rng.normal(size=num_items)
        result = find_minimum(values, ideal, seed=seed)
        assert result.queries.search <= budget
        correct += values[result.found] == values.min()
    assert correct >= trials / 2  # the paper's guarantee
    assert correct >= 0.95 * trials  # what the tighter BBHT constant gives in practice


def test_ties_any_minimal_index_is_returned(ideal) -> None:
    values = np.array([4.0, 1.0, 3.0, 1.0, 2.0, 1.0, 5.0, 9.0] * 8)
    minima = set(np.flatnonzero(values == 1.0))
    for seed in range(40):
        result = find_minimum(values, ideal, seed=seed)
        assert result.found in minima
        assert result.metadata["value"] == 1.0


def test_build_cost_hand_computed(ideal) -> None:
    """Values chosen so the build is known without running: equal values never improve, so
    exactly one threshold oracle is built (N = 64 evaluations) once a round draws j > 0; a
    zero budget runs no round and builds nothing."""
    flat = np.full(64, 2.5)
    for seed in range(5):
        assert find_minimum(flat, ideal, seed=seed).queries.build == 64
        assert find_minimum(flat, ideal, seed=seed, coherent_oracle=True).queries.build == 64
        assert top_k(flat, 3, ideal, seed=seed).queries.build == 64
    assert find_minimum(flat, ideal, max_queries=0, seed=1).queries.build == 0


class _Recording:
    """The ideal distribution through ``run`` only (no closed form), remembering each program:
    the oracles that really ran, counted independently of find_minimum's metadata."""

    name = "recording"

    def __init__(self) -> None:
        self._ideal = IdealBackend()
        self.programs: list[SearchProgram] = []

    def run(self, programs, *, shots, seed=None):  # type: ignore[no-untyped-def]
        self.programs += list(programs)
        return self._ideal.run(programs, shots=shots, seed=seed)


@pytest.mark.parametrize("seed", range(4))
def test_build_cost_is_n_per_distinct_oracle_that_ran(seed: int) -> None:
    values = np.random.default_rng(seed).permutation(48).astype(float)
    backend = _Recording()
    classical = find_minimum(values, backend, seed=seed)
    oracles = {p.problem.marked for p in backend.programs if p.iterations > 0}
    assert oracles  # the search did use an oracle
    assert classical.queries.build == 48 * len(oracles)
    coherent = find_minimum(values, _Recording(), seed=seed, coherent_oracle=True)
    assert coherent.queries.build == 48  # loading the values once
    assert coherent.queries.search == classical.queries.search


def test_closed_form_rounds_sample_the_exact_distribution() -> None:
    """The fast path (sorted values, no SearchProblem) against the explicit state vector."""
    rng = np.random.default_rng(5)
    values = rng.integers(0, 12, size=40).astype(float)  # with ties
    threshold, excluded, j = 6.0, [int(np.flatnonzero(values < 6)[0]), 3], 2
    fast = _ThresholdRounds(values, IdealBackend())
    assert fast.closed_form
    marked = np.setdiff1d(np.flatnonzero(values < threshold), excluded)
    program = SearchProgram(SearchProblem(values.size, marked), j)
    exact = IdealBackend("statevector").probabilities([program])[0]
    shots = 20000
    draws = np.bincount(
        [fast.run(threshold, excluded, j, rng) for _ in range(shots)], minlength=values.size
    )
    for item in range(values.size):
        p = exact[item]
        assert abs(draws[item] - shots * p) <= 5 * math.sqrt(shots * p * (1 - p)) + 1


@pytest.mark.parametrize("k", [1, 4, 16])
def test_top_k_returns_the_k_smallest(ideal, k: int) -> None:
    n, trials = 512, 40
    rng = np.random.default_rng(k)
    correct = 0
    for seed in range(trials):
        values = rng.random(n)
        result = top_k(values, k, ideal, seed=seed)
        indices = result.metadata["indices"]
        assert len(set(indices)) == k
        assert result.queries.search <= durr_hoyer_budget(n, k)
        assert result.found == indices[0]
        correct += sorted(values[indices]) == sorted(np.sort(values)[:k])
    assert correct >= 0.95 * trials


def test_top_k_queries_against_classical_selection(ideal) -> None:
    """Quantum O(√(kN)) search queries vs the N reads any classical selection needs."""
    n, k = 2**16, 4
    values = np.random.default_rng(0).random(n)
    result = top_k(values, k, ideal, seed=1)
    assert sorted(result.metadata["values"]) == sorted(np.sort(values)[:k])
    assert result.queries.search <= durr_hoyer_budget(n, k) < n / 5


def test_top_k_with_ties_and_k_equal_n(ideal) -> None:
    values = [3.0, 1.0, 1.0, 2.0, 1.0, 0.0]
    result = top_k(values, 3, ideal, seed=2)
    assert sorted(np.asarray(values)[result.metadata["indices"]]) == [0.0, 1.0, 1.0]
    everything = top_k(values, 6, ideal, seed=2)
    assert sorted(everything.metadata["indices"]) == list(range(6))
    assert everything.queries.oracle == 0


def test_single_value() -> None:
    result = find_minimum([2.5], seed=0)
    assert result.found == 0
    assert result.queries.oracle == 0


@pytest.mark.parametrize(
    "values", [[], [[1.0, 2.0]], [1.0, float("nan")], [float("inf"), 1.0], ["a", "b"]]
)
def test_bad_values(values) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ProblemError, match="'values' argument of find_minimum"):
        find_minimum(values)
    with pytest.raises(ProblemError, match="'values' argument of top_k"):
        top_k(values, 1)


@pytest.mark.parametrize("k", [0, -1, 5, 1.5])
def test_bad_k(k) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ProblemError, match="'k' argument of top_k"):
        top_k([1.0, 2.0, 3.0, 4.0], k)


def test_runs_on_aer(aer) -> None:
    values = np.array([5.0, 3.0, 8.0, 1.0, 9.0, 7.0, 2.0, 6.0])
    assert find_minimum(values, aer, seed=1).found == 3
    assert top_k(values, 2, aer, seed=1).metadata["indices"] == [3, 6]


@pytest.mark.slow
def test_durr_hoyer_success_at_larger_n(ideal) -> None:
    n, trials = 2**16, 300
    rng = np.random.default_rng(99)
    correct = 0
    for seed in range(trials):
        values = rng.random(n)
        correct += values[find_minimum(values, ideal, seed=seed).found] == values.min()
    assert correct >= 0.95 * trials
