"""The ibm backend: local testing mode on fake devices, options, credentials, bad input."""

from __future__ import annotations

import math
import warnings

import pytest

pytest.importorskip("qiskit_ibm_runtime")

from qsearch import SearchProblem, SearchProgram, get_backend
from qsearch.backends.ibm import backend as ibm
from qsearch.backends.ibm.backend import IBMBackend
from qsearch.exceptions import ProblemError, UnsupportedProgramError

FAKE_TOKEN = "qsearchFAKEtoken0123456789abcdefghijklmnopqrstuvwxyzABCDEF"


@pytest.fixture(scope="module")
def torino() -> IBMBackend:
    return IBMBackend("fake_torino", threads=1)


def test_local_mode_runs_through_the_runtime_sampler(torino: IBMBackend) -> None:
    program = SearchProgram(SearchProblem(4, [1]), 1)  # ideal success is exactly 1
    shots = 1000
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        counts = torino.run([program], shots=shots, seed=3)[0]
    assert not [w for w in caught if issubclass(w.category, DeprecationWarning)]
    assert sum(counts.values()) == shots
    assert set(counts) <= {0, 1, 2, 3}
    # noisy but far from uniform: at least 80% on the marked item, and not all of it
    assert 0.8 * shots < counts[1] < shots
    assert torino.run([program], shots=shots, seed=3)[0] == counts  # seeded
    assert torino.name == "ibm:fake_torino"


def test_local_mode_agrees_with_the_noisy_aer_backend() -> None:
    # same device, decomposition, pass manager and seed_transpiler → same ISA circuit and noise
    torino = IBMBackend("fake_torino", decomposition="mcphase", threads=1)
    program = SearchProgram(SearchProblem(8, [6]), 2)
    aer = get_backend("aer", noise="fake_torino", decomposition="mcphase", threads=1)
    assert torino.isa_circuit(program) == aer.transpiled(program)
    shots = 2000
    p_ibm = torino.run([program], shots=shots, seed=1)[0].get(6, 0) / shots
    p_aer = aer.run([program], shots=shots, seed=2)[0].get(6, 0) / shots
    sigma = math.sqrt((p_ibm * (1 - p_ibm) + p_aer * (1 - p_aer)) / shots)
    assert abs(p_ibm - p_aer) < 5 * sigma + 1 / shots
    assert p_ibm < 0.945  # below the ideal sin²(5θ) = 0.945 for N = 8: noise costs success


def test_twirling_keeps_the_requested_number_of_shots(torino: IBMBackend) -> None:
    twirled = IBMBackend("fake_torino", twirling=True, dynamical_decoupling="XY4", threads=1)
    options = twirled.sampler_options(shots=300)
    assert options.twirling.enable_gates and options.dynamical_decoupling.enable
    assert options.twirling.num_randomizations * options.twirling.shots_per_randomization == 300
    counts = twirled.run([SearchProgram(SearchProblem(4, [2]), 1)], shots=300, seed=4)[0]
    assert sum(counts.values()) == 300
    assert counts.get(2, 0) > 0.7 * 300


def test_resources_and_qpu_time_estimate(torino: IBMBackend) -> None:
    program = SearchProgram(SearchProblem(8, [3]), 2)
    report = torino.resources(program)
    assert report["device"] == "fake_torino" and report["two_qubit_gate"] == "cz"
    circuits = [torino.isa_circuit(program)]
    one = torino.estimate_qpu_seconds(circuits, 1000) - ibm.JOB_OVERHEAD_S
    two = torino.estimate_qpu_seconds(circuits, 2000) - ibm.JOB_OVERHEAD_S
    assert one > 0 and two == pytest.approx(2 * one)
    # at least the repetition delay per shot, at most a millisecond per shot for this circuit
    assert 1000 * 1e-4 < one < 1000 * 1e-3


def test_bad_shots_and_oversized_programs(torino: IBMBackend) -> None:
    program = SearchProgram(SearchProblem(4, [1]), 1)
    with pytest.raises(ProblemError, match="'shots' argument"):
        torino.run([program], shots=0)
    with pytest.raises(ProblemError, match=r"must be <= 100000 .*fake_torino.*got 100001"):
        torino.run([program], shots=100_001)
    manila = IBMBackend("fake_manila")
    with pytest.raises(UnsupportedProgramError, match=r"needs 6 qubits.*'fake_manila' has 5"):
        manila.run([SearchProgram(SearchProblem(64, [9]), 1)], shots=10)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"device": "fake_torinoo"}, r"Close matches: \['fake_torino'"),
        ({"device": ""}, "'device' argument"),
        ({"mode": "sessions"}, "'mode' argument"),
        ({"optimization_level": 5}, "'optimization_level' argument"),
        ({"decomposition": "magic"}, "'decomposition' argument"),
        ({"twirling": "yes"}, "'twirling' argument"),
        ({"dynamical_decoupling": "XYZ"}, "'dynamical_decoupling' argument"),
        ({"max_execution_time": 0}, "'max_execution_time' argument"),
        ({"options": {"default_shots": "many"}}, "invalid sampler option"),
        ({"options": {"no_such_option": 1}}, "invalid sampler option"),
        ({"options": [1]}, "'options' argument"),
        ({"account": "mine"}, "offline snapshot"),
        ({"instance": "hub/group/project"}, "retired IBM Quantum channel"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict, match: str) -> None:
    arguments = {"device": "fake_manila", **kwargs}
    with pytest.raises(ProblemError, match=match):
        IBMBackend(**arguments)


def test_device_lookup_failures_list_close_matches_without_the_token() -> None:
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2

    class Service:
        token = FAKE_TOKEN

        def backend(self, name: str) -> object:
            raise LookupError(f"no backend {name} for token {FAKE_TOKEN}")

        def backends(self) -> list:
            device = FakeManilaV2()
            return [device]

    with pytest.raises(ProblemError, match=r"got 'fake_manilla'|got 'ibm_manilla'") as info:
        IBMBackend("ibm_manilla", service=Service())
    assert "fake_manila" in str(info.value)
    assert FAKE_TOKEN not in str(info.value)

    class Service2(Service):
        def backend(self, name: str) -> object:
            return FakeManilaV2()

    backend = IBMBackend("ibm_manila", service=Service2(), account="work")
    assert FAKE_TOKEN not in repr(backend)
    assert repr(backend) == "IBMBackend(device='ibm_manila', mode='job', account='work')"
    assert FAKE_TOKEN not in str(backend.options_record())


def test_auto_decomposition_keeps_the_shallowest_isa_circuit(torino: IBMBackend) -> None:
    from qsearch.translate.lowering import DECOMPOSITIONS

    program = SearchProgram(SearchProblem(64, [42]), 1)
    chosen = torino.isa_circuit(program)
    depths = {
        name: IBMBackend("fake_torino", decomposition=name).isa_circuit(program).depth()
        for name in DECOMPOSITIONS
    }
    assert chosen.depth() == min(depths.values())
    assert torino.decomposition_of(program) != "mcphase"  # ancilla-assisted MCX wins at n = 6
    assert depths[torino.decomposition_of(program)] < depths["mcphase"]
    assert torino.resources(program)["decomposition"] == torino.decomposition_of(program)


@pytest.mark.hardware
def test_real_device_round_trip(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Needs a saved account or QISKIT_IBM_* variables and network; never runs in CI.

    Run with ``pytest -m hardware``; QSEARCH_IBM_DEVICE picks the device (default ibm_torino).
    Costs about 2 s of QPU time.
    """
    import os

    from qsearch.backends.ibm.jobs import JobStore

    store = JobStore(tmp_path / "jobs.sqlite")
    device = os.environ.get("QSEARCH_IBM_DEVICE", "ibm_torino")
    with IBMBackend(device, store=store, max_execution_time=60) as backend:
        counts = backend.run([SearchProgram(SearchProblem(4, [1]), 1)], shots=200)[0]
    assert sum(counts.values()) == 200
    assert counts.get(1, 0) > 0.5 * 200  # ideal 1.0; real devices lose some to noise
    [run] = store.runs()
    assert run.status == "DONE" and run.job_ids
