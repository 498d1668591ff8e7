"""resources(), device lookup and noise models, AerBackend(noise=...), noisy_optimum."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("qiskit_ibm_runtime")

from qsearch import SearchProblem, SearchProgram, get_backend
from qsearch.backends.ibm.devices import (
    active_qubits,
    device_noise_model,
    fake_device,
    fake_device_names,
    restricted_noise_model,
)
from qsearch.backends.ideal import marked_probability
from qsearch.backends.resources import noisy_optimum, resources
from qsearch.exceptions import ProblemError, UnsupportedProgramError
from qsearch.translate.lowering import DECOMPOSITIONS


@pytest.fixture(scope="module")
def noisy_aer():  # type: ignore[no-untyped-def]
    return get_backend("aer", noise="fake_torino", threads=1)


def test_fake_devices_are_listed_and_unknown_names_get_close_matches() -> None:
    names = fake_device_names()
    assert {"fake_torino", "fake_brisbane", "fake_manila"} <= set(names)
    assert fake_device("fake_torino").num_qubits == 133
    with pytest.raises(ProblemError, match=r"got 'fake_torin'.*Close matches: \['fake_torino'"):
        fake_device("fake_torin")
    with pytest.raises(ProblemError, match="'device' argument"):
        fake_device(7)  # type: ignore[arg-type]


def test_restricted_noise_model_keeps_exactly_the_errors_on_the_chosen_qubits() -> None:
    full = device_noise_model("fake_manila")
    assert device_noise_model("fake_manila") is full  # built once per device
    small = restricted_noise_model("fake_manila", [0, 1])
    assert set(small.noise_qubits) == {0, 1}
    for instruction, per_qubits in full._local_quantum_errors.items():
        for qubits, error in per_qubits.items():
            if set(qubits) <= {0, 1}:
                assert small._local_quantum_errors[instruction][qubits] == error
    assert restricted_noise_model("fake_manila", (1, 0)) is small  # cached per qubit set


def test_ancilla_assisted_mcx_cuts_depth_and_auto_says_which() -> None:
    program = SearchProgram(SearchProblem(64, [42]), 1)
    plain = resources(program, decomposition="mcphase")
    ancilla = resources(program, decomposition="mcx-ancillas")
    assert ancilla["ancillas"] == 4
    assert ancilla["logical_qubits"] == 10
    assert ancilla["logical_depth"] < plain["logical_depth"]
    auto = resources(program)
    assert auto["decomposition"] in DECOMPOSITIONS
    depths = auto["decomposition_depths"]
    assert depths[auto["decomposition"]] == min(depths.values())
    assert depths["mcx-ancillas"] < depths["mcphase"]


def test_device_resources_and_estimated_success() -> None:
    program = SearchProgram(SearchProblem(8, [3]), 2)
    torino = resources(program, "fake_torino", decomposition="mcphase")
    brisbane = resources(program, "fake_brisbane", decomposition="mcphase")
    assert torino["two_qubit_gate"] == "cz" and brisbane["two_qubit_gate"] == "ecr"
    assert torino["device_qubits"] == 133 and brisbane["device_qubits"] == 127
    for report in (torino, brisbane):
        assert report["depth"] >= report["logical_depth"] / 4 > 0
        assert report["two_qubit_gates"] >= report["logical_two_qubit_gates"] > 0
        assert report["qubits"] >= 3
        assert 0.0 < report["circuit_fidelity"] < 1.0
        assert report["duration_s"] > 0
        fidelity, ideal = report["circuit_fidelity"], report["ideal_success"]
        assert ideal == pytest.approx(marked_probability(program))
        assert report["estimated_success"] == pytest.approx(
            fidelity * ideal + (1 - fidelity) * 1 / 8
        )
        assert 1 / 8 < report["estimated_success"] < ideal
    # seeded: the same call gives the same numbers
    assert resources(program, "fake_torino", decomposition="mcphase") == torino


def test_resources_rejects_programs_larger_than_the_device() -> None:
    program = SearchProgram(SearchProblem(64, [1]), 1)
    with pytest.raises(UnsupportedProgramError, match=r"needs 6 qubits.*'fake_manila' has 5"):
        resources(program, "fake_manila")
    with pytest.raises(ProblemError, match="'decomposition' argument"):
        resources(program, decomposition="magic")
    with pytest.raises(ProblemError, match="'optimization_level' argument"):
        resources(program, optimization_level=4)
    with pytest.raises(ProblemError, match="'program' argument"):
        resources("grover")  # type: ignore[arg-type]


def test_aer_noise_option_records_method_noise_and_depth(noisy_aer) -> None:  # type: ignore[no-untyped-def]
    assert noisy_aer.name == "aer+fake_torino"
    assert "fake_torino" in repr(noisy_aer)
    program = SearchProgram(SearchProblem(4, [2]), 1)
    report = noisy_aer.resources(program)
    assert report["method"] == "statevector" and report["noise"] == "fake_torino"
    assert report["device"] == "fake_torino" and report["depth"] > 0
    circuit = noisy_aer.transpiled(program)
    assert set(circuit.count_ops()) <= {"cz", "rz", "sx", "x", "measure", "barrier"}
    assert len(active_qubits([circuit])) >= 2
    with pytest.raises(ProblemError, match="exclusive"):
        get_backend("aer", noise="fake_torino", noise_model=object())
    with pytest.raises(ProblemError, match="Close matches"):
        get_backend("aer", noise="fake_torinoo")


def test_noisy_aer_counts_are_reproducible_and_below_ideal(noisy_aer) -> None:  # type: ignore[no-untyped-def]
    program = SearchProgram(SearchProblem(4, [2]), 1)  # ideal success is exactly 1
    shots = 2000
    first = noisy_aer.run([program], shots=shots, seed=11)[0]
    assert first == noisy_aer.run([program], shots=shots, seed=11)[0]
    assert sum(first.values()) == shots
    hits = first.get(2, 0)
    # the device's gate and readout errors cost a few percent; white-noise estimate as a guide
    estimate = resources(program, "fake_torino", decomposition="mcphase")["estimated_success"]
    assert hits < shots
    assert hits > 0.75 * shots
    assert abs(hits / shots - estimate) < 0.1


def test_noisy_optimum_on_ideal_backend_is_the_ideal_optimum() -> None:
    problem = SearchProblem(16, [3])  # k = 3: 0.961, k = 2: 0.908, k = 4: 0.582
    result = noisy_optimum(problem, "ideal", shots=4000, seed=5)
    assert result.ideal_iterations == 3
    assert result.iterations == 3
    for k, measured in result.success_by_iterations.items():
        p = result.ideal_by_iterations[k]
        assert abs(measured - p) <= 5 * math.sqrt(p * (1 - p) / 4000) + 1 / 4000
    assert result.to_dict()["ideal_success"] == pytest.approx(0.9613189697265625)


def test_noisy_optimum_falls_below_the_ideal_k_on_a_noisy_device(noisy_aer) -> None:  # type: ignore[no-untyped-def]
    problem = SearchProblem(16, [3])
    shots = 4000  # measured p(2) ≈ 0.50, p(3) ≈ 0.42: the gap is ≈ 7σ at this many shots
    result = noisy_optimum(problem, noisy_aer, shots=shots, seed=2, iterations=[2, 3])
    assert result.ideal_iterations == 3
    measured = result.success_by_iterations
    # k = 3 needs ~120 two-qubit gates on fake_torino: its success drops well below k = 2's
    gap = measured[2] - measured[3]
    sigma = math.sqrt((measured[2] * (1 - measured[2]) + measured[3] * (1 - measured[3])) / shots)
    assert gap > 3 * sigma
    assert result.iterations < result.ideal_iterations
    assert result.success < result.ideal_success
    assert result.metadata["resources"][3]["two_qubit_gates"] > 0


def test_noisy_optimum_rejects_bad_input() -> None:
    with pytest.raises(ProblemError, match="at least one marked"):
        noisy_optimum(SearchProblem(8, []), "ideal")
    with pytest.raises(ProblemError, match="'shots' argument"):
        noisy_optimum(SearchProblem(8, [1]), "ideal", shots=0)
    with pytest.raises(ProblemError, match="must not repeat"):
        noisy_optimum(SearchProblem(8, [1]), "ideal", iterations=[1, 1])


def test_restricted_noise_model_gives_the_same_counts_as_the_full_one() -> None:
    from qiskit_aer import AerSimulator

    from qsearch.backends.ibm.devices import noisy_simulator

    backend = get_backend("aer", noise="fake_manila", threads=1)
    circuit = backend.transpiled(SearchProgram(SearchProblem(4, [1]), 1))
    qubits = active_qubits([circuit])
    assert len(qubits) < 5  # the restriction drops errors on the idle qubits
    full = AerSimulator(
        noise_model=device_noise_model("fake_manila"),
        method="density_matrix",
        max_parallel_threads=1,
    )
    small = noisy_simulator("fake_manila", qubits, threads=1, method="density_matrix")
    first = full.run(circuit, shots=500, seed_simulator=3).result().get_counts()
    second = small.run(circuit, shots=500, seed_simulator=3).result().get_counts()
    assert first == second
