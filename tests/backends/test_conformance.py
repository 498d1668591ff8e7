"""Every installed backend passes the public conformance suite; broken ones fail it by name."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from qsearch.backends.base import ABILITIES, get_backend, supports
from qsearch.backends.ideal import IdealBackend
from qsearch.problem import SearchProgram
from qsearch.results import Counts
from qsearch.testing import (
    ABILITY_PROPERTIES,
    assert_backend_conforms,
    binomial_bound,
    conformance_properties,
)

# default.qubit and lightning.qubit as required; default.mixed and reference.qubit stand for
# "any other device" (per-item controlled phases instead of sparse diagonals).
_PENNYLANE_DEVICES = ("default.qubit", "lightning.qubit", "default.mixed", "reference.qubit")


def _pennylane(device: str) -> Callable[[], Any]:
    def make() -> Any:
        module = pytest.importorskip("qsearch.backends.pennylane")
        if device not in module.installed_devices():
            pytest.skip(f"PennyLane device {device!r} is not installed")
        return module.PennyLaneBackend(device)

    return make


def _aer() -> Any:
    from qsearch.backends.aer import AerBackend

    return AerBackend(threads=1)


def _ibm() -> Any:
    try:
        importlib.import_module("qsearch.backends.ibm.backend")
    except ImportError as exc:  # the module or its extra is missing
        pytest.skip(f"ibm backend unavailable: {exc}")
    return get_backend("ibm", device="fake_torino")


# (factory, noiseless): fake_torino carries the device's noise model.
BACKENDS: list[Any] = [
    pytest.param(IdealBackend, True, id="ideal"),
    pytest.param(lambda: IdealBackend("statevector"), True, id="ideal-statevector"),
    pytest.param(_aer, True, id="aer"),
    *(
        pytest.param(_pennylane(device), True, id=f"pennylane-{device}")
        for device in _PENNYLANE_DEVICES
    ),
    pytest.param(_ibm, False, id="ibm-fake_torino"),
]


@pytest.mark.parametrize(("make", "noiseless"), BACKENDS)
def test_backend_conforms(make: Callable[[], Any], noiseless: bool) -> None:
    backend = make()
    report = assert_backend_conforms(backend, seed=2024, noiseless=noiseless)
    assert tuple(report) == conformance_properties()
    required = {"output length", "counts type", "keys in range", "counts sum to shots"}
    required |= {"seeded runs repeat", "bit order", "non-power-of-two N"}
    assert all(report[prop] == "passed" for prop in required), report
    # every ability the backend has is checked and passes; the others are skipped by name
    for prop, ability in zip(ABILITY_PROPERTIES, ABILITIES, strict=True):
        expected = "passed" if supports(backend, ability) else f"skipped: no {ability.__name__}"
        assert report[prop].startswith(expected), (prop, report[prop])
    if noiseless:
        contract = {k: v for k, v in report.items() if k not in ABILITY_PROPERTIES}
        assert set(contract.values()) == {"passed"}, report


def test_each_registered_ability_is_exercised_somewhere() -> None:
    """ideal covers ExactProbabilities and ClosedFormAmplification, aer CircuitExecution."""
    from qsearch.backends.aer import AerBackend

    reports = [assert_backend_conforms(IdealBackend()), assert_backend_conforms(AerBackend())]
    for prop in ABILITY_PROPERTIES:
        assert any(report[prop] == "passed" for report in reports), prop


# -- deliberately broken backends ------------------------------------------------------------


class _Wrapped:
    """A real backend whose output is corrupted by ``corrupt`` (one property each)."""

    def __init__(self, corrupt: Callable[[SearchProgram, Counts], Any], name: str) -> None:
        self._inner = IdealBackend("statevector")
        self._corrupt = corrupt
        self.name = name

    def run(self, programs: Sequence[SearchProgram], *, shots: int, seed: Any = None) -> Any:
        results = self._inner.run(programs, shots=shots, seed=seed)
        return [self._corrupt(p, c) for p, c in zip(programs, results, strict=True)]


def _reverse_bits(program: SearchProgram, counts: Counts) -> Counts:
    n = program.problem.num_qubits
    return {int(format(item, f"0{n}b")[::-1], 2): c for item, c in counts.items()}


def _drop_a_shot(program: SearchProgram, counts: Counts) -> Counts:
    top = max(counts, key=counts.__getitem__)
    return {**counts, top: counts[top] - 1} if counts[top] > 1 else {**counts, top: 2}


def _bitstrings(program: SearchProgram, counts: Counts) -> dict[str, int]:
    n = program.problem.num_qubits
    return {format(item, f"0{n}b"): c for item, c in counts.items()}


@pytest.mark.parametrize(
    ("corrupt", "prop"),
    [
        (_reverse_bits, "bit order"),
        (_drop_a_shot, "counts sum to shots"),
        (_bitstrings, "counts type"),
        (lambda p, c: {p.problem.num_items + 1: sum(c.values())}, "keys in range"),
    ],
    ids=["reversed-bits", "counts-not-summing", "bitstring-keys", "key-out-of-range"],
)
def test_broken_backend_fails_naming_the_property(
    corrupt: Callable[[SearchProgram, Counts], Any], prop: str
) -> None:
    with pytest.raises(AssertionError, match=f"conformance property '{prop}' failed"):
        assert_backend_conforms(_Wrapped(corrupt, "broken"))


class _Unseeded(IdealBackend):
    """Ignores the seed: seeded runs do not repeat."""

    def run(self, programs: Sequence[SearchProgram], *, shots: int, seed: Any = None) -> Any:
        return super().run(programs, shots=shots, seed=None)


class _Skewed(IdealBackend):
    """Right format and bit order, wrong distribution: under-amplifies by one iterate."""

    def run(self, programs: Sequence[SearchProgram], *, shots: int, seed: Any = None) -> Any:
        lowered = [SearchProgram(p.problem, max(p.iterations - 1, 0)) for p in programs]
        return super().run(lowered, shots=shots, seed=seed)


class _DropsLastProgram(IdealBackend):
    def run(self, programs: Sequence[SearchProgram], *, shots: int, seed: Any = None) -> Any:
        return super().run(programs, shots=shots, seed=seed)[:-1]


@pytest.mark.parametrize(
    ("backend", "prop"),
    [
        (_Unseeded(), "seeded runs repeat"),
        (_Skewed(), "bit order"),
        (_DropsLastProgram(), "output length"),
    ],
    ids=["unseeded", "skewed", "drops-a-program"],
)
def test_misbehaving_backend_fails_naming_the_property(backend: Any, prop: str) -> None:
    with pytest.raises(AssertionError, match=f"conformance property '{prop}' failed"):
        assert_backend_conforms(backend)


class _NoPhases(IdealBackend):
    """A backend without generalised iterates: declines them with UnsupportedProgramError."""

    def run(self, programs: Sequence[SearchProgram], *, shots: int, seed: Any = None) -> Any:
        from qsearch.exceptions import UnsupportedProgramError

        if any(p.phases is not None for p in programs):
            raise UnsupportedProgramError("this backend runs standard Grover iterates only")
        return super().run(programs, shots=shots, seed=seed)


def test_declined_phases_are_skipped_not_failed() -> None:
    report = assert_backend_conforms(_NoPhases())
    assert report["phases"].startswith("skipped: ")
    assert "standard Grover iterates only" in report["phases"]
    assert report["prior"] == "passed"


def test_noisy_mode_skips_only_the_distribution_checks() -> None:
    report = assert_backend_conforms(IdealBackend(), noiseless=False)
    assert report["bit order"] == "passed"
    assert report["ideal distribution"].startswith("skipped: noisy")


def test_binomial_bound_is_the_documented_formula() -> None:
    assert binomial_bound(2000, 0.25) == pytest.approx(5 * (2000 * 0.25 * 0.75) ** 0.5 + 1)
    assert binomial_bound(2000, 0.0) == 1.0


def test_suite_rejects_bad_arguments() -> None:
    from qsearch.exceptions import ProblemError

    with pytest.raises(ProblemError, match="'shots'"):
        assert_backend_conforms(IdealBackend(), shots=10)
    with pytest.raises(ProblemError, match="run"):
        assert_backend_conforms(object())  # type: ignore[arg-type]


# -- broken abilities --------------------------------------------------------------------------


class _WrongProbabilities(IdealBackend):
    """Exact probabilities of one iterate too few: right shape and sum, wrong values."""

    def probabilities(self, programs: Sequence[SearchProgram]) -> Any:
        lowered = [SearchProgram(p.problem, max(p.iterations - 1, 0)) for p in programs]
        return super().probabilities(lowered)


class _IgnoresMarkedProbability(IdealBackend):
    """Closed-form sampling that always samples the uniform state."""

    def sample_amplified(self, problem: Any, marked_probability: float, **kwargs: Any) -> Any:
        return super().sample_amplified(problem, problem.marked_mass, **kwargs)


def _bit_reversing_aer() -> Any:
    from qsearch.backends.aer import AerBackend

    class _Reversed(AerBackend):
        def run_circuits(self, circuits: Any, *, shots: int, seed: Any = None) -> Any:
            results = super().run_circuits(circuits, shots=shots, seed=seed)
            return [
                {int(format(k, f"0{c.num_clbits}b")[::-1], 2): v for k, v in counts.items()}
                for c, counts in zip(circuits, results, strict=True)
            ]

    return _Reversed(threads=1)


@pytest.mark.parametrize(
    ("make", "prop"),
    [
        (_WrongProbabilities, "exact probabilities"),
        (_IgnoresMarkedProbability, "closed-form amplification"),
        (_bit_reversing_aer, "circuit execution"),
    ],
    ids=["wrong-probabilities", "ignores-marked-probability", "reversed-register"],
)
def test_broken_ability_fails_naming_it(make: Callable[[], Any], prop: str) -> None:
    with pytest.raises(AssertionError, match=f"conformance property '{prop}' failed"):
        assert_backend_conforms(make())


def test_reference_probabilities_match_hand_computed_values() -> None:
    """The suite's reference is itself checked against numbers worked out by hand, so ``ideal``
    is compared with something independent of qsearch's own code (issue 13 item 13)."""
    import math

    import numpy as np

    from qsearch.problem import SearchProblem
    from qsearch.testing import reference_probabilities

    # N = 4, M = 1, k = 1: θ = 30°, sin²(90°) = 1, every other item 0
    np.testing.assert_allclose(
        reference_probabilities(SearchProgram(SearchProblem(4, [2]), 1)), [0, 0, 1, 0], atol=1e-12
    )
    # N = 8, M = 1, k = 2: sin²(5θ) with sin θ = 1/√8 is 0.9453125 (= 121/128); the rest share
    # 7/128 equally
    probs = reference_probabilities(SearchProgram(SearchProblem(8, [5]), 2))
    assert probs[5] == pytest.approx(121 / 128, abs=1e-12)
    np.testing.assert_allclose(np.delete(probs, 5), 1 / 128, atol=1e-12)
    # prior (0.8, 0.2), item 1 marked, k = 1: sin²(3θ) = (3 − 4·0.2)²·0.2 = 0.968
    prior = SearchProblem(2, [1], prior=[0.8, 0.2])
    assert reference_probabilities(SearchProgram(prior, 1))[1] == pytest.approx(0.968, abs=1e-12)
    # α = β = 0: every iterate is −I, the prepared state's distribution is the prior
    phased = SearchProgram(prior, 1, phases=((0.0, 0.0),))
    np.testing.assert_allclose(reference_probabilities(phased), [0.8, 0.2], atol=1e-12)
    assert math.isclose(121 / 128, math.sin(5 * math.asin(1 / math.sqrt(8))) ** 2)
