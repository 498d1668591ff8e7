"""Sweep throughput on ``ideal``: Grover at N = 2^30, 100 repetitions per (N, M).

Prints, measured in one run on this machine:

* the compute-only rate (``run_experiment`` in a loop, no store),
* the sweep rate with 1 worker (in-process) and with 2 local worker processes,
* the store overhead: time spent writing rows / time spent computing points, on Grover points
  and on trivial points (classical-random at N = 4), and the whole per-point overhead of a sweep
  (elapsed − compute) / compute.

Run: ``python benchmarks/bench_sweeps.py [--marked 20] [--repetitions 100]``.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path

from qsearch.backends.base import get_backend
from qsearch.experiments.registry import run_experiment
from qsearch.experiments.runner import available_cores, sweep
from qsearch.experiments.spec import SweepSpec

N = 2**30


def spec(out: Path, algorithm: str, size: int, marked: int, reps: int) -> SweepSpec:
    return SweepSpec.from_dict(
        {
            "sweep": {
                "name": f"bench-{algorithm}",
                "algorithms": [algorithm],
                "sizes": [size],
                "marked": list(range(1, marked + 1)),
                "repetitions": reps,
                "seed": 2026,
                "output": str(out),
            }
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--marked", type=int, default=50, help="M = 1..marked (default 50)")
    parser.add_argument("--repetitions", type=int, default=100, help="trials per (N, M)")
    args = parser.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, {available_cores()} cores, "
        f"Python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        grover = spec(root / "one", "grover", N, args.marked, args.repetitions)
        points = grover.points()
        device = get_backend("ideal")
        started = time.perf_counter()
        for p in points:
            run_experiment(p.algorithm, p.num_items, p.num_marked, p.seed, device)
        compute_rate = len(points) / (time.perf_counter() - started)
        print(
            f"points: {len(points)} Grover points at N=2^30 (M=1..{args.marked}, "
            f"{args.repetitions} repetitions each)"
        )
        print(f"compute only (run_experiment loop, no store): {compute_rate:8.0f} points/s")

        one = sweep(grover, workers=1, progress=False)
        print(
            f"sweep, 1 worker (in-process):                 {one.new / one.elapsed_s:8.0f} "
            f"points/s; store/compute {one.store_s / one.compute_s:.3f}; "
            f"(elapsed-compute)/compute {(one.elapsed_s - one.compute_s) / one.compute_s:.3f}"
        )
        two = sweep(
            spec(root / "two", "grover", N, args.marked, args.repetitions),
            workers=2,
            progress=False,
        )
        print(
            f"sweep, 2 local worker processes:             {two.new / two.elapsed_s:8.0f} "
            f"points/s (includes starting the workers)"
        )
        again = sweep(grover, workers=1, progress=False)
        print(
            f"rerun (all stored, skipped):                  {again.already_stored} stored, "
            f"{again.elapsed_s:.3f} s"
        )

        trivial = sweep(
            spec(root / "trivial", "classical-random", 4, 3, args.repetitions * 7),
            workers=1,
            progress=False,
        )
        print(
            f"trivial points (classical-random, N=4), 1 worker: {trivial.new} points, "
            f"{trivial.new / trivial.elapsed_s:.0f} points/s; store/compute "
            f"{trivial.store_s / trivial.compute_s:.3f}; (elapsed-compute)/compute "
            f"{(trivial.elapsed_s - trivial.compute_s) / trivial.compute_s:.3f}"
        )


if __name__ == "__main__":
    main()
