"""Check and count built oracle circuits without a state vector.

A circuit of X, CNOT, Toffoli (and multi-controlled X) gates permutes basis states, and Z, CZ
and phase gates only multiply them by a phase; so its action on every basis input is one pass
of bitwise operations over a (qubits × inputs) bit matrix — 2^n inputs at once, no 2^qubits
state vector. :func:`simulate_basis` also checks the AND tags of the Toffolis (an ``"and"``
target is |0⟩ before, an ``"and_dg"`` target is |0⟩ after) on every input.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from qsearch.exceptions import ProblemError
from qsearch.oracles.counts import LogicalCounts, index_qubits
from qsearch.oracles.loaders import Op


@dataclass(frozen=True)
class BasisAction:
    """What a phase oracle does to each index basis state |i⟩|0…0⟩ (i < 2^n).

    Attributes:
        phases: ±1 per input (the phase gates' product, for angle π).
        index_out: the index register after the circuit (must equal the input).
        work_clean: per input, True when every work qubit is back to 0.
        tag_violations: Toffolis whose AND tag was wrong on some input (must be 0).
    """

    phases: np.ndarray
    index_out: np.ndarray
    work_clean: np.ndarray
    tag_violations: int

    def flagged(self) -> np.ndarray:
        """Inputs whose phase is −1."""
        return np.flatnonzero(self.phases < 0)


def _gate_list(circuit: Any) -> list[Op]:
    if isinstance(circuit, list):
        return circuit
    ops: list[Op] = []
    position = {qubit: index for index, qubit in enumerate(circuit.qubits)}
    for instruction in circuit.data:
        op = instruction.operation
        qubits = tuple(position[q] for q in instruction.qubits)
        if op.name == "p":
            tag: Any = float(op.params[0])
        elif op.name == "ccx":
            tag = getattr(op, "label", None)
        elif op.name == "barrier":
            ops.append(("barrier", (), None))
            continue
        else:
            tag = None
        ops.append((op.name, qubits, tag))
    return ops


def simulate_basis(
    circuit: Any, num_index_qubits: int, num_qubits: int | None = None
) -> BasisAction:
    """Run a permutation-and-phase circuit on every |i⟩|0…0⟩, i < 2^num_index_qubits.

    Args:
        circuit: a qiskit QuantumCircuit or a gate list of :mod:`qsearch.oracles.loaders`.
        num_index_qubits: n; the inputs are the 2^n index basis states, work qubits 0.
        num_qubits: total qubits (taken from the circuit when it is a QuantumCircuit).

    Raises:
        ProblemError: for a gate outside X, CX, CCX, MCX, Z, CZ, P(π), SWAP.
    """
    ops = _gate_list(circuit)
    width = circuit.num_qubits if num_qubits is None else num_qubits
    n = num_index_qubits
    inputs = np.arange(2**n, dtype=np.int64)
    bits = np.zeros((width, 2**n), dtype=bool)
    for q in range(n):
        bits[q] = (inputs >> q) & 1
    sign = np.zeros(2**n, dtype=bool)
    violations = 0
    for name, qubits, tag in ops:
        if name == "barrier":
            continue
        if name == "x":
            np.logical_not(bits[qubits[0]], out=bits[qubits[0]])
        elif name == "cx":
            bits[qubits[1]] ^= bits[qubits[0]]
        elif name in ("ccx", "mcx"):
            *controls, target = qubits
            value = np.logical_and.reduce(bits[list(controls)], axis=0)
            if tag == "and" and bits[target].any():
                violations += 1
            bits[target] ^= value
            if tag == "and_dg" and bits[target].any():
                violations += 1
        elif name == "swap":
            a, b = qubits
            bits[[a, b]] = bits[[b, a]]
        elif name == "z" or (name == "p" and math.isclose(float(tag) % (2 * math.pi), math.pi)):
            sign ^= bits[qubits[0]]
        elif name == "cz":
            sign ^= bits[qubits[0]] & bits[qubits[1]]
        else:
            raise ProblemError(
                f"simulate_basis handles X, CX, CCX, MCX, SWAP, Z, CZ and P(pi) only; got {name!r}."
            )
    weights = np.int64(1) << np.arange(n, dtype=np.int64)
    index_out = (bits[:n].T.astype(np.int64) * weights).sum(axis=1)
    return BasisAction(
        phases=np.where(sign, -1, 1),
        index_out=index_out,
        work_clean=np.logical_not(bits[n:].any(axis=0)),
        tag_violations=violations,
    )


_CLIFFORD = frozenset({"x", "cx", "z", "cz", "h", "swap"})


def count_gates(circuit: Any, num_qubits: int | None = None) -> LogicalCounts:
    """Count a built circuit (QuantumCircuit or gate list) into :class:`LogicalCounts`.

    Toffoli depth: each Toffoli starts one layer after the latest layer of its qubits; a
    Clifford gate adds no layer but makes its qubits share the later of their layers; a
    barrier (a stage boundary) makes every qubit wait for the latest layer.
    """
    ops = _gate_list(circuit)
    width = circuit.num_qubits if num_qubits is None else num_qubits
    layer = [0] * width
    counts = {"and": 0, "and_dg": 0, "generic": 0, "clifford": 0, "rotations": 0}
    for name, qubits, tag in ops:
        if name == "barrier":
            layer = [max(layer, default=0)] * width
            continue
        if name == "ccx":
            counts[tag if tag in ("and", "and_dg") else "generic"] += 1
            top = max(layer[q] for q in qubits) + 1
        elif name in _CLIFFORD:
            counts["clifford"] += 1
            top = max(layer[q] for q in qubits)
        elif name == "p" and math.isclose(float(tag) % (2 * math.pi), math.pi):
            counts["clifford"] += 1
            top = layer[qubits[0]]
        elif name in ("p", "cp"):
            counts["rotations"] += 1
            top = max(layer[q] for q in qubits)
        else:
            raise ProblemError(f"count_gates does not count {name!r} gates.")
        for q in qubits:
            layer[q] = top
    return LogicalCounts(
        qubits=width,
        and_compute=counts["and"],
        and_uncompute=counts["and_dg"],
        generic=counts["generic"],
        clifford=counts["clifford"],
        rotations=counts["rotations"],
        toffoli_depth=max(layer, default=0),
    )


def _mcz_on_item(ops: list[Op], n: int, item: int, ancillas: list[int]) -> None:
    zeros = [q for q in range(n) if not (item >> q) & 1]
    ops.extend(("x", (q,), None) for q in zeros)
    ops.extend(_mcz(n, ancillas))
    ops.extend(("x", (q,), None) for q in zeros)


def _mcz(n: int, ancillas: list[int]) -> list[Op]:
    """Z on |1…1⟩ of qubits 0..n-1: AND ladder over qubits 0..n-2, CZ onto qubit n-1."""
    if n == 1:
        return [("z", (0,), None)]
    if n == 2:
        return [("cz", (0, 1), None)]
    ladder: list[Op] = [("ccx", (0, 1, ancillas[0]), "and")]
    for j in range(2, n - 1):
        ladder.append(("ccx", (ancillas[j - 2], j, ancillas[j - 1]), "and"))
    undo = [(name, q, "and_dg") for name, q, _ in reversed(ladder)]
    return [*ladder, ("cz", (ancillas[n - 3], n - 1), None), *undo]


def marked_set_gates(num_items: int, marked: Any) -> list[Op]:
    """The marked-set oracle as a gate list: one multi-controlled Z per marked item.

    Its counts are :func:`qsearch.oracles.counts.marked_set_counts`.
    """
    n = index_qubits(num_items)
    ancillas = list(range(n, n + max(n - 2, 0)))
    ops: list[Op] = []
    for item in sorted(int(i) for i in marked):
        _mcz_on_item(ops, n, item, ancillas)
    return ops


def diffusion_gates(num_items: int) -> list[Op]:
    """H layer, Z on |0…0⟩, H layer (N a power of two); counts: ``diffusion_counts``."""
    n = index_qubits(num_items)
    ancillas = list(range(n, n + max(n - 2, 0)))
    h = [("h", (q,), None) for q in range(n)]
    x = [("x", (q,), None) for q in range(n)]
    return [*h, *x, *_mcz(n, ancillas), *x, *h]
