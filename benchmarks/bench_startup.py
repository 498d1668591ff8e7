"""Start-up time of ``import qsearch`` and the ``qsearch`` command, as ratios to ``import numpy``.

The floor is the interpreter plus NumPy (every qsearch entry point needs NumPy); the target is
``qsearch --help`` / ``--version`` within a few times that floor. Each command runs in a fresh
interpreter, ``--repeats`` times; the median is reported.

    python benchmarks/bench_startup.py [--repeats 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "python -c 'import numpy' (floor)": [sys.executable, "-c", "import numpy"],
    "python -c 'import qsearch'": [sys.executable, "-c", "import qsearch"],
    "qsearch --version": [sys.executable, "-m", "qsearch", "--version"],
    "qsearch --help": [sys.executable, "-m", "qsearch", "--help"],
    "qsearch compare --help": [sys.executable, "-m", "qsearch", "compare", "--help"],
}


def median_seconds(command: list[str], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    results = {label: median_seconds(cmd, args.repeats) for label, cmd in COMMANDS.items()}
    floor = next(iter(results.values()))
    print(f"{'command':36s} {'median s':>9s} {'x floor':>8s}")
    for label, seconds in results.items():
        print(f"{label:36s} {seconds:9.3f} {seconds / floor:8.2f}")


if __name__ == "__main__":
    main()
