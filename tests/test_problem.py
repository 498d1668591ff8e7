import numpy as np
import pytest

from qsearch import ProblemError, SearchProblem, SearchProgram


@pytest.mark.parametrize(
    ("n", "qubits"), [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (1024, 10), (1025, 11), (2**60, 60)]
)
def test_num_qubits(n: int, qubits: int) -> None:
    assert SearchProblem(n, []).num_qubits == qubits


def test_fields_and_derived_values() -> None:
    p = SearchProblem(10, [7, 2, 5])
    assert p.marked == (2, 5, 7)
    assert p.num_marked == 3
    assert p.marked_mass == pytest.approx(0.3)
    assert p.is_padded
    assert p.is_marked(5) and not p.is_marked(6) and not p.is_marked(9)
    assert not SearchProblem(8, [1]).is_padded
    with pytest.raises(AttributeError):
        p.num_items = 3  # type: ignore[misc]


def test_numpy_marked_and_equality() -> None:
    a = SearchProblem(16, np.array([3, 1]))
    b = SearchProblem(16, [1, 3])
    assert a == b and hash(a) == hash(b)
    assert a != SearchProblem(16, [1, 4])
    assert a != SearchProblem(16, [1, 3], prior=np.full(16, 1 / 16))


def test_prior_mass() -> None:
    prior = np.arange(1, 9, dtype=float)
    prior /= prior.sum()
    p = SearchProblem(8, [7], prior=prior)
    assert p.marked_mass == pytest.approx(8 / 36)
    assert not p.prior.flags.writeable


def test_from_predicate_counts_build_cost() -> None:
    words = ["apple", "kiwi", "banana", "fig"]
    p = SearchProblem.from_predicate(words, lambda w: len(w) <= 4)
    assert p.marked == (1, 3)
    assert p.build_cost == 4


def test_empty_marked_is_valid() -> None:
    assert SearchProblem(4, []).num_marked == 0


@pytest.mark.parametrize(
    ("args", "kwargs", "fragment"),
    [
        ((0, []), {}, "'num_items' argument of SearchProblem must be an int >= 1; got 0"),
        ((-3, []), {}, "got -3"),
        ((2.5, []), {}, "must be an int >= 1; got 2.5"),
        (("8", []), {}, "got '8'"),
        ((True, []), {}, "got True"),
        ((2**61, []), {}, "<= 2**60"),
        ((8, [8]), {}, "indices in [0, 8); got 8"),
        ((8, [-1]), {}, "got -1"),
        ((8, [1, 1]), {}, "must not repeat an index; got 1 twice"),
        ((8, [1.5]), {}, "must hold int item indices; got 1.5"),
        ((8, "13"), {}, "iterable of item indices"),
        ((8, 3), {}, "iterable of item indices"),
        ((4, [1]), {"prior": [0.5, 0.5]}, "shape (4,); got shape (2,)"),
        ((4, [1]), {"prior": [0.5, 0.5, 0.5, -0.5]}, "non-negative; got -0.5 at index 3"),
        ((4, [1]), {"prior": [0.5, np.nan, 0.25, 0.25]}, "finite"),
        ((4, [1]), {"prior": [0.5, 0.5, 0.5, 0.5]}, "sum to 1; got a sum of 2.0"),
        ((4, [1]), {"prior": "abcd"}, "'prior' argument"),
        ((4, [1]), {"build_cost": -1}, "'build_cost'"),
    ],
)
def test_bad_input_names_argument(args: tuple, kwargs: dict, fragment: str) -> None:
    with pytest.raises(ProblemError) as info:
        SearchProblem(*args, **kwargs)
    assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)


def test_from_predicate_bad_input() -> None:
    with pytest.raises(ProblemError, match="'fn'"):
        SearchProblem.from_predicate([1, 2], "not callable")  # type: ignore[arg-type]
    with pytest.raises(ProblemError, match="'items'"):
        SearchProblem.from_predicate([], bool)


def test_program_validation() -> None:
    p = SearchProblem(8, [1])
    assert SearchProgram(p, 2).is_standard
    assert SearchProgram(p, 1, phases=[(np.pi, -np.pi)]).is_standard
    assert not SearchProgram(p, 1, phases=[(1.0, 2.0)]).is_standard
    with pytest.raises(ProblemError, match="'iterations' argument of SearchProgram must be an int"):
        SearchProgram(p, -1)
    with pytest.raises(ProblemError, match="one pair per iteration"):
        SearchProgram(p, 2, phases=[(1.0, 2.0)])
    with pytest.raises(ProblemError, match="'problem'"):
        SearchProgram("p", 1)  # type: ignore[arg-type]
    with pytest.raises(ProblemError, match="finite"):
        SearchProgram(p, 1, phases=[(np.inf, 1.0)])
