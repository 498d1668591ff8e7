"""Runs per second of each search algorithm on the closed-form ``ideal`` backend, N = 2^20 and 2^40.

Run: python benchmarks/bench_algorithms.py [--seconds 0.5]

None of these runs simulates a state: BBHT rounds, Dürr–Høyer thresholds, the fixed-point
sequence (L ≈ 2·10^6 at N = 2^40) and amplitude-estimation rounds all sample closed-form outcome
distributions, so the cost is per round, not per amplitude. Each cell repeats the run for at least
``--seconds`` and prints runs/s plus the mean search queries (oracle + classical checks) per run.

Minimum finding and top-k take an explicit array of N values, so they stop at N = 2^20 (2^40
float64 values would be 8 TiB); the classical baselines need Θ(N) work per run and are shown at
2^20 for scale.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from qsearch import SearchProblem, classical_search, grover_search
from qsearch.algorithms.counting import count_marked
from qsearch.algorithms.exponential import exponential_search
from qsearch.algorithms.fixed_point import fixed_point_search
from qsearch.algorithms.minimum import find_minimum, top_k
from qsearch.backends.ideal import IdealBackend

SIZES = (2**20, 2**40)


def measure(run: Callable[[int], int], seconds: float) -> tuple[float, float]:
    """(runs per second, mean queries) over repeated runs with seeds 0, 1, 2, ..."""
    queries = []
    started = time.perf_counter()
    seed = 0
    while True:
        queries.append(run(seed))
        seed += 1
        elapsed = time.perf_counter() - started
        if elapsed >= seconds and seed >= 3:
            return seed / elapsed, float(np.mean(queries))


def cases(n: int, ideal: IdealBackend) -> dict[str, Callable[[int], int] | None]:
    one = SearchProblem(n, [n // 3])
    values = np.random.default_rng(0).random(n) if n <= 2**24 else None
    small = n <= 2**24
    return {
        "grover (reference)": lambda s: grover_search(one, ideal, seed=s).queries.search,
        "exponential (BBHT)": lambda s: exponential_search(one, ideal, seed=s).queries.search,
        "fixed-point δ=0.1": lambda s: (
            fixed_point_search(one, delta=0.1, backend=ideal, seed=s).queries.search
        ),
        "minimum (Dürr–Høyer)": (
            (lambda s: find_minimum(values, ideal, seed=s).queries.search) if small else None
        ),
        "top-k k=8": (lambda s: top_k(values, 8, ideal, seed=s).queries.search) if small else None,
        "count iqae ε=0.45/N": lambda s: (
            count_marked(one, method="iqae", epsilon=0.45 / n, backend=ideal, seed=s).queries.search
        ),
        "count mlae ε=1e-4": lambda s: (
            count_marked(one, method="mlae", epsilon=1e-4, backend=ideal, seed=s).queries.search
        ),
        "count qpe ε=1e-4": lambda s: (
            count_marked(one, method="qpe", epsilon=1e-4, backend=ideal, seed=s).queries.search
        ),
        "classical random": (
            (lambda s: classical_search(one, "random", seed=s).queries.search) if small else None
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=0.5, help="time per cell (default 0.5)")
    args = parser.parse_args()
    ideal = IdealBackend()
    table: dict[str, dict[int, tuple[float, float] | None]] = {}
    for n in SIZES:
        for name, run in cases(n, ideal).items():
            table.setdefault(name, {})[n] = None if run is None else measure(run, args.seconds)
    header = f"{'algorithm (ideal, M=1)':<24}" + "".join(
        f"{'runs/s N=2^' + str(n.bit_length() - 1):>18}{'queries':>12}" for n in SIZES
    )
    print(header)
    for name, row in table.items():
        line = f"{name:<24}"
        for n in SIZES:
            cell = row[n]
            line += f"{'n/a':>18}{'':>12}" if cell is None else f"{cell[0]:>18.1f}{cell[1]:>12.3g}"
        print(line)


if __name__ == "__main__":
    main()
