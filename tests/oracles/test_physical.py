"""Physical estimates through the Microsoft Resource Estimator (qdk)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from qsearch import SearchProblem
from qsearch.exceptions import BackendUnavailableError, ProblemError
from qsearch.oracles import HammingOracle
from qsearch.oracles.counts import diffusion_counts, grover_iterations, search_counts
from qsearch.oracles.physical import QUBIT_MODELS, estimate_physical, run_estimator

pytest.importorskip("qdk.estimator")


@pytest.fixture(scope="module")
def oracle() -> HammingOracle:
    codes = np.random.default_rng(0).integers(0, 2, (1024, 16))
    return HammingOracle(codes, codes[0], 2)


@pytest.mark.parametrize(
    ("model", "scheme"),
    [
        ("qubit_gate_ns_e3", "surface_code"),
        ("qubit_gate_ns_e4", "surface_code"),
        ("qubit_maj_ns_e6", "floquet_code"),
    ],
)
def test_estimate_of_a_whole_search(oracle: HammingOracle, model: str, scheme: str) -> None:
    estimate = estimate_physical(oracle, qubit_model=model, qec_scheme=scheme)
    k = grover_iterations(1024, len(oracle.marked))
    assert estimate.logical_counts == search_counts(oracle.logical_counts(), 1024, k)
    assert estimate.method == "total"
    assert estimate.physical_qubits > estimate.logical_counts.qubits
    assert estimate.code_distance >= 3 and estimate.t_factories >= 1
    assert estimate.t_factory_qubits < estimate.physical_qubits
    # run time = logical depth × logical cycle; PSSPC depth >= 3 cycles per AND/Toffoli
    counts = estimate.logical_counts
    assert estimate.logical_depth >= 3 * (counts.and_compute + counts.generic)
    assert estimate.runtime_seconds == pytest.approx(
        estimate.logical_depth * estimate.logical_cycle_seconds, rel=1e-9
    )
    assert estimate.raw["jobParams"]["qecScheme"]["name"] == scheme
    assert model in estimate.summary()


def test_better_qubits_need_fewer_physical_qubits(oracle: HammingOracle) -> None:
    e3 = estimate_physical(oracle, qubit_model="qubit_gate_ns_e3")
    e4 = estimate_physical(oracle, qubit_model="qubit_gate_ns_e4")
    assert e4.physical_qubits < e3.physical_qubits
    assert e4.code_distance < e3.code_distance


def test_depth_factor_gives_the_whole_search_time_and_distance() -> None:
    iteration = HammingOracle(np.eye(64, 8, dtype=int), [0] * 8, 1).logical_counts()
    iteration = iteration + diffusion_counts(64)
    for k in (10, 1000):
        whole = run_estimator(
            iteration.times(k),
            qubit_model="qubit_gate_ns_e3",
            qec_scheme="surface_code",
            error_budget=1e-3,
        )
        factor = run_estimator(
            iteration,
            qubit_model="qubit_gate_ns_e3",
            qec_scheme="surface_code",
            error_budget=1e-3,
            repetitions=k,
        )
        assert factor.method == "depth-factor"
        assert factor.code_distance == whole.code_distance
        assert factor.runtime_seconds == pytest.approx(whole.runtime_seconds, rel=1e-9)


def test_marked_set_problem_and_huge_searches() -> None:
    plain = estimate_physical(SearchProblem(2**20, [5, 77]))
    assert plain.method == "total" and plain.runtime_seconds > 0
    codes = np.random.default_rng(1).integers(0, 2, (4, 8))
    assert estimate_physical(SearchProblem.from_oracle(HammingOracle(codes, codes[0], 0)))


def test_without_the_ft_extra_the_error_names_the_pip_command(
    oracle: HammingOracle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "qdk.estimator", None)
    with pytest.raises(BackendUnavailableError, match=r"pip install 'qsearch\[ft\]'"):
        estimate_physical(oracle)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"qubit_model": "qubit_gate_ps_e9"}, r"'qubit_model'.*qubit_gate_ns_e3.*qubit_gate_ps_e9"),
        ({"qec_scheme": "color_code"}, r"'qec_scheme'.*\['surface_code', 'floquet_code'\]"),
        ({"qec_scheme": "floquet_code"}, "Majorana"),
        ({"error_budget": 0}, r"'error_budget'.*\(0, 1\); got 0"),
    ],
)
def test_bad_input(oracle: HammingOracle, kwargs: dict, match: str) -> None:
    with pytest.raises(ProblemError, match=match):
        estimate_physical(oracle, **kwargs)
    assert len(QUBIT_MODELS) == 6
