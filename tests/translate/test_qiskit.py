"""translate.qiskit: the one QPE builder against the closed-form QPE distribution."""

from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("qiskit")

from qiskit.quantum_info import Statevector

from qsearch.algorithms.counting import qpe_distribution
from qsearch.exceptions import ProblemError
from qsearch.experiments.reference_circuits import counting_circuit
from qsearch.problem import SearchProblem
from qsearch.translate.qiskit import qpe_circuit


def _register_probabilities(circuit) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Exact distribution of the evaluation register (qubit j = bit j of y)."""
    m = circuit.num_clbits
    return Statevector(circuit.remove_final_measurements(inplace=False)).probabilities(range(m))


@pytest.mark.parametrize(
    ("problem", "m"),
    [
        (SearchProblem(4, [1]), 3),  # a = 1/4: θ = π/6
        (SearchProblem(8, [2, 5]), 3),
        (SearchProblem(5, [2]), 2),  # padded register
        (SearchProblem(4, [0], prior=[0.1, 0.2, 0.3, 0.4]), 3),
    ],
    ids=["n4", "n8", "padded", "prior"],
)
def test_qpe_circuit_has_the_canonical_distribution(problem: SearchProblem, m: int) -> None:
    """BHMT 2002 Theorem 11: P(y) = ½[F(y − 2^m θ/π) + F(y + 2^m θ/π)], sin²θ = a."""
    circuit = qpe_circuit(problem, m)
    assert circuit.num_qubits == m + problem.num_qubits and circuit.num_clbits == m
    probs = _register_probabilities(circuit)
    assert np.allclose(probs, qpe_distribution(problem.marked_mass, m), atol=1e-9)


def test_reference_counting_circuit_is_the_same_builder() -> None:
    problem = SearchProblem(8, [2, 5])
    assert counting_circuit(problem, 3) == qpe_circuit(problem, 3)


def test_exact_phase_reads_exactly() -> None:
    # a = sin²(π/4) = 1/2 → eigenphases ±1/4 of a turn: y ∈ {2^m/4, 3·2^m/4} with certainty
    probs = _register_probabilities(qpe_circuit(SearchProblem(4, [0, 1]), 3))
    assert probs[2] + probs[6] == pytest.approx(1.0)
    assert math.isclose(probs[2], 0.5, abs_tol=1e-9)


def test_bad_evaluation_qubits_are_named() -> None:
    with pytest.raises(ProblemError, match="'evaluation_qubits' argument of qpe_circuit"):
        qpe_circuit(SearchProblem(4, [1]), 0)
