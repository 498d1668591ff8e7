"""The aer backend against the exact reference: item for item within 5σ binomial bounds."""

import math

import numpy as np
import pytest

from qsearch import (
    BackendError,
    ProblemError,
    SearchProblem,
    SearchProgram,
    UnsupportedProgramError,
)
from qsearch.backends.aer import AerBackend
from qsearch.backends.ideal import IdealBackend
from qsearch.testing import binomial_bound

SHOTS = 4000


def _programs() -> list[SearchProgram]:
    rng = np.random.default_rng(2024)
    programs = []
    for n_qubits in range(2, 9):
        for num_items in {2**n_qubits, 2**n_qubits - 3 if n_qubits > 2 else 3}:
            for m in (1, 2, max(1, num_items // 8)):
                problem = SearchProblem(num_items, rng.choice(num_items, size=m, replace=False))
                for k in {0, 1, min(3, 1 + n_qubits // 3)}:
                    programs.append(SearchProgram(problem, k))
    return programs


def _assert_agrees(counts: dict[int, int], probs: np.ndarray, shots: int, label: str) -> None:
    assert sum(counts.values()) == shots
    assert all(0 <= item < len(probs) for item in counts), f"{label}: item out of range"
    for item, p in enumerate(probs):
        observed = counts.get(item, 0)
        assert abs(observed - shots * p) <= binomial_bound(shots, p), (
            f"{label}: item {item} seen {observed} times, expected {shots * p:.1f}"
        )


def test_aer_agrees_with_ideal_item_for_item(aer: AerBackend, ideal: IdealBackend) -> None:
    programs = _programs()
    results = aer.run(programs, shots=SHOTS, seed=11)
    for program, counts, probs in zip(
        programs, results, ideal.probabilities(programs), strict=True
    ):
        _assert_agrees(counts, probs, SHOTS, repr(program))


@pytest.mark.parametrize("n_qubits", [2, 3, 5, 7])
def test_item_i_comes_back_as_i(aer: AerBackend, n_qubits: int) -> None:
    num_items = 2**n_qubits
    for item in (1, num_items // 2 + 1, num_items - 2):
        problem = SearchProblem(num_items, [item])
        k = max(1, math.floor(math.pi / 4 * math.sqrt(num_items)))
        counts = aer.run([SearchProgram(problem, k)], shots=200, seed=1)[0]
        assert max(counts, key=counts.get) == item


def test_prior_and_phases_on_aer(aer: AerBackend, ideal: IdealBackend) -> None:
    rng = np.random.default_rng(5)
    prior = rng.random(12)
    prior /= prior.sum()
    problem = SearchProblem(12, [3, 7], prior=prior)
    programs = [
        SearchProgram(problem, 2),
        SearchProgram(SearchProblem(13, [0, 12]), 2, phases=[(1.1, -0.4), (2.0, 0.7)]),
    ]
    for program, counts, probs in zip(
        programs, aer.run(programs, shots=SHOTS, seed=3), ideal.probabilities(programs), strict=True
    ):
        _assert_agrees(counts, probs, SHOTS, repr(program))


@pytest.mark.parametrize("method", ["matrix_product_state", "density_matrix"])
def test_other_methods(method: str, ideal: IdealBackend) -> None:
    backend = AerBackend(method, threads=1)
    program = SearchProgram(SearchProblem(20, [6, 17]), 2)
    counts = backend.run([program], shots=SHOTS, seed=8)[0]
    _assert_agrees(counts, ideal.probabilities([program])[0], SHOTS, method)


def test_seeded_runs_repeat_and_cache(aer: AerBackend) -> None:
    program = SearchProgram(SearchProblem(32, [9]), 2)
    first = aer.run([program], shots=64, seed=4)
    assert first == aer.run([program], shots=64, seed=4)
    assert aer.transpiled(program) is aer.transpiled(program)


def test_memory_is_checked_before_allocating() -> None:
    with pytest.raises(UnsupportedProgramError, match="needs .* GiB for 40 qubits"):
        AerBackend(threads=1).run([SearchProgram(SearchProblem(2**40, [1]), 1)], shots=1)
    with pytest.raises(UnsupportedProgramError, match="density_matrix"):
        AerBackend("density_matrix").run([SearchProgram(SearchProblem(2**20, [1]), 1)], shots=1)


def test_failed_simulation_raises_backend_error() -> None:
    backend = AerBackend(threads=1, simulator_options={"max_memory_mb": 1})
    with pytest.raises(BackendError, match="Aer could not run"):
        backend.run([SearchProgram(SearchProblem(2**18, [1]), 0)], shots=1)


def test_resources_and_bad_options(aer: AerBackend) -> None:
    info = aer.resources(SearchProgram(SearchProblem(16, [3]), 2))
    assert info["qubits"] == 4 and info["two_qubit_gates"] > 0 and info["depth"] > 0
    with pytest.raises(ProblemError, match="'method'"):
        AerBackend("stabilizer")
    with pytest.raises(ProblemError, match="'threads'"):
        AerBackend(threads=0)
