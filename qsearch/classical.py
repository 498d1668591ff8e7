"""Classical baselines over the same SearchProblem: every predicate evaluation is a query.

* ``random``: draw items without replacement (a uniformly random order, or with a prior a
  prior-weighted order by Efraimidis–Spirakis keys) until a marked one; expected (N+1)/(M+1)
  draws for a uniform order.
* ``random-replace``: independent draws (from the prior if any); expected N/M.
* ``linear``: scan 0, 1, 2, ...; min(marked)+1 checks, (N+1)/(M+1) on average over random
  marked sets.

Draws are simulated in vectorised blocks, but the count is exactly the number of predicate
evaluations the strategy makes (``QueryCount.verify``; ``oracle`` stays 0).
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
#: Above this N, ``random`` draws lazily (sparse Fisher–Yates) instead of permuting all items.
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
    # Sparse Fisher–Yates: position j swaps with a random position in [j, n).
    swapped: dict[int, int] = {}
    for j in range(min(budget, n)):
        r = int(rng.integers(j, n))
        item = swapped.get(r, r)
        swapped[r] = swapped.get(j, j)
        if problem.is_marked(item):
            return item, j + 1
    return None, min(budget, n)


def _first_marked_replace(
    problem: SearchProblem, rng: np.random.Generator, budget: int
) -> tuple[int | None, int]:
    n = problem.num_items
    mask = _mask(problem) if n <= _DENSE_PERMUTATION_LIMIT else None
    spent = 0
    block = _BLOCK
    while spent < budget:
        size = min(block, budget - spent)
        if problem.prior is not None:
            draws = rng.choice(n, size=size, p=problem.prior)
        else:
            draws = rng.integers(0, n, size=size)
        if mask is not None:
            hits = np.flatnonzero(mask[draws])
        else:
            hits = np.flatnonzero(np.isin(draws, problem.marked_array))
        if hits.size:
            return int(draws[hits[0]]), spent + int(hits[0]) + 1
        spent += size
        block = min(block * 2, 2**20)
    return None, budget


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
