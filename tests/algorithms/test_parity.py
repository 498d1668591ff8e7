"""Parity with qiskit-algorithms' Grover: same problem and k, same outcome distribution.

qiskit-algorithms is in the [dev] extra only; without it this module is skipped.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("qiskit_algorithms")

from qiskit.circuit import QuantumCircuit
from qiskit.circuit.library import DiagonalGate
from qiskit.primitives import StatevectorSampler
from qiskit.quantum_info import Statevector
from qiskit_algorithms import AmplificationProblem, Grover

from qsearch.problem import SearchProblem, SearchProgram
from qsearch.translate.qiskit import to_circuit

#: Marked sets that read differently under bit reversal, so a backend (or a reference) that
#: reverses qubit order fails these tests (test_cases_detect_a_reversed_bit_order).
CASES = [(3, [1], 2), (4, [1, 6], 1), (4, [0, 7, 9], 2), (5, [3], 4)]


def _bit_reversed(item: int, num_qubits: int) -> int:
    return int(format(item, f"0{num_qubits}b")[::-1], 2)


@pytest.mark.parametrize(("num_qubits", "marked", "k"), CASES)
def test_cases_detect_a_reversed_bit_order(num_qubits: int, marked: list[int], k: int) -> None:
    assert {_bit_reversed(i, num_qubits) for i in marked} != set(marked)


def test_aer_reports_item_i_as_i(aer) -> None:  # type: ignore[no-untyped-def]
    """k = 1 on N = 4 with one marked item is certain: the one key must be that item."""
    for item in range(4):
        counts = aer.run([SearchProgram(SearchProblem(4, [item]), 1)], shots=50, seed=1)[0]
        assert counts == {item: 50}


def _reference(num_qubits: int, marked: list[int]) -> AmplificationProblem:
    """An independent oracle: a diagonal gate with −1 on the marked basis states."""
    diagonal = np.ones(2**num_qubits)
    diagonal[marked] = -1
    oracle = QuantumCircuit(num_qubits)
    oracle.append(DiagonalGate(list(diagonal)), range(num_qubits))
    good = [format(i, f"0{num_qubits}b") for i in marked]
    return AmplificationProblem(oracle, is_good_state=good)


@pytest.mark.parametrize(("num_qubits", "marked", "k"), CASES)
def test_same_distribution_as_qiskit_algorithms_grover(
    num_qubits: int, marked: list[int], k: int
) -> None:
    problem = SearchProblem(2**num_qubits, marked)
    ours = Statevector(to_circuit(SearchProgram(problem, k), measure=False)).probabilities()
    circuit = Grover().construct_circuit(_reference(num_qubits, marked), power=k)
    theirs = Statevector(circuit).probabilities(range(num_qubits))
    np.testing.assert_allclose(ours, theirs, atol=1e-9)


@pytest.mark.parametrize(("num_qubits", "marked", "k"), CASES[:2])
def test_aer_counts_match_qiskit_algorithms_distribution(
    aer, binomial_bound, num_qubits: int, marked: list[int], k: int
) -> None:
    problem = SearchProblem(2**num_qubits, marked)
    shots = 4000
    counts = aer.run([SearchProgram(problem, k)], shots=shots, seed=11)[0]
    circuit = Grover().construct_circuit(_reference(num_qubits, marked), power=k)
    theirs = Statevector(circuit).probabilities(range(num_qubits))
    for item, p in enumerate(theirs):
        assert abs(counts.get(item, 0) - shots * p) <= binomial_bound(shots, p)


def test_qiskit_algorithms_grover_finds_what_qsearch_marks() -> None:
    grover = Grover(iterations=2, sampler=StatevectorSampler(seed=3))
    result = grover.amplify(_reference(3, [5]))
    assert int(result.top_measurement, 2) == 5
    assert result.oracle_evaluation
