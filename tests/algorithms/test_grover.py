import math

import numpy as np
import pytest

from qsearch import (
    ProblemError,
    QSearchWarning,
    SearchProblem,
    get_backend,
    grover_search,
    optimal_iterations,
    success_probability,
)


def test_grover_mean_queries_follow_pi_over_4_sqrt_n() -> None:
    n = 4096
    results = [grover_search(SearchProblem(n, [int(s * 37 % n)]), seed=s) for s in range(300)]
    assert all(r.success and r.found == int(s * 37 % n) for s, r in enumerate(results))
    oracle = np.array([r.queries.oracle for r in results])
    assert oracle.mean() < 0.05 * n
    assert oracle.mean() == pytest.approx(math.pi / 4 * math.sqrt(n), rel=0.05)
    k = optimal_iterations(n, 1)
    p = success_probability(n, 1, k)
    # attempts are geometric(p): mean k/p oracle queries, well within 5 standard errors
    std = k * math.sqrt(1 - p) / p
    assert abs(oracle.mean() - k / p) <= 5 * std / math.sqrt(len(results)) + 1e-9


def test_every_oracle_application_and_check_is_counted() -> None:
    problem = SearchProblem(64, [10, 20, 30])
    result = grover_search(problem, iterations=1, shots=5, seed=3)
    assert result.queries.oracle == 1 * 5 * len(result.attempts)
    assert result.queries.verify >= len(result.attempts)
    assert all(a.iterations == 1 and a.shots == 5 for a in result.attempts)
    assert sum(result.attempts[-1].counts.values()) == 5
    assert result.found in problem.marked


def test_no_marked_items_stops_after_budget() -> None:
    result = grover_search(SearchProblem(64, []), seed=1, max_attempts=7)
    assert result.found is None and not result.success
    assert len(result.attempts) == 7
    assert result.queries.oracle == 0 and result.queries.verify == 7
    assert result.metadata["max_attempts"] == 7


def test_majority_marked_warns_and_still_finds() -> None:
    with pytest.warns(QSearchWarning, match="M/N = 6/8 > 1/2"):
        result = grover_search(SearchProblem(8, range(6)), seed=0)
    assert result.metadata["iterations"] == 0 and result.success


def test_found_is_always_verified() -> None:
    problem = SearchProblem(32, [3])
    # a deliberately bad iteration count: the measured item is often unmarked
    for seed in range(30):
        result = grover_search(problem, iterations=8, seed=seed, max_attempts=2)
        assert result.found is None or result.found == 3


def test_seed_reproduces_and_build_cost_reported() -> None:
    problem = SearchProblem.from_predicate(list(range(100)), lambda x: x % 37 == 5)
    a = grover_search(problem, seed=5)
    assert a == grover_search(problem, seed=5)
    assert a.queries.build == 100
    assert a.to_dict()["build_queries"] == 100


def test_backend_instance_and_aer(aer) -> None:  # type: ignore[no-untyped-def]
    result = grover_search(SearchProblem(20, [13]), aer, seed=2)
    assert result.backend == "aer" and result.found == 13
    assert grover_search(SearchProblem(20, [13]), get_backend("ideal"), seed=2).found == 13


def test_bad_input() -> None:
    problem = SearchProblem(8, [1])
    with pytest.raises(ProblemError, match="'iterations' argument of grover_search"):
        grover_search(problem, iterations=-1)
    with pytest.raises(ProblemError, match="'shots' argument of grover_search must be an int"):
        grover_search(problem, shots=0)
    with pytest.raises(ProblemError, match="'backend' argument must be one of"):
        grover_search(problem, backend="nope")
    with pytest.raises(ProblemError, match="'problem'"):
        grover_search([1, 2, 3])  # type: ignore[arg-type]
    with pytest.raises(ProblemError, match="'seed'"):
        grover_search(problem, seed=-4)
