"""Coherent oracles: build and verification time against N, Aer time against the marked-set
oracle, the classical scan rate, and the crossover's run time.

Run: python benchmarks/bench_oracles.py [--bits 16] [--max-exponent 12]

Everything is measured in this one run, so the ratios hold on whatever machine runs it:
* build: ``HammingOracle.gates()`` (the gate list, O(N·b)) and ``circuit()`` (the qiskit
  circuit) for N = 2^6 … 2^max; verify: ``simulate_basis`` on all 2^n index states (one
  bitwise pass per gate over a qubits × 2^n bit matrix). Time per item should stay flat.
* aer: one Grover program (k = ⌊π/4·√(N/M)⌋, 100 shots) with the coherent oracle (QROM, Aer
  matrix-product-state: the work qubits stay in basis states) against the same problem with
  the marked-set oracle (n qubits, Aer state vector), at equal N.
* classical: popcount(code XOR query) <= t over 2^22 packed codes, one thread and all cores.
* crossover: ``crossover`` over N = 2^10 … 2^60 for each loader, with the rate given.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from qsearch import SearchProblem, SearchProgram
from qsearch.backends.aer import AerBackend
from qsearch.oracles import HammingOracle, crossover, measure_classical_rate, simulate_basis
from qsearch.schedules import optimal_iterations


def timed(fn):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def bench_build(bits: int, max_exponent: int) -> None:
    print(f"\nbuild and verify (b = {bits}, threshold = {bits // 4})")
    print(
        f"{'N':>6} {'loader':>11} {'gates':>8} {'list s':>7} {'circuit s':>9} "
        f"{'verify s':>8} {'µs/item':>8}  ok"
    )
    rng = np.random.default_rng(0)
    for exponent in range(6, max_exponent + 1, 2):
        n = 2**exponent
        codes = rng.integers(0, 2, (n, bits))
        for loader in ("qrom", "select-swap"):
            oracle = HammingOracle(codes, codes[0], bits // 4, loader=loader)
            gates, t_list = timed(oracle.gates)
            circuit, t_circuit = timed(oracle.circuit)
            action, t_verify = timed(
                lambda o=oracle, c=circuit: simulate_basis(c, o.num_index_qubits)
            )
            expected = np.ones(n, dtype=int)
            expected[list(oracle.marked)] = -1
            ok = bool((action.phases[:n] == expected).all() and action.work_clean.all())
            per_item = (t_list + t_circuit + t_verify) / n * 1e6
            print(
                f"{n:>6} {loader:>11} {len(gates):>8} {t_list:>7.3f} {t_circuit:>9.3f} "
                f"{t_verify:>8.3f} {per_item:>8.1f}  {ok}"
            )


def bench_aer(bits: int) -> None:
    print("\nAer: one Grover program, 100 shots — coherent oracle vs marked-set oracle")
    print(f"{'N':>5} {'qubits':>7} {'coherent s':>11} {'marked-set s':>13} {'ratio':>7}")
    mps = AerBackend("matrix_product_state", threads=1)
    statevector = AerBackend(threads=1)
    rng = np.random.default_rng(1)
    for n in (8, 16, 32, 64):
        codes = rng.integers(0, 2, (n, bits))
        oracle = HammingOracle(codes, codes[0], 0)
        coherent = SearchProblem.from_oracle(oracle)
        plain = SearchProblem(n, oracle.marked)
        k = optimal_iterations(n, len(oracle.marked))
        runs = []
        for backend, problem in ((mps, coherent), (statevector, plain)):
            program = SearchProgram(problem, k)
            backend.transpiled(program)  # transpile outside the timing
            _, seconds = timed(lambda b=backend, p=program: b.run([p], shots=100, seed=0))
            runs.append(seconds)
        print(
            f"{n:>5} {oracle.num_qubits:>7} {runs[0]:>11.3f} {runs[1]:>13.4f} "
            f"{runs[0] / runs[1]:>7.0f}x"
        )


def bench_classical_and_crossover(bits: int) -> None:
    rate = measure_classical_rate(bits, bits // 4, seed=0)
    print(
        f"\nclassical scan (b = {bits}): {rate['single_core']:.3g} items/s on one core, "
        f"{rate['all_cores']:.3g} on {int(rate['cores'])} cores "
        f"({rate['all_cores'] / rate['single_core']:.2f}x)"
    )
    print("\ncrossover over N = 2^10 … 2^60 (qubit_gate_ns_e3, rate as measured)")
    for loader in ("qrom", "select-swap", "qram"):
        result, seconds = timed(
            lambda lo=loader: crossover(loader=lo, bits=bits, classical_rate=rate["all_cores"])
        )
        where = (
            "none"
            if result.crossover_items is None
            else f"N* = 2^{np.log2(result.crossover_items):.1f} after "
            f"{result.crossover_seconds / 86400:.3g} days"
        )
        label = "qram (ASSUMPTION: bucket-brigade hardware)" if loader == "qram" else loader
        print(f"  {label}: {seconds:.2f} s; {where}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bits", type=int, default=16)
    parser.add_argument("--max-exponent", type=int, default=12)
    parser.add_argument("--no-aer", action="store_true")
    args = parser.parse_args()
    bench_build(args.bits, args.max_exponent)
    if not args.no_aer:
        bench_aer(4)
    bench_classical_and_crossover(args.bits)


if __name__ == "__main__":
    main()
