"""Program → device lowering: decompositions, ISA transpilation, the shallowest candidate."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from qsearch import SearchProblem, SearchProgram
from qsearch.backends.ideal import marked_probability
from qsearch.exceptions import ProblemError, UnsupportedProgramError
from qsearch.translate.lowering import (
    DECOMPOSITIONS,
    LOGICAL_BASIS,
    ancillas_for,
    decomposed_circuit,
    device_pass_manager,
    fitting_decompositions,
    lower,
    transpile_for_device,
    two_qubit_count,
)


def _index_distribution(circuit, n: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    from qiskit.quantum_info import Statevector

    return Statevector(circuit.remove_final_measurements(inplace=False)).probabilities(range(n))


@pytest.fixture(scope="module")
def manila():  # type: ignore[no-untyped-def]
    pytest.importorskip("qiskit_ibm_runtime")
    from qsearch.backends.ibm.devices import fake_device

    return fake_device("fake_manila")


@pytest.mark.parametrize("decomposition", DECOMPOSITIONS)
def test_decompositions_keep_the_outcome_distribution(decomposition: str) -> None:
    program = SearchProgram(SearchProblem(16, [5, 12]), 1)
    reference = _index_distribution(decomposed_circuit(program, "mcphase"), 4)
    lowered = decomposed_circuit(program, decomposition)
    assert lowered.num_qubits == 4 + ancillas_for(decomposition, 4)
    np.testing.assert_allclose(_index_distribution(lowered, 4), reference, atol=1e-9)
    marked = reference[[5, 12]].sum()
    assert marked == pytest.approx(marked_probability(program), abs=1e-9)


def test_ancillas_and_the_candidates_that_fit() -> None:
    assert [ancillas_for(name, 8) for name in DECOMPOSITIONS] == [0, 0, 1, 6]
    assert ancillas_for("mcx-ancillas", 2) == 1
    assert fitting_decompositions("auto", 4, 5) == ["mcphase", "mcx", "mcx-1-ancilla"]
    assert fitting_decompositions("auto", 4, 100) == list(DECOMPOSITIONS)
    assert fitting_decompositions("mcx-ancillas", 4, 5) == []
    with pytest.raises(ProblemError, match="'decomposition' argument"):
        decomposed_circuit(SearchProgram(SearchProblem(4, [1]), 1), "magic")


def test_logical_lowering_uses_the_logical_basis_and_keeps_the_shallowest() -> None:
    program = SearchProgram(SearchProblem(64, [42]), 1)
    lowering = lower(program, None)
    assert set(lowering.depths) == set(DECOMPOSITIONS)
    assert lowering.depths[lowering.decomposition] == min(lowering.depths.values())
    assert lowering.depths["mcx-ancillas"] < lowering.depths["mcphase"]
    assert set(lowering.circuit.count_ops()) <= {*LOGICAL_BASIS, "measure", "barrier"}
    assert two_qubit_count(lowering.circuit) == lowering.circuit.count_ops()["cx"]
    only = lower(program, None, decomposition="mcphase")
    assert only.decomposition == "mcphase" and set(only.depths) == {"mcphase"}


def test_device_lowering_fits_the_device_and_is_reproducible(manila) -> None:  # type: ignore[no-untyped-def]
    program = SearchProgram(SearchProblem(16, [3]), 1)
    lowering = lower(program, manila, optimization_level=2, seed_transpiler=7)
    assert set(lowering.depths) == {"mcphase", "mcx", "mcx-1-ancilla"}  # n − 2 ancillas: 6 > 5
    assert lowering.circuit.num_qubits == manila.num_qubits
    assert set(lowering.circuit.count_ops()) <= {*manila.target.operation_names, "barrier"}
    assert two_qubit_count(lowering.circuit) == lowering.circuit.count_ops().get("cx", 0)
    # a shared pass manager, a fresh one, and the device's Target all give the same ISA circuit
    manager = device_pass_manager(manila, optimization_level=2, seed_transpiler=7)
    circuit = decomposed_circuit(program, lowering.decomposition)
    fresh = transpile_for_device(circuit, manila, optimization_level=2, seed_transpiler=7)
    assert lower(program, manila, seed_transpiler=7, pass_manager=manager).circuit == fresh
    assert fresh == lowering.circuit
    by_target = transpile_for_device(circuit, manila.target, seed_transpiler=7)
    assert by_target == fresh


def test_programs_larger_than_the_device_are_refused(manila) -> None:  # type: ignore[no-untyped-def]
    program = SearchProgram(SearchProblem(64, [1]), 1)
    with pytest.raises(UnsupportedProgramError, match=r"needs 6 qubits.*'fake_manila' has 5"):
        lower(program, manila)
    with pytest.raises(UnsupportedProgramError, match=r"needs 6 qubits.*has 5"):
        lower(SearchProgram(SearchProblem(16, [1]), 1), manila, decomposition="mcx-ancillas")
    with pytest.raises(UnsupportedProgramError, match=r"circuit needs 6 qubits.*has 5"):
        transpile_for_device(decomposed_circuit(program), manila)
    with pytest.raises(ProblemError, match="'decomposition' argument of lower"):
        lower(program, None, decomposition="magic")


def test_the_lowering_module_imports_no_backend_and_no_qiskit() -> None:
    code = (
        "import sys, qsearch.translate.lowering; "
        "print(sorted(m for m in sys.modules if m.startswith(('qsearch.backends', 'qiskit'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
