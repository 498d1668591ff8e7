"""HammingOracle: a phase oracle over classical binary codes, built as a reversible circuit.

|i⟩|0…0⟩ → (−1)^{f(i)}|i⟩|0…0⟩ with f(i) = [Hamming(code_i, query) <= threshold]. One call:

1. load code_i into a data register — ``loader="qrom"`` (unary iteration, Babbush et al. 2018,
   arXiv:1805.03662) or ``"select-swap"`` (Low, Kliuchnikov, Schaeffer 2018,
   arXiv:1812.00954), see :mod:`qsearch.oracles.loaders`;
2. XOR the query into it (X gates on the query's 1 bits, so the table does not depend on it);
3. its Hamming weight w into a register of bit_length(b) bits (Gidney 2018, arXiv:1709.06648,
   Fig. 2: three-to-two adders, b − popcount(b) ANDs — Qualtran's ``HammingWeightCompute``);
4. the comparator w < threshold + 1 into a flag (the AND chain of Qualtran's
   ``LessThanConstant``, its internal uncompute deferred to step 6);
5. Z on the flag (a phase e^{iα} for fixed-point searches);
6. steps 4..1 in reverse, which returns every work qubit to |0⟩.

``"qram"`` is not a circuit: it is a cost model for a hardware QRAM (an ASSUMPTION, labelled
wherever it appears); such an oracle has counts and semantics but no ``circuit()``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from qsearch._validation import check_int
from qsearch.exceptions import ProblemError, UnsupportedProgramError
from qsearch.oracles.codes import check_codes, check_query
from qsearch.oracles.counts import (
    QRAM_ASSUMPTION,
    LogicalCounts,
    check_loader,
    comparator_is_trivial,
    default_block_bits,
    hamming_counts,
    index_qubits,
    weight_bits,
)
from qsearch.oracles.loaders import BARRIER, Op, load_word, swap_network, unary_iteration


class HammingOracle:
    """Phase oracle marking the items whose code is within ``threshold`` of ``query``.

    Args:
        codes: (N, b) array of 0/1, or N bit-packed ints with ``num_bits`` (b <= 64); N >= 2.
        query: b bits (array of 0/1, or a packed int).
        threshold: 0 <= t <= b; item i is marked iff Hamming(codes[i], query) <= t.
        loader: ``"qrom"``, ``"select-swap"`` or ``"qram"`` (hardware model, no circuit).
        block_bits: log2 of the select-swap block size λ (default: the T-count optimum).
        num_bits: b, required for packed codes.

    Raises:
        ProblemError: for any invalid argument; the message names it.

    Example:
        >>> oracle = HammingOracle([[0, 0], [1, 1], [0, 1], [1, 0]], [0, 0], 0)
        >>> oracle.marked, oracle.num_items, oracle.num_bits
        ((0,), 4, 2)
    """

    def __init__(
        self,
        codes: Any,
        query: Any,
        threshold: int,
        *,
        loader: str = "qrom",
        block_bits: int | None = None,
        num_bits: int | None = None,
    ) -> None:
        owner = "HammingOracle"
        self.codes = check_codes(codes, num_bits, owner)
        self.num_items, self.num_bits = (int(v) for v in self.codes.shape)
        self.query = check_query(query, self.num_bits, owner)
        self.threshold = check_int(threshold, "threshold", owner, minimum=0)
        if self.threshold > self.num_bits:
            raise ProblemError(
                f"The 'threshold' argument of {owner} must be <= the code width "
                f"{self.num_bits}; got {self.threshold}."
            )
        self.loader = check_loader(loader, owner)
        n = index_qubits(self.num_items)
        if loader == "select-swap":
            k = (
                default_block_bits(self.num_items, self.num_bits)
                if block_bits is None
                else (check_int(block_bits, "block_bits", owner, minimum=0))
            )
            if k > n:
                raise ProblemError(
                    f"The 'block_bits' argument of {owner} must be <= {n} (the index width); "
                    f"got {k}."
                )
            self.block_bits: int | None = k
        elif block_bits is not None:
            raise ProblemError(
                f"The 'block_bits' argument of {owner} applies to loader='select-swap' only; "
                f"got block_bits={block_bits!r} with loader={loader!r}."
            )
        else:
            self.block_bits = None

    def __repr__(self) -> str:
        return (
            f"HammingOracle(N={self.num_items}, b={self.num_bits}, threshold={self.threshold}, "
            f"loader={self.loader!r})"
        )

    # -- semantics -------------------------------------------------------------------------
    @cached_property
    def distances(self) -> np.ndarray:
        """Hamming distance of every code to the query."""
        d = (self.codes != self.query).sum(axis=1).astype(np.int64)
        d.setflags(write=False)
        return d

    @cached_property
    def marked(self) -> tuple[int, ...]:
        """The items the classical predicate marks (distance <= threshold), sorted."""
        return tuple(int(i) for i in np.flatnonzero(self.distances <= self.threshold))

    @property
    def num_index_qubits(self) -> int:
        return index_qubits(self.num_items)

    @property
    def build_cost(self) -> int:
        """Items read once by the one-time classical compile of the circuit (N)."""
        return self.num_items

    @property
    def build_bit_reads(self) -> int:
        """Bits read by the compile: N·b."""
        return self.num_items * self.num_bits

    def is_marked(self, item: int) -> bool:
        return bool(self.distances[item] <= self.threshold)

    # -- costs -----------------------------------------------------------------------------
    def logical_counts(self, alpha: float = math.pi) -> LogicalCounts:
        """Closed-form counts of one call (equal to the built circuit's, see tests)."""
        return hamming_counts(
            self.num_items,
            self.num_bits,
            self.threshold,
            self.loader,
            block_bits=self.block_bits,
            ones=int(self.codes.sum()),
            query_weight=int(self.query.sum()),
            alpha_is_pi=_is_pi(alpha),
        )

    @property
    def assumption(self) -> str | None:
        """The hardware assumption behind the counts (``"qram"``), else None."""
        return QRAM_ASSUMPTION if self.loader == "qram" else None

    # -- circuit ---------------------------------------------------------------------------
    @property
    def num_qubits(self) -> int:
        """Index plus work qubits of :meth:`circuit`."""
        return self.logical_counts().qubits

    @property
    def num_work_qubits(self) -> int:
        return self.num_qubits - self.num_index_qubits

    def gates(self, alpha: float = math.pi) -> list[Op]:
        """The call as a gate list (index qubits first, then the work registers)."""
        if self.loader == "qram":
            raise UnsupportedProgramError(
                "HammingOracle(loader='qram') is a cost model, not a circuit: "
                f"{QRAM_ASSUMPTION} Use loader='qrom' or 'select-swap' to build and simulate."
            )
        layout = _Layout(self)
        forward: list[Op] = []
        self._load(forward, layout)
        for k, bit in enumerate(self.query):
            if bit:
                forward.append(("x", (layout.data[k],), None))
        _hamming_weight(forward, list(layout.data), list(layout.junk), list(layout.weight))
        _less_than(forward, layout.weight, self.threshold + 1, layout)
        forward.append(BARRIER)
        middle: Op = (
            ("z", (layout.flag,), None) if _is_pi(alpha) else ("p", (layout.flag,), float(alpha))
        )
        backward = [(name, q, _inverse_tag(tag)) for name, q, tag in reversed(forward)]
        return [*forward, middle, *backward]

    def _load(self, ops: list[Op], layout: _Layout) -> None:
        n, b = self.num_index_qubits, self.num_bits
        codes = self.codes
        if self.loader == "qrom":
            unary_iteration(
                ops,
                list(range(n)),
                self.num_items,
                layout.unary,
                lambda o, c, i: load_word(o, c, codes[i], layout.data),
            )
            ops.append(BARRIER)
            return
        k = self.block_bits or 0
        size = 1 << k
        registers = [layout.words[r * b : (r + 1) * b] for r in range(size)]
        blocks = -(-self.num_items // size)

        def leaf(o: list[Op], control: int | None, block: int) -> None:
            for r in range(size):
                item = block * size + r
                if item < self.num_items:
                    load_word(o, control, codes[item], registers[r])

        unary_iteration(ops, list(range(k, n)), blocks, layout.unary, leaf)
        ops.append(BARRIER)
        swap_network(ops, list(range(k)), registers)

    def circuit(self, alpha: float = math.pi) -> Any:
        """The call as a qiskit ``QuantumCircuit`` on :attr:`num_qubits` qubits.

        Qubits ``0..n-1`` are the index register (little-endian, as in
        :mod:`qsearch.translate.qiskit`); the rest are work qubits, |0⟩ in and out.
        """
        from qiskit.circuit import QuantumCircuit
        from qiskit.circuit.library import CCXGate

        circuit = QuantumCircuit(self.num_qubits, name=f"hamming_{self.loader}")
        for name, qubits, tag in self.gates(alpha):
            if name == "ccx":
                circuit.append(CCXGate(label=tag), qubits)
            elif name == "barrier":
                circuit.barrier()
            elif name == "p":
                circuit.p(tag, qubits[0])
            else:
                getattr(circuit, name)(*qubits)
        return circuit


def _is_pi(alpha: float) -> bool:
    return math.isclose(float(alpha) % (2 * math.pi), math.pi)


def _inverse_tag(tag: Any) -> Any:
    return {"and": "and_dg", "and_dg": "and"}.get(tag, tag) if isinstance(tag, str) else tag


class _Layout:
    """Qubit indices of the work registers, in the order the counts list them."""

    def __init__(self, oracle: HammingOracle) -> None:
        n, b = oracle.num_index_qubits, oracle.num_bits
        cursor = n

        def take(count: int) -> list[int]:
            nonlocal cursor
            out = list(range(cursor, cursor + count))
            cursor += count
            return out

        if oracle.loader == "qrom":
            self.unary = take(max(n - 1, 0))
            self.words = take(b)
        else:
            k = oracle.block_bits or 0
            self.unary = take(max(n - k - 1, 0))
            self.words = take((1 << k) * b)
        self.data = self.words[:b]
        self.junk = take(b - b.bit_count())
        m = weight_bits(b)
        self.weight = take(m)
        self.trivial = comparator_is_trivial(b, oracle.threshold)
        if self.trivial:
            self.equal, self.scratch = -1, []
        else:
            (self.equal,) = take(1)
            self.scratch = take(m)
        (self.flag,) = take(1)


def _hamming_weight(ops: list[Op], x: list[int], junk: list[int], out: list[int]) -> None:
    """|x⟩|0⟩ → |x'⟩|junk⟩|weight(x)⟩ by three-to-two adders, as Qualtran's
    HammingWeightCompute decomposes it (Gidney 2018, Fig. 2); ``out`` is little-endian."""
    junk = list(reversed(junk))  # pop() from the front of the caller's order
    for out_index in range(len(out)):
        carries: list[int] = []
        for i in range(0, len(x) - 2, 2):
            anc = junk.pop()
            carries.append(anc)
            _three_to_two(ops, x[i], x[i + 1], x[i + 2], anc)
        if len(x) % 2 == 1:
            ops.append(("cx", (x[-1], out[out_index]), None))
        else:
            anc = junk.pop()
            _three_to_two(ops, x[-2], x[-1], out[out_index], anc)
            carries.append(anc)
        ops.append(BARRIER)
        x = carries


def _three_to_two(ops: list[Op], a: int, b: int, c: int, out: int) -> None:
    """Full adder: c ← a⊕b⊕c, out ← majority(a, b, c) with one AND."""
    ops.append(("cx", (a, b), None))
    ops.append(("cx", (a, c), None))
    ops.append(("ccx", (b, c, out), "and"))
    ops.append(("cx", (a, b), None))
    ops.append(("cx", (a, out), None))
    ops.append(("cx", (b, c), None))


def _less_than(ops: list[Op], weight: list[int], value: int, layout: _Layout) -> None:
    """flag ^= [weight < value], the compute half of Qualtran's LessThanConstant."""
    if layout.trivial:
        ops.append(("x", (layout.flag,), None))
        return
    m = len(weight)
    ops.append(("x", (layout.equal,), None))
    for j in reversed(range(m)):  # most significant bit first
        q, a = weight[j], layout.scratch[m - 1 - j]
        if (value >> j) & 1:
            ops.append(("x", (q,), None))
            ops.append(("ccx", (q, layout.equal, a), "and"))
            ops.append(("cx", (a, layout.flag), None))
        else:
            ops.append(("ccx", (q, layout.equal, a), "and"))
        ops.append(("cx", (a, layout.equal), None))


@dataclass(frozen=True)
class OracleBill:
    """A search's oracle bill: queries, their gate cost, and the amortised build.

    Attributes:
        oracle_queries: coherent oracle calls the search made.
        per_call: logical counts of one call.
        total: per_call × oracle_queries.
        build_items: items read by the one-time compile (N); build_bit_reads: N·b.
        build_per_query: build_bit_reads / oracle_queries (the compile amortised), or None.
        assumption: the hardware assumption (``"qram"``), else None.
    """

    oracle_queries: int
    per_call: LogicalCounts
    total: LogicalCounts
    build_items: int
    build_bit_reads: int
    build_per_query: float | None
    assumption: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "oracle_queries": self.oracle_queries,
            "per_call": self.per_call.to_dict(),
            "total": self.total.to_dict(),
            "build_items": self.build_items,
            "build_bit_reads": self.build_bit_reads,
            "build_per_query": self.build_per_query,
            "assumption": self.assumption,
        }


def oracle_bill(result: Any, oracle: HammingOracle) -> OracleBill:
    """The per-call gate cost and the amortised compile of ``oracle`` for a search ``result``.

    ``result`` is a SearchResult or CountResult (anything with ``queries.oracle``).
    """
    queries = getattr(getattr(result, "queries", None), "oracle", None)
    if queries is None:
        raise ProblemError(
            "The 'result' argument of oracle_bill must have queries.oracle (a SearchResult or "
            f"CountResult); got {type(result).__name__}."
        )
    per_call = oracle.logical_counts()
    return OracleBill(
        oracle_queries=int(queries),
        per_call=per_call,
        total=per_call.times(int(queries)),
        build_items=oracle.build_cost,
        build_bit_reads=oracle.build_bit_reads,
        build_per_query=oracle.build_bit_reads / queries if queries else None,
        assumption=oracle.assumption,
    )
