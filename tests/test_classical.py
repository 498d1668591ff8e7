import math

import numpy as np
import pytest

from qsearch import ProblemError, SearchProblem, classical_search
from qsearch.complexity import expected_classical_queries
from qsearch.testing import binomial_bound


def _mean_and_bound(values: list[int]) -> tuple[float, float]:
    data = np.asarray(values, dtype=float)
    return float(data.mean()), 5 * float(data.std(ddof=1)) / math.sqrt(data.size)


@pytest.mark.parametrize(("n", "m"), [(200, 1), (200, 3), (1000, 10)])
def test_random_without_replacement_mean(n: int, m: int) -> None:
    rng = np.random.default_rng(n + m)
    queries = []
    for seed in range(2000):
        problem = SearchProblem(n, rng.choice(n, size=m, replace=False))
        result = classical_search(problem, "random", seed=seed)
        assert result.found in problem.marked
        assert result.queries.oracle == 0
        queries.append(result.queries.verify)
    mean, bound = _mean_and_bound(queries)
    assert abs(mean - expected_classical_queries(n, m, replace=False)) <= bound
    assert max(queries) <= n - m + 1


@pytest.mark.parametrize(("n", "m"), [(200, 1), (500, 5)])
def test_random_with_replacement_mean(n: int, m: int) -> None:
    problem = SearchProblem(n, range(m))
    queries = [
        classical_search(problem, "random-replace", seed=s).queries.verify for s in range(2000)
    ]
    mean, bound = _mean_and_bound(queries)
    assert abs(mean - n / m) <= bound


def test_linear_scan() -> None:
    result = classical_search(SearchProblem(50, [17, 30]), "linear")
    assert result.found == 17 and result.queries.verify == 18


def test_prior_guides_classical_sampling() -> None:
    prior = np.full(100, 0.5 / 99)
    prior[42] = 0.5
    problem = SearchProblem(100, [42], prior=prior)
    queries = [
        classical_search(problem, "random-replace", seed=s).queries.verify for s in range(2000)
    ]
    mean, bound = _mean_and_bound(queries)
    assert abs(mean - 2.0) <= bound
    ordered = [classical_search(problem, "random", seed=s).queries.verify for s in range(2000)]
    assert np.mean(ordered) < 3


def test_no_marked_items_exhausts_budget() -> None:
    problem = SearchProblem(30, [])
    assert classical_search(problem, "random", seed=1).queries.verify == 30
    assert classical_search(problem, "linear").queries.verify == 30
    replace = classical_search(problem, "random-replace", seed=1)
    assert replace.found is None and replace.queries.verify == 600
    assert classical_search(problem, "random", seed=1, max_queries=5).queries.verify == 5


def test_large_n_sparse_permutation() -> None:
    n = 2**26
    problem = SearchProblem(n, np.arange(0, n, n // 4096))
    results = [classical_search(problem, "random", seed=s) for s in range(20)]
    assert all(r.found is not None and r.found % (n // 4096) == 0 for r in results)
    assert np.mean([r.queries.verify for r in results]) < 20 * n / 4096


def test_seed_reproduces_and_bad_input() -> None:
    problem = SearchProblem(1000, [7])
    assert classical_search(problem, seed=3) == classical_search(problem, seed=3)
    with pytest.raises(
        ProblemError, match="'strategy' argument of classical_search must be one of"
    ):
        classical_search(problem, "grover")
    with pytest.raises(ProblemError, match="'max_queries'"):
        classical_search(problem, max_queries=0)


@pytest.fixture
def sparse_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    """Route every N through the O(M) samplers that serve N > 2^24."""
    import qsearch.classical

    monkeypatch.setattr(qsearch.classical, "_DENSE_PERMUTATION_LIMIT", 1)


@pytest.mark.usefixtures("sparse_paths")
def test_o_m_random_order_has_the_exact_distribution() -> None:
    """First marked of a random order: mean (N+1)/(M+1), P(T = 1) = M/N, found uniform."""
    n, marked, trials = 1000, [3, 500, 999], 20000
    problem = SearchProblem(n, marked)
    results = [classical_search(problem, "random", seed=s) for s in range(trials)]
    draws = np.array([r.queries.verify for r in results])
    mean, bound = _mean_and_bound(list(draws))
    assert abs(mean - (n + 1) / (len(marked) + 1)) <= bound
    assert abs(int((draws == 1).sum()) - trials * 3 / n) <= binomial_bound(trials, 3 / n)
    found = np.array([r.found for r in results])
    for item in marked:
        assert abs(int((found == item).sum()) - trials / 3) <= binomial_bound(trials, 1 / 3)
    assert draws.max() <= n - len(marked) + 1
    capped = classical_search(problem, "random", seed=1, max_queries=1)
    assert capped.queries.verify == 1 and capped.found in (None, *marked)


@pytest.mark.usefixtures("sparse_paths")
def test_o_m_independent_draws_follow_the_prior() -> None:
    """Geometric draw count with p = marked mass; found item ∝ prior on the marked set."""
    prior = np.array([0.1, 0.3, 0.2, 0.4])
    problem = SearchProblem(4, [1, 2], prior=prior)
    trials = 20000
    results = [classical_search(problem, "random-replace", seed=s) for s in range(trials)]
    draws = [r.queries.verify for r in results]
    mean, bound = _mean_and_bound(draws)
    assert abs(mean - 1 / 0.5) <= bound
    ones = sum(r.found == 1 for r in results)
    assert abs(ones - trials * 0.6) <= binomial_bound(trials, 0.6)
    empty = classical_search(SearchProblem(8, []), "random-replace", seed=0, max_queries=5)
    assert empty.found is None and empty.queries.verify == 5


def test_huge_n_runs_in_memory_independent_of_n() -> None:
    """N = 2^34 (issue: one dict entry per draw grew ~20 MB/s): both random strategies finish
    at once under a 1 GiB address-space limit."""
    import subprocess
    import sys

    code = (
        "import resource; resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))\n"
        "from qsearch import SearchProblem, classical_search\n"
        "p = SearchProblem(2**34, [1, 2**33])\n"
        "for s in ('random', 'random-replace'):\n"
        "    r = classical_search(p, s, seed=7)\n"
        "    assert r.found in (1, 2**33) and 1 <= r.queries.verify, r\n"
        "print('ok')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "ok"
