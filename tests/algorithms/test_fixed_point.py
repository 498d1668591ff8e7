"""Fixed-point amplitude amplification against Yoder, Low, Chuang 2014 (arXiv:1409.3305)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qsearch.algorithms.fixed_point import fixed_point_search, fixed_point_vs_grover_curves
from qsearch.backends.ideal import IdealBackend
from qsearch.complexity import amplified_amplitudes
from qsearch.exceptions import ProblemError
from qsearch.problem import SearchProblem, SearchProgram
from qsearch.schedules import (
    fixed_point_length,
    fixed_point_parameters,
    fixed_point_success_probability,
)


def _paper_formula(mass: float, delta: float, length: int) -> float:
    """YLC eq. (2) written out: 1 − δ² T_L(T_{1/L}(1/δ)·√(1−λ))², T via cos/cosh."""
    t_inv = math.cosh(math.acosh(1 / delta) / length)
    x = t_inv * math.sqrt(1 - mass)
    t_l = math.cos(length * math.acos(x)) if x <= 1 else math.cosh(length * math.acosh(x))
    return 1 - delta**2 * t_l**2


@pytest.mark.parametrize(("delta", "lower_bound"), [(0.5, 0.2), (0.3, 0.05), (0.1, 0.01)])
def test_phases_give_the_chebyshev_success_probability(delta: float, lower_bound: float) -> None:
    params = fixed_point_parameters(delta, lower_bound)
    assert params.length == 2 * params.iterations + 1
    assert len(params.phases) == params.iterations
    for mass in np.linspace(0.001, 0.999, 60):
        good, bad = amplified_amplitudes(mass, params.phases)
        assert abs(good) ** 2 + abs(bad) ** 2 == pytest.approx(1.0, abs=1e-12)
        expected = _paper_formula(mass, delta, params.length)
        assert abs(good) ** 2 == pytest.approx(expected, abs=1e-9)
        assert fixed_point_success_probability(mass, delta, params.length) == pytest.approx(
            expected, abs=1e-12
        )


@pytest.mark.parametrize(("delta", "lower_bound"), [(0.5, 0.2), (0.3, 0.05), (0.1, 1e-4)])
def test_success_at_least_one_minus_delta_squared_above_the_bound(
    delta: float, lower_bound: float
) -> None:
    length = fixed_point_length(delta, lower_bound)
    grid = np.linspace(lower_bound, 1.0, 5000)
    probs = fixed_point_success_probability(grid, delta, length)
    assert np.all(probs >= 1 - delta**2 - 1e-12)
    # and L is YLC's L ≥ log(2/δ)/√w up to rounding to the next odd integer
    assert length <= math.log(2 / delta) / math.sqrt(lower_bound) + 2


def test_statevector_programs_match_the_closed_form(statevector) -> None:
    delta, w = 0.3, 1 / 32
    params = fixed_point_parameters(delta, w)
    for marked in ([3], [1, 2, 40], list(range(0, 64, 3))):
        problem = SearchProblem(64, marked)
        program = SearchProgram(problem, params.iterations, phases=params.phases)
        probs = statevector.probabilities([program])[0]
        expected = fixed_point_success_probability(problem.marked_mass, delta, params.length)
        assert probs[problem.marked_array].sum() == pytest.approx(expected, abs=1e-9)


def test_sampled_success_rate_over_a_grid_of_marked_fractions(ideal) -> None:
    """Success ≥ 1 − δ² for every M/N ≥ the lower bound: 2,200 runs pooled over five M, one-sided
    3σ floor (a success rate 5 points under 0.84 passes with probability < 0.2%; see
    test_counting.test_coverage_floor_fails_a_five_point_drop)."""
    n, delta, per = 128, 0.4, 440
    successes = 0
    for num_marked in (1, 3, 10, 40, 100):
        problem = SearchProblem(n, range(num_marked))
        successes += sum(
            fixed_point_search(
                problem, delta=delta, backend=ideal, lower_bound=1 / n, seed=s
            ).success
            for s in range(per)
        )
    trials, p = 5 * per, 1 - delta**2
    assert successes >= trials * p - 3 * math.sqrt(trials * p * (1 - p))


def test_statevector_search_agrees_with_the_closed_form_prediction(statevector) -> None:
    problem = SearchProblem(64, [5, 17])
    result = fixed_point_search(problem, delta=0.2, backend=statevector, seed=2)
    assert result.metadata["closed_form"] is False
    params = fixed_point_parameters(0.2, 1 / 64)
    program = SearchProgram(problem, params.iterations, phases=params.phases)
    marked = IdealBackend("statevector").probabilities([program])[0][[5, 17]].sum()
    assert result.metadata["predicted_success"] == pytest.approx(marked, abs=1e-9)


def test_no_souffle_problem_in_the_contrast_curves() -> None:
    curves = fixed_point_vs_grover_curves(delta=0.1, lower_bound=0.01, num_points=600)
    above = curves["marked_mass"] >= 0.01
    assert np.all(curves["fixed_point"][above] >= 0.99 - 1e-12)
    assert curves["grover"][above].min() < 0.1  # Grover's fixed k overshoots for larger λ
    assert curves["grover"][np.argmin(abs(curves["marked_mass"] - 0.01))] > 0.99
    assert curves["fixed_point_iterations"] > curves["grover_iterations"]


def test_huge_n_closed_form_and_bill(ideal) -> None:
    problem = SearchProblem(2**40, [7], build_cost=3)
    result = fixed_point_search(problem, delta=0.1, backend=ideal, seed=4)
    assert result.metadata["closed_form"]
    assert result.metadata["predicted_success"] >= 0.99
    assert result.queries.oracle == result.metadata["iterations"] * len(result.attempts)
    assert result.queries.build == 3
    assert result.method == "fixed-point"


@pytest.mark.parametrize("bad", [0, 1, -0.2, 1.5, float("nan"), "x"])
def test_bad_delta_and_lower_bound(bad) -> None:  # type: ignore[no-untyped-def]
    problem = SearchProblem(16, [1])
    with pytest.raises(ProblemError, match="'delta' argument of fixed_point_search"):
        fixed_point_search(problem, delta=bad)
    with pytest.raises(ProblemError, match="'lower_bound' argument of fixed_point_search"):
        fixed_point_search(problem, delta=0.1, lower_bound=bad)


def test_runs_on_aer(aer) -> None:
    problem = SearchProblem(8, [2, 5])
    result = fixed_point_search(problem, delta=0.3, backend=aer, seed=1, max_attempts=5)
    assert result.found in (2, 5)
    assert result.backend == "aer"
