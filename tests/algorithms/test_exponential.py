"""BBHT exponential search against Boyer, Brassard, Høyer, Tapp 1998 (arXiv:quant-ph/9605034)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qsearch.algorithms.exponential import exponential_search
from qsearch.exceptions import ProblemError
from qsearch.problem import SearchProblem
from qsearch.schedules import bbht_budget, bbht_expected_cost, bbht_round_success

#: BBHT Theorem 3's constant as we read the paper: expected iterations ≤ (9/2)·m0 ≤ (9/2)·√(N/M)
#: for M ≤ 3N/4 (the exact expectation, checked below, is ≈ 1.45·√(N/M)).
BBHT_CONSTANT = 9 / 2


@pytest.mark.parametrize("num_marked", [1, 4, 64, 1024])
def test_mean_oracle_queries_within_the_bbht_bound(ideal, num_marked: int) -> None:
    """M from 1 to N/4: mean oracle queries ≤ (9/2)√(N/M) and equal to the exact expectation."""
    n, trials = 4096, 400
    problem = SearchProblem(n, np.arange(0, n, n // num_marked)[:num_marked])
    results = [exponential_search(problem, ideal, seed=s) for s in range(trials)]
    assert all(r.found is not None and problem.is_marked(r.found) for r in results)
    oracle = np.array([r.queries.oracle for r in results], dtype=float)
    assert oracle.mean() <= BBHT_CONSTANT * math.sqrt(n / num_marked)
    expected, rounds = bbht_expected_cost(n, num_marked)
    sem = oracle.std(ddof=1) / math.sqrt(trials)
    assert abs(oracle.mean() - expected) <= 5 * sem + 0.05
    verify = np.array([r.queries.verify for r in results], dtype=float)
    assert abs(verify.mean() - rounds) <= 5 * verify.std(ddof=1) / math.sqrt(trials) + 0.05
    assert all(r.queries.verify == len(r.attempts) for r in results)


def test_round_success_matches_lemma_2_average() -> None:
    """P_m is the average of sin²((2j+1)θ) over j = 0..m−1 (BBHT Lemma 2)."""
    for mass in (1e-3, 0.01, 0.2, 0.7):
        theta = math.asin(math.sqrt(mass))
        for m in (1, 2, 7, 40):
            direct = np.mean([math.sin((2 * j + 1) * theta) ** 2 for j in range(m)])
            assert bbht_round_success(mass, m) == pytest.approx(direct, abs=1e-12)
            if m >= 1 / math.sin(2 * theta):
                assert bbht_round_success(mass, m) >= 0.25


def test_no_marked_item_stops_at_the_stated_budget(ideal) -> None:
    n = 2**16
    problem = SearchProblem(n, [])
    result = exponential_search(problem, ideal, seed=3)
    budget = bbht_budget(1 / n)
    cap = math.sqrt(n)
    assert budget == math.ceil((6 + 32) * cap + 32 + math.log(cap) / math.log(6 / 5) + 2)
    assert result.found is None
    assert result.metadata["max_queries"] == budget
    assert result.metadata["budget_exhausted"]
    assert budget - (cap + 1) < result.queries.search <= budget
    assert result.queries.verify == result.metadata["rounds"] == len(result.attempts)


def test_custom_budget_and_build_cost(ideal) -> None:
    problem = SearchProblem(1024, [], build_cost=1024)
    result = exponential_search(problem, ideal, seed=1, max_queries=50)
    assert 50 - 33 < result.queries.search <= 50  # the last refused round would cost <= 32 + 1
    assert result.queries.build == 1024
    assert result.method == "exponential"
    assert result.metadata["max_queries"] == 50


def test_budget_rarely_runs_out_with_one_marked_item(ideal) -> None:
    """The default budget leaves ≥ 32 rounds with P ≥ 1/4: failure ≤ (3/4)^32 ≈ 1e-4."""
    problem = SearchProblem(2**14, [77])
    assert all(exponential_search(problem, ideal, seed=s).found == 77 for s in range(300))


def test_huge_n_uses_the_closed_form(ideal) -> None:
    problem = SearchProblem(2**40, [2**39 + 5])
    result = exponential_search(problem, ideal, seed=11)
    assert result.found == 2**39 + 5
    assert result.queries.search <= bbht_budget(2.0**-40)


@pytest.mark.parametrize("num_items", [1, 2, 3])
def test_tiny_problems_without_marked_items_terminate(ideal, num_items: int) -> None:
    """With cap ≤ √3 most rounds draw j = 0; the checks alone exhaust the budget."""
    result = exponential_search(SearchProblem(num_items, []), ideal, seed=0)
    assert result.found is None
    assert result.queries.search <= bbht_budget(1 / num_items)


def test_seed_reproduces(ideal) -> None:
    problem = SearchProblem(4096, [5, 9])
    first = exponential_search(problem, ideal, seed=42)
    second = exponential_search(problem, ideal, seed=42)
    assert first.to_dict() | {"metadata": None} == second.to_dict() | {"metadata": None}


@pytest.mark.parametrize("lam", [1.0, 4 / 3, 2, "x", float("nan")])
def test_bad_lambda(lam) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ProblemError, match="'lam' argument of exponential_search"):
        exponential_search(SearchProblem(8, [1]), lam=lam)


def test_bad_problem_and_budget() -> None:
    with pytest.raises(ProblemError, match="'problem' argument of exponential_search"):
        exponential_search([1, 2, 3])  # type: ignore[arg-type]
    with pytest.raises(ProblemError, match="'max_queries' argument of exponential_search"):
        exponential_search(SearchProblem(8, [1]), max_queries=-1)


def test_runs_on_aer(aer) -> None:
    problem = SearchProblem(8, [6])
    result = exponential_search(problem, aer, seed=5)
    assert result.found == 6
    assert result.backend == "aer"


@pytest.mark.parametrize(
    ("algorithm", "quantum", "classical"),
    [
        ("exponential", "exponential", "classical-random"),
        ("fixed-point", "fixed-point", "classical-random"),
        ("minimum", "minimum", "classical-minimum"),
        ("count", "count", "classical-count"),
    ],
)
def test_compare_runs_each_algorithm_against_its_classical_counterpart(
    algorithm: str, quantum: str, classical: str
) -> None:
    from qsearch.experiments.compare import run_comparison

    comparison = run_comparison(
        [64, 256, 1024], marked=1, trials=12, algorithm=algorithm, seed=3, progress=False
    )
    summary = comparison.summary.set_index(["algorithm", "num_items"])
    assert summary.loc[quantum, "success_rate"].min() >= 0.75
    # The query part scales as √N; the fits are of the total bill, build included (minimum
    # finding rebuilds its oracle per threshold, so its total is not sublinear).
    slopes = comparison.slopes.set_index("algorithm")
    assert slopes.loc[quantum, "query_slope"] < 0.7
    assert comparison.fits[quantum].slope == slopes.loc[quantum, "slope"]
    assert comparison.fits[classical].slope > 0.85


@pytest.mark.slow
@pytest.mark.parametrize("num_marked", [1, 3, 17, 256, 4096, 16384])
def test_bbht_bound_at_larger_n_over_many_seeds(ideal, num_marked: int) -> None:
    n, trials = 2**16, 2000
    problem = SearchProblem(n, np.arange(num_marked) * (n // num_marked))
    oracle = np.array(
        [exponential_search(problem, ideal, seed=s).queries.oracle for s in range(trials)],
        dtype=float,
    )
    assert oracle.mean() <= BBHT_CONSTANT * math.sqrt(n / num_marked)
    expected, _ = bbht_expected_cost(n, num_marked)
    assert abs(oracle.mean() - expected) <= 5 * oracle.std(ddof=1) / math.sqrt(trials) + 0.05
