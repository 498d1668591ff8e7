"""Bad inputs to backends, counting and retrieval: a clear ProblemError or a stated warning."""

from __future__ import annotations

import pytest

from qsearch.algorithms.counting import count_marked
from qsearch.backends.base import get_backend
from qsearch.exceptions import ProblemError
from qsearch.problem import SearchProblem


def test_unknown_backend_option_names_backend_option_and_accepted_ones() -> None:
    with pytest.raises(ProblemError, match=r"'ideal' backend has no option 'bogus_kw'.*'method'"):
        get_backend("ideal", bogus_kw=1)
    assert get_backend("ideal", method="closed_form").name.startswith("ideal")


@pytest.mark.parametrize("epsilon", ["0.1", True, None, [0.1]])
def test_count_marked_rejects_non_numbers(epsilon: object) -> None:
    with pytest.raises(ProblemError, match=r"'epsilon' argument of count_marked must be a number"):
        count_marked(SearchProblem(16, [1]), epsilon=epsilon)  # type: ignore[arg-type]
