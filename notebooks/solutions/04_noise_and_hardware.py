"""Solutions to the exercises of 04_noise_and_hardware.ipynb.

Run with ``python notebooks/solutions/04_noise_and_hardware.py`` (about a minute: it builds
two device noise models and transpiles registers up to 8 qubits); each function prints its
answer and asserts it (checked by tests/test_notebooks_meta.py, marked slow).
"""

from __future__ import annotations

import numpy as np

from qsearch import SearchProblem, SearchProgram, optimal_iterations
from qsearch.backends.aer import AerBackend
from qsearch.backends.ibm.devices import fake_device
from qsearch.backends.resources import noisy_optimum, resources

PROBLEM = SearchProblem(16, [11])
SHOTS = 2000
SEED = 11


def _median_error(device, name: str) -> float:  # type: ignore[no-untyped-def]
    errors = [p.error for p in device.target[name].values() if p is not None and p.error]
    return float(np.median(errors))


def exercise_1() -> dict[str, dict[str, float]]:
    """fake_torino (CZ) against fake_brisbane (ECR).

    Brisbane's median two-qubit error is higher than Torino's and its ECR-based circuits are
    deeper, so its success probabilities are lower; on both the noisy optimum of k is below
    the ideal k = 3. Pick the device with the higher measured success at its own best k
    (Torino, for these snapshots).
    """
    out: dict[str, dict[str, float]] = {}
    for name in ("fake_torino", "fake_brisbane"):
        device = fake_device(name)
        two = next(g for g in ("cz", "ecr", "cx") if g in device.target.operation_names)
        backend = AerBackend(noise=name, threads=1)
        best = noisy_optimum(PROBLEM, backend, iterations=range(5), shots=SHOTS, seed=SEED)
        depth = resources(SearchProgram(PROBLEM, 3), name)["depth"]
        out[name] = {
            "two_qubit_error": _median_error(device, two),
            "depth_k3": depth,
            "best_k": best.iterations,
            "best_success": best.success,
        }
        assert best.iterations <= best.ideal_iterations
        print(
            f"{name}: {two} median error {out[name]['two_qubit_error']:.2e}, depth(k=3) "
            f"{depth}, noisy optimum k = {best.iterations} with P = {best.success:.3f}"
        )
    torino, brisbane = out["fake_torino"], out["fake_brisbane"]
    assert torino["best_success"] > brisbane["best_success"]
    return out


def exercise_2() -> dict[str, int]:
    """Largest n with estimated success >= 2/2ⁿ on fake_torino.

    At the ideal k: n = 6 (estimate ≈ 0.09 ≥ 2/64), n = 7 fails (≈ 0.013 < 2/128). A smaller
    k changes the answer: with k = 2 the estimate is ≈ 0.05 at n = 7 and ≈ 0.017 at n = 8,
    both above 2/2ⁿ. For small k and large N the ideal success is sin²(5θ) ≈ 25/N, so the
    white-noise estimate F·25/N + (1 − F)/N beats 2/N as long as the circuit fidelity of two
    iterates stays above F = 1/24: a small k keeps a constant-factor gain over guessing far
    beyond the n where the ideal k has drowned in noise, but it no longer finds the item
    with high probability. (Only k ≤ 3 and the ideal k are tried, to keep the transpilation
    time down.)
    """
    largest_ideal = largest_best = 0
    for n in range(3, 9):
        problem = SearchProblem(2**n, [1])
        k_ideal = optimal_iterations(2**n, 1)
        estimates = {
            k: resources(SearchProgram(problem, k), "fake_torino")["estimated_success"]
            for k in sorted({1, 2, 3, k_ideal})
        }
        if estimates[k_ideal] >= 2 / 2**n:
            largest_ideal = n
        if max(estimates.values()) >= 2 / 2**n:
            largest_best = n
        print(
            f"n = {n}: estimate at ideal k = {k_ideal}: {estimates[k_ideal]:.4f}; best k "
            f"{max(estimates, key=estimates.get)}: {max(estimates.values()):.4f}; "
            f"threshold {2 / 2**n:.4f}"
        )
    assert largest_ideal == 6 and largest_best == 8
    return {"ideal_k": largest_ideal, "best_k": largest_best}


def exercise_3() -> dict[str, float]:
    """Fit P(k) ≈ fᵏ·sin²((2k+1)θ) + (1 − fᵏ)·M/N to the measured curve.

    A grid search finds f ≈ 0.74 per iterate on fake_torino (N = 16), lower than the ratio
    F(k=2)/F(k=1) ≈ 0.86 of the white-noise fidelities from ``resources``. The screening
    estimate is optimistic: it ignores coherent errors and idling, and ``resources`` costs the
    shallowest lowering of the multi-controlled gates while the noisy backend runs the
    default one. Both agree that every iterate costs a sizeable fraction of the signal.
    """
    backend = AerBackend(noise="fake_torino", threads=1)
    best = noisy_optimum(PROBLEM, backend, iterations=range(6), shots=SHOTS, seed=SEED)
    ks = np.array(sorted(best.success_by_iterations))
    measured = np.array([best.success_by_iterations[k] for k in ks])
    ideal = np.array([best.ideal_by_iterations[k] for k in ks])
    floor = PROBLEM.num_marked / PROBLEM.num_items
    grid = np.linspace(0.01, 1.0, 991)
    model = grid[:, None] ** ks * ideal + (1 - grid[:, None] ** ks) * floor
    f = float(grid[np.argmin(((model - measured) ** 2).sum(axis=1))])
    f1 = resources(SearchProgram(PROBLEM, 1), "fake_torino")["circuit_fidelity"]
    f2 = resources(SearchProgram(PROBLEM, 2), "fake_torino")["circuit_fidelity"]
    assert 0.4 < f < 0.95 and 0.4 < f2 / f1 < 1.0
    print(f"fitted per-iterate fidelity f = {f:.3f}; resources F(2)/F(1) = {f2 / f1:.3f}")
    return {"fitted": f, "resources_ratio": f2 / f1}


if __name__ == "__main__":
    for exercise in (exercise_1, exercise_2, exercise_3):
        print(f"--- {exercise.__name__}")
        exercise()
