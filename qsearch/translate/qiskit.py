"""SearchProgram → qiskit QuantumCircuit.

Item i is the basis state whose qubit j holds bit j of i (qiskit's little-endian order), so
``int(bitstring, 2)`` of a measured bitstring is the item index.

* State preparation A: a Hadamard layer when N = 2^n without a prior; ``UniformSuperpositionGate``
  (Shukla & Vedula 2024, arXiv:2306.11747) when N is not a power of two, so the padding indices
  get no amplitude; ``StatePreparation`` of √p (padded with zeros) for a prior.
* Oracle S_t(α): for each marked item, X on its zero bits, a multi-controlled phase e^{iα}
  (a controlled-Z for α = π), X again: M multi-controlled gates. A problem built with
  ``SearchProblem.from_oracle`` instead applies ``problem.oracle.circuit(α)`` on the index and
  its work qubits (which follow the index register and return to |0⟩).
* Diffusion −S_s(β) = −A S_0(β) A†: A†, a phase on |0…0⟩, A (the −1 is a global phase).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from qiskit.circuit import QuantumCircuit
from qiskit.circuit.library import (
    MCPhaseGate,
    PhaseGate,
    StatePreparation,
    UniformSuperpositionGate,
)

from qsearch._validation import check_int
from qsearch.problem import SearchProblem, SearchProgram


def counts_by_index(bitstring_counts: Mapping[Any, int]) -> dict[int, int]:
    """Qiskit's ``{bitstring: count}`` as ``{integer: count}`` (spaces between registers dropped).

    Qiskit prints qubit 0 rightmost, so ``int(bitstring, 2)`` is the little-endian index.
    """
    counts: dict[int, int] = {}
    for bitstring, count in bitstring_counts.items():
        index = int(str(bitstring).replace(" ", ""), 2)
        counts[index] = counts.get(index, 0) + int(count)
    return counts


def state_preparation(problem: SearchProblem) -> QuantumCircuit:
    """The circuit A with A|0⟩ = Σ_i √p_i |i⟩ over the N real items."""
    n = problem.num_qubits
    circuit = QuantumCircuit(n, name="A")
    if problem.prior is not None:
        amplitudes = np.zeros(2**n)
        amplitudes[: problem.num_items] = np.sqrt(problem.prior)
        circuit.append(StatePreparation(amplitudes / np.linalg.norm(amplitudes)), range(n))
    elif problem.is_padded:
        circuit.append(UniformSuperpositionGate(problem.num_items, n), range(n))
    else:
        circuit.h(range(n))
    return circuit


def _phase_on_basis_state(circuit: QuantumCircuit, index: int, angle: float) -> None:
    """Multiply the amplitude of |index⟩ by e^{i·angle}."""
    n = circuit.num_qubits
    zeros = [q for q in range(n) if not (index >> q) & 1]
    if zeros:
        circuit.x(zeros)
    if n == 1:
        circuit.append(PhaseGate(angle), [0])
    else:
        circuit.append(MCPhaseGate(angle, n - 1), list(range(n)))
    if zeros:
        circuit.x(zeros)


def circuit_width(problem: SearchProblem) -> int:
    """Qubits of the problem's circuits: the index register plus a coherent oracle's work."""
    oracle = problem.oracle
    return problem.num_qubits if oracle is None else int(oracle.num_qubits)


def phase_oracle(problem: SearchProblem, alpha: float = math.pi) -> QuantumCircuit:
    """S_t(α): e^{iα} on every marked item (one multi-controlled phase per marked item), or the
    problem's coherent oracle on :func:`circuit_width` qubits."""
    if problem.oracle is not None:
        return problem.oracle.circuit(alpha)
    circuit = QuantumCircuit(problem.num_qubits, name="oracle")
    for item in problem.marked:
        _phase_on_basis_state(circuit, item, alpha)
    return circuit


def diffuser(problem: SearchProblem, beta: float = math.pi) -> QuantumCircuit:
    """A S_0(β) A† (equal to −S_s(β) up to a global phase)."""
    prep = state_preparation(problem)
    circuit = QuantumCircuit(problem.num_qubits, name="diffuser")
    circuit.compose(prep.inverse(), inplace=True)
    _phase_on_basis_state(circuit, 0, beta)
    circuit.compose(prep, inplace=True)
    return circuit


def to_circuit(program: SearchProgram, *, measure: bool = True) -> QuantumCircuit:
    """The full circuit: A, then the program's iterates, then (optionally) measurement."""
    problem = program.problem
    n = problem.num_qubits
    circuit = QuantumCircuit(
        circuit_width(problem), n if measure else 0, name=f"search_k{program.iterations}"
    )
    circuit.compose(state_preparation(problem), qubits=range(n), inplace=True)
    phases = program.phases or ((math.pi, math.pi),) * program.iterations
    cache: dict[tuple[float, float], tuple[QuantumCircuit, QuantumCircuit]] = {}
    for alpha, beta in phases:
        if (alpha, beta) not in cache:
            cache[(alpha, beta)] = (phase_oracle(problem, alpha), diffuser(problem, beta))
        oracle, diffusion = cache[(alpha, beta)]
        circuit.compose(oracle, qubits=range(oracle.num_qubits), inplace=True)
        circuit.compose(diffusion, qubits=range(n), inplace=True)
    if measure:
        circuit.measure(range(n), range(n))
    return circuit


def qpe_circuit(problem: SearchProblem, evaluation_qubits: int) -> QuantumCircuit:
    """Quantum counting: phase estimation of the Grover iterate G = −S_s S_t, measured.

    Canonical amplitude estimation (Brassard, Høyer, Mosca, Tapp 2002, arXiv:quant-ph/0005055,
    Theorem 12; quantum counting, Brassard, Høyer, Tapp 1998, arXiv:quant-ph/9805082): m
    evaluation qubits (first; qubit j controls G^{2^j}) in |+⟩, A on the item qubits, the
    controlled powers, the inverse QFT, and measurement of the evaluation qubits into the
    classical register, which reads y with sin²(π·y/2^m) ≈ M/N. The translated iterate
    A·S_0·A†·S_t is −G; once controlled that sign is a relative phase, so the circuit carries
    global phase π. The one builder behind ``count_marked(method="qpe")`` and ``circuits/``.
    """
    from qiskit.circuit.library import QFTGate

    m = check_int(evaluation_qubits, "evaluation_qubits", "qpe_circuit", minimum=1)
    n, width = problem.num_qubits, circuit_width(problem)  # width: + a coherent oracle's work
    iterate = QuantumCircuit(width, name="G")
    iterate.compose(phase_oracle(problem), inplace=True)
    iterate.compose(diffuser(problem), qubits=range(n), inplace=True)
    iterate.global_phase += math.pi
    if problem.oracle is not None:  # a data-loading oracle's barriers cannot sit in a gate
        from qiskit.transpiler.passes import RemoveBarriers

        iterate = RemoveBarriers()(iterate)
    controlled = iterate.to_gate().control(1)
    items = list(range(m, m + width))
    circuit = QuantumCircuit(m + width, m, name=f"counting_t{m}")
    circuit.h(range(m))
    circuit.compose(state_preparation(problem), qubits=items[:n], inplace=True)
    for j in range(m):
        for _ in range(2**j):
            circuit.append(controlled, [j, *items])
    circuit.append(QFTGate(m).inverse(), range(m))
    circuit.measure(range(m), range(m))
    return circuit
