import numpy as np
import pytest

from qsearch import ProblemError, SearchProblem, SearchProgram, UnsupportedProgramError
from qsearch.backends.ideal import IdealBackend, marked_probability


def test_closed_form_any_n(ideal: IdealBackend, binomial_bound) -> None:
    n = 2**60
    marked = [5, 2**59, n - 1]
    program = SearchProgram(SearchProblem(n, marked), 2**20)
    p = marked_probability(program)
    shots = 20_000
    counts = ideal.run([program], shots=shots, seed=3)[0]
    assert sum(counts.values()) == shots
    assert all(0 <= item < n for item in counts)
    hits = sum(c for item, c in counts.items() if item in marked)
    assert abs(hits - shots * p) <= binomial_bound(shots, p)


def test_unmarked_samples_avoid_marked_and_cover_range(ideal: IdealBackend, binomial_bound) -> None:
    problem = SearchProblem(10, [0, 1, 2, 3, 9])
    counts = ideal.run([SearchProgram(problem, 0)], shots=20_000, seed=1)[0]
    assert set(counts) == set(range(10))
    for item in range(10):
        assert abs(counts[item] - 2000) <= binomial_bound(20_000, 0.1)


def test_seeded_runs_repeat(ideal: IdealBackend) -> None:
    program = SearchProgram(SearchProblem(1000, [3, 4]), 5)
    assert ideal.run([program], shots=100, seed=9) == ideal.run([program], shots=100, seed=9)
    assert ideal.run([program], shots=100, seed=9) != ideal.run([program], shots=100, seed=10)


def test_prior_sampling_follows_prior_within_parts(ideal: IdealBackend, binomial_bound) -> None:
    prior = np.array([0.4, 0.1, 0.2, 0.3])
    program = SearchProgram(SearchProblem(4, [0, 1], prior=prior), 1)
    shots = 40_000
    counts = ideal.run([program], shots=shots, seed=2)[0]
    probs = ideal.probabilities([program])[0]
    for item in range(4):
        assert abs(counts.get(item, 0) - shots * probs[item]) <= binomial_bound(shots, probs[item])


def test_statevector_matches_closed_form_and_is_real(
    statevector: IdealBackend, ideal: IdealBackend
) -> None:
    program = SearchProgram(SearchProblem(37, [4, 20, 36]), 3)
    vector = statevector.statevector(program)
    assert vector.dtype == np.float64 and vector.shape == (37,)
    np.testing.assert_allclose(vector**2, ideal.probabilities([program])[0], atol=1e-12)


def test_limits_are_clear_errors(ideal: IdealBackend, statevector: IdealBackend) -> None:
    huge = SearchProgram(SearchProblem(2**40, [1]), 1)
    with pytest.raises(UnsupportedProgramError, match="dense vectors"):
        ideal.probabilities([huge])
    with pytest.raises(UnsupportedProgramError, match="GiB"):
        statevector.run([huge], shots=1)
    with pytest.raises(ProblemError, match="'method'"):
        IdealBackend("exact")
    with pytest.raises(ProblemError, match="'shots' argument of IdealBackend.run must be an int"):
        ideal.run([huge], shots=0)
