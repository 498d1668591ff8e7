"""The Hamming oracle's circuit does what it claims, and its closed-form counts are exact."""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pytest

from qsearch.exceptions import ProblemError, UnsupportedProgramError
from qsearch.oracles import HammingOracle, binary_codes, marked_set_counts, pack_codes
from qsearch.oracles.counts import diffusion_counts, hamming_counts
from qsearch.oracles.simulate import (
    count_gates,
    diffusion_gates,
    marked_set_gates,
    simulate_basis,
)


def _random_oracle(n_items: int, bits: int, threshold: int, loader: str, seed: int, **kw):
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 2, (n_items, bits))
    query = rng.integers(0, 2, bits)
    return HammingOracle(codes, query, threshold, loader=loader, **kw)


def _assert_exact_action(oracle: HammingOracle) -> None:
    """Every index basis state: phase (−1)^f(i) on real items, index kept, work qubits clean."""
    n = oracle.num_index_qubits
    action = simulate_basis(oracle.gates(), n, oracle.num_qubits)
    assert action.tag_violations == 0
    np.testing.assert_array_equal(action.index_out, np.arange(2**n))
    assert action.work_clean.all()
    expected = np.ones(oracle.num_items, dtype=int)
    expected[list(oracle.marked)] = -1
    np.testing.assert_array_equal(action.phases[: oracle.num_items], expected)


@pytest.mark.parametrize("loader", ["qrom", "select-swap"])
@pytest.mark.parametrize("n_items", [2, 3, 5, 8, 13, 64, 100, 1000, 1024])
def test_action_on_every_basis_index(loader: str, n_items: int) -> None:
    bits = 6
    for threshold in (0, 2, bits):
        _assert_exact_action(_random_oracle(n_items, bits, threshold, loader, seed=n_items))


def test_action_for_every_select_swap_block_size() -> None:
    for n_items, k in itertools.product([5, 16, 37], range(7)):
        if k <= (n_items - 1).bit_length():
            _assert_exact_action(_random_oracle(n_items, 3, 1, "select-swap", 7, block_bits=k))


@pytest.mark.parametrize("loader", ["qrom", "select-swap"])
def test_closed_form_counts_equal_the_built_circuit(loader: str) -> None:
    rng = np.random.default_rng(3)
    for n_items, bits in itertools.product([2, 3, 4, 7, 16, 33, 64], [1, 2, 3, 4, 7, 8, 16]):
        for threshold in sorted({0, 1, bits // 2, bits - 1, bits} - {-1}):
            ks = [None] if loader == "qrom" else range((n_items - 1).bit_length() + 1)
            for k in ks:
                kw = {} if k is None else {"block_bits": k}
                oracle = HammingOracle(
                    rng.integers(0, 2, (n_items, bits)),
                    rng.integers(0, 2, bits),
                    threshold,
                    loader=loader,
                    **kw,
                )
                built = count_gates(oracle.gates(), oracle.num_qubits)
                assert built == oracle.logical_counts(), (n_items, bits, threshold, k)
                if n_items <= 16 and bits <= 4:  # the qiskit circuit carries the same gates
                    assert count_gates(oracle.circuit()) == built


def test_counts_with_a_general_phase_have_one_rotation() -> None:
    oracle = _random_oracle(8, 4, 1, "qrom", 0)
    counts = oracle.logical_counts(alpha=1.0)
    assert counts == count_gates(oracle.circuit(alpha=1.0))
    assert counts.rotations == 1
    assert counts.clifford == oracle.logical_counts().clifford - 1


def test_qrom_scaling_is_linear_and_select_swap_is_sqrt() -> None:
    for n in (2**10, 2**14, 2**18):
        qrom = hamming_counts(n, 16, 4, "qrom")
        swap = hamming_counts(n, 16, 4, "select-swap")
        assert qrom.and_compute == 2 * (n - 2) + (16 - 1) + 5
        # select-swap: O(sqrt(N·b)) Toffolis; at the optimum both terms are about sqrt(N·b)
        assert swap.toffoli < 12 * math.sqrt(n * 16)
        assert swap.qubits > qrom.qubits


def test_marked_set_counts_equal_the_built_ladder() -> None:
    for n_items, marked in [(2, [1]), (4, [0, 3]), (16, [5]), (100, [1, 50, 99]), (1024, [0])]:
        gates = marked_set_gates(n_items, marked)
        width = max(1, (n_items - 1).bit_length())
        width += max(width - 2, 0)
        assert count_gates(gates, width) == marked_set_counts(n_items, marked)
        action = simulate_basis(gates, (n_items - 1).bit_length() or 1, width)
        assert action.tag_violations == 0 and action.work_clean.all()
        assert sorted(action.flagged().tolist()) == sorted(marked)
    for n_items in (4, 16, 256):
        n = (n_items - 1).bit_length()
        assert count_gates(diffusion_gates(n_items), n + max(n - 2, 0)) == diffusion_counts(n_items)


def test_aer_statevector_applies_the_phase_and_cleans_the_work_qubits() -> None:
    from qiskit import QuantumCircuit, transpile
    from qiskit_aer import AerSimulator

    for loader in ("qrom", "select-swap"):
        oracle = _random_oracle(4, 2, 1, loader, seed=11)
        n, width = oracle.num_index_qubits, oracle.num_qubits
        assert width <= 20
        circuit = QuantumCircuit(width)
        circuit.h(range(n))
        circuit.compose(oracle.circuit(), inplace=True)
        circuit.save_statevector()
        simulator = AerSimulator(method="statevector")
        state = np.asarray(simulator.run(transpile(circuit, simulator)).result().get_statevector())
        expected = np.zeros(2**width, dtype=complex)
        for i in range(2**n):
            expected[i] = (-1 if i in oracle.marked else 1) / math.sqrt(2**n)
        np.testing.assert_allclose(state, expected, atol=1e-9)


def test_qram_is_a_labelled_model_without_a_circuit() -> None:
    oracle = _random_oracle(64, 8, 2, "qram", 0)
    counts = oracle.logical_counts()
    assert counts.model.startswith("qram: ASSUMPTION")
    assert counts.routing_qubits == 63
    assert "ASSUMPTION" in (oracle.assumption or "")
    with pytest.raises(UnsupportedProgramError, match="ASSUMPTION"):
        oracle.circuit()
    big = hamming_counts(2**40, 16, 4, "qram")
    assert big.toffoli_depth == 2 * (2 * 2 * 40 + 15 + 5)


def test_binary_codes_are_simhash_signs() -> None:
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((50, 8))
    codes = binary_codes(vectors, 16, seed=4)
    assert codes.shape == (50, 16) and set(np.unique(codes)) <= {0, 1}
    np.testing.assert_array_equal(codes, binary_codes(vectors, 16, seed=4))
    # a vector and its negation get complementary codes
    both = binary_codes(np.vstack([vectors[:1], -vectors[:1]]), 16, seed=4)
    np.testing.assert_array_equal(both[0], 1 - both[1])
    packed = pack_codes(codes)
    oracle = HammingOracle(packed, int(packed[0]), 3, num_bits=16)
    assert oracle.marked == HammingOracle(codes, codes[0], 3).marked
    assert 0 in oracle.marked


class TestQualtranCrossCheck:
    """Our closed forms against Qualtran's cost model for the same pieces."""

    @pytest.fixture(autouse=True)
    def _qualtran(self):
        pytest.importorskip("qualtran")

    @staticmethod
    def _cost(bloq):
        from qualtran.resource_counting import QECGatesCost, get_cost_value

        return get_cost_value(bloq, QECGatesCost())

    def _stage(self, oracle: HammingOracle, stage: str):
        from qsearch.oracles.hamming import _hamming_weight, _Layout, _less_than

        layout = _Layout(oracle)
        ops: list = []
        if stage == "load":
            oracle._load(ops, layout)
        elif stage == "weight":
            _hamming_weight(ops, list(layout.data), list(layout.junk), list(layout.weight))
        else:
            _less_than(ops, layout.weight, oracle.threshold + 1, layout)
        return count_gates(ops, oracle.num_qubits)

    @pytest.mark.parametrize("n_items", [2, 3, 5, 16, 13, 64, 100])
    def test_qrom(self, n_items: int) -> None:
        from qualtran.bloqs.data_loading.qrom import QROM
        from qualtran.resource_counting import QubitCount, get_cost_value

        # Qualtran's data-free cost model (build_from_bitsize): with concrete data its
        # decomposition prunes subtrees by the data; ours iterates over every item, so its
        # Toffoli count does not depend on (or reveal) the data.
        oracle = _random_oracle(n_items, 4, 1, "qrom", 0)
        bloq = QROM.build_from_bitsize((n_items,), (4,))
        theirs = self._cost(bloq)
        ours = self._stage(oracle, "load")
        assert ours.and_compute == theirs.and_bloq
        assert ours.and_uncompute == theirs.measurement
        n = oracle.num_index_qubits
        assert get_cost_value(bloq, QubitCount()) == n + max(n - 1, 0) + 4

    @pytest.mark.parametrize(
        ("n_items", "bits", "k"), [(16, 4, 2), (13, 3, 1), (64, 8, 3), (100, 5, 2)]
    )
    def test_select_swap(self, n_items: int, bits: int, k: int) -> None:
        from qualtran.bloqs.data_loading.select_swap_qrom import SelectSwapQROM

        oracle = _random_oracle(n_items, bits, 1, "select-swap", 0, block_bits=k)
        bloq = SelectSwapQROM.build_from_bitsize(
            (n_items,), (bits,), log_block_sizes=(k,), use_dirty_ancilla=False
        )
        theirs = self._cost(bloq)  # QROM, swap, XOR out, swap†, QROM†: our load + unload
        ours = oracle.logical_counts()
        weight_and_compare = hamming_counts(n_items, bits, 1, "qram").and_compute
        assert ours.and_compute - weight_and_compare == theirs.and_bloq
        assert ours.and_uncompute - weight_and_compare == theirs.measurement
        # Qualtran swaps with CSwapApprox (4 T, exact up to a phase that the unswap undoes);
        # ours are exact Fredkin gates (one generic Toffoli each): same number of swaps.
        assert theirs.t == 4 * ours.generic

    @pytest.mark.parametrize("bits", [1, 2, 3, 4, 7, 8, 15, 16, 33])
    def test_hamming_weight(self, bits: int) -> None:
        from qualtran.bloqs.arithmetic import HammingWeightCompute

        oracle = _random_oracle(4, bits, 0, "qrom", 0)
        theirs = self._cost(HammingWeightCompute(bits))
        ours = self._stage(oracle, "weight")
        assert ours.and_compute == theirs.and_bloq
        assert ours.clifford == theirs.clifford

    @pytest.mark.parametrize(("bits", "threshold"), [(4, 0), (4, 2), (7, 3), (8, 5), (16, 9)])
    def test_comparator(self, bits: int, threshold: int) -> None:
        from qualtran.bloqs.arithmetic import LessThanConstant

        oracle = _random_oracle(4, bits, threshold, "qrom", 0)
        theirs = self._cost(LessThanConstant(bits.bit_length(), threshold + 1))
        ours = self._stage(oracle, "compare")  # compute half; the call's reverse is the rest
        assert ours.and_compute == theirs.and_bloq
        assert ours.and_compute == theirs.measurement  # reversed in the oracle's second half


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"codes": [[0, 2], [1, 1]], "query": [0, 0], "threshold": 0}, "only 0/1; got 2"),
        ({"codes": [[[0]]], "query": [0], "threshold": 0}, "got shape"),
        ({"codes": [[0.5, 1], [1, 1]], "query": [0, 0], "threshold": 0}, "dtype float64"),
        ({"codes": [[0, 1]], "query": [0, 0], "threshold": 0}, "N >= 2 items; got 1"),
        ({"codes": [1, 2, 3], "query": 0, "threshold": 0, "num_bits": 65}, "<= 64"),
        ({"codes": [1, 2, 3], "query": 0, "threshold": 0}, "'num_bits' argument.*required"),
        ({"codes": [1, 9], "query": 0, "threshold": 0, "num_bits": 3}, r"\[0, 2\*\*3\); got 9"),
        ({"codes": [[0, 1], [1, 1]], "query": [0, 0, 1], "threshold": 0}, "2 bits.*shape \\(3,\\)"),
        ({"codes": [[0, 1], [1, 1]], "query": [0, 3], "threshold": 0}, "query.*only 0/1"),
        (
            {"codes": [[0, 1], [1, 1]], "query": [0, 0], "threshold": -1},
            "'threshold'.*>= 0; got -1",
        ),
        (
            {"codes": [[0, 1], [1, 1]], "query": [0, 0], "threshold": 3},
            "<= the code width 2; got 3",
        ),
        (
            {"codes": [[0, 1], [1, 1]], "query": [0, 0], "threshold": 0, "loader": "bucket"},
            r"'loader'.*\['qrom', 'select-swap', 'qram'\]; got 'bucket'",
        ),
        (
            {"codes": [[0, 1], [1, 1]], "query": [0, 0], "threshold": 0, "block_bits": 1},
            "select-swap' only",
        ),
    ],
)
def test_bad_input_names_argument_expectation_and_value(kwargs: dict, match: str) -> None:
    codes = kwargs.pop("codes")
    query = kwargs.pop("query")
    threshold = kwargs.pop("threshold")
    with pytest.raises(ProblemError, match=match):
        HammingOracle(codes, query, threshold, **kwargs)


def test_counts_are_frozen_and_add() -> None:
    a = hamming_counts(16, 4, 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.qubits = 3  # type: ignore[misc]
    assert (a + a).toffoli == 2 * a.toffoli
    assert a.times(3).t_count == 3 * a.t_count
