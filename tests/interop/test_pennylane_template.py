"""A SearchProgram inside users' own PennyLane QNodes (grover_template, to_qnode)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qsearch import SearchProblem, SearchProgram
from qsearch.backends.ideal import IdealBackend
from qsearch.exceptions import ProblemError

qml = pytest.importorskip("pennylane")
from qsearch.backends.pennylane import grover_template, to_qnode  # noqa: E402

PROGRAMS = [
    pytest.param(SearchProgram(SearchProblem(16, [3, 10]), 2), id="uniform"),
    pytest.param(SearchProgram(SearchProblem(11, [7]), 2), id="padded"),
    pytest.param(
        SearchProgram(
            SearchProblem(8, [2, 5], prior=[0.05, 0.10, 0.20, 0.05, 0.15, 0.10, 0.25, 0.10]), 1
        ),
        id="prior",
    ),
    pytest.param(
        SearchProgram(
            SearchProblem(16, [3, 12]), 2, phases=((math.pi / 2, math.pi / 3), (2.0, 1.0))
        ),
        id="phases",
    ),
]


def _ideal(program: SearchProgram) -> np.ndarray:
    """The ideal backend's distribution over the 2^n basis states (padding 0)."""
    probs = np.zeros(2**program.problem.num_qubits)
    probs[: program.problem.num_items] = IdealBackend().probabilities([program])[0]
    return probs


@pytest.mark.parametrize("program", PROGRAMS)
@pytest.mark.parametrize("phase_mode", ["controlled", "sparse", "hybrid"])
def test_user_qnode_with_the_template_gives_the_ideal_probabilities(program, phase_mode):
    n = program.problem.num_qubits
    register = [f"r{j}" for j in range(n)]
    device = qml.device("default.qubit", wires=["ancilla", *register])

    @qml.qnode(device)
    def circuit(theta):
        qml.RY(theta, wires="ancilla")  # the user's own gates around the template
        grover_template(program, wires=register, phase_mode=phase_mode)
        qml.CNOT(wires=["ancilla", register[0]])
        qml.CNOT(wires=["ancilla", register[0]])
        return qml.probs(wires=register), qml.probs(wires="ancilla")

    probs, ancilla = circuit(0.7)
    np.testing.assert_allclose(probs, _ideal(program), atol=1e-10)
    np.testing.assert_allclose(ancilla, [math.cos(0.35) ** 2, math.sin(0.35) ** 2], atol=1e-12)


def test_wire_order_is_big_endian():
    program = SearchProgram(SearchProblem(16, [1]), 3)  # 0001; bit-reversed: 1000 = 8
    device = qml.device("default.qubit", wires=4)

    @qml.qnode(device)
    def reversed_register():
        grover_template(program, wires=[3, 2, 1, 0])
        return qml.probs(wires=[0, 1, 2, 3])

    assert int(np.argmax(to_qnode(program)())) == 1
    assert int(np.argmax(reversed_register())) == 8


@pytest.mark.parametrize("program", PROGRAMS)
def test_to_qnode_on_lightning_matches_the_ideal_backend(program):
    if "lightning.qubit" not in qml.plugin_devices:
        pytest.skip("lightning.qubit is not installed")
    qnode = to_qnode(program, "lightning.qubit")
    np.testing.assert_allclose(qnode(), _ideal(program), atol=1e-10)
    device = qml.device("default.qubit", wires=program.problem.num_qubits)
    np.testing.assert_allclose(to_qnode(program, device)(), _ideal(program), atol=1e-10)


def test_bad_arguments_are_named():
    program = SearchProgram(SearchProblem(8, [5]), 1)
    with pytest.raises(ProblemError, match="'wires' argument of grover_template must be 3"):
        grover_template(program, wires=[0, 1])
    with pytest.raises(ProblemError, match="distinct"):
        grover_template(program, wires=[0, 0, 1])
    with pytest.raises(ProblemError, match="'phase_mode'"):
        grover_template(program, phase_mode="dense")
    with pytest.raises(ProblemError, match="'program' argument of to_qnode"):
        to_qnode(SearchProblem(8, [5]))
