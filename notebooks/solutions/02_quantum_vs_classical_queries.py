"""Solutions to the exercises of 02_quantum_vs_classical_queries.ipynb.

Run with ``python notebooks/solutions/02_quantum_vs_classical_queries.py``; each function
prints its answer and asserts it (checked in CI by tests/test_notebooks_meta.py).
"""

from __future__ import annotations

import math

from qsearch import SearchProblem
from qsearch.algorithms.exponential import exponential_search
from qsearch.experiments.compare import run_comparison
from qsearch.schedules import bbht_budget

SIZES = [1024, 4096, 16384, 65536]
TRIALS = 40
SEED = 7


def exercise_1() -> dict[str, float]:
    """M = 4 instead of 1.

    Predictions at large N: Grover's k ≈ (π/4)√(N/M) halves (√4 = 2); classical sampling
    without replacement needs (N+1)/(M+1): (N+1)/5 instead of (N+1)/2, a factor 0.4; with
    replacement N/M: a factor 0.25. The slopes do not change (M only moves the constant).
    """
    one = run_comparison(SIZES, marked=1, trials=TRIALS, seed=SEED, progress=False)
    four = run_comparison(SIZES, marked=4, trials=TRIALS, seed=SEED, progress=False)
    big = max(SIZES)

    def mean(comparison, algorithm):  # type: ignore[no-untyped-def]
        rows = comparison.summary
        cell = (rows["algorithm"] == algorithm) & (rows["num_items"] == big)
        return rows[cell]["mean_queries"].iloc[0]

    ratios = {m: mean(four, m) / mean(one, m) for m in ("grover", "classical-random")}
    assert abs(ratios["grover"] - 0.5) < 0.05
    assert abs(ratios["classical-random"] - 0.4) < 0.15  # 40 noisy trials per point
    for algorithm in ("grover", "classical-random"):
        assert abs(four.fits[algorithm].slope - one.fits[algorithm].slope) < 0.1
    print(
        f"at N = {big}: M=4 / M=1 mean queries: "
        + ", ".join(f"{k} {v:.2f}" for k, v in ratios.items())
    )
    print("slopes M=1:", {k: round(v.slope, 3) for k, v in one.fits.items()})
    print("slopes M=4:", {k: round(v.slope, 3) for k, v in four.fits.items()})
    return ratios


def exercise_2() -> dict[str, float]:
    """Crossover in time when one quantum query costs c classical checks.

    Solve c·C_q·N^s_q = C_c·N^s_c for N: N = (c·C_q/C_c)^(1/(s_c − s_q)). With the ideal
    constants C_q = π/4, s_q = 1/2 and C_c = 1/2, s_c = 1 this is N = (cπ/2)²: about 2.5·10⁶
    items for c = 1000 and 2.5·10¹² for c = 10⁶. The fitted power laws give the same order.
    """
    comparison = run_comparison(SIZES, trials=TRIALS, seed=SEED, progress=False)
    q, c_fit = comparison.fits["grover"], comparison.fits["classical-random"]
    out = {}
    for c in (1e3, 1e6):
        fitted = (c * math.exp(q.intercept) / math.exp(c_fit.intercept)) ** (
            1 / (c_fit.slope - q.slope)
        )
        ideal = (c * math.pi / 2) ** 2
        assert 0.1 < fitted / ideal < 10
        out[f"c={c:g}"] = fitted
        print(f"c = {c:g}: crossover N ≈ {fitted:.3g} (fitted), {ideal:.3g} (ideal constants)")
    return out


def exercise_3() -> dict[str, float]:
    """Exponential search with M = 0.

    It can never verify a marked item, so it runs rounds until the next one would exceed its
    budget, then returns ``found=None`` with ``metadata["budget_exhausted"] = True``. The
    budget is ``bbht_budget(1/N)`` = ⌈(λ/(λ−1) + 32)·√N⌉ search queries (38√N for λ = 6/5):
    enough that with M ≥ 1 it fails with probability below (3/4)^32 ≈ 10⁻⁴. Without M an
    algorithm cannot tell "none exists" from "not found yet", so it needs a stopping rule.
    """
    n = 4096
    result = exponential_search(SearchProblem(n, []), seed=SEED)
    budget = result.metadata["max_queries"]
    assert result.found is None and result.metadata["budget_exhausted"]
    assert budget == bbht_budget(1 / n)
    assert result.queries.search <= budget
    print(
        f"found {result.found}; {result.queries}; budget {budget} = bbht_budget(1/N) "
        f"≈ {budget / math.sqrt(n):.1f}·√N"
    )
    return {"budget": budget, "spent": result.queries.search}


if __name__ == "__main__":
    for exercise in (exercise_1, exercise_2, exercise_3):
        print(f"--- {exercise.__name__}")
        exercise()
