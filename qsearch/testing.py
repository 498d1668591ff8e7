"""A conformance suite every qsearch backend must pass, public so third-party backends can run it.

``assert_backend_conforms(backend)`` runs small programs (n <= 4 qubits, ~2000 shots) and checks
the properties the algorithms rely on. A failure raises ``AssertionError`` whose message starts
with ``conformance property '<name>'``. Statistical properties compare counts with the exact
distribution of :func:`reference_probabilities` (dense N × N linear algebra, independent of every
backend; Brassard, Høyer, Mosca, Tapp 2002, arXiv:quant-ph/0005055) per item with the explicit
binomial bound

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

Then each optional ability the backend has (:func:`qsearch.backends.base.supports`; the others
are reported as ``skipped: no <Ability> ability``):
    ``exact probabilities``: ``probabilities`` equals the dense reference to 1e-8 per item.
    ``closed-form amplification``: ``sample_amplified`` at a program's marked probability samples
        that program's distribution (5σ per item, a phased and a prior program), seeded.
    ``circuit execution``: ``run_circuits`` keys counts by the classical register's value (clbit
        j = bit j, checked exactly on two basis-state circuits) and samples the QPE circuit of
        :func:`qsearch.translate.qiskit.qpe_circuit` within 5σ of its closed form (BHMT Thm 11).

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
from typing import Any, cast

import numpy as np

from qsearch._validation import check_int, child_seed, make_rng
from qsearch.backends.base import (
    ABILITIES,
    Backend,
    CircuitExecution,
    ClosedFormAmplification,
    ExactProbabilities,
    supports,
)
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


def binomial_bound(shots: int, p: float, sigmas: float = SIGMAS) -> float:
    """Half-width of the ``sigmas``·σ band of a Binomial(shots, p) count, + 1 for discreteness."""
    p = min(max(float(p), 0.0), 1.0)
    return sigmas * math.sqrt(shots * p * (1.0 - p)) + 1.0


def _fail(prop: str, backend_name: str, detail: str) -> AssertionError:
    return AssertionError(
        f"conformance property {prop!r} failed for backend {backend_name!r}: {detail}"
    )


def _check_counts_shape(
    name: str, limits: list[int], results: Any, shots: int, prop: str | None = None
) -> list[Counts]:
    """Length, types, range [0, limit) and sum of one call's output (raising on the first problem).

    ``prop`` names every failure (an ability's property); default: the contract's properties.
    """
    if not isinstance(results, list) or len(results) != len(limits):
        length = len(results) if hasattr(results, "__len__") else "?"
        raise _fail(
            prop or "output length",
            name,
            f"a call on {len(limits)} inputs returned {type(results).__name__} of length "
            f"{length}; expected a list with one counts dict per input.",
        )
    for index, (limit, counts) in enumerate(zip(limits, results, strict=True)):
        if not isinstance(counts, Mapping):
            raise _fail(
                prop or "counts type",
                name,
                f"result {index} is {type(counts).__name__}, not a dict.",
            )
        for key, value in counts.items():
            if isinstance(key, (bool, np.bool_)) or not isinstance(key, (int, np.integer)):
                raise _fail(
                    prop or "counts type",
                    name,
                    f"result {index} has key {key!r} ({type(key).__name__}); keys must be int "
                    "item indices, not bitstrings.",
                )
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
                raise _fail(
                    prop or "counts type", name, f"result {index} has count {value!r} for {key}."
                )
            if value <= 0:
                raise _fail(
                    prop or "counts type", name, f"result {index} has count {value} <= 0 for {key}."
                )
        outside = sorted(k for k in counts if not 0 <= int(k) < limit)
        if outside:
            raise _fail(
                prop or "keys in range",
                name,
                f"result {index} has keys outside [0, {limit}): {outside[:5]}.",
            )
        total = sum(int(v) for v in counts.values())
        if total != shots:
            raise _fail(
                prop or "counts sum to shots",
                name,
                f"result {index} sums to {total}; expected shots={shots}.",
            )
    return [{int(k): int(v) for k, v in counts.items()} for counts in results]


def reference_probabilities(program: SearchProgram) -> np.ndarray:
    """Exact item distribution of ``program`` by dense linear algebra over its N items.

    ψ = s = A|0⟩ (√p_i, uniform without a prior); each iterate (α, β) applies the oracle
    S_t(α) = I − (1 − e^{iα})Π_marked, then −S_s(β) = −(I − (1 − e^{iβ})|s⟩⟨s|), as N × N
    matrices (Brassard, Høyer, Mosca, Tapp 2002, arXiv:quant-ph/0005055; Yoder, Low, Chuang
    2014, arXiv:1409.3305). Independent of every backend's code; N <= 4096.
    """
    problem = program.problem
    n = problem.num_items
    if n > 4096:
        raise ProblemError(
            f"reference_probabilities builds N × N matrices, for N <= 4096; got N={n}."
        )
    s = np.full(n, 1 / math.sqrt(n)) if problem.prior is None else np.sqrt(problem.prior)
    marked = np.zeros(n)
    marked[list(problem.marked)] = 1.0
    psi = s.astype(np.complex128)
    for alpha, beta in program.phases or ((math.pi, math.pi),) * program.iterations:
        oracle = np.eye(n) - (1 - np.exp(1j * alpha)) * np.diag(marked)
        diffusion = -(np.eye(n) - (1 - np.exp(1j * beta)) * np.outer(s, s))
        psi = diffusion @ (oracle @ psi)
    probs = np.abs(psi) ** 2
    return probs / probs.sum()


def _check_against(
    prop: str, name: str, what: str, probs: np.ndarray, counts: Counts, shots: int
) -> None:
    """Per-item 5σ comparison of ``counts`` with the exact distribution ``probs``."""
    for item, p in enumerate(probs):
        expected = shots * p
        observed = counts.get(item, 0)
        bound = binomial_bound(shots, p)
        if abs(observed - expected) > bound:
            raise _fail(
                prop,
                name,
                f"item {item} of {what} was seen {observed} times in {shots} shots; the exact "
                f"probability {p:.4f} gives {expected:.1f} ± {bound:.1f} (5σ binomial bound).",
            )


def _check_against_ideal(
    prop: str, name: str, program: SearchProgram, counts: Counts, shots: int
) -> None:
    """Per-item 5σ comparison of ``counts`` with the exact distribution of ``program``."""
    what = f"{program.problem!r} with k={program.iterations}"
    _check_against(prop, name, what, reference_probabilities(program), counts, shots)


class _Runner:
    """Runs programs on the backend under test with seeds drawn from one generator."""

    def __init__(self, backend: Backend, name: str, seed: int, shots: int, noiseless: bool):
        self.backend, self.name, self.shots, self.noiseless = backend, name, shots, noiseless
        self.rng = make_rng(seed, "assert_backend_conforms")

    def seed(self) -> int:
        return child_seed(self.rng)

    def run(self, programs: list[SearchProgram], run_seed: int | None = None) -> list[Counts]:
        seed = self.seed() if run_seed is None else run_seed
        results = self.backend.run(programs, shots=self.shots, seed=seed)
        # noisy backends may report the padding indices [N, 2^n): see the module docstring
        limits = [
            p.problem.num_items if self.noiseless else 2**p.problem.num_qubits for p in programs
        ]
        return _check_counts_shape(self.name, limits, results, self.shots)


def _check_output(runner: _Runner, report: dict[str, str]) -> None:
    """Output shape (three programs of different sizes, then none) and seeded repeats."""
    basic = [
        SearchProgram(SearchProblem(16, [5]), 1),
        SearchProgram(SearchProblem(8, [2, 6]), 0),
        SearchProgram(SearchProblem(4, [3]), 1),
    ]
    first_seed = runner.seed()
    first = runner.run(basic, first_seed)
    empty = runner.backend.run([], shots=runner.shots, seed=runner.seed())
    if not isinstance(empty, list) or empty:
        raise _fail("output length", runner.name, f"run([]) returned {empty!r}; expected [].")
    for prop in ("output length", "counts type", "keys in range", "counts sum to shots"):
        report[prop] = PASSED
    again = runner.run(basic, first_seed)
    for index, (a, b) in enumerate(zip(first, again, strict=True)):
        if a != b:
            raise _fail(
                "seeded runs repeat",
                runner.name,
                f"two runs with seed={first_seed} differ for program {index}: "
                f"{dict(sorted(a.items()))} vs {dict(sorted(b.items()))}.",
            )
    report["seeded runs repeat"] = PASSED


def _check_bit_order(runner: _Runner, report: dict[str, str]) -> None:
    """A single marked item i comes back as i."""
    k16 = optimal_iterations(16, 1)
    programs = [SearchProgram(SearchProblem(16, [item]), k16) for item in BIT_ORDER_ITEMS]
    shots = runner.shots
    for item, program, counts in zip(BIT_ORDER_ITEMS, programs, runner.run(programs), strict=True):
        top = max(counts.items(), key=lambda kv: (kv[1], -kv[0]))[0] if counts else None
        if top != item:
            raise _fail(
                "bit order",
                runner.name,
                f"with only item {item} marked (N=16, k={k16}) the most frequent item was {top} "
                f"({counts.get(top, 0) if top is not None else 0} of {shots} shots; item {item} "
                f"{counts.get(item, 0)}). Item i must be reported as i (check the bit order "
                "of the adapter: Qiskit is little-endian, PennyLane wires big-endian).",
            )
        if runner.noiseless:
            _check_against_ideal("bit order", runner.name, program, counts, shots)
    report["bit order"] = PASSED


def _statistical_programs() -> list[tuple[str, SearchProgram, bool]]:
    """(property, program, optional) for the distribution checks."""
    return [
        ("ideal distribution", SearchProgram(SearchProblem(16, [3, 10]), 1), False),
        ("non-power-of-two N", SearchProgram(SearchProblem(11, [7]), 2), False),
        ("prior", SearchProgram(SearchProblem(8, [2, 5], prior=_PRIOR8), 1), True),
        ("phases", _PHASED, True),
    ]


def _check_distributions(runner: _Runner, report: dict[str, str]) -> None:
    """Counts within the 5σ bound of the exact distribution (optional features may decline)."""
    for prop, program, optional in _statistical_programs():
        try:
            counts = runner.run([program])[0]
        except UnsupportedProgramError as exc:
            if not optional:
                raise _fail(
                    prop, runner.name, f"run() raised UnsupportedProgramError: {exc}"
                ) from exc
            report[prop] = f"skipped: {exc}"
            continue
        if runner.noiseless:
            _check_against_ideal(prop, runner.name, program, counts, runner.shots)
            report[prop] = PASSED
        elif prop == "non-power-of-two N":
            report[prop] = PASSED  # keys in range was checked; no distribution for noisy
        else:
            report[prop] = "skipped: noisy backend (no comparison with the ideal distribution)"


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
    runner = _Runner(backend, name, seed, shots, noiseless)
    report: dict[str, str] = {}
    _check_output(runner, report)
    _check_bit_order(runner, report)
    _check_distributions(runner, report)
    _check_abilities(runner, report)
    return report


_PRIOR8 = np.array([0.05, 0.10, 0.20, 0.05, 0.15, 0.10, 0.25, 0.10])
_PHASED = SearchProgram(
    SearchProblem(16, [3, 12]), 2, phases=((math.pi / 2, math.pi / 3), (2.0, 1.0))
)


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
        *ABILITY_PROPERTIES,
    )


# -- optional abilities (qsearch.backends.base), checked when a backend has them ----------------

#: Report keys of the ability checks, in the order of :data:`qsearch.backends.base.ABILITIES`.
ABILITY_PROPERTIES = ("exact probabilities", "closed-form amplification", "circuit execution")
#: Largest deviation allowed between exact probabilities and the reference.
PROBABILITY_TOLERANCE = 1e-8


def _check_exact_probabilities(runner: _Runner, prop: str) -> None:
    """``probabilities`` equals :func:`reference_probabilities` item by item (to 1e-8)."""
    for _, program, optional in _statistical_programs():
        try:
            result = cast(ExactProbabilities, runner.backend).probabilities([program])
        except UnsupportedProgramError:
            if optional:  # a feature the backend declines in run() too
                continue
            raise
        if not isinstance(result, list) or len(result) != 1:
            raise _fail(prop, runner.name, f"probabilities([program]) returned {result!r}.")
        probs = np.asarray(result[0], dtype=float)
        expected = reference_probabilities(program)
        if probs.shape != expected.shape:
            raise _fail(
                prop,
                runner.name,
                f"{program.problem!r}: got shape {probs.shape}; expected ({expected.size},), "
                "one probability per item.",
            )
        worst = int(np.argmax(np.abs(probs - expected)))
        if abs(probs[worst] - expected[worst]) > PROBABILITY_TOLERANCE:
            raise _fail(
                prop,
                runner.name,
                f"item {worst} of {program.problem!r} with k={program.iterations} has probability "
                f"{probs[worst]:.10f}; the dense reference gives {expected[worst]:.10f}.",
            )


def _check_closed_form(runner: _Runner, prop: str) -> None:
    """``sample_amplified`` at the reference marked probability samples the program's
    distribution (5σ per item) and repeats for a seed."""
    prior = SearchProgram(SearchProblem(8, [2, 5], prior=_PRIOR8), 1)
    for program in (_PHASED, prior):
        problem = program.problem
        probs = reference_probabilities(program)
        p_marked = float(probs[list(problem.marked)].sum())
        seed = runner.seed()
        samples = [
            cast(ClosedFormAmplification, runner.backend).sample_amplified(
                problem, p_marked, shots=runner.shots, seed=seed
            )
            for _ in range(2)
        ]
        first, again = _check_counts_shape(
            runner.name, [problem.num_items] * 2, samples, runner.shots, prop
        )
        if first != again:
            raise _fail(prop, runner.name, f"two calls with seed={seed} differ.")
        what = f"{problem!r} sampled at P(marked) = {p_marked:.4f}"
        _check_against(prop, runner.name, what, probs, first, runner.shots)


def _check_circuit_execution(runner: _Runner, prop: str) -> None:
    """``run_circuits``: the classical register's value (clbit j = bit j) and the QPE
    distribution of :func:`qsearch.translate.qiskit.qpe_circuit` (BHMT 2002, Theorem 11)."""
    from qiskit import QuantumCircuit

    from qsearch.algorithms.counting import qpe_distribution
    from qsearch.translate.qiskit import qpe_circuit

    marker = QuantumCircuit(3, 3)  # qubits 0 and 2 set: 0b101 = 5
    marker.x([0, 2])
    marker.measure(range(3), range(3))
    crossed = QuantumCircuit(2, 2)  # qubit 0 set, measured into clbit 1: 0b10 = 2
    crossed.x(0)
    crossed.measure([0, 1], [1, 0])
    qpe = qpe_circuit(SearchProblem(4, [1]), 3)  # a = 1/4
    circuits, expected = [marker, crossed, qpe], [5, 2]
    seed = runner.seed()
    executor = cast(CircuitExecution, runner.backend)
    runs = [executor.run_circuits(circuits, shots=runner.shots, seed=seed) for _ in range(2)]
    limits = [2**c.num_clbits for c in circuits]
    first = _check_counts_shape(runner.name, limits, runs[0], runner.shots, prop)
    if first != _check_counts_shape(runner.name, limits, runs[1], runner.shots, prop):
        raise _fail(prop, runner.name, f"two calls with seed={seed} differ.")
    for value, counts in zip(expected, first, strict=False):
        top = max(counts, key=counts.__getitem__)
        if top != value or (runner.noiseless and counts != {value: runner.shots}):
            raise _fail(
                prop,
                runner.name,
                f"a circuit whose classical register reads {value} gave {counts}: the counts "
                "must be keyed by the register's integer value, clbit j = bit j.",
            )
    if runner.noiseless:
        probs = qpe_distribution(0.25, 3)
        _check_against(
            prop, runner.name, "the QPE circuit (a = 1/4)", probs, first[2], runner.shots
        )


def _check_abilities(runner: _Runner, report: dict[str, str]) -> None:
    """Each ability the backend has (:func:`qsearch.backends.base.supports`), against
    references independent of it; the others are reported as skipped."""
    checks: dict[type, Callable[[_Runner, str], None]] = {
        ExactProbabilities: _check_exact_probabilities,
        ClosedFormAmplification: _check_closed_form,
        CircuitExecution: _check_circuit_execution,
    }
    for prop, ability in zip(ABILITY_PROPERTIES, ABILITIES, strict=True):
        if supports(runner.backend, ability):
            checks[ability](runner, prop)
            report[prop] = PASSED
        else:
            report[prop] = f"skipped: no {ability.__name__} ability"
