"""Classical baselines over the same SearchProblem: every predicate evaluation is a query.

* ``random``: draw items without replacement (a uniformly random order, or with a prior a
  prior-weighted order by Efraimidis–Spirakis keys) until a marked one; expected (N+1)/(M+1)
  draws for a uniform order.
* ``random-replace``: independent draws (from the prior if any); expected N/M.
* ``linear``: scan 0, 1, 2, ...; min(marked)+1 checks, (N+1)/(M+1) on average over random
  marked sets.

Draws are simulated in vectorised blocks, but the count is exactly the number of predicate
evaluations the strategy makes (``QueryCount.verify``; ``oracle`` stays 0). Above 2^24 items the
random strategies sample the exact joint distribution of (draw count, item found) in O(M) memory
and time, so N = 2^60 costs what N = 2^25 does.
"""

from __future__ import annotations

import time

import numpy as np

from qsearch._validation import SeedLike, check_int, make_rng, seed_record
from qsearch.exceptions import ProblemError
from qsearch.problem import SearchProblem
from qsearch.results import QueryCount, SearchResult

STRATEGIES = ("random", "random-replace", "linear")
#: Without a stated budget, ``random-replace`` stops after 20·N draws (a single marked item is
#: missed with probability (1 − 1/N)^{20N} ≈ e^{-20}).
REPLACE_BUDGET_FACTOR = 20
#: Above this N, the random strategies sample the exact distribution of their draw count and
#: found item in O(M) memory instead of materialising N items or N/M draws.
_DENSE_PERMUTATION_LIMIT = 2**24
_BLOCK = 4096


def _mask(problem: SearchProblem) -> np.ndarray:
    mask = np.zeros(problem.num_items, dtype=bool)
    mask[problem.marked_array] = True
    return mask


def _first_marked_random(
    problem: SearchProblem, rng: np.random.Generator, budget: int
) -> tuple[int | None, int]:
    n = problem.num_items
    if problem.prior is not None:
        keys = rng.exponential(size=n) / np.where(problem.prior > 0, problem.prior, np.nan)
        keys = np.nan_to_num(keys, nan=np.inf)
        order = np.argsort(keys, kind="stable")[: min(budget, int(np.count_nonzero(problem.prior)))]
        hits = np.flatnonzero(_mask(problem)[order])
        return (int(order[hits[0]]), int(hits[0]) + 1) if hits.size else (None, order.size)
    if n <= _DENSE_PERMUTATION_LIMIT:
        order = rng.permutation(n)[:budget]
        hits = np.flatnonzero(_mask(problem)[order])
        return (int(order[hits[0]]), int(hits[0]) + 1) if hits.size else (None, order.size)
    return _first_marked_of_random_order(problem, rng, budget)


def _first_marked_of_random_order(
    problem: SearchProblem, rng: np.random.Generator, budget: int
) -> tuple[int | None, int]:
    """The first marked item of a uniformly random order, in O(M) memory and time.

    In a uniformly random permutation the M marked items occupy a uniformly random M-subset of
    the N positions, and which marked item comes first is uniform. Drawing that subset (numpy
    uses Floyd-style sampling with a hash set when M ≪ N) gives the exact distribution of the
    draw count, (N+1)/(M+1) on average, without touching the N − M unmarked items.
    """
    n, marked = problem.num_items, problem.marked_array
    if marked.size == 0:
        return None, min(budget, n)
    positions = rng.choice(n, size=marked.size, replace=False)
    first = int(np.argmin(positions))
    if int(positions[first]) >= budget:
        return None, min(budget, n)
    return int(marked[first]), int(positions[first]) + 1


def _first_marked_replace(
    problem: SearchProblem, rng: np.random.Generator, budget: int
) -> tuple[int | None, int]:
    n = problem.num_items
    if n > _DENSE_PERMUTATION_LIMIT:
        return _first_marked_of_independent_draws(problem, rng, budget)
    mask = _mask(problem)
    spent = 0
    block = _BLOCK
    while spent < budget:
        size = min(block, budget - spent)
        if problem.prior is not None:
            draws = rng.choice(n, size=size, p=problem.prior)
        else:
            draws = rng.integers(0, n, size=size)
        hits = np.flatnonzero(mask[draws])
        if hits.size:
            return int(draws[hits[0]]), spent + int(hits[0]) + 1
        spent += size
        block = min(block * 2, 2**20)
    return None, budget


def _first_marked_of_independent_draws(
    problem: SearchProblem, rng: np.random.Generator, budget: int
) -> tuple[int | None, int]:
    """Independent draws until a marked item, in O(M) memory and O(1) draws of randomness.

    Each draw is marked with probability p = Σ_{marked} prior (M/N when uniform), so the draw
    count is geometric with parameter p and the item found follows the prior restricted to the
    marked set: the exact distribution of drawing one item at a time, without drawing N/M.
    """
    marked = problem.marked_array
    mass = problem.marked_mass
    if marked.size == 0 or mass <= 0.0:
        return None, budget
    draws = int(rng.geometric(mass))
    if draws > budget:
        return None, budget
    weights = None if problem.prior is None else problem.prior[marked] / mass
    return int(rng.choice(marked, p=weights)), draws


def classical_search(
    problem: SearchProblem,
    strategy: str = "random",
    *,
    seed: SeedLike = None,
    max_queries: int | None = None,
) -> SearchResult:
    """Find a marked item classically; every predicate evaluation counts in ``verify``.

    Args:
        problem: the search problem.
        strategy: ``"random"`` (without replacement), ``"random-replace"`` or ``"linear"``.
        seed: seeds the draws (``linear`` uses none).
        max_queries: budget of predicate evaluations; default N (``random``, ``linear``) or
            20·N (``random-replace``). ``found`` is None when it runs out.

    Returns:
        SearchResult with method ``"classical-<strategy>"`` and backend ``"classical"``.
    """
    if not isinstance(problem, SearchProblem):
        raise ProblemError(
            f"The 'problem' argument of classical_search must be a SearchProblem; got "
            f"{type(problem).__name__}."
        )
    if strategy not in STRATEGIES:
        raise ProblemError(
            f"The 'strategy' argument of classical_search must be one of {list(STRATEGIES)}; "
            f"got {strategy!r}."
        )
    n = problem.num_items
    if max_queries is None:
        budget = REPLACE_BUDGET_FACTOR * n if strategy == "random-replace" else n
    else:
        budget = check_int(max_queries, "max_queries", "classical_search", minimum=1)
    rng = make_rng(seed, "classical_search")
    started = time.perf_counter()
    if strategy == "linear":
        first = problem.marked[0] if problem.marked else None
        if first is not None and first < budget:
            found, spent = first, first + 1
        else:
            found, spent = None, min(budget, n)
    elif strategy == "random":
        found, spent = _first_marked_random(problem, rng, budget)
    else:
        found, spent = _first_marked_replace(problem, rng, budget)
    return SearchResult(
        method=f"classical-{strategy}",
        backend="classical",
        found=found,
        queries=QueryCount(oracle=0, verify=spent, build=0),
        seed=seed_record(seed),
        metadata={
            "num_items": n,
            "num_marked": problem.num_marked,
            "max_queries": budget,
            "wall_time_s": time.perf_counter() - started,
        },
    )
