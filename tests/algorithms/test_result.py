"""The shared tail of the algorithms: one verify step, one SearchResult builder, one signature."""

from __future__ import annotations

import inspect
import time

import numpy as np
import pytest

from qsearch._validation import check_instance
from qsearch.algorithms._result import (
    Tally,
    repeat_until_verified,
    search_result,
    verify_counts,
)
from qsearch.algorithms.counting import count_marked
from qsearch.algorithms.exponential import exponential_search
from qsearch.algorithms.fixed_point import fixed_point_search
from qsearch.algorithms.grover import grover_search
from qsearch.algorithms.minimum import find_minimum, top_k
from qsearch.exceptions import ProblemError
from qsearch.problem import SearchProblem
from qsearch.results import QueryCount

ALGORITHMS = [grover_search, exponential_search, fixed_point_search, count_marked, find_minimum]


def test_verify_checks_the_most_frequent_items_first() -> None:
    problem = SearchProblem(8, [6])
    assert verify_counts(problem, {1: 5, 6: 3, 2: 3}) == (6, 3)  # 1, then 2 (tie by index), 6
    assert verify_counts(problem, {1: 5, 2: 1}) == (None, 2)


def test_tally_bills_every_run_and_stops_at_the_first_verified_item() -> None:
    problem = SearchProblem(8, [6])
    outcomes = iter([{1: 4}, {2: 3, 6: 1}, {6: 4}])
    tally = repeat_until_verified(
        problem, lambda seed: next(outcomes), 2, 4, np.random.default_rng(0), 5
    )
    assert tally.found == 6
    assert [a.counts for a in tally.attempts] == [{1: 4}, {2: 3, 6: 1}]
    assert (tally.oracle, tally.verify, tally.search) == (2 * 4 * 2, 1 + 2, 16 + 3)
    assert not Tally().record(problem, 0, 1, {0: 1})


def test_search_result_records_the_backend_seed_and_wall_time() -> None:
    class Named:
        name = "named"

    started = time.perf_counter()
    result = search_result(
        "grover", Named(), 7, started, found=3, queries=QueryCount(1, 2, 3), metadata={"x": 1}
    )
    assert (result.backend, result.seed, result.found, result.attempts) == ("named", 7, 3, ())
    assert result.metadata["x"] == 1 and result.metadata["wall_time_s"] >= 0
    assert (
        search_result(
            "m",
            object(),
            np.random.default_rng(),
            started,
            found=None,
            queries=QueryCount(),
            metadata={},
        ).backend
        == "object"
    )
    with pytest.raises(ProblemError, match="'problem' argument of owner must be a SearchProblem"):
        check_instance([1, 2], SearchProblem, "problem", "owner")


@pytest.mark.parametrize("algorithm", [*ALGORITHMS, top_k], ids=lambda f: f.__name__)
def test_every_algorithm_takes_backend_positionally_then_keyword_options_with_seed_last(
    algorithm,  # type: ignore[no-untyped-def]
) -> None:
    parameters = list(inspect.signature(algorithm).parameters.values())
    data = 2 if algorithm is top_k else 1  # top_k's k belongs to its problem (values, k)
    backend = parameters[data]
    assert backend.name == "backend"
    assert backend.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and backend.default == "ideal"
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters[data + 1 :])
    assert parameters[-1].name == "seed" and parameters[-1].default is None


def test_backend_positional_and_old_keyword_calls_agree() -> None:
    problem = SearchProblem(64, [5, 40])
    assert fixed_point_search(problem, "ideal", delta=0.2, seed=1) == fixed_point_search(
        problem, delta=0.2, backend="ideal", seed=1
    )
    new = count_marked(problem, "ideal", epsilon=0.05, seed=2)
    old = count_marked(problem, epsilon=0.05, backend="ideal", seed=2)
    assert (new.estimate, new.queries) == (old.estimate, old.queries)
