import json

from qsearch import Attempt, QueryCount, SearchResult


def test_query_count_adds_and_totals() -> None:
    total = QueryCount(3, 1, 10) + QueryCount(2, 2, 0)
    assert total == QueryCount(5, 3, 10)
    assert total.total == 18 and total.search == 8
    assert eval(repr(total)) == total


def test_result_round_trips_through_json() -> None:
    result = SearchResult(
        method="grover",
        backend="ideal",
        found=5,
        queries=QueryCount(12, 2, 0),
        attempts=(Attempt(6, 1, {3: 1}), Attempt(6, 1, {5: 1})),
        seed=11,
        metadata={"iterations": 6},
    )
    row = json.loads(json.dumps(result.to_dict()))
    again = SearchResult.from_dict(row)
    assert again == result
    assert again.success and row["total_queries"] == 14 and row["num_attempts"] == 2


def test_unsuccessful_result() -> None:
    result = SearchResult("classical-random", "classical", None, QueryCount(0, 8, 0))
    assert not result.success
    assert SearchResult.from_dict(result.to_dict()) == result
