"""Argument checks shared by the public entry points (one message format everywhere)."""

from __future__ import annotations

import errno
import numbers
import os
import shlex
import tempfile
from pathlib import Path
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
    number = int(value)
    if minimum is not None and number < minimum:
        raise ProblemError(f"The {name!r} argument of {owner} must be {expected}; got {number}.")
    return number


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


def finite_array(value: Any, name: str, owner: str, *, ndim: int) -> np.ndarray:
    """``value`` as a non-empty float array with ``ndim`` dimensions and finite entries, or a
    ProblemError naming the argument, the expectation and what was given."""
    shape = "1-D sequence of real numbers" if ndim == 1 else f"{ndim}-D float array"
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ProblemError(
            f"The {name!r} argument of {owner} must be a {shape}; got {type(value).__name__}."
        ) from None
    if array.ndim != ndim or 0 in array.shape:
        raise ProblemError(
            f"The {name!r} argument of {owner} must be a non-empty {shape}; got shape "
            f"{array.shape}."
        )
    if not np.all(np.isfinite(array)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        where = bad[0] if ndim == 1 else bad
        raise ProblemError(
            f"The {name!r} argument of {owner} must be finite; got {array[bad]} at index {where}."
        )
    return array


def seed_record(seed: SeedLike) -> int | None:
    """The seed a result records: the int that reproduces the call, or None for a Generator/None."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        return None
    return int(seed)


def child_seed(rng: np.random.Generator) -> int:
    """Draw a 63-bit integer seed for a sub-computation from ``rng``."""
    return int(rng.integers(0, 2**63 - 1))


def check_writable_dir(path: str | os.PathLike[str], name: str, owner: str) -> Path:
    """Create directory ``path`` if needed and check that files can be written in it.

    Returns the path; raises ProblemError saying what is wrong with the directory (a regular
    file in the way, a virtual file system such as /proc, no permission, read-only, full) and
    how to fix it. Nothing is left behind in ``path`` but the directory itself.
    """
    target = Path(path).expanduser()
    where = f"The {name} of {owner} ({str(target)!r})"
    other = f"choose another {name}"
    blocker = next((p for p in (target, *target.parents) if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        what = "is" if blocker == target else f"lies under {str(blocker)!r}, which is"
        raise ProblemError(
            f"{where} {what} a regular file, not a directory; remove or rename that file, "
            f"or {other}."
        )
    resolved = target.resolve()
    if resolved.parts[1:2] in (("proc",), ("sys",)):
        raise ProblemError(
            f"{where} is inside /{resolved.parts[1]}, a virtual file system of the kernel that "
            f"cannot hold files; {other} on disk."
        )
    try:
        target.mkdir(parents=True, exist_ok=True)
        descriptor, probe = tempfile.mkstemp(prefix=".qsearch-write-test-", dir=target)
        os.close(descriptor)
        os.unlink(probe)
    except PermissionError as exc:
        existing = next(p for p in (target, *target.parents) if p.exists())
        denied = shlex.quote(str(existing))  # the directory whose permissions say no
        raise ProblemError(
            f"{where} is not writable by this user (permission denied on {denied}); make it "
            f"writable (`chmod u+w {denied}`) or {other}."
        ) from exc
    except OSError as exc:
        reason = {
            errno.EROFS: "is on a read-only file system",
            errno.ENOSPC: "is on a full disk",
            errno.EDQUOT: "is over its disk quota",
        }.get(exc.errno or 0, f"cannot hold files ({exc.strerror or exc})")
        raise ProblemError(f"{where} {reason}; {other}.") from exc
    return target
