"""``circuits/``: OpenQASM 3 files for a documented set of reference programs, plus a manifest.

``qsearch export-circuits [--out circuits]`` regenerates them; they are never hand-edited, and a
test regenerates them into a temporary directory and fails on any drift. The reference set:

* ``grover_n{n}``, n = 2..6: N = 2^n, the marked sets of :data:`GROVER_MARKED`, the ideal
  optimum k (Boyer, Brassard, Høyer, Tapp 1998, arXiv:quant-ph/9605034);
* ``padded_n5_m1``: N = 5 (not a power of two; ``UniformSuperpositionGate`` state preparation,
  Shukla & Vedula 2024, arXiv:2306.11747);
* ``prior_n4``: amplitude amplification from a non-uniform prior (Brassard, Høyer, Mosca, Tapp
  2002, arXiv:quant-ph/0005055);
* ``bbht_round_n16_k2``: one round of exponential search (BBHT 1998), a Grover program whose k
  the schedule drew (here k = 2);
* ``counting_n8_t3``: quantum counting (Brassard, Høyer, Tapp 1998, arXiv:quant-ph/9805082):
  phase estimation of the Grover iterate with t = 3 counting qubits.

``manifest.json`` lists, per file: the program parameters, logical qubits, depth and two-qubit
gate count (CX + single-qubit basis), and per reference device (:data:`REFERENCE_DEVICES`) the
transpiled depth, two-qubit gates and physical qubits touched (preset pass manager, optimization
level :data:`MANIFEST_OPTIMIZATION_LEVEL`, ``seed_transpiler`` :data:`MANIFEST_SEED`). Output is
deterministic: seeded transpilation, sorted keys, fixed indentation.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qsearch.problem import SearchProblem, SearchProgram
from qsearch.schedules import optimal_iterations

REFERENCE_DEVICES = ("fake_torino", "fake_brisbane")
MANIFEST_SEED = 1234
MANIFEST_OPTIMIZATION_LEVEL = 1
GROVER_MARKED: dict[int, tuple[int, ...]] = {
    2: (3,),
    3: (5,),
    4: (6, 9),
    5: (19,),
    6: (1, 42, 60),
}
COUNTING_QUBITS = 3
DEFAULT_OUT = "circuits"


@dataclass(frozen=True)
class Reference:
    """One reference circuit: a name, what it is, its parameters and how to build it."""

    name: str
    description: str
    parameters: dict[str, Any]
    build: Callable[[], Any]
    program: SearchProgram | None = None


def _grover_reference(name: str, description: str, program: SearchProgram) -> Reference:
    from qsearch.translate.qiskit import to_circuit

    return Reference(name, description, program.to_dict(), lambda: to_circuit(program), program)


def counting_circuit(problem: SearchProblem, counting_qubits: int) -> Any:
    """Quantum counting: phase estimation of the Grover iterate G on ``counting_qubits`` qubits.

    Counting qubits come first (measured into the classical register); the eigenphase 2θ of G
    with sin²θ = M/N is read as an integer y with θ ≈ π·y / 2^t (Brassard, Høyer, Tapp 1998).
    The circuit ``count_marked(method="qpe")`` runs: :func:`qsearch.translate.qiskit.qpe_circuit`.
    """
    from qsearch.translate.qiskit import qpe_circuit

    return qpe_circuit(problem, counting_qubits)


def reference_set() -> list[Reference]:
    """The documented reference programs, in a fixed order."""
    references: list[Reference] = []
    for n, marked in GROVER_MARKED.items():
        problem = SearchProblem(2**n, marked)
        k = optimal_iterations(problem.num_items, problem.num_marked)
        references.append(
            _grover_reference(
                f"grover_n{n}",
                f"Grover search, N = {2**n}, marked {list(marked)}, ideal optimum k = {k}",
                SearchProgram(problem, k),
            )
        )
    padded = SearchProblem(5, [2])
    references.append(
        _grover_reference(
            "padded_n5_m1",
            "Grover search over N = 5 (padded 3-qubit register, uniform over the real items)",
            SearchProgram(padded, optimal_iterations(5, 1)),
        )
    )
    prior = SearchProblem(4, [0], prior=[0.1, 0.2, 0.3, 0.4])
    references.append(
        _grover_reference(
            "prior_n4",
            "Amplitude amplification from the prior (0.1, 0.2, 0.3, 0.4), marked [0], k = 1",
            SearchProgram(prior, 1),
        )
    )
    references.append(
        _grover_reference(
            "bbht_round_n16_k2",
            "One BBHT exponential-search round: N = 16, marked [11], drawn k = 2",
            SearchProgram(SearchProblem(16, [11]), 2),
        )
    )
    counted = SearchProblem(8, [2, 5])
    references.append(
        Reference(
            f"counting_n8_t{COUNTING_QUBITS}",
            "Quantum counting of N = 8, marked [2, 5]: phase estimation of the Grover iterate "
            f"with {COUNTING_QUBITS} counting qubits (measured)",
            {
                "num_items": 8,
                "marked": [2, 5],
                "prior": None,
                "counting_qubits": COUNTING_QUBITS,
            },
            lambda: counting_circuit(counted, COUNTING_QUBITS),
        )
    )
    return references


def _two_qubit(circuit: Any) -> int:
    from qsearch.translate.lowering import TWO_QUBIT_GATES

    ops = circuit.count_ops()
    return int(sum(ops.get(name, 0) for name in TWO_QUBIT_GATES))


def manifest_entry(reference: Reference, circuit: Any) -> dict[str, Any]:
    """Parameters and resource counts of one reference circuit."""
    from qiskit import transpile

    from qsearch.backends.ibm.devices import active_qubits, fake_device
    from qsearch.translate.lowering import LOGICAL_BASIS, transpile_for_device

    logical = transpile(
        circuit,
        basis_gates=list(LOGICAL_BASIS),
        optimization_level=MANIFEST_OPTIMIZATION_LEVEL,
        seed_transpiler=MANIFEST_SEED,
    )
    devices: dict[str, Any] = {}
    for name in REFERENCE_DEVICES:
        isa = transpile_for_device(
            circuit,
            fake_device(name, "export_circuits"),
            optimization_level=MANIFEST_OPTIMIZATION_LEVEL,
            seed_transpiler=MANIFEST_SEED,
        )
        devices[name] = {
            "depth": int(isa.depth()),
            "two_qubit_gates": _two_qubit(isa),
            "physical_qubits": len(active_qubits([isa])),
        }
    return {
        "file": f"{reference.name}.qasm",
        "description": reference.description,
        "parameters": reference.parameters,
        "qubits": int(circuit.num_qubits),
        "clbits": int(circuit.num_clbits),
        "depth": int(logical.depth()),
        "two_qubit_gates": _two_qubit(logical),
        "devices": devices,
    }


def export_circuits(out: str | Path = DEFAULT_OUT) -> list[Path]:
    """Write every reference circuit as OpenQASM 3 plus ``manifest.json`` into ``out``.

    Returns the paths written (sorted). Files of the reference set are overwritten; nothing
    else in ``out`` is touched.
    """
    from qiskit import qasm3

    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    entries: dict[str, Any] = {}
    for reference in reference_set():
        circuit = reference.build()
        path = directory / f"{reference.name}.qasm"
        path.write_text(qasm3.dumps(circuit), encoding="utf-8")
        written.append(path)
        entries[reference.name] = manifest_entry(reference, circuit)
    manifest = {
        "generated_by": "qsearch export-circuits",
        "qasm_version": "3.0",
        "reference_devices": list(REFERENCE_DEVICES),
        "optimization_level": MANIFEST_OPTIMIZATION_LEVEL,
        "seed_transpiler": MANIFEST_SEED,
        "bit_order": "little-endian: clbit j holds bit j of the item index",
        "circuits": entries,
    }
    path = directory / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    written.append(path)
    return sorted(written)


__all__ = ["REFERENCE_DEVICES", "counting_circuit", "export_circuits", "reference_set"]
