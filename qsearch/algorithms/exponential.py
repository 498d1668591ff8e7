"""Exponential search: Grover search when the number of marked items is unknown.

Boyer, Brassard, Høyer, Tapp 1998 (arXiv:quant-ph/9605034), Theorem 3: start with m = 1; each
round draws j uniformly from the non-negative integers below m, runs j Grover iterates, measures
and checks the item classically; on failure m ← min(λm, √N). For 0 < M ≤ 3N/4 the expected
number of iterations is O(√(N/M)); the proof bounds it by a constant times m0 = 1/sin 2θ ≤ √(N/M)
(9/2 for λ = 6/5 as we read the paper; re-deriving its two geometric sums, the ramp below m0 and
the rounds after it, gives at most λ/(2(λ−1)) + λ/(2(1 − 3λ/4)) = 9 for λ = 6/5).
:func:`qsearch.schedules.bbht_expected_cost` gives the exact expectation: ≈ 2.9·m0 ≈ 1.45√(N/M)
for large N/M, inside either constant.
"""

from __future__ import annotations

import math
import time
from typing import Any

from qsearch._validation import SeedLike, check_instance, check_int, child_seed, make_rng
from qsearch.algorithms._result import Tally, tally_result
from qsearch.backends.base import Backend, get_backend
from qsearch.problem import SearchProblem, SearchProgram
from qsearch.results import SearchResult
from qsearch.schedules import BBHT_LAMBDA, bbht_budget, bbht_cap, check_lambda


def min_marked_mass(problem: SearchProblem) -> float:
    """The smallest non-zero mass a marked set can have: 1/N, or the smallest positive prior."""
    if problem.prior is None:
        return 1.0 / problem.num_items
    positive = problem.prior[problem.prior > 0]
    return float(positive.min())


def exponential_search(
    problem: SearchProblem,
    backend: str | Backend = "ideal",
    *,
    lam: float = BBHT_LAMBDA,
    max_queries: int | None = None,
    seed: SeedLike = None,
) -> SearchResult:
    """BBHT exponential search (Boyer, Brassard, Høyer, Tapp 1998, arXiv:quant-ph/9605034, Thm 3).

    Round r: j ~ Uniform{0, …, ⌈m⌉ − 1}; run A then j Grover iterates, measure once, check the
    item; on failure m ← min(λm, cap). The cap is √N (BBHT), or 1/√p_min with a prior (the
    smallest positive prior entry; then the marked mass plays the role of M/N and the expected
    cost scales with 1/√(prior mass of the marked set)).

    Budget (M = 0 never succeeds, so the search must stop somewhere): a round that would take the
    search queries (oracle + checks, ``QueryCount.search``) above ``max_queries`` is not run and
    the search returns ``found=None``. The default, :func:`qsearch.schedules.bbht_budget`, is
    ⌈(λ/(λ−1) + 32)·cap + 32 + log_λ(cap) + 2⌉ (about 38√N + 70 for λ = 6/5): it leaves at least
    32 rounds with m ≥ m0, each succeeding with probability ≥ 1/4 (BBHT Lemma 2), so with M ≥ 1
    the budget runs out with probability below (3/4)^32 ≈ 1e-4. The budget is
    ``metadata["max_queries"]``.

    Bill: ``QueryCount.oracle`` = Σ j over rounds, ``verify`` = one check per round, ``build`` =
    the problem's build cost.

    Args:
        problem: the search problem (M unknown to the algorithm).
        backend: a registered name or a Backend instance; each round is one program, one shot.
        lam: growth factor λ in (1, 4/3); the paper's choice 6/5 is the default.
        max_queries: search-query budget, oracle + checks (default above).
        seed: seeds the draws of j and the backend runs.

    Returns:
        SearchResult with method ``"exponential"``.

    Example:
        >>> result = exponential_search(SearchProblem(2**40, [12345]), seed=1)
        >>> result.found
        12345
    """
    problem = check_instance(problem, SearchProblem, "problem", "exponential_search")
    lam = check_lambda(lam, "exponential_search")
    min_mass = min_marked_mass(problem)
    cap = bbht_cap(min_mass)
    if max_queries is None:
        budget = bbht_budget(min_mass, lam=lam)
    else:
        budget = check_int(max_queries, "max_queries", "exponential_search", minimum=0)
    backend = get_backend(backend)
    rng = make_rng(seed, "exponential_search")
    started = time.perf_counter()
    m = 1.0
    tally = Tally()
    exhausted = False
    while True:
        j = int(rng.integers(0, math.ceil(m)))
        if tally.search + j + 1 > budget:
            exhausted = True
            break
        counts = backend.run([SearchProgram(problem, j)], shots=1, seed=child_seed(rng))[0]
        if tally.record(problem, j, 1, counts):
            break
        m = min(lam * m, cap)
    metadata: dict[str, Any] = {
        "lam": lam,
        "cap": cap,
        "max_queries": budget,
        "rounds": len(tally.attempts),
        "final_range": m,
        "budget_exhausted": exhausted,
    }
    return tally_result("exponential", problem, backend, seed, started, tally, **metadata)
