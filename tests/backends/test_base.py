"""The seam: optional abilities are protocols, found by what a backend implements, not its class."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from qsearch.backends.base import (
    ABILITIES,
    Backend,
    CircuitExecution,
    ClosedFormAmplification,
    ExactProbabilities,
    available_backends,
    backends_with,
    get_backend,
    require,
    supports,
)
from qsearch.backends.ideal import IdealBackend
from qsearch.exceptions import BackendUnavailableError, ProblemError, UnsupportedProgramError
from qsearch.problem import SearchProblem, SearchProgram
from qsearch.results import Counts


class _Minimal:
    """Only the contract: a name and run()."""

    name = "minimal"

    def run(
        self, programs: Sequence[SearchProgram], *, shots: int, seed: Any = None
    ) -> list[Counts]:
        return [{0: shots} for _ in programs]


class _WithProbabilities(_Minimal):
    """A third-party backend that is no IdealBackend but implements exact probabilities."""

    name = "third-party"

    def probabilities(self, programs: Sequence[SearchProgram]) -> list[np.ndarray]:
        return IdealBackend("statevector").probabilities(programs)


def test_abilities_are_found_by_what_a_backend_implements() -> None:
    assert isinstance(_Minimal(), Backend)
    assert not any(supports(_Minimal(), ability) for ability in ABILITIES)
    other = _WithProbabilities()
    assert supports(other, ExactProbabilities)
    assert not supports(other, ClosedFormAmplification)
    assert not supports(other, CircuitExecution)


def test_ideal_modes_declare_what_they_do() -> None:
    closed, explicit = IdealBackend(), IdealBackend("statevector")
    assert supports(closed, ExactProbabilities) and supports(closed, ClosedFormAmplification)
    # the statevector mode is the explicit reference: it opts out of the closed-form shortcut
    assert supports(explicit, ExactProbabilities)
    assert not supports(explicit, ClosedFormAmplification)
    assert explicit.sample_amplified is None


def test_registry_abilities_match_the_default_instances() -> None:
    """The registry's declarations (used in error messages) are what the instances have."""
    for name in available_backends():
        try:
            backend = get_backend(name)
        except (BackendUnavailableError, ImportError, ProblemError):
            continue  # extra not installed, or the backend needs a device argument
        declared = {a for a in ABILITIES if name in backends_with(a)}
        assert declared == {a for a in ABILITIES if supports(backend, a)}, name


def test_noisy_aer_declines_circuit_execution() -> None:
    pytest.importorskip("qiskit_ibm_runtime")
    aer = importlib.import_module("qsearch.backends.aer")
    assert supports(aer.AerBackend(threads=1), CircuitExecution)
    noisy = aer.AerBackend(noise="fake_manila", threads=1)
    assert not supports(noisy, CircuitExecution)


def test_require_names_the_ability_and_who_has_it() -> None:
    require(IdealBackend(), ClosedFormAmplification, "fixed_point_search")
    with pytest.raises(UnsupportedProgramError) as info:
        require(_Minimal(), CircuitExecution, "count_marked(method='qpe')")
    message = str(info.value)
    assert "count_marked(method='qpe')" in message
    assert "CircuitExecution" in message and "'minimal'" in message
    assert "'aer'" in message and "'ideal'" not in message


def test_supports_rejects_what_is_not_an_ability() -> None:
    with pytest.raises(ProblemError, match="'ability' argument of supports"):
        supports(IdealBackend(), Backend)


def test_closed_form_sampling_validates_its_arguments() -> None:
    ideal = IdealBackend()
    problem = SearchProblem(8, [3])
    with pytest.raises(ProblemError, match="'marked_probability'"):
        ideal.sample_amplified(problem, 1.5, shots=10)
    with pytest.raises(ProblemError, match="'shots'"):
        ideal.sample_amplified(problem, 0.5, shots=0)
    with pytest.raises(ProblemError, match="'problem'"):
        ideal.sample_amplified("problem", 0.5, shots=10)  # type: ignore[arg-type]
    counts = ideal.sample_amplified(problem, 1.0, shots=50, seed=1)
    assert counts == {3: 50}
    assert counts == ideal.sample_amplified(problem, 1.0, shots=50, seed=1)
