"""The problem a search answers and the program a backend runs.

A :class:`SearchProblem` is N items (indices ``0..N-1``) of which a set is *marked*, optionally
with a prior: the probability distribution the state preparation A loads (amplitudes √p_i), as in
amplitude amplification (Brassard, Høyer, Mosca, Tapp 2002, arXiv:quant-ph/0005055). A
:class:`SearchProgram` is the unit of work a backend runs: prepare A|0⟩, apply ``iterations``
Grover iterates, measure the index register.

Padding: the index register has ``n = ceil(log2 N)`` qubits. When N is not a power of two the
state preparation puts amplitude only on the N real items (uniform √(1/N), or √p_i with a prior),
so the 2^n − N padding indices carry zero amplitude, are never marked and are never measured by an
ideal backend. The padding costs no oracle queries; it costs gates in the state preparation, which
the circuit resource counts include.
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

import numpy as np

from qsearch._validation import check_int
from qsearch.exceptions import ProblemError

T = TypeVar("T")

#: Largest N a problem may have (the closed-form backend handles any N up to this).
MAX_ITEMS = 2**60
#: Largest N for which an explicit prior vector is accepted (8 bytes per item).
MAX_PRIOR_ITEMS = 2**28


def _check_marked(marked: Any, num_items: int) -> tuple[int, ...]:
    if isinstance(marked, (str, bytes)) or not isinstance(marked, Iterable):
        raise ProblemError(
            "The 'marked' argument of SearchProblem must be an iterable of item indices; "
            f"got {marked!r}."
        )
    values = np.asarray(list(marked) if not isinstance(marked, np.ndarray) else marked)
    if values.size == 0:
        return ()
    if values.ndim != 1:
        raise ProblemError(
            "The 'marked' argument of SearchProblem must be a flat sequence of item indices; "
            f"got an array of shape {values.shape}."
        )
    items: list[int] = []
    for value in values.tolist():
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise ProblemError(
                "The 'marked' argument of SearchProblem must hold int item indices; "
                f"got {value!r} ({type(value).__name__})."
            )
        if not 0 <= int(value) < num_items:
            raise ProblemError(
                f"The 'marked' argument of SearchProblem must hold indices in [0, {num_items}); "
                f"got {value}."
            )
        items.append(int(value))
    ordered = sorted(items)
    for left, right in itertools.pairwise(ordered):
        if left == right:
            raise ProblemError(
                "The 'marked' argument of SearchProblem must not repeat an index; "
                f"got {left} twice."
            )
    return tuple(ordered)


def _check_prior(prior: Any, num_items: int) -> np.ndarray:
    if num_items > MAX_PRIOR_ITEMS:
        raise ProblemError(
            f"The 'prior' argument of SearchProblem is supported for num_items <= "
            f"{MAX_PRIOR_ITEMS}; got num_items={num_items}."
        )
    try:
        vector = np.array(prior, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ProblemError(
            "The 'prior' argument of SearchProblem must be a probability vector of floats; "
            f"got {type(prior).__name__} ({exc})."
        ) from None
    if vector.shape != (num_items,):
        raise ProblemError(
            f"The 'prior' argument of SearchProblem must have shape ({num_items},); "
            f"got shape {vector.shape}."
        )
    if not np.all(np.isfinite(vector)):
        raise ProblemError(
            "The 'prior' argument of SearchProblem must be finite; got NaN or infinity at index "
            f"{int(np.flatnonzero(~np.isfinite(vector))[0])}."
        )
    if np.any(vector < 0):
        bad = int(np.flatnonzero(vector < 0)[0])
        raise ProblemError(
            "The 'prior' argument of SearchProblem must be non-negative; "
            f"got {float(vector[bad])} at index {bad}."
        )
    total = float(vector.sum())
    if not math.isclose(total, 1.0, rel_tol=0.0, abs_tol=1e-8):
        raise ProblemError(
            "The 'prior' argument of SearchProblem must sum to 1; "
            f"got a sum of {total!r} (normalise it with p / p.sum())."
        )
    vector /= total
    vector.setflags(write=False)
    return vector


@dataclass(frozen=True, eq=False)
class SearchProblem:
    """N items, the marked set an oracle flags, and an optional prior.

    Args:
        num_items: N >= 1, the number of items (indices ``0..N-1``), at most 2^60.
        marked: indices of the marked items; may be empty (M = 0 is a valid problem).
        prior: optional probability vector of length N; the state preparation loads amplitudes
            √p_i. ``None`` means uniform.
        build_cost: classical predicate evaluations spent deciding which items are marked (the
            cost of building the oracle over classical data); reported as ``QueryCount.build``.

    Raises:
        ProblemError: for any invalid argument; the message names it.

    Example:
        >>> p = SearchProblem(8, [3])
        >>> p.num_qubits, p.num_marked
        (3, 1)
    """

    num_items: int
    marked: tuple[int, ...]
    prior: np.ndarray | None = field(default=None, kw_only=True, repr=False)
    build_cost: int = field(default=0, kw_only=True)
    #: A coherent oracle (duck-typed: ``num_items``, ``marked``, ``circuit(alpha)``, see
    #: :meth:`from_oracle`) that circuit backends apply instead of the marked-set phases.
    oracle: Any = field(default=None, kw_only=True, repr=False)

    def __init__(
        self,
        num_items: int,
        marked: Iterable[int],
        *,
        prior: Sequence[float] | np.ndarray | None = None,
        build_cost: int = 0,
    ) -> None:
        n = check_int(num_items, "num_items", "SearchProblem", minimum=1)
        if n > MAX_ITEMS:
            raise ProblemError(
                f"The 'num_items' argument of SearchProblem must be <= 2**60; got {n}."
            )
        object.__setattr__(self, "num_items", n)
        object.__setattr__(self, "marked", _check_marked(marked, n))
        object.__setattr__(self, "prior", None if prior is None else _check_prior(prior, n))
        object.__setattr__(
            self, "build_cost", check_int(build_cost, "build_cost", "SearchProblem", minimum=0)
        )
        object.__setattr__(self, "oracle", None)

    @classmethod
    def from_oracle(
        cls, oracle: Any, *, prior: Sequence[float] | np.ndarray | None = None
    ) -> SearchProblem:
        """The problem a coherent oracle (e.g. :class:`qsearch.oracles.HammingOracle`) defines.

        The marked set is the oracle's classical predicate (the ``ideal`` backend uses it);
        circuit backends apply ``oracle.circuit(alpha)`` on the index and its work qubits.
        ``build_cost`` is ``oracle.build_cost`` (the items its one-time compile reads).
        """
        needed = ("num_items", "marked", "circuit", "num_qubits")
        missing = [name for name in needed if not hasattr(oracle, name)]
        if missing:
            raise ProblemError(
                "The 'oracle' argument of SearchProblem.from_oracle must have num_items, marked, "
                f"num_qubits and circuit(); got {type(oracle).__name__} without {missing}."
            )
        problem = cls(
            oracle.num_items,
            oracle.marked,
            prior=prior,
            build_cost=getattr(oracle, "build_cost", oracle.num_items),
        )
        object.__setattr__(problem, "oracle", oracle)
        return problem

    @classmethod
    def from_predicate(
        cls,
        items: Sequence[T],
        fn: Callable[[T], bool],
        *,
        prior: Sequence[float] | np.ndarray | None = None,
    ) -> SearchProblem:
        """Mark the items for which ``fn(item)`` is true.

        Evaluating ``fn`` on every item is the classical work of building the oracle; it is
        recorded as ``build_cost = len(items)``.
        """
        if not callable(fn):
            raise ProblemError(
                f"The 'fn' argument of SearchProblem.from_predicate must be callable; got {fn!r}."
            )
        items = list(items)
        if not items:
            raise ProblemError(
                "The 'items' argument of SearchProblem.from_predicate must not be empty."
            )
        marked = [i for i, item in enumerate(items) if fn(item)]
        return cls(len(items), marked, prior=prior, build_cost=len(items))

    @property
    def num_marked(self) -> int:
        """M, the number of marked items."""
        return len(self.marked)

    @property
    def num_qubits(self) -> int:
        """Index-register width n = ceil(log2 N) (at least 1)."""
        return max(1, (self.num_items - 1).bit_length())

    @property
    def is_padded(self) -> bool:
        """True when N is not a power of two (the register has padding indices)."""
        return self.num_items != 1 << self.num_qubits

    @cached_property
    def marked_array(self) -> np.ndarray:
        """The marked indices as a sorted int64 array."""
        array = np.asarray(self.marked, dtype=np.int64)
        array.setflags(write=False)
        return array

    @cached_property
    def marked_mass(self) -> float:
        """sin²θ: the probability that the prepared state A|0⟩ yields a marked item."""
        if self.prior is None:
            return self.num_marked / self.num_items
        if not self.marked:
            return 0.0
        return min(1.0, float(self.prior[self.marked_array].sum()))  # rounding can pass 1

    def is_marked(self, item: int) -> bool:
        """The classical check of one item (what a verification query evaluates)."""
        index = int(np.searchsorted(self.marked_array, item))
        return index < len(self.marked) and self.marked[index] == item

    @cached_property
    def _key(self) -> tuple[Any, ...]:
        prior = None if self.prior is None else self.prior.tobytes()
        return (self.num_items, self.marked, prior, self.build_cost, self.oracle)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SearchProblem):
            return NotImplemented
        return self._key == other._key

    def __hash__(self) -> int:
        return hash(self._key)

    def __repr__(self) -> str:
        marked = self.marked if self.num_marked <= 8 else f"<{self.num_marked} indices>"
        extra = "" if self.prior is None else ", prior=<array>"
        build = "" if not self.build_cost else f", build_cost={self.build_cost}"
        return f"SearchProblem({self.num_items}, {marked}{extra}{build})"


Phases = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class SearchProgram:
    """Prepare A|0⟩, apply ``iterations`` generalised Grover iterates, measure the index.

    The j-th iterate is G(α_j, β_j) = −S_s(β_j) S_t(α_j), with S_t(α) = I − (1 − e^{iα})Π_marked
    the oracle and S_s(β) = I − (1 − e^{iβ})|s⟩⟨s| the reflection about s = A|0⟩. Without
    ``phases`` every iterate is Grover's (α = β = π). Phases serve fixed-point amplitude
    amplification (Yoder, Low, Chuang 2014, arXiv:1409.3305).

    Args:
        problem: the search problem.
        iterations: k >= 0 oracle applications per shot.
        phases: optional ``k`` pairs (α_j, β_j) in radians.
    """

    problem: SearchProblem
    iterations: int
    phases: Phases | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.problem, SearchProblem):
            raise ProblemError(
                "The 'problem' argument of SearchProgram must be a SearchProblem; "
                f"got {type(self.problem).__name__}."
            )
        k = check_int(self.iterations, "iterations", "SearchProgram", minimum=0)
        object.__setattr__(self, "iterations", k)
        if self.phases is not None:
            try:
                phases = tuple((float(a), float(b)) for a, b in self.phases)
            except (TypeError, ValueError):
                raise ProblemError(
                    "The 'phases' argument of SearchProgram must be a sequence of (alpha, beta) "
                    f"float pairs; got {self.phases!r}."
                ) from None
            if len(phases) != k:
                raise ProblemError(
                    f"The 'phases' argument of SearchProgram must hold one pair per iteration "
                    f"({k}); got {len(phases)}."
                )
            if not all(math.isfinite(a) and math.isfinite(b) for a, b in phases):
                raise ProblemError("The 'phases' argument of SearchProgram must be finite.")
            object.__setattr__(self, "phases", phases)

    @property
    def is_standard(self) -> bool:
        """True when every iterate is Grover's (α = β = π)."""
        return self.phases is None or all(
            math.isclose(a % (2 * math.pi), math.pi) and math.isclose(b % (2 * math.pi), math.pi)
            for a, b in self.phases
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly description that :meth:`from_dict` turns back into an equal program."""
        problem = self.problem
        return {
            "num_items": problem.num_items,
            "marked": list(problem.marked),
            "prior": None if problem.prior is None else [float(p) for p in problem.prior],
            "build_cost": problem.build_cost,
            "iterations": self.iterations,
            "phases": None if self.phases is None else [list(pair) for pair in self.phases],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SearchProgram:
        """The program :meth:`to_dict` described (validated like any other)."""
        problem = SearchProblem(
            data["num_items"],
            data["marked"],
            prior=data.get("prior"),
            build_cost=data.get("build_cost", 0),
        )
        phases = data.get("phases")
        return cls(
            problem, data["iterations"], None if phases is None else tuple(map(tuple, phases))
        )
