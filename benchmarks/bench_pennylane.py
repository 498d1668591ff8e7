"""qsearch's PennyLane backend versus raw PennyLane circuits and versus the aer backend.

For each n the same problem (N = 2^n, one marked item, the optimal k) is run three ways, each
measured in this one process (best of ``--repeats`` after a warm-up run):

* ``raw``: a hand-written ``qml.QNode`` on ``lightning.qubit``: Hadamards, then k times
  ``qml.FlipSign`` + ``qml.GroverOperator``, ``qml.sample`` with ``qml.set_shots``; the QNode
  and its seeded device are built once, outside the timing.
* ``qsearch``: ``PennyLaneBackend("lightning.qubit").run([program], shots, seed)``: everything
  the adapter adds (a seeded device per run, cached operations, bit rows → item counts).
* ``aer``: ``AerBackend().run`` on the same program (transpiled circuit cached after warm-up).

The adapter target is qsearch/raw < 1.10 at n >= 14.

A second table (``--oracles``) times the oracle choices behind the backend's design, 10 Grover
iterates with ``qml.GroverOperator`` diffusion: ``qml.FlipSign`` per marked item, one dense
``qml.DiagonalQubitUnitary``, and the sparse (CSR) diagonal ``qml.QubitUnitary`` qsearch uses.

Run: ``python benchmarks/bench_pennylane.py [--qubits 10 12 14 16] [--shots 1000] [--oracles]``.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pennylane as qml
from stopwatch import best_time

from qsearch.backends.aer import AerBackend
from qsearch.backends.pennylane import PennyLaneBackend
from qsearch.problem import SearchProblem, SearchProgram
from qsearch.schedules import optimal_iterations


def raw_qnode(n: int, marked: int, k: int, shots: int) -> Callable[[], Any]:
    """A plain PennyLane Grover circuit: what a PennyLane user would write by hand."""
    wires = list(range(n))
    bits = [int(b) for b in format(marked, f"0{n}b")]  # wire 0 = most significant bit
    device = qml.device("lightning.qubit", wires=n, seed=1)

    @qml.set_shots(shots)
    @qml.qnode(device, diff_method=None)
    def circuit() -> Any:
        for wire in wires:
            qml.Hadamard(wire)
        for _ in range(k):
            qml.FlipSign(bits, wires=wires)
            qml.GroverOperator(wires=wires)
        return qml.sample(wires=wires)

    return circuit


def oracle_table(shots: int, repeats: int) -> None:
    """Time the three oracle encodings on default.qubit and lightning.qubit."""
    import scipy.sparse as sparse

    print("\noracle choice: 10 iterates, seconds (best of", repeats, ")")
    print(f"{'device':>16} {'n':>3} {'M':>3} {'FlipSign':>9} {'Diagonal':>9} {'sparse':>9}")
    for device_name, n, m in [
        ("default.qubit", 10, 1),
        ("lightning.qubit", 10, 1),
        ("default.qubit", 14, 16),
        ("lightning.qubit", 14, 16),
    ]:
        wires = list(range(n))
        marked = np.random.default_rng(0).choice(2**n, m, replace=False)
        diagonal = np.ones(2**n, dtype=complex)
        diagonal[marked] = -1
        csr = sparse.diags_array(diagonal, format="csr")
        patterns = [[int(b) for b in format(int(i), f"0{n}b")] for i in marked]
        oracles: dict[str, Callable[[], None]] = {
            "FlipSign": lambda: [qml.FlipSign(b, wires=wires) for b in patterns],  # noqa: B023
            "Diagonal": lambda: qml.DiagonalQubitUnitary(diagonal, wires=wires),  # noqa: B023
            "sparse": lambda: qml.QubitUnitary(csr, wires=wires),  # noqa: B023
        }
        device = qml.device(device_name, wires=n, seed=1)
        row = []
        for name, oracle in oracles.items():
            if (
                n > 10
                and name != "sparse"
                and (name == "Diagonal" or device_name == "default.qubit")
            ):
                row.append(f"{'dense':>9}")  # a 2^n x 2^n matrix: minutes or out of memory
                continue

            @qml.set_shots(shots)
            @qml.qnode(device, diff_method=None)
            def circuit(oracle: Callable[[], Any] = oracle) -> Any:
                for wire in wires:  # noqa: B023
                    qml.Hadamard(wire)
                for _ in range(10):
                    oracle()
                    qml.GroverOperator(wires=wires)  # noqa: B023
                return qml.sample(wires=wires)  # noqa: B023

            row.append(f"{best_time(circuit, repeats, warm_up=True):>9.4f}")
        print(f"{device_name:>16} {n:>3} {m:>3} " + " ".join(row))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--qubits", type=int, nargs="+", default=[10, 12, 14, 16])
    parser.add_argument("--shots", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--oracles", action="store_true", help="also time the oracle choices")
    args = parser.parse_args()

    backend = PennyLaneBackend("lightning.qubit")
    aer = AerBackend()
    print(f"shots={args.shots}, best of {args.repeats}; times in seconds")
    header = f"{'n':>3} {'k':>5} {'raw':>9} {'qsearch':>9} {'aer':>9} {'qsearch/raw':>12}"
    print(header + f" {'qsearch/aer':>12}")
    for n in args.qubits:
        num_items = 2**n
        marked = int(np.random.default_rng(n).integers(num_items))
        k = optimal_iterations(num_items, 1)
        program = SearchProgram(SearchProblem(num_items, [marked]), k)
        raw = raw_qnode(n, marked, k, args.shots)

        # Same answer first: both put most shots on the marked item (item i reported as i).
        bits = np.asarray(raw())
        raw_items = bits @ (1 << np.arange(n - 1, -1, -1))
        ours = backend.run([program], shots=args.shots, seed=1)[0]
        p = math.sin((2 * k + 1) * math.asin(math.sqrt(1 / num_items))) ** 2
        assert np.mean(raw_items == marked) > p - 0.1, "raw circuit misses the marked item"
        assert ours.get(marked, 0) / args.shots > p - 0.1, "qsearch misses the marked item"

        t_raw = best_time(raw, args.repeats, warm_up=True)
        t_ours = best_time(
            lambda p=program: backend.run([p], shots=args.shots, seed=1),
            args.repeats,
            warm_up=True,
        )
        t_aer = best_time(
            lambda p=program: aer.run([p], shots=args.shots, seed=1),
            args.repeats,
            warm_up=True,
        )
        print(
            f"{n:>3} {k:>5} {t_raw:>9.4f} {t_ours:>9.4f} {t_aer:>9.4f} "
            f"{t_ours / t_raw:>12.3f} {t_ours / t_aer:>12.3f}"
        )
    if args.oracles:
        oracle_table(args.shots, args.repeats)


if __name__ == "__main__":
    main()
