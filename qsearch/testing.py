"""A conformance suite every qsearch backend must pass, public so third-party backends can run it.

``assert_backend_conforms(backend)`` runs small programs (n <= 4 qubits, ~2000 shots) and checks
the properties the algorithms rely on. A failure raises ``AssertionError`` whose message starts
with ``conformance property '<name>'``. Statistical properties compare counts with the exact
distribution of :class:`~qsearch.backends.ideal.IdealBackend` (closed form, Brassard, Høyer,
Mosca, Tapp 2002, arXiv:quant-ph/0005055) per item with the explicit binomial bound

    |count_i − shots·p_i| <= 5·sqrt(shots·p_i·(1 − p_i)) + 1,

so a correct noiseless backend fails a check with probability below about 10⁻⁵ per item. The
suite uses fixed seeds and never retries.

Properties (in the order they are checked):
    ``output length``: one counts dict per program, in order (and ``[]`` for no programs).
    ``counts type``: keys and values are ints (item indices, never bitstrings), values > 0.
    ``keys in range``: every key is an item index in [0, N). Noisy backends may also report the
        padding indices [N, 2^n) of a non-power-of-two N: noise puts real shots there, and
        hiding them would hide errors (noiseless backends never see them: zero amplitude).
    ``counts sum to shots``: each counts dict sums to ``shots``.
    ``seeded runs repeat``: the same int seed gives the same counts.
    ``bit order``: a single marked item i after the optimal k iterates comes back as i, for
        items whose bit patterns are not palindromes (a bit-reversing backend reports others).
    ``ideal distribution``: per-item counts within the 5σ bound of the ideal distribution.
    ``non-power-of-two N``: N = 11, within the bound (noiseless: padding never reported).
    ``prior``: a non-uniform state preparation, within the bound (optional feature).
    ``phases``: generalised iterates G(α, β) (Yoder, Low, Chuang 2014, arXiv:1409.3305), within
        the bound (optional feature).

Optional features a backend rejects with :class:`~qsearch.exceptions.UnsupportedProgramError` are
reported as skipped, not failed. Noisy backends (``noiseless=False``) skip the 5σ comparisons and
check bit order by the most frequent item only.

Example:
    >>> from qsearch.backends.ideal import IdealBackend
    >>> report = assert_backend_conforms(IdealBackend())
    >>> report["bit order"]
    'passed'
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from qsearch._validation import check_int, child_seed, make_rng
from qsearch.backends.base import Backend
from qsearch.backends.ideal import IdealBackend
from qsearch.exceptions import ProblemError, UnsupportedProgramError
from qsearch.problem import SearchProblem, SearchProgram
from qsearch.results import Counts
from qsearch.schedules import optimal_iterations

#: Width of the per-item binomial band, in standard deviations.
SIGMAS = 5.0
#: Items used by the bit-order check (N = 16): 1 = 0001, 8 = 1000 and 11 = 1011 become 8, 1 and
#: 13 under bit reversal, so a backend that reverses the register order reports the wrong item.
BIT_ORDER_ITEMS = (1, 8, 11)

PASSED = "passed"


class _Skip(Exception):
    """An optional feature the backend declines (UnsupportedProgramError)."""


def binomial_bound(shots: int, p: float, sigmas: float = SIGMAS) -> float:
    """Half-width of the ``sigmas``·σ band of a Binomial(shots, p) count, + 1 for discreteness."""
    p = min(max(float(p), 0.0), 1.0)
    return sigmas * math.sqrt(shots * p * (1.0 - p)) + 1.0


def _fail(prop: str, backend_name: str, detail: str) -> AssertionError:
    return AssertionError(
        f"conformance property {prop!r} failed for backend {backend_name!r}: {detail}"
    )


def _check_counts_shape(
    name: str, programs: list[SearchProgram], results: Any, shots: int, noiseless: bool
) -> list[Counts]:
    """Length, types, range and sum of one run's output (raising on the first problem)."""
    if not isinstance(results, list) or len(results) != len(programs):
        length = len(results) if hasattr(results, "__len__") else "?"
        raise _fail(
            "output length",
            name,
            f"run() on {len(programs)} programs returned {type(results).__name__} of length "
            f"{length}; expected a list with one counts dict per program.",
        )
    for index, (program, counts) in enumerate(zip(programs, results, strict=True)):
        if not isinstance(counts, Mapping):
            raise _fail(
                "counts type", name, f"result {index} is {type(counts).__name__}, not a dict."
            )
        for key, value in counts.items():
            if isinstance(key, (bool, np.bool_)) or not isinstance(key, (int, np.integer)):
                raise _fail(
                    "counts type",
                    name,
                    f"result {index} has key {key!r} ({type(key).__name__}); keys must be int "
                    "item indices, not bitstrings.",
                )
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
                raise _fail(
                    "counts type", name, f"result {index} has count {value!r} for item {key}."
                )
            if value <= 0:
                raise _fail(
                    "counts type", name, f"result {index} has count {value} <= 0 for item {key}."
                )
        n = program.problem.num_items
        limit = n if noiseless else 2**program.problem.num_qubits
        outside = sorted(k for k in counts if not 0 <= int(k) < limit)
        if outside:
            raise _fail(
                "keys in range",
                name,
                f"result {index} (N={n}) has keys outside [0, {limit}): {outside[:5]}.",
            )
        total = sum(int(v) for v in counts.values())
        if total != shots:
            raise _fail(
                "counts sum to shots",
                name,
                f"result {index} sums to {total}; expected shots={shots}.",
            )
    return [{int(k): int(v) for k, v in counts.items()} for counts in results]


def _check_against_ideal(
    prop: str, name: str, program: SearchProgram, counts: Counts, shots: int
) -> None:
    """Per-item 5σ comparison of ``counts`` with the exact distribution of ``program``."""
    probs = IdealBackend().probabilities([program])[0]
    for item in range(program.problem.num_items):
        expected = shots * probs[item]
        observed = counts.get(item, 0)
        bound = binomial_bound(shots, probs[item])
        if abs(observed - expected) > bound:
            raise _fail(
                prop,
                name,
                f"item {item} of {program.problem!r} with k={program.iterations} was seen "
                f"{observed} times in {shots} shots; the ideal probability {probs[item]:.4f} "
                f"gives {expected:.1f} ± {bound:.1f} (5σ binomial bound).",
            )


def assert_backend_conforms(
    backend: Backend,
    *,
    seed: int = 1234,
    shots: int = 2000,
    noiseless: bool = True,
) -> dict[str, str]:
    """Check that ``backend`` honours the Backend contract; raise AssertionError if not.

    Args:
        backend: any object with ``name`` and ``run(programs, *, shots, seed)``.
        seed: base seed; every run gets a seed derived from it, so the suite is deterministic
            for a deterministic backend.
        shots: shots per program (>= 100; the bounds scale with it).
        noiseless: ``False`` for noisy backends: the 5σ comparisons with the ideal
            distribution are skipped and bit order is checked by the most frequent item.

    Returns:
        ``{property: "passed" | "skipped: <reason>"}`` for every property, in check order.

    Raises:
        AssertionError: the first property that fails, named in the message
            (``conformance property 'bit order' failed for backend ...``).
        ProblemError: invalid arguments.
    """
    shots = check_int(shots, "shots", "assert_backend_conforms", minimum=100)
    seed = check_int(seed, "seed", "assert_backend_conforms", minimum=0)
    if not callable(getattr(backend, "run", None)):
        raise ProblemError(
            "The 'backend' argument of assert_backend_conforms must have a run(programs, *, "
            f"shots, seed) method; got {type(backend).__name__}."
        )
    name = str(getattr(backend, "name", type(backend).__name__))
    rng = make_rng(seed, "assert_backend_conforms")
    report: dict[str, str] = {}

    def run(programs: list[SearchProgram], run_seed: int | None = None) -> list[Counts]:
        results = backend.run(
            programs, shots=shots, seed=child_seed(rng) if run_seed is None else run_seed
        )
        return _check_counts_shape(name, programs, results, shots, noiseless)

    # Output shape: three programs of different sizes in one call, then none.
    basic = [
        SearchProgram(SearchProblem(16, [5]), 1),
        SearchProgram(SearchProblem(8, [2, 6]), 0),
        SearchProgram(SearchProblem(4, [3]), 1),
    ]
    first_seed = child_seed(rng)
    first = run(basic, first_seed)
    empty = backend.run([], shots=shots, seed=child_seed(rng))
    if not isinstance(empty, list) or empty:
        raise _fail("output length", name, f"run([]) returned {empty!r}; expected [].")
    for prop in ("output length", "counts type", "keys in range", "counts sum to shots"):
        report[prop] = PASSED

    # Seeded runs repeat.
    again = run(basic, first_seed)
    for index, (a, b) in enumerate(zip(first, again, strict=True)):
        if a != b:
            raise _fail(
                "seeded runs repeat",
                name,
                f"two runs with seed={first_seed} differ for program {index}: "
                f"{dict(sorted(a.items()))} vs {dict(sorted(b.items()))}.",
            )
    report["seeded runs repeat"] = PASSED

    # Bit order: a single marked item i comes back as i.
    k16 = optimal_iterations(16, 1)
    programs = [SearchProgram(SearchProblem(16, [item]), k16) for item in BIT_ORDER_ITEMS]
    for item, program, counts in zip(BIT_ORDER_ITEMS, programs, run(programs), strict=True):
        top = max(counts.items(), key=lambda kv: (kv[1], -kv[0]))[0] if counts else None
        if top != item:
            raise _fail(
                "bit order",
                name,
                f"with only item {item} marked (N=16, k={k16}) the most frequent item was {top} "
                f"({counts.get(top, 0) if top is not None else 0} of {shots} shots; item {item} "
                f"{counts.get(item, 0)}). Item i must be reported as i (check the bit order "
                "of the adapter: Qiskit is little-endian, PennyLane wires big-endian).",
            )
        if noiseless:
            _check_against_ideal("bit order", name, program, counts, shots)
    report["bit order"] = PASSED

    statistical: list[tuple[str, Callable[[], SearchProgram], bool]] = [
        ("ideal distribution", lambda: SearchProgram(SearchProblem(16, [3, 10]), 1), False),
        ("non-power-of-two N", lambda: SearchProgram(SearchProblem(11, [7]), 2), False),
        ("prior", lambda: SearchProgram(SearchProblem(8, [2, 5], prior=_PRIOR8), 1), True),
        (
            "phases",
            lambda: SearchProgram(
                SearchProblem(16, [3, 12]), 2, phases=((math.pi / 2, math.pi / 3), (2.0, 1.0))
            ),
            True,
        ),
    ]
    for prop, make, optional in statistical:
        program = make()
        try:
            try:
                counts = run([program])[0]
            except UnsupportedProgramError as exc:
                if optional:
                    raise _Skip(str(exc)) from exc
                raise _fail(prop, name, f"run() raised UnsupportedProgramError: {exc}") from exc
        except _Skip as skip:
            report[prop] = f"skipped: {skip}"
            continue
        if noiseless:
            _check_against_ideal(prop, name, program, counts, shots)
            report[prop] = PASSED
        elif prop == "non-power-of-two N":
            report[prop] = PASSED  # keys in range was checked; no distribution for noisy
        else:
            report[prop] = "skipped: noisy backend (no comparison with the ideal distribution)"
    return report


_PRIOR8 = np.array([0.05, 0.10, 0.20, 0.05, 0.15, 0.10, 0.25, 0.10])


def conformance_properties() -> tuple[str, ...]:
    """The property names :func:`assert_backend_conforms` reports, in check order."""
    return (
        "output length",
        "counts type",
        "keys in range",
        "counts sum to shots",
        "seeded runs repeat",
        "bit order",
        "ideal distribution",
        "non-power-of-two N",
        "prior",
        "phases",
    )
