"""Logical counts: what one oracle call costs in gates and qubits, in closed form.

:class:`LogicalCounts` counts a circuit the way a fault-tolerant compiler sees it:

* ``toffoli`` — every Toffoli (CCX) in the built circuit, split into ``and_compute`` (an AND
  into a clean qubit: 4 T gates), ``and_uncompute`` (its inverse: an X-basis measurement and a
  classically controlled CZ, no T gate) and ``generic`` (7 T gates, or one CCZ state) — Gidney
  2018 (arXiv:1709.06648); Qualtran and the Azure Resource Estimator count the same way
  (``And``/``And†``, ``ccixCount``/``measurementCount``);
* ``t_count`` = 4·and_compute + 7·generic (Clifford+T compilation; no T gate otherwise);
* ``clifford`` — X, CNOT, Z, CZ and H gates; ``rotations`` — arbitrary-angle phases;
* ``toffoli_depth`` — Toffoli layers along the longest dependency chain (Cliffords cost no
  layer but carry dependencies); ``qubits`` — logical qubits, work qubits included.

The closed forms below are functions of (N, b, threshold, loader, block size) plus the data's
number of 1 bits and the query's weight, which only move Clifford counts. Tests build the
circuits and check equality for every field.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

from qsearch._validation import check_int
from qsearch.exceptions import ProblemError
from qsearch.oracles.loaders import unary_ands, unary_cliffords

#: Data loaders: two circuits qsearch builds, and one hardware model.
LOADERS = ("qrom", "select-swap", "qram")
#: The label printed wherever the ``"qram"`` model appears.
QRAM_ASSUMPTION = (
    "ASSUMPTION (hardware, not a circuit): bucket-brigade QRAM (Giovannetti, Lloyd, Maccone "
    "2008, PRL 100, 160501) with O(N) passive routers outside the error-corrected processor; "
    "a read routes n address bits down and b data bits out and back along one path. Jaques & "
    "Rattew 2023 (arXiv:2305.10310) argue that error-corrected QRAM costs O(N) gates per read."
)


@dataclass(frozen=True)
class LogicalCounts:
    """Logical resources of a circuit (or of a model, see ``model``); counts add with ``+``.

    Attributes:
        qubits: logical qubits (index and work).
        and_compute: Toffolis computing an AND into a clean qubit (4 T each).
        and_uncompute: Toffolis uncomputing such an AND (measurement-based, 0 T).
        generic: other Toffolis (7 T each).
        clifford: Clifford gates.
        rotations: arbitrary-angle single-qubit phases.
        toffoli_depth: Toffoli layers on the critical path.
        routing_qubits: qubits outside the error-corrected processor (``"qram"`` only).
        model: ``"circuit"`` for counts of a built circuit, else the assumption behind them.
    """

    qubits: int
    and_compute: int = 0
    and_uncompute: int = 0
    generic: int = 0
    clifford: int = 0
    rotations: int = 0
    toffoli_depth: int = 0
    routing_qubits: int = 0
    model: str = "circuit"

    @property
    def toffoli(self) -> int:
        """Every Toffoli gate (CCX) of the circuit."""
        return self.and_compute + self.and_uncompute + self.generic

    @property
    def t_count(self) -> int:
        """T gates after Clifford+T compilation: 4 per AND, 0 per AND-uncompute, 7 per Toffoli."""
        return 4 * self.and_compute + 7 * self.generic

    def __add__(self, other: LogicalCounts) -> LogicalCounts:
        """Run ``self`` then ``other`` on the same machine (qubits: the larger of the two)."""
        if not isinstance(other, LogicalCounts):
            return NotImplemented
        model = self.model if self.model == other.model else f"{self.model} + {other.model}"
        return LogicalCounts(
            qubits=max(self.qubits, other.qubits),
            and_compute=self.and_compute + other.and_compute,
            and_uncompute=self.and_uncompute + other.and_uncompute,
            generic=self.generic + other.generic,
            clifford=self.clifford + other.clifford,
            rotations=self.rotations + other.rotations,
            toffoli_depth=self.toffoli_depth + other.toffoli_depth,
            routing_qubits=max(self.routing_qubits, other.routing_qubits),
            model=model,
        )

    def times(self, repetitions: int) -> LogicalCounts:
        """These counts repeated ``repetitions`` times in sequence."""
        r = check_int(repetitions, "repetitions", "LogicalCounts.times", minimum=0)
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        for name in ("and_compute", "and_uncompute", "generic", "clifford", "rotations"):
            values[name] *= r
        values["toffoli_depth"] *= r
        return LogicalCounts(**values)

    def to_dict(self) -> dict[str, Any]:
        """Every field plus ``toffoli`` and ``t_count``."""
        return {**asdict(self), "toffoli": self.toffoli, "t_count": self.t_count}


def index_qubits(num_items: int) -> int:
    """n = ceil(log2 N), at least 1."""
    return max(1, (num_items - 1).bit_length())


def check_loader(loader: Any, owner: str) -> str:
    if loader not in LOADERS:
        raise ProblemError(
            f"The 'loader' argument of {owner} must be one of {list(LOADERS)}; got {loader!r}."
        )
    return str(loader)


def popcount_junk(bits: int) -> int:
    """Ancillas (and ANDs) of the Hamming-weight circuit: b − popcount(b) (Gidney 2018 Fig. 2)."""
    return bits - bits.bit_count()


def weight_bits(bits: int) -> int:
    """Width of the Hamming-weight register: bit_length(b)."""
    return bits.bit_length()


def comparator_is_trivial(bits: int, threshold: int) -> bool:
    """True when every weight satisfies w <= threshold, i.e. threshold + 1 >= 2^m."""
    return threshold + 1 >= 1 << weight_bits(bits)


def default_block_bits(num_items: int, bits: int) -> int:
    """k = log2 λ of the select-swap network minimising the T count (ties: fewer qubits)."""
    n = index_qubits(num_items)
    best = min(
        range(n + 1),
        key=lambda k: (_select_swap_t(num_items, bits, k), k),
    )
    return best


def _select_swap_t(num_items: int, bits: int, k: int) -> int:
    blocks = -(-num_items // (1 << k))
    return 4 * 2 * unary_ands(blocks) + 7 * 2 * ((1 << k) - 1) * bits


def hamming_counts(
    num_items: int,
    bits: int,
    threshold: int,
    loader: str = "qrom",
    *,
    block_bits: int | None = None,
    ones: int | None = None,
    query_weight: int | None = None,
    alpha_is_pi: bool = True,
) -> LogicalCounts:
    """Closed-form counts of one :class:`~qsearch.oracles.HammingOracle` call.

    Args:
        num_items: N >= 2. bits: b >= 1. threshold: 0 <= t <= b.
        loader: ``"qrom"``, ``"select-swap"`` or ``"qram"`` (a model, see QRAM_ASSUMPTION).
        block_bits: k = log2 λ for select-swap (default: :func:`default_block_bits`).
        ones: 1 bits in the whole table (default N·b/2, random codes); Cliffords only.
        query_weight: 1 bits of the query (default b/2); Cliffords only.
        alpha_is_pi: the phase is −1 (a Z, Clifford); otherwise one rotation.
    """
    loader = check_loader(loader, "hamming_counts")
    n_items = check_int(num_items, "num_items", "hamming_counts", minimum=2)
    b = check_int(bits, "bits", "hamming_counts", minimum=1)
    t = check_int(threshold, "threshold", "hamming_counts", minimum=0)
    if t > b:
        raise ProblemError(
            f"The 'threshold' argument of hamming_counts must be <= bits ({b}); got {t}."
        )
    n = index_qubits(n_items)
    ones = n_items * b // 2 if ones is None else ones
    query_weight = b // 2 if query_weight is None else query_weight
    junk, m = popcount_junk(b), weight_bits(b)
    trivial = comparator_is_trivial(b, t)
    cmp_ands = 0 if trivial else m
    val = t + 1
    cmp_cliff = 1 if trivial else 1 + m + 2 * val.bit_count()
    cmp_qubits = 1 if trivial else m + 2
    hw_cliff = 5 * junk + b.bit_count()
    # Toffoli depth: the three stages touch shared qubits, so their layers add up; within
    # the Hamming-weight circuit each level's adders chain through a shared bit.
    pred_depth = junk + cmp_ands
    if loader == "qrom":
        load_ands, generic = unary_ands(n_items), 0
        load_cliff = unary_cliffords(n_items) + ones
        work = max(n - 1, 0) + b
        load_depth = 2 * load_ands
    elif loader == "select-swap":
        k = default_block_bits(n_items, b) if block_bits is None else block_bits
        k = check_int(k, "block_bits", "hamming_counts", minimum=0)
        if k > n:
            raise ProblemError(
                f"The 'block_bits' argument of hamming_counts must be <= {n} (log2 of the "
                f"padded N); got {k}."
            )
        blocks = -(-n_items // (1 << k))
        swaps = ((1 << k) - 1) * b
        load_ands, generic = unary_ands(blocks), 2 * swaps
        load_cliff = unary_cliffords(blocks) + ones + 2 * swaps
        work = max(n - k - 1, 0) + (1 << k) * b
        load_depth = 2 * load_ands + _swap_depth(k, b)
    else:
        return _qram_counts(n_items, b, n, junk, m, cmp_ands, cmp_qubits, alpha_is_pi)
    forward_cliff = load_cliff + query_weight + hw_cliff + cmp_cliff
    ands = 2 * load_ands + junk + cmp_ands
    return LogicalCounts(
        qubits=n + work + junk + m + cmp_qubits,
        and_compute=ands,
        and_uncompute=ands,
        generic=generic,
        clifford=2 * forward_cliff + (1 if alpha_is_pi else 0),
        rotations=0 if alpha_is_pi else 1,
        toffoli_depth=2 * (load_depth + pred_depth),
    )


def _swap_depth(k: int, bits: int) -> int:
    """Toffoli layers of one swap network: level j's swaps share their control qubit."""
    return sum(((1 << k) >> (j + 1)) * bits for j in range(k))


def _qram_counts(
    num_items: int,
    bits: int,
    n: int,
    junk: int,
    m: int,
    cmp_ands: int,
    cmp_qubits: int,
    alpha_is_pi: bool,
) -> LogicalCounts:
    """The ``"qram"`` model: two bucket-brigade reads per call (load, unload). ASSUMPTION."""
    # Per read: the n address bits are routed down level by level (n(n+1)/2 controlled swaps)
    # and the b data bits travel down and back up the n levels (2·b·n controlled swaps).
    read_swaps = n * (n + 1) // 2 + 2 * bits * n
    ands = junk + cmp_ands
    return LogicalCounts(
        qubits=n + bits + junk + m + cmp_qubits,
        and_compute=ands,
        and_uncompute=ands,
        generic=2 * read_swaps,
        clifford=0,
        rotations=0 if alpha_is_pi else 1,
        toffoli_depth=2 * (2 * (2 * n) + junk + cmp_ands),
        routing_qubits=num_items - 1,
        model="qram: " + QRAM_ASSUMPTION,
    )


def mcz_ands(controls: int) -> int:
    """ANDs of a Z controlled on ``controls`` qubits by an AND ladder (controls − 1 ANDs)."""
    return max(controls - 1, 0)


def marked_set_counts(num_items: int, marked: Any, *, alpha_is_pi: bool = True) -> LogicalCounts:
    """Counts of the marked-set oracle: one n-qubit multi-controlled phase per marked item.

    Each phase is compiled as X gates on the item's zero bits, an AND ladder over n − 1 controls
    into n − 2 clean ancillas, a CZ (or controlled phase) and the ladder's uncompute (Gidney
    2018); :func:`qsearch.oracles.simulate.marked_set_circuit` builds exactly this.
    """
    n_items = check_int(num_items, "num_items", "marked_set_counts", minimum=2)
    items = sorted(int(i) for i in marked)
    n = index_qubits(n_items)
    ands = mcz_ands(n - 1)
    zeros = sum(n - int(i).bit_count() for i in items)
    per_item_cliff = 1 if alpha_is_pi else 0  # the CZ (or Z when n == 1)
    return LogicalCounts(
        qubits=n + max(n - 2, 0),
        and_compute=len(items) * ands,
        and_uncompute=len(items) * ands,
        clifford=2 * zeros + len(items) * per_item_cliff,
        rotations=0 if alpha_is_pi else len(items),
        toffoli_depth=len(items) * 2 * ands,
    )


def diffusion_counts(num_items: int) -> LogicalCounts:
    """Counts of the reflection about the uniform state (H layer, Z on |0…0⟩, H layer).

    For N a power of two; other N use a uniform-superposition preparation whose O(n)
    rotations these counts leave out (docs/oracles.md).
    """
    n = index_qubits(check_int(num_items, "num_items", "diffusion_counts", minimum=2))
    ands = mcz_ands(n - 1)
    return LogicalCounts(
        qubits=n + max(n - 2, 0),
        and_compute=ands,
        and_uncompute=ands,
        clifford=4 * n + 1,
        toffoli_depth=2 * ands,
    )


def search_counts(
    oracle_counts: LogicalCounts, num_items: int, iterations: int, *, repetitions: int = 1
) -> LogicalCounts:
    """A whole search: ``repetitions`` × (state preparation + iterations × (oracle + diffusion)).

    The classical verification of each measured item is not a quantum cost; crossover adds its
    time separately.
    """
    k = check_int(iterations, "iterations", "search_counts", minimum=0)
    r = check_int(repetitions, "repetitions", "search_counts", minimum=1)
    n = index_qubits(num_items)
    prep = LogicalCounts(qubits=n, clifford=n)
    one = prep + (oracle_counts + diffusion_counts(num_items)).times(k)
    return one.times(r) if r > 1 else one


def grover_iterations(num_items: int, num_marked: int) -> int:
    """⌊π/(4θ)⌋ with sin²θ = M/N (Boyer, Brassard, Høyer, Tapp 1998)."""
    theta = math.asin(math.sqrt(num_marked / num_items))
    return max(0, math.floor(math.pi / (4 * theta)))
