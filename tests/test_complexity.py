import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qsearch import (
    ProblemError,
    SearchProblem,
    SearchProgram,
    fit_power_law,
    optimal_iterations,
    success_probability,
)
from qsearch.backends.ideal import IdealBackend
from qsearch.complexity import expected_classical_queries, mean_confidence_interval


def test_hand_computed_values() -> None:
    assert success_probability(4, 1, 1) == pytest.approx(1.0)
    # θ = asin(1/√8): sin²(5θ) = 121/128
    assert success_probability(8, 1, 2) == pytest.approx(121 / 128)
    assert success_probability(8, 1, 0) == pytest.approx(1 / 8)
    assert success_probability(8, 0, 3) == 0.0
    curve = success_probability(64, 1, np.arange(4))
    assert curve.shape == (4,)


def test_prior_mass_replaces_m_over_n() -> None:
    # sin²θ = 1/4 → θ = π/6, one iterate gives sin²(π/2) = 1
    assert success_probability(100, 1, 1, marked_mass=0.25) == pytest.approx(1.0)


def test_optimal_iterations_beats_the_shortcut() -> None:
    n, m = 128, 19
    shortcut = math.floor(math.pi / 4 * math.sqrt(n / m))
    k = optimal_iterations(n, m)
    assert (k, shortcut) == (1, 2)
    # The docstring's numbers, by hand: θ = asin √(19/128); sin²(3θ), sin²(5θ).
    theta = math.asin(math.sqrt(19 / 128))
    assert round(math.sin(3 * theta) ** 2, 4) == 0.8595 == round(success_probability(n, m, 1), 4)
    assert round(math.sin(5 * theta) ** 2, 4) == 0.8435 == round(success_probability(n, m, 2), 4)


@pytest.mark.parametrize("n", [3, 5, 8, 16, 101, 1024])
def test_above_half_k0_minimises_queries_per_success_but_not_success(n: int) -> None:
    """M/N ≥ 1/2: k = 0 has the smallest (k + 1)/p_k, while some k > 0 may succeed more often."""
    for m in range((n + 1) // 2, n):
        assert optimal_iterations(n, m) == 0
        cost0 = 1 / success_probability(n, m, 0)
        for k in range(1, 12):
            p = success_probability(n, m, k)
            assert p == 0 or (k + 1) / p >= cost0 - 1e-12
    # ... and the counterexample to "no k > 0 beats k = 0" for one run's success probability.
    assert success_probability(5, 3, 0) == pytest.approx(0.6)
    assert success_probability(5, 3, 2) == pytest.approx(0.9226, abs=1e-4)


@pytest.mark.parametrize("n", [4, 7, 16, 50, 128, 1000, 4096])
def test_optimal_iterations_is_the_first_peak_maximum(n: int) -> None:
    for m in range(1, n // 2 + 1, max(1, n // 40)):
        k = optimal_iterations(n, m)
        theta = math.asin(math.sqrt(m / n))
        first_rise = range(0, math.ceil(math.pi / (4 * theta)) + 1)
        best = max(success_probability(n, m, j) for j in first_rise)
        assert success_probability(n, m, k) == pytest.approx(best, abs=1e-12)
        assert success_probability(n, m, k) >= 1 - m / n - 1e-12


def test_optimal_iterations_edge_cases() -> None:
    assert optimal_iterations(16, 0) == 0
    assert optimal_iterations(16, 12) == 0
    assert optimal_iterations(2**60, 1) == math.floor(math.pi / 4 * 2**30)


def test_bad_input() -> None:
    with pytest.raises(ProblemError, match="'num_marked' argument of success_probability must"):
        success_probability(4, 5, 1)
    with pytest.raises(ProblemError, match="'iterations'"):
        success_probability(4, 1, -1)
    with pytest.raises(ProblemError, match="'marked_mass'"):
        success_probability(4, 1, 1, marked_mass=1.5)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 300),
    data=st.data(),
    k=st.integers(0, 25),
    use_prior=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_closed_form_matches_state_vector(n: int, data, k: int, use_prior: bool, seed: int) -> None:
    m = data.draw(st.integers(0, n))
    rng = np.random.default_rng(seed)
    prior = None
    if use_prior:
        prior = rng.random(n) + 0.01
        prior /= prior.sum()
    problem = SearchProblem(n, rng.choice(n, size=m, replace=False), prior=prior)
    program = SearchProgram(problem, k)
    exact = IdealBackend("statevector").probabilities([program])[0]
    closed = IdealBackend().probabilities([program])[0]
    np.testing.assert_allclose(closed, exact, atol=1e-9)
    assert exact[problem.marked_array].sum() == pytest.approx(
        success_probability(n, m, k, marked_mass=problem.marked_mass), abs=1e-9
    )


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(2, 64),
    phases=st.lists(st.tuples(st.floats(-7, 7), st.floats(-7, 7)), min_size=1, max_size=5),
    seed=st.integers(0, 2**32 - 1),
)
def test_generalised_phases_closed_form_matches_state_vector(n: int, phases, seed: int) -> None:
    rng = np.random.default_rng(seed)
    problem = SearchProblem(n, rng.choice(n, size=int(rng.integers(0, n + 1)), replace=False))
    program = SearchProgram(problem, len(phases), phases=phases)
    exact = IdealBackend("statevector").probabilities([program])[0]
    closed = IdealBackend().probabilities([program])[0]
    np.testing.assert_allclose(closed, exact, atol=1e-9)


def test_fit_power_law_recovers_slope() -> None:
    rng = np.random.default_rng(3)
    samples = {n: 2.0 * n**0.5 * rng.exponential(size=400) for n in (64, 256, 1024, 4096)}
    fit = fit_power_law(samples, seed=1)
    assert fit.slope_low <= 0.5 <= fit.slope_high
    assert abs(fit.slope - 0.5) < 0.05
    with pytest.raises(ProblemError, match="at least 2 sizes"):
        fit_power_law({8: [1.0]})


def test_expected_classical_and_ci() -> None:
    assert expected_classical_queries(99, 4, replace=False) == 20
    assert expected_classical_queries(100, 4, replace=True) == 25
    assert expected_classical_queries(100, 0, replace=True) == math.inf
    mean, low, high = mean_confidence_interval([1.0, 2.0, 3.0])
    assert low < mean == 2.0 < high
