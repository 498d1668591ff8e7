"""Noise-aware simulation: what the device-noise shortcuts buy, and where the optimum k moves.

``python benchmarks/bench_noise.py [--device fake_torino] [--shots 2000] [--max-n 5]``

Prints, measured in this run:

1. the time of one noisy run with the device's *full* noise model (every qubit of the device)
   versus the model *restricted* to the touched qubits (:mod:`qsearch.backends.ibm.devices`), and
   checks
   that both give identical counts for the same seed (the restriction is exact);
2. trajectories (``method="statevector"``, one simulation per shot) versus the density matrix
   that ``AerBackend(noise=...)`` lets Aer pick (one simulation for all shots);
3. per register width n: the ideal optimum k = ⌊π/4·√N⌉, the measured noisy optimum
   (``qsearch.noisy_optimum``), the measured success at both, and the white-noise estimate of
   ``qsearch.backends.resources``: the advantage erodes as the circuits deepen.
"""

from __future__ import annotations

import argparse
import time

from qsearch import SearchProblem, SearchProgram, get_backend
from qsearch.backends.ibm.devices import active_qubits, device_noise_model, noisy_simulator
from qsearch.backends.resources import noisy_optimum, resources


def _timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="fake_torino")
    parser.add_argument("--shots", type=int, default=2000)
    parser.add_argument("--max-n", type=int, default=5)
    args = parser.parse_args()

    from qiskit_aer import AerSimulator

    backend = get_backend("aer", noise=args.device, threads=1)
    program = SearchProgram(SearchProblem(8, [5]), 2)
    circuit = backend.transpiled(program)
    qubits = active_qubits([circuit])

    _, build = _timed(lambda: device_noise_model(args.device))
    print(f"device {args.device}: full noise model built once in {build:.2f} s (cached)")
    full = AerSimulator(noise_model=device_noise_model(args.device), max_parallel_threads=1)
    small = noisy_simulator(args.device, qubits, threads=1, method="density_matrix")
    small_sv = noisy_simulator(args.device, qubits, threads=1, method="statevector")
    full_dm = AerSimulator(
        noise_model=device_noise_model(args.device), max_parallel_threads=1, method="density_matrix"
    )
    shots = args.shots

    def run(simulator):  # type: ignore[no-untyped-def]
        return simulator.run(circuit, shots=shots, seed_simulator=11).result().get_counts()

    run(small)  # warm-up
    counts_full, t_full = _timed(lambda: run(full_dm))
    counts_small, t_small = _timed(lambda: run(small))
    print(
        f"1. full vs restricted noise model (density matrix, {shots} shots, "
        f"{len(qubits)} touched qubits): {t_full:.3f} s vs {t_small:.3f} s, "
        f"ratio {t_full / t_small:.0f}x; identical counts: {counts_full == counts_small}"
    )
    _, t_traj = _timed(lambda: run(small_sv))
    print(
        f"2. trajectories vs density matrix ({shots} shots): {t_traj:.3f} s vs {t_small:.3f} s, "
        f"ratio {t_traj / t_small:.0f}x"
    )
    del full

    print(
        "3.  n   N  ideal k  noisy k  success(ideal k)  success(noisy k)  "
        "estimate(ideal k)  2q gates(ideal k)"
    )
    for n in range(2, args.max_n + 1):
        problem = SearchProblem(2**n, [2**n - 2])
        result = noisy_optimum(problem, backend, shots=shots, seed=n)
        k = result.ideal_iterations
        estimate = resources(SearchProgram(problem, k), args.device, decomposition="mcphase")
        print(
            f"   {n:2d} {2**n:3d}  {k:7d}  {result.iterations:7d}  "
            f"{result.success_by_iterations[k]:16.3f}  {result.success:16.3f}  "
            f"{estimate['estimated_success']:17.3f}  {estimate['two_qubit_gates']:17d}"
        )


if __name__ == "__main__":
    main()
