import math

import numpy as np
import pytest

from qsearch import ProblemError, SearchProblem, classical_search
from qsearch.complexity import expected_classical_queries


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
