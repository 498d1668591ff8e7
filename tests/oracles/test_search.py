"""Searches run with a coherent oracle: on aer the data-loading circuit itself, on ideal its
marked set; and they agree with the classical predicate."""

from __future__ import annotations

import numpy as np
import pytest

from qsearch import (
    SearchProblem,
    count_marked,
    exponential_search,
    fixed_point_search,
    grover_search,
)
from qsearch.backends.aer import AerBackend
from qsearch.exceptions import ProblemError, UnsupportedProgramError
from qsearch.oracles import HammingOracle, binary_codes, oracle_bill
from qsearch.problem import SearchProgram
from qsearch.testing import binomial_bound


def _oracle(n_items: int = 16, bits: int = 4, threshold: int = 0, loader: str = "qrom"):
    codes = np.random.default_rng(0).integers(0, 2, (n_items, bits))
    return HammingOracle(codes, codes[3], threshold, loader=loader)


@pytest.fixture(scope="module")
def mps() -> AerBackend:
    # Exact for these circuits (no truncation at this size) and fast: the work qubits stay in
    # basis states, so the bond dimension stays small where a state vector needs 2^qubits.
    return AerBackend("matrix_product_state", threads=1)


def test_from_oracle_keeps_the_oracle_and_its_semantics() -> None:
    oracle = _oracle()
    problem = SearchProblem.from_oracle(oracle)
    assert problem.oracle is oracle
    assert problem.marked == oracle.marked == (3, 4)
    assert problem.build_cost == oracle.build_cost == 16
    plain = SearchProblem(16, oracle.marked, build_cost=16)
    assert problem != plain  # the Aer cache keys on the problem: never the marked-set circuit
    assert problem == problem
    with pytest.raises(ProblemError, match="'oracle' argument of SearchProblem.from_oracle"):
        SearchProblem.from_oracle(object())


@pytest.mark.parametrize("loader", ["qrom", "select-swap"])
def test_aer_circuits_contain_the_data_loading_oracle(mps: AerBackend, loader: str) -> None:
    oracle = _oracle(loader=loader)
    problem = SearchProblem.from_oracle(oracle)
    circuit = mps.transpiled(SearchProgram(problem, 2))
    assert circuit.num_qubits == oracle.num_qubits
    per_call = oracle.logical_counts()
    # every Toffoli of the circuit is the oracle's (the diffusion uses one multi-controlled phase)
    assert circuit.count_ops().get("ccx", 0) == 2 * per_call.toffoli
    assert SearchProblem(16, oracle.marked).marked == problem.marked
    plain = mps.transpiled(SearchProgram(SearchProblem(16, oracle.marked), 2))
    assert plain.num_qubits == 4 and "ccx" not in plain.count_ops()


@pytest.mark.parametrize("loader", ["qrom", "select-swap"])
def test_grover_on_aer_with_the_oracle_matches_the_closed_form(
    mps: AerBackend, loader: str
) -> None:
    oracle = _oracle(loader=loader)
    problem = SearchProblem.from_oracle(oracle)
    shots = 400
    result = grover_search(problem, mps, shots=shots, seed=5, max_attempts=1)
    # M = 2, N = 16: k = 2 iterations, P(marked) = sin²(5θ), sin²θ = 1/8
    theta = np.arcsin(np.sqrt(2 / 16))
    p = np.sin(5 * theta) ** 2
    hits = sum(c for item, c in result.attempts[0].counts.items() if item in oracle.marked)
    assert abs(hits - shots * p) <= binomial_bound(shots, p)
    assert result.found in oracle.marked
    bill = oracle_bill(result, oracle)
    assert bill.oracle_queries == result.queries.oracle == 2 * shots
    assert bill.total.toffoli == bill.oracle_queries * oracle.logical_counts().toffoli
    assert bill.build_bit_reads == 16 * 4
    assert bill.build_per_query == pytest.approx(64 / (2 * shots))


def test_every_search_solves_an_oracle_problem_on_aer_and_ideal(mps: AerBackend) -> None:
    oracle = _oracle()
    problem = SearchProblem.from_oracle(oracle)
    for backend in (mps, "ideal"):
        assert grover_search(problem, backend, seed=1).found in oracle.marked
        assert exponential_search(problem, backend, seed=2).found in oracle.marked
        found = fixed_point_search(problem, delta=0.3, lower_bound=0.1, backend=backend, seed=3)
        assert found.found in oracle.marked
        count = count_marked(problem, epsilon=0.05, backend=backend, seed=4)
        assert count.covers(2 / 16) and count.queries.oracle > 0


def test_qpe_counting_uses_the_coherent_oracle_on_aer(mps: AerBackend) -> None:
    oracle = _oracle(n_items=4, bits=2, threshold=0)
    problem = SearchProblem.from_oracle(oracle)
    result = count_marked(problem, method="qpe", epsilon=0.2, backend=mps, seed=0)
    assert result.covers(len(oracle.marked) / 4)


def test_aer_over_a_real_bucket_finds_classically_marked_items(mps: AerBackend) -> None:
    from qsearch.retrieval.buckets import BucketIndex
    from qsearch.retrieval.data import load

    data = load("stdlib-docstrings")
    index = BucketIndex(128, max_bucket_qubits=5, seed=0).fit(data.vectors)
    query = data.vectors[17]
    (bucket,), _ = index.route(query, 1)
    members = np.flatnonzero(index.assignments_ == bucket)
    assert 8 <= len(members) <= 64
    codes = binary_codes(index.vectors_[members], 8, seed=3)
    query_code = binary_codes(query[None], 8, seed=3)[0]
    oracle = HammingOracle(codes, query_code, 0)
    assert 1 <= len(oracle.marked) <= len(members) // 4
    problem = SearchProblem.from_oracle(oracle)
    result = grover_search(problem, mps, shots=64, seed=7, max_attempts=1)
    hits = sum(c for item, c in result.attempts[0].counts.items() if item in oracle.marked)
    assert hits >= 32  # the marked fraction is amplified from <= 1/4 to well above 1/2
    assert result.found in oracle.marked
    assert int(np.flatnonzero(members == 17)[0]) in oracle.marked  # the query's own row


def test_a_circuit_too_large_for_aer_is_refused_before_allocating() -> None:
    oracle = _oracle(n_items=1024, bits=16, threshold=3)
    problem = SearchProblem.from_oracle(oracle)
    with pytest.raises(UnsupportedProgramError, match=rf"{oracle.num_qubits} qubits.*GiB"):
        AerBackend(threads=1).run([SearchProgram(problem, 1)], shots=1, seed=0)
