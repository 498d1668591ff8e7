"""qiskit-algorithms AmplificationProblem ↔ SearchProblem, and users' own phase oracles."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit.library import PhaseOracleGate
from qiskit.primitives import StatevectorSampler
from qiskit.quantum_info import Statevector
from qiskit_aer.primitives import SamplerV2 as AerSampler

from qsearch import SearchProblem, SearchProgram, grover_search, optimal_iterations
from qsearch.backends.ideal import IdealBackend
from qsearch.backends.sampler import SamplerBackend
from qsearch.exceptions import ProblemError, UnsupportedProgramError
from qsearch.testing import binomial_bound
from qsearch.translate.amplification import (
    from_amplification_problem,
    marked_from_is_good_state,
    oracle_translator,
    to_amplification_problem,
)

qiskit_algorithms = pytest.importorskip("qiskit_algorithms")
AmplificationProblem = qiskit_algorithms.AmplificationProblem

EXPRESSION = "(v0 & ~v1 & v2 & v4) | (~v0 & v1 & ~v3 & v4)"
VARS = ["v0", "v1", "v2", "v3", "v4"]


def _truth_table(expression: str, names: list[str]) -> tuple[int, ...]:
    """Items x whose bits (bit j of x = variable j = qubit j) satisfy the expression."""
    python = expression.replace("~", " not ").replace("&", " and ").replace("|", " or ")
    return tuple(
        x
        for x in range(2 ** len(names))
        if eval(python, {}, {v: bool((x >> j) & 1) for j, v in enumerate(names)})
    )


def _amp() -> AmplificationProblem:
    return AmplificationProblem(PhaseOracleGate(EXPRESSION, var_order=VARS))


def test_phase_oracle_gate_marked_set_is_its_truth_table():
    problem = from_amplification_problem(_amp())
    expected = _truth_table(EXPRESSION, VARS)
    assert len(expected) == 4
    assert problem == SearchProblem(32, expected)
    assert problem.build_cost == 0
    assert from_amplification_problem(_amp(), build_cost=32).build_cost == 32


def test_deprecated_phase_oracle_circuit_works_too():
    from qiskit.circuit.library import PhaseOracle

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # PhaseOracle: deprecated in 2.2
        oracle = PhaseOracle(EXPRESSION, var_order=VARS)
    problem = from_amplification_problem(AmplificationProblem(oracle))
    assert problem.marked == _truth_table(EXPRESSION, VARS)


def test_every_is_good_state_form_gives_the_same_items():
    n, marked = 4, (3, 9, 12)
    bits = [format(x, "04b") for x in marked]
    state = Statevector(np.isin(np.arange(16), marked) / np.sqrt(3))
    forms = [lambda b: b in bits, bits, state]
    for form in forms:
        assert marked_from_is_good_state(form, n) == marked
    # list of ints: string positions that must be "1" (qiskit-algorithms' reading)
    assert marked_from_is_good_state([0, 3], n) == tuple(
        x for x in range(16) if format(x, "04b")[0] == "1" and format(x, "04b")[3] == "1"
    )
    # a problem given only is_good_state (oracle as a Statevector: no circuit to evaluate)
    oracle = Statevector.from_label("0000")
    problem = from_amplification_problem(AmplificationProblem(oracle, is_good_state=bits))
    assert problem.marked == marked


def test_oracle_and_is_good_state_must_agree():
    amp = _amp()
    reversed_bits = [format(x, "05b")[::-1] for x in _truth_table(EXPRESSION, VARS)]
    amp.is_good_state = reversed_bits  # the classic bit-order mistake
    with pytest.raises(ProblemError, match="disagree on item .* little-endian"):
        from_amplification_problem(amp)


def test_circuits_that_are_not_phase_oracles_are_refused_clearly():
    mixing = QuantumCircuit(2)
    mixing.h(0)
    with pytest.raises(ProblemError, match="must be diagonal"):
        from_amplification_problem(AmplificationProblem(mixing, is_good_state=["11"]))
    phase = QuantumCircuit(2)
    phase.s(1)
    with pytest.raises(ProblemError, match=r"by \+1 or −1.*\|10⟩"):
        from_amplification_problem(AmplificationProblem(phase))
    with pytest.raises(ProblemError, match="limited to max_qubits=3"):
        from_amplification_problem(_amp(), max_qubits=3)
    with pytest.raises(ProblemError, match="objective_qubits"):
        from_amplification_problem(AmplificationProblem(_amp().oracle, objective_qubits=[0, 1]))
    with pytest.raises(ProblemError, match="AmplificationProblem"):
        from_amplification_problem(SearchProblem(4, [1]))


@pytest.mark.parametrize(
    "problem",
    [
        SearchProblem(16, [5, 6]),
        SearchProblem(11, [7, 9]),
        SearchProblem(8, [2, 5], prior=[0.05, 0.10, 0.20, 0.05, 0.15, 0.10, 0.25, 0.10]),
    ],
    ids=["uniform", "padded", "prior"],
)
def test_round_trip_through_amplification_problem(problem):
    back = from_amplification_problem(to_amplification_problem(problem))
    assert (back.num_items, back.marked) == (problem.num_items, problem.marked)
    if problem.prior is None:
        assert back.prior is None
    else:  # |amplitude|² of a simulated StatePreparation: equal up to rounding
        np.testing.assert_allclose(back.prior, problem.prior, rtol=0, atol=1e-12)


def test_qiskit_algorithms_grover_solves_the_exported_problem():
    problem = SearchProblem(32, [13])
    amp = to_amplification_problem(problem)
    grover = qiskit_algorithms.Grover(
        iterations=optimal_iterations(32, 1), sampler=StatevectorSampler(seed=7)
    )
    result = grover.amplify(amp)
    assert int(result.top_measurement, 2) == 13 and result.oracle_evaluation


@pytest.mark.parametrize("backend", ["ideal", "aer", "sampler"])
def test_derived_problem_is_searched_like_any_problem(backend):
    problem = from_amplification_problem(_amp())
    result = grover_search(problem, backend, seed=5)
    assert result.found in problem.marked
    assert result.queries.build == 0


def _prepared_amp() -> AmplificationProblem:
    """A user's oracle (one phase oracle) with a user's non-uniform state preparation."""
    prep = QuantumCircuit(4)
    for qubit, angle in enumerate((1.2, 1.7, 1.4, 2.0)):
        prep.ry(angle, qubit)
    prep.cz(0, 3)  # a phase only: the prior is |amplitude|²
    return AmplificationProblem(
        PhaseOracleGate("(a & ~b & c) | (a & b & c & d)", var_order=["a", "b", "c", "d"]),
        state_preparation=prep,
    )


@pytest.mark.parametrize("make", [StatevectorSampler, AerSampler], ids=["statevector", "aer"])
@pytest.mark.parametrize("which", ["phase oracle", "state preparation"])
def test_running_the_users_own_circuits_matches_the_ideal_distribution(make, which):
    amp = _amp() if which == "phase oracle" else _prepared_amp()
    problem = from_amplification_problem(amp)
    if which == "state preparation":
        assert problem.prior is not None and problem.marked == (5, 13, 15)
    backend = SamplerBackend(make(), translate=oracle_translator(amp))
    shots = 4000
    for k in (1, 2, 3):
        program = SearchProgram(problem, k)
        counts = backend.run([program], shots=shots, seed=k)[0]
        probs = IdealBackend().probabilities([program])[0]
        for item, p in enumerate(probs):
            assert abs(counts.get(item, 0) - shots * p) <= binomial_bound(shots, p), (k, item)
    assert "user_oracle" in backend.translate(SearchProgram(problem, 1)).name


def test_user_oracle_translator_refuses_other_programs():
    amp = _amp()
    translate = oracle_translator(amp)
    with pytest.raises(UnsupportedProgramError, match="only"):
        translate(SearchProgram(SearchProblem(32, [1]), 1))
    problem = from_amplification_problem(amp)
    with pytest.raises(UnsupportedProgramError, match="α = π"):
        translate(SearchProgram(problem, 1, phases=((1.0, 1.0),)))
    assert set(itertools.chain(problem.marked)) == set(_truth_table(EXPRESSION, VARS))
