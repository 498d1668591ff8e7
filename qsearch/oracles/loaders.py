"""Data-loading circuits as gate lists: QROM by unary iteration, and the select-swap network.

A gate list is a list of ``(name, qubits, tag)`` with name in ``x, cx, ccx, z, p``. For ``ccx``
the tag says what the Toffoli is: ``"and"`` computes a logical AND into a qubit known to be
|0⟩ and ``"and_dg"`` uncomputes one back to |0⟩ (Gidney 2018, arXiv:1709.06648: 4 T gates and
a measurement-based uncompute with no T gate, respectively); ``None`` is a generic Toffoli
(7 T, or one CCZ magic state). The classical bit simulator (:mod:`qsearch.oracles.simulate`)
checks these tags on every basis input, so the fault-tolerant counts rest on verified facts.

* :func:`unary_iteration` — Babbush, Gidney, Berry, Wiebe, McClean, Paler, Fowler, Neven 2018
  (arXiv:1805.03662), Sec. III.A: a segment tree over the L items whose node for a prefix holds
  "the selection register starts with this prefix" in one ancilla per level; the step from a
  left child to its right sibling is one CNOT, and a node whose right half holds no item passes
  its control down unchanged. Uncontrolled, it costs L − 2 ANDs and L − 2 AND-uncomputes
  (L >= 2) with s − 1 ancillas for s = ceil(log2 L) selection qubits.
* :func:`swap_network` — Low, Kliuchnikov, Schaeffer 2018 (arXiv:1812.00954): λ = 2^k words,
  k selection bits; level j (least significant first) controlled-swaps word r with word
  r + 2^j for r a multiple of 2^(j+1), so word ``l`` ends in register 0 after (λ − 1)·b
  controlled swaps (each CNOT, Toffoli, CNOT). The swaps of a level share their control qubit,
  so they run one after another (fanning the control out, as LKS do, would make a level one
  Toffoli layer deep at the price of more qubits).

A ``BARRIER`` separates stages: Toffoli depth is counted stage by stage (see
:func:`qsearch.oracles.simulate.count_gates`), which makes it a closed form.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

Op = tuple[str, tuple[int, ...], Any]
Leaf = Callable[[list[Op], "int | None", int], None]
#: A barrier across every qubit: the stage boundary.
BARRIER: Op = ("barrier", (), None)


def unary_iteration(
    ops: list[Op], selection: Sequence[int], count: int, ancillas: Sequence[int], leaf: Leaf
) -> None:
    """Call ``leaf(ops, control, item)`` for items 0..count-1, each under its own control qubit.

    ``selection`` lists the selection qubits, least significant first, with
    2^(s-1) < count <= 2^s (s = len(selection)); ``ancillas`` holds s - 1 clean qubits.
    ``control`` is None when count == 1 (the single item is loaded unconditionally).
    Selection indices >= count follow the path of the item with the same bits where a node
    splits; they never activate two leaves.
    """
    s = len(selection)
    if s == 0:
        leaf(ops, None, 0)
        return
    top = selection[s - 1]
    half = 1 << (s - 1)
    ops.append(("x", (top,), None))
    _node(ops, selection, ancillas, leaf, top, s - 2, 0, half)
    ops.append(("x", (top,), None))
    _node(ops, selection, ancillas, leaf, top, s - 2, half, count - half)


def _node(
    ops: list[Op],
    selection: Sequence[int],
    ancillas: Sequence[int],
    leaf: Leaf,
    control: int,
    level: int,
    low: int,
    count: int,
) -> None:
    """Items low..low+count-1 of a subtree of 2^(level+1) items, active iff ``control`` is 1."""
    while level >= 0 and count <= 1 << level:  # right half empty: pass the control down
        level -= 1
    if level < 0:
        leaf(ops, control, low)
        return
    half = 1 << level
    bit, anc = selection[level], ancillas[level]
    ops.append(("x", (bit,), None))
    ops.append(("ccx", (control, bit, anc), "and"))  # anc = control AND NOT bit
    ops.append(("x", (bit,), None))
    _node(ops, selection, ancillas, leaf, anc, level - 1, low, half)
    ops.append(("cx", (control, anc), None))  # anc = control AND bit
    _node(ops, selection, ancillas, leaf, anc, level - 1, low + half, count - half)
    ops.append(("ccx", (control, bit, anc), "and_dg"))


def load_word(
    ops: list[Op], control: int | None, bits: Sequence[int], targets: Sequence[int]
) -> None:
    """XOR a classical word into ``targets`` under ``control`` (X gates if unconditional)."""
    for value, target in zip(bits, targets, strict=True):
        if value:
            if control is None:
                ops.append(("x", (target,), None))
            else:
                ops.append(("cx", (control, target), None))


def swap_network(
    ops: list[Op], selection: Sequence[int], registers: Sequence[Sequence[int]]
) -> None:
    """Move register ``l`` (l = the selection value) into register 0 with controlled swaps."""
    size = len(registers)
    for j in range(len(selection)):  # least significant bit first
        stride = 1 << j
        for r in range(0, size, 2 * stride):
            for a, b in zip(registers[r], registers[r + stride], strict=True):
                cswap(ops, selection[j], a, b)
        ops.append(BARRIER)


def cswap(ops: list[Op], control: int, a: int, b: int) -> None:
    """Fredkin gate as CNOT, Toffoli, CNOT (one generic Toffoli)."""
    ops.append(("cx", (b, a), None))
    ops.append(("ccx", (control, a, b), None))
    ops.append(("cx", (b, a), None))


def unary_ands(count: int) -> int:
    """ANDs of an uncontrolled unary iteration over ``count`` items (as many AND-uncomputes)."""
    return max(count - 2, 0)


def unary_cliffords(count: int) -> int:
    """Clifford gates of the iteration itself (leaf data loads not included)."""
    return 0 if count == 1 else 2 + 3 * (count - 2)
