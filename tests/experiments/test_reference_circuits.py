"""circuits/: regenerated output must match the committed files; every file reads back equal."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from qsearch.backends.ideal import marked_probability
from qsearch.experiments.reference_circuits import (
    REFERENCE_DEVICES,
    counting_circuit,
    export_circuits,
    reference_set,
)
from qsearch.problem import SearchProblem

CIRCUITS = Path(__file__).resolve().parents[2] / "circuits"


def _measured_probabilities(circuit) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Exact distribution of the classical register (clbit j = bit j of the outcome)."""
    from qiskit.quantum_info import Statevector

    measured: dict[int, int] = {}
    for instruction in circuit.data:
        if instruction.operation.name == "measure":
            qubit = circuit.find_bit(instruction.qubits[0]).index
            clbit = circuit.find_bit(instruction.clbits[0]).index
            measured[clbit] = qubit
    unitary_part = circuit.remove_final_measurements(inplace=False)
    qargs = [measured[c] for c in sorted(measured)]
    return Statevector(unitary_part).probabilities(qargs)


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("circuits")
    export_circuits(out)
    return out


def test_committed_circuits_match_a_fresh_export(regenerated: Path) -> None:
    fresh = sorted(p.name for p in regenerated.iterdir())
    committed = sorted(p.name for p in CIRCUITS.iterdir() if p.name != "README.md")
    assert fresh == committed, "run `qsearch export-circuits` and commit circuits/"
    drifted = [
        name
        for name in fresh
        if (regenerated / name).read_bytes() != (CIRCUITS / name).read_bytes()
    ]
    assert not drifted, f"circuits/ drifted from the generator: {drifted}"


def test_export_is_deterministic(regenerated: Path, tmp_path: Path) -> None:
    # the same process, a second time: identical bytes (seeded transpilation, sorted JSON)
    export_circuits(tmp_path)
    for path in regenerated.iterdir():
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


@pytest.mark.parametrize("reference", reference_set(), ids=lambda r: r.name)
def test_every_file_parses_back_with_the_same_distribution(reference) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("qiskit_qasm3_import")
    from qiskit import qasm3

    original = reference.build()
    parsed = qasm3.loads((CIRCUITS / f"{reference.name}.qasm").read_text(encoding="utf-8"))
    assert parsed.num_qubits == original.num_qubits
    assert parsed.num_clbits == original.num_clbits
    np.testing.assert_allclose(
        _measured_probabilities(parsed), _measured_probabilities(original), atol=1e-9
    )


@pytest.mark.parametrize(
    "reference", [r for r in reference_set() if r.program is not None], ids=lambda r: r.name
)
def test_grover_files_reach_the_closed_form_success(reference) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("qiskit_qasm3_import")
    from qiskit import qasm3

    parsed = qasm3.loads((CIRCUITS / f"{reference.name}.qasm").read_text(encoding="utf-8"))
    probabilities = _measured_probabilities(parsed)
    problem = reference.program.problem
    success = float(probabilities[list(problem.marked)].sum())
    assert success == pytest.approx(marked_probability(reference.program), abs=1e-9)
    # padding indices (N not a power of two) never carry amplitude
    assert probabilities[problem.num_items :].sum() == pytest.approx(0.0, abs=1e-12)


def test_counting_circuit_peaks_at_the_grover_angle() -> None:
    # N = 8, M = 2: sin²θ = 1/4, θ = π/6; with t = 3 the outcome y ≈ 2^t·θ/π or 2^t − that
    problem = SearchProblem(8, [2, 5])
    probabilities = _measured_probabilities(counting_circuit(problem, 3))
    theta = math.asin(math.sqrt(2 / 8))
    estimate = 8 * theta / math.pi  # 1.333...
    likely = {
        math.floor(estimate),
        math.ceil(estimate),
        8 - math.ceil(estimate),
        8 - math.floor(estimate),
    }
    assert probabilities[sorted(likely)].sum() > 0.8


def test_manifest_lists_every_file_with_device_counts() -> None:
    manifest = json.loads((CIRCUITS / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["generated_by"] == "qsearch export-circuits"
    names = {r.name for r in reference_set()}
    assert set(manifest["circuits"]) == names
    for name, entry in manifest["circuits"].items():
        assert (CIRCUITS / entry["file"]).exists(), name
        assert set(entry["devices"]) == set(REFERENCE_DEVICES)
        assert entry["two_qubit_gates"] > 0
        for counts in entry["devices"].values():
            assert counts["two_qubit_gates"] > 0
            assert counts["physical_qubits"] >= entry["qubits"]
            assert counts["depth"] > 0
    grover = [manifest["circuits"][f"grover_n{n}"] for n in range(2, 7)]
    assert [g["qubits"] for g in grover] == [2, 3, 4, 5, 6]
