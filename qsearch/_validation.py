"""Argument checks shared by the public entry points (one message format everywhere)."""

from __future__ import annotations

import numbers
from typing import Any, TypeVar

import numpy as np

from qsearch.exceptions import ProblemError

SeedLike = int | np.random.Generator | None
T = TypeVar("T")


def check_int(value: Any, name: str, owner: str, *, minimum: int | None = None) -> int:
    """Return ``value`` as an int, or raise ProblemError naming the argument and the bound."""
    expected = "an int" if minimum is None else f"an int >= {minimum}"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ProblemError(
            f"The {name!r} argument of {owner} must be {expected}; got {value!r} "
            f"({type(value).__name__})."
        )
    value = int(value)
    if minimum is not None and value < minimum:
        raise ProblemError(f"The {name!r} argument of {owner} must be {expected}; got {value}.")
    return value


def check_instance(value: Any, kind: type[T], name: str, owner: str) -> T:
    """Return ``value`` if it is a ``kind``, or raise ProblemError naming the argument."""
    if isinstance(value, kind):
        return value
    article = "an" if kind.__name__[0] in "AEIOU" else "a"
    raise ProblemError(
        f"The {name!r} argument of {owner} must be {article} {kind.__name__}; "
        f"got {type(value).__name__}."
    )


def check_probability(value: Any, name: str, owner: str) -> float:
    """Return ``value`` as a float in (0, 1), or raise ProblemError (strings and bools too)."""
    real = isinstance(value, numbers.Real) and not isinstance(value, bool)
    number = float(value) if real else float("nan")
    if not 0.0 < number < 1.0:
        kind = "" if real else f" ({type(value).__name__})"
        raise ProblemError(
            f"The {name!r} argument of {owner} must be a number in (0, 1); got {value!r}{kind}."
        )
    return number


def make_rng(seed: SeedLike, owner: str) -> np.random.Generator:
    """A Generator from ``seed`` (int, Generator or None); never touches global random state."""
    if seed is None or isinstance(seed, np.random.Generator):
        return np.random.default_rng(seed)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or int(seed) < 0:
        raise ProblemError(
            f"The 'seed' argument of {owner} must be a non-negative int, a "
            f"numpy.random.Generator or None; got {seed!r}."
        )
    return np.random.default_rng(int(seed))


def seed_record(seed: SeedLike) -> int | None:
    """The seed a result records: the int that reproduces the call, or None for a Generator/None."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        return None
    return int(seed)


def child_seed(rng: np.random.Generator) -> int:
    """Draw a 63-bit integer seed for a sub-computation from ``rng``."""
    return int(rng.integers(0, 2**63 - 1))
