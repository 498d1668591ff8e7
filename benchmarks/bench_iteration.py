"""ns per amplitude per Grover iteration: NumPy state vector vs the memory-bandwidth floor vs Aer.

Run: python benchmarks/bench_iteration.py [--sizes 18,20,22,24] [--iterations 8]

Everything is measured in this one run, so the ratios hold on whatever machine runs it:
* floor: the memory bandwidth B, the best of three streaming passes over a float64 vector of the
  same size — a copy (``np.copyto``, 16 bytes read + written per amplitude; the write-allocate
  read the CPU may add is not credited), an in-place negation (16 bytes) and a sum (8 bytes).
  One uniform Grover iterate must at least read and write every amplitude once: 16 bytes per
  amplitude, so floor = 16 / B. (The ``ideal`` state-vector mode tracks ⟨s|ψ⟩ in O(M): the
  reflection about the uniform s preserves Σψ and only the oracle changes it, so no second read.)
* ideal statevector: ``IdealBackend("statevector").statevector`` with k and 0 iterates, the
  difference divided by k.
* aer: the same program as a circuit on AerSimulator (complex128, gate by gate), k vs 0 iterates.
* closed form: the time of one exact success probability, at N = 2^20 and N = 2^60.
"""

from __future__ import annotations

import argparse

import numpy as np
from stopwatch import best_time

from qsearch import SearchProblem, SearchProgram
from qsearch.backends.aer import AerBackend
from qsearch.backends.ideal import IdealBackend, marked_probability


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="18,20,22,24")
    parser.add_argument("--iterations", type=int, default=8)
    parser.add_argument("--no-aer", action="store_true")
    args = parser.parse_args()
    k = args.iterations
    ideal = IdealBackend("statevector")
    aer = AerBackend()
    print(
        f"{'n':>3} {'floor':>11} {'numpy iter':>11} {'ratio':>6} {'aer iter':>10} "
        f"{'aer/numpy':>9}   (ns per amplitude per iteration)"
    )
    for n in [int(s) for s in args.sizes.split(",")]:
        size = 2**n
        src = np.random.default_rng(0).random(size)
        dst = np.zeros_like(src)
        bandwidth = max(  # bytes per second
            16 * size / best_time(lambda s=src, d=dst: np.copyto(d, s)),
            16 * size / best_time(lambda d=dst: np.negative(d, out=d)),
            8 * size / best_time(lambda s=src: s.sum()),
        )
        floor = 16 / bandwidth * 1e9
        problem = SearchProblem(size, [size // 3])
        k_program, zero_program = SearchProgram(problem, k), SearchProgram(problem, 0)
        t_k = best_time(lambda p=k_program: ideal.statevector(p))
        t_0 = best_time(lambda p=zero_program: ideal.statevector(p))
        numpy_ns = (t_k - t_0) / k / size * 1e9
        aer_text, ratio_text = "-", "-"
        if not args.no_aer:
            aer.transpiled(k_program)  # exclude transpilation
            aer.transpiled(zero_program)
            a_k = best_time(lambda p=k_program: aer.run([p], shots=1, seed=1), 2)
            a_0 = best_time(lambda p=zero_program: aer.run([p], shots=1, seed=1), 2)
            aer_ns = max(a_k - a_0, 0.0) / k / size * 1e9
            aer_text, ratio_text = f"{aer_ns:10.2f}", f"{aer_ns / numpy_ns:9.1f}"
        print(
            f"{n:>3} {floor:11.2f} {numpy_ns:11.2f} {numpy_ns / floor:6.2f} {aer_text:>10} "
            f"{ratio_text:>9}"
        )
    for n in (20, 60):
        program = SearchProgram(SearchProblem(2**n, [1]), 2 ** (n // 2))
        t = best_time(lambda p=program: [marked_probability(p) for _ in range(1000)]) / 1000
        print(f"closed form, N = 2^{n}: {t * 1e6:.1f} µs per exact success probability")


if __name__ == "__main__":
    main()
