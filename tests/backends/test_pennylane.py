"""PennyLane backend: native circuits agree with the exact state vector and with Qiskit."""

from __future__ import annotations

import importlib
import inspect
import math
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pennylane")

import pennylane as qml
from pennylane.tape import QuantumScript
from qiskit.quantum_info import Statevector

import qsearch.backends.pennylane as pennylane_backend
from qsearch.algorithms.counting import count_marked
from qsearch.algorithms.exponential import exponential_search
from qsearch.algorithms.fixed_point import fixed_point_search
from qsearch.algorithms.grover import grover_search
from qsearch.algorithms.minimum import find_minimum
from qsearch.backends.base import get_backend
from qsearch.backends.ideal import IdealBackend
from qsearch.backends.pennylane import (
    PennyLaneBackend,
    controlled_phase_limit,
    installed_devices,
    uniform_superposition,
)
from qsearch.cli import main
from qsearch.exceptions import (
    BackendUnavailableError,
    ProblemError,
    UnsupportedProgramError,
)
from qsearch.problem import SearchProblem, SearchProgram
from qsearch.schedules import optimal_iterations
from qsearch.testing import binomial_bound
from qsearch.translate.qiskit import to_circuit

DEVICES = [d for d in ("default.qubit", "lightning.qubit") if d in installed_devices()]
PRIOR11 = np.arange(1, 12, dtype=float) / 66.0


def _programs() -> list[SearchProgram]:
    """Uniform 2^n, padded N, prior, phases (uniform and prior), M = 0, N = 2, M = N."""
    return [
        SearchProgram(SearchProblem(32, [1]), 4),
        SearchProgram(SearchProblem(11, [2, 7]), 2),
        SearchProgram(SearchProblem(11, [2, 7], prior=PRIOR11), 1),
        SearchProgram(SearchProblem(16, [3, 9]), 2, phases=((1.0, 2.0), (0.3, -1.2))),
        SearchProgram(SearchProblem(11, [3], prior=PRIOR11), 2, phases=((2.5, 0.7), (-1.0, 4.0))),
        SearchProgram(SearchProblem(8, []), 2),
        SearchProgram(SearchProblem(2, [1]), 1),
        SearchProgram(SearchProblem(4, [0, 1, 2, 3]), 1),
    ]


@pytest.fixture(scope="module", params=DEVICES)
def backend(request: pytest.FixtureRequest) -> PennyLaneBackend:
    return PennyLaneBackend(request.param)


def test_exact_probabilities_match_the_state_vector(backend: PennyLaneBackend) -> None:
    programs = _programs()
    exact = IdealBackend("statevector").probabilities(programs)
    for program, got, want in zip(programs, backend.probabilities(programs), exact, strict=True):
        assert got.shape == (program.problem.num_items,)
        np.testing.assert_allclose(got, want, atol=1e-10, err_msg=repr(program))


def test_agrees_with_the_qiskit_translation_item_for_item(backend: PennyLaneBackend) -> None:
    """Qiskit is little-endian, PennyLane big-endian: both must put item i at index i."""
    programs = [p for p in _programs() if p.problem.num_qubits <= 5]
    for program, got in zip(programs, backend.probabilities(programs), strict=True):
        qiskit = Statevector(to_circuit(program, measure=False)).probabilities()
        np.testing.assert_allclose(got, qiskit[: program.problem.num_items], atol=1e-9)
        assert qiskit[program.problem.num_items :].sum() < 1e-9  # padding never measured


def test_item_comes_back_as_itself(backend: PennyLaneBackend) -> None:
    for item in (1, 16, 22):  # 00001, 10000, 10110: bit reversal would report 16, 1, 13
        program = SearchProgram(SearchProblem(32, [item]), 4)
        counts = backend.run([program], shots=500, seed=item)[0]
        assert max(counts, key=counts.__getitem__) == item


def test_counts_within_five_sigma_of_ideal(backend: PennyLaneBackend) -> None:
    shots = 4000
    programs = _programs()
    for program, counts, probs in zip(
        programs,
        backend.run(programs, shots=shots, seed=11),
        IdealBackend().probabilities(programs),
        strict=True,
    ):
        assert sum(counts.values()) == shots
        assert set(counts) <= set(range(program.problem.num_items))
        for item, p in enumerate(probs):
            assert abs(counts.get(item, 0) - shots * p) <= binomial_bound(shots, p), (program, item)


def test_seeds_repeat_and_differ(backend: PennyLaneBackend) -> None:
    program = SearchProgram(SearchProblem(16, [3]), 0)  # uniform: counts vary with the seed
    first = backend.run([program], shots=300, seed=5)
    assert backend.run([program], shots=300, seed=5) == first
    assert backend.run([program], shots=300, seed=6) != first
    a = backend.run([program], shots=300, seed=np.random.default_rng(9))
    assert backend.run([program], shots=300, seed=np.random.default_rng(9)) == a


def test_mixed_sizes_in_one_call_keep_their_order(backend: PennyLaneBackend) -> None:
    programs = [
        SearchProgram(SearchProblem(64, [40]), 6),
        SearchProgram(SearchProblem(4, [2]), 1),
        SearchProgram(SearchProblem(16, [9]), 3),
    ]
    results = backend.run(programs, shots=200, seed=3)
    assert [max(c, key=c.__getitem__) for c in results] == [40, 2, 9]
    assert backend.run([], shots=10) == []


def test_grover_and_exponential_search_run_unchanged() -> None:
    problem = SearchProblem(64, [17, 50])
    result = grover_search(problem, "pennylane", shots=4, seed=1)
    assert result.backend == "pennylane"
    assert result.found in problem.marked
    assert result.metadata["iterations"] == optimal_iterations(64, 2) == 4
    assert result.queries.oracle == 4 * 4 * len(result.attempts)
    lightning = get_backend("pennylane", device="lightning.qubit")
    found = exponential_search(problem, lightning, seed=2)
    assert found.found in problem.marked
    again = exponential_search(problem, lightning, seed=2)
    assert again.queries == found.queries and again.found == found.found


def test_minimum_counting_and_fixed_point_run_unchanged() -> None:
    values = np.random.default_rng(1).permutation(32)
    minimum = find_minimum(values, "pennylane", seed=1)
    assert minimum.found == int(np.argmin(values))
    problem = SearchProblem(64, range(5))
    count = count_marked(problem, epsilon=0.05, backend="pennylane", seed=1)
    assert count.backend == "pennylane" and count.covers(5 / 64)
    # Fixed-point search runs generalised iterates G(alpha, beta): the phases path.
    fixed = fixed_point_search(problem, delta=0.1, backend="pennylane", shots=8, seed=3)
    assert fixed.found in problem.marked


def test_compare_cli_runs_on_pennylane(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["compare", "--backend", "pennylane", "--sizes", "16,32", "--trials", "3"]
    assert main([*argv, "--out", str(tmp_path)]) == 0
    assert "grover" in capsys.readouterr().out
    assert (tmp_path / "results.csv").exists()


def test_wires_option_and_too_few_wires() -> None:
    wide = PennyLaneBackend("default.qubit", wires=6)
    program = SearchProgram(SearchProblem(16, [9]), 3)
    np.testing.assert_allclose(
        wide.probabilities([program])[0], IdealBackend().probabilities([program])[0], atol=1e-10
    )
    counts = wide.run([program], shots=100, seed=1)[0]
    assert set(counts) <= set(range(16))
    narrow = PennyLaneBackend("default.qubit", wires=3)
    with pytest.raises(UnsupportedProgramError, match=r"3 wires, too few for a program on 4"):
        narrow.run([program], shots=10)


def test_bad_input_is_named() -> None:
    with pytest.raises(ProblemError, match=r"'device'.*'no\.such\.device'.*default\.qubit"):
        PennyLaneBackend("no.such.device")
    with pytest.raises(ProblemError, match="'shots' argument of PennyLaneBackend.run"):
        PennyLaneBackend().run([SearchProgram(SearchProblem(4, [1]), 1)], shots=0)
    with pytest.raises(ProblemError, match="'wires'"):
        PennyLaneBackend(wires=0)
    with pytest.raises(ProblemError, match="'seed'"):
        PennyLaneBackend(device_options={"seed": 1})
    with pytest.raises(TypeError, match="shots"):
        PennyLaneBackend().run([SearchProgram(SearchProblem(4, [1]), 1)])  # type: ignore[call-arg]


def test_run_has_the_protocol_signature() -> None:
    from qsearch.backends.base import Backend

    assert inspect.signature(PennyLaneBackend.run) == inspect.signature(Backend.run)
    counts = get_backend("pennylane").run([SearchProgram(SearchProblem(4, [1]), 1)], shots=7)[0]
    assert counts == {1: 7}  # N = 4, M = 1, k = 1 succeeds with certainty


def test_missing_extra_names_the_pip_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "qsearch.backends.pennylane")
    monkeypatch.setitem(sys.modules, "pennylane", None)  # import pennylane -> ImportError
    with pytest.raises(BackendUnavailableError, match=r"pip install 'qsearch\[pennylane\]'"):
        get_backend("pennylane")
    with pytest.raises(ImportError, match=r"qsearch\[pennylane\]"):
        importlib.import_module("qsearch.backends.pennylane")


def test_resources_count_the_device_operations() -> None:
    backend = PennyLaneBackend("default.qubit")
    program = SearchProgram(SearchProblem(16, [3]), 3)
    resources = backend.resources(program)
    assert resources["qubits"] == 4 and resources["iterations"] == 3
    # 4 Hadamards, then per iterate one oracle and one GroverOperator (native on default.qubit).
    assert resources["operations"] == 4 + 2 * 3


def test_lightning_controlled_and_sparse_oracles_agree() -> None:
    """Few marked items: per-item controlled phases; many: one sparse diagonal. Same answer."""
    lightning = PennyLaneBackend("lightning.qubit")
    few = SearchProgram(SearchProblem(64, [5, 60]), 2, phases=((2.0, 1.0), (0.5, -2.0)))
    many = SearchProgram(SearchProblem(64, range(0, 64, 7)), 1, phases=((2.0, 1.0),))
    assert controlled_phase_limit(6) == 2
    ops_few, ops_many = lightning.operations(few), lightning.operations(many)
    assert not any(isinstance(op, qml.QubitUnitary) for op in ops_few)
    assert any(isinstance(op, qml.QubitUnitary) for op in ops_many)
    exact = IdealBackend("statevector").probabilities([few, many])
    for got, want in zip(lightning.probabilities([few, many]), exact, strict=True):
        np.testing.assert_allclose(got, want, atol=1e-10)


@pytest.mark.parametrize("num_qubits", [1, 2, 3, 4, 5])
def test_uniform_superposition_covers_exactly_the_real_items(num_qubits: int) -> None:
    wires = list(range(num_qubits))
    device = qml.device("default.qubit", wires=num_qubits)
    for num_items in range(2 ** (num_qubits - 1) + 1, 2**num_qubits + 1):
        ops = uniform_superposition(num_items, wires)
        assert len(ops) <= num_qubits * (num_qubits + 1) // 2
        tape = QuantumScript(ops, [qml.probs(wires=wires)])
        (probs,) = qml.execute([tape], device, diff_method=None)
        want = np.zeros(2**num_qubits)
        want[:num_items] = 1 / num_items
        np.testing.assert_allclose(probs, want, atol=1e-12, err_msg=f"N={num_items}")


def test_caches_are_bounded_by_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pennylane_backend, "_CACHE_BYTES", 3 * 24 * 2**10)  # ~ three diagonals
    backend = PennyLaneBackend("default.qubit")
    programs = [SearchProgram(SearchProblem(1024, [i]), 1) for i in range(6)]
    first = backend.operations(programs[0])
    assert backend.operations(programs[0]) is first  # cached while it fits
    for program in programs[1:]:
        backend.operations(program)
    assert backend.operations(programs[0]) is not first  # evicted, rebuilt
    np.testing.assert_allclose(
        backend.probabilities(programs[:1])[0],
        IdealBackend().probabilities(programs[:1])[0],
        atol=1e-12,
    )


def test_operations_are_cached_per_program() -> None:
    backend = PennyLaneBackend()
    program = SearchProgram(SearchProblem(8, [5]), 2)
    assert backend.operations(program) is backend.operations(SearchProgram(program.problem, 2))
    assert math.isclose(backend.probabilities([program])[0][5], 0.9453125, rel_tol=1e-12)


def test_lightning_at_fourteen_qubits_and_a_padded_twelve() -> None:
    """Larger registers on lightning.qubit: marked-set frequency within the 5σ bound."""
    lightning = PennyLaneBackend("lightning.qubit")
    shots = 2000
    for problem in (SearchProblem(2**14, [7, 4242, 16000]), SearchProblem(3000, [2999, 1])):
        k = optimal_iterations(problem.num_items, problem.num_marked)
        program = SearchProgram(problem, k)
        counts = lightning.run([program], shots=shots, seed=4)[0]
        hits = sum(counts.get(item, 0) for item in problem.marked)
        p = IdealBackend().probabilities([program])[0][list(problem.marked)].sum()
        assert abs(hits - shots * p) <= binomial_bound(shots, p)
        assert max(counts) < problem.num_items
