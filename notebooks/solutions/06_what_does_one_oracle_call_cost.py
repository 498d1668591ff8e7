"""Solutions to the exercises of 06_what_does_one_oracle_call_cost.ipynb.

Run with ``python notebooks/solutions/06_what_does_one_oracle_call_cost.py``; each function
prints its answer and asserts it (checked in CI by tests/test_notebooks_meta.py).
"""

from __future__ import annotations

import math

from qsearch.oracles.counts import hamming_counts
from qsearch.oracles.crossover import crossover

N = 2**16
BITS = 16
THRESHOLD = 4
RATE = 1e9


def exercise_1() -> int:
    """One select-swap call costs 2(N/λ − 2) ANDs (4 T each) for the two block QROMs plus
    2(λ − 1)·b Fredkin swaps (7 T each): T(λ) ≈ 8N/λ + 14λb, minimised near λ = √(4N/(7b)),
    i.e. λ ≈ √(N/b) up to a constant — 64 here. Its T count is ~23× below QROM's 4·2(N − 2),
    paid for with λ·b = 1024 extra data qubits."""
    t_counts = {
        k: hamming_counts(N, BITS, THRESHOLD, "select-swap", block_bits=k).t_count
        for k in range(17)
    }
    best = min(t_counts, key=lambda k: t_counts[k])
    qrom = hamming_counts(N, BITS, THRESHOLD, "qrom").t_count
    assert 2**best == math.isqrt(N // BITS) == 64
    assert 20 < qrom / t_counts[best] < 30
    print(f"best λ = 2^{best} = {2**best} (√(N/b) = {math.isqrt(N // BITS)}); "
          f"T count {t_counts[best]} vs QROM {qrom} ({qrom / t_counts[best]:.1f}x)")
    return best


def exercise_2() -> dict[str, float]:
    """Better qubits shorten the logical cycle (Majorana measurements of 100 ns, floquet code
    at a small distance) and so every call: the quantum curve moves down by the ratio of the
    per-iteration times, and since it grows as ~√N·log N against N, the crossover moves by the
    square of that ratio — several powers of two earlier, and the search at N* is shorter."""
    gate = crossover(loader="qram", bits=BITS, classical_rate=RATE)
    maj = crossover(loader="qram", bits=BITS, classical_rate=RATE, qubit_model="qubit_maj_ns_e6")
    assert gate.crossover_items is not None and maj.crossover_items is not None
    shift = math.log2(gate.crossover_items / maj.crossover_items)
    assert shift > 2 and maj.crossover_seconds < gate.crossover_seconds
    print(
        f"qubit_gate_ns_e3: N* = 2^{math.log2(gate.crossover_items):.1f} after "
        f"{gate.crossover_seconds / 86400:.1f} days; qubit_maj_ns_e6: N* = "
        f"2^{math.log2(maj.crossover_items):.1f} after {maj.crossover_seconds / 86400:.1f} days "
        f"({shift:.1f} powers of two earlier)"
    )
    return {"gate": gate.crossover_items, "majorana": maj.crossover_items}


if __name__ == "__main__":
    exercise_1()
    exercise_2()
