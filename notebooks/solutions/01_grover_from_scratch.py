"""Solutions to the exercises of 01_grover_from_scratch.ipynb.

Run with ``python notebooks/solutions/01_grover_from_scratch.py``; each function prints its
answer and asserts it, so the solutions are checked in CI (tests/test_notebooks_meta.py).
"""

from __future__ import annotations

import math

import numpy as np

from qsearch import SearchProblem, SearchProgram, optimal_iterations, success_probability
from qsearch.backends.aer import AerBackend

SHOTS = 4000
SEED = 7


def exercise_1() -> dict[str, float]:
    """N = 64, M = 3.

    By hand: sin²θ = 3/64, θ = asin(√(3/64)) = 0.2182 rad (12.5°); k* = π/(4θ) − 1/2 = 3.10,
    so k = 3 and P = sin²(7θ) = sin²(1.527) = 0.998.

    The three marked items come out with equal heights because the oracle and the diffusion
    treat the marked items alike: the state stays in the plane of |good⟩ (the *uniform*
    superposition of the marked items) and |bad⟩, so each marked item has probability P/3.
    """
    problem = SearchProblem(64, [5, 17, 40])
    theta = math.asin(math.sqrt(3 / 64))
    k_star = math.pi / (4 * theta) - 0.5
    k = optimal_iterations(64, 3)
    p = success_probability(64, 3, k)
    assert k == round(k_star) == 3
    assert abs(p - math.sin(7 * theta) ** 2) < 1e-12 and p > 0.99
    counts = AerBackend(threads=1).run([SearchProgram(problem, k)], shots=SHOTS, seed=SEED)[0]
    each = p / 3
    sigma = math.sqrt(SHOTS * each * (1 - each))
    for item in problem.marked:
        assert abs(counts.get(item, 0) - SHOTS * each) <= 5 * sigma + 1
    print(f"theta = {theta:.4f} rad, k* = {k_star:.3f}, k = {k}, P = {p:.4f}")
    print("counts of the marked items:", {i: counts.get(i, 0) for i in problem.marked})
    return {"theta": theta, "k": k, "p": float(p)}


def exercise_2() -> dict[str, float]:
    """Period of P(k) = sin²((2k+1)θ) for N = 16, M = 1.

    sin² has period π, and (2k+1)θ grows by 2θ per iterate, so P repeats every π/(2θ)
    iterations: θ = asin(1/4) = 0.2527, period = 6.22. The maximum (1 in the continuum) is
    reached at k* = 2.61 + 6.22j; the integer k closest to the second peak is k = 9, where
    P(9) = sin²(19θ) = 0.992, within 1% of the maximum (and above P(k_opt = 3) = 0.961).
    """
    theta = math.asin(math.sqrt(1 / 16))
    period = math.pi / (2 * theta)
    ks = np.arange(4, 30)
    p = success_probability(16, 1, ks)
    next_k = int(ks[np.argmax(p >= 0.99)])
    assert abs(period - 6.2159) < 1e-3
    assert next_k == 9 and abs(p[ks == 9][0] - math.sin(19 * theta) ** 2) < 1e-12
    print(f"period = π/(2θ) = {period:.3f} iterations; next k within 1% of the maximum: {next_k}")
    return {"period": period, "next_k": next_k}


def exercise_3() -> dict[str, float]:
    """M/N = 1/4: θ = π/6, so one iterate reaches (2·1+1)θ = π/2 exactly: P(1) = 1.

    M/N = 1/2: θ = π/4 and each iterate rotates by π/2, so (2k+1)π/4 always has sin² = 1/2:
    no k beats simply measuring |s⟩, which is why ``optimal_iterations`` returns 0.
    """
    theta = math.asin(math.sqrt(1 / 4))
    assert abs(theta - math.pi / 6) < 1e-12
    s = np.array([math.sin(theta), math.cos(theta)])
    grover = (2 * np.outer(s, s) - np.eye(2)) @ np.diag([-1.0, 1.0])
    assert abs((grover @ s)[0] ** 2 - 1.0) < 1e-12
    problem = SearchProblem(16, [1, 6, 11, 12])
    counts = AerBackend(threads=1).run([SearchProgram(problem, 1)], shots=SHOTS, seed=SEED)[0]
    assert set(counts) <= set(problem.marked)  # probability exactly 1: no unmarked outcome
    half = success_probability(16, 8, np.arange(6))
    assert np.allclose(half, 0.5) and optimal_iterations(16, 8) == 0
    print(f"M/N = 1/4: P(1) = {success_probability(16, 4, 1):.6f}; Aer outcomes {sorted(counts)}")
    print(f"M/N = 1/2: P(k) = {np.round(half, 3).tolist()}; optimal_iterations = 0")
    return {"theta": theta}


if __name__ == "__main__":
    for exercise in (exercise_1, exercise_2, exercise_3):
        print(f"--- {exercise.__name__}")
        exercise()
