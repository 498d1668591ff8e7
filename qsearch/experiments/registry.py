"""Named experiments: one random instance of (N, M, seed) solved by one method.

The comparison (``qsearch compare``) and sweeps both run points of the form
``EXPERIMENTS[name](num_items, num_marked, seed, backend) -> SearchResult``. A point draws its own
random instance from ``seed``, so the same (name, N, M, seed) is the same instance for every
method: quantum and classical rows of one seed answer the same problem.

``COMPARISONS`` lists, per ``qsearch compare --algorithm``, the experiments compared, and
:func:`expected_queries` gives the closed-form mean cost of an experiment where one is known.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from qsearch._validation import check_int
from qsearch.algorithms.grover import grover_search
from qsearch.backends.base import Backend
from qsearch.classical import classical_search
from qsearch.complexity import success_probability
from qsearch.exceptions import ProblemError
from qsearch.problem import SearchProblem
from qsearch.results import QueryCount, SearchResult
from qsearch.schedules import bbht_expected_cost, optimal_iterations

Experiment = Callable[[int, int, int, "str | Backend"], SearchResult]

#: The random streams of a point with seed s: ``numpy.random.default_rng([s, stream])``.
#: ``instance`` draws the marked items, ``solver`` is the algorithm's own randomness and
#: ``values`` the N values of minimum finding.
STREAMS = {"instance": 0, "solver": 1, "values": 2}
_SOLVER_STREAM = STREAMS["solver"]


def seed_streams(seed: int) -> dict[str, list[int]]:
    """Every stream a point with seed ``seed`` draws from, as ``default_rng`` arguments."""
    return {name: [int(seed), stream] for name, stream in STREAMS.items()}


def random_problem(num_items: int, num_marked: int, seed: int) -> SearchProblem:
    """N items with M distinct marked indices drawn uniformly from ``seed``."""
    n = check_int(num_items, "num_items", "random_problem", minimum=1)
    m = check_int(num_marked, "num_marked", "random_problem", minimum=0)
    if m > n:
        raise ProblemError(
            f"The 'num_marked' argument of random_problem must be <= num_items ({n}); got {m}."
        )
    rng = np.random.default_rng([seed, STREAMS["instance"]])
    if n <= 2**24:
        marked = rng.choice(n, size=m, replace=False)
    else:  # rejection is exact and cheap when M << N
        chosen: set[int] = set()
        while len(chosen) < m:
            chosen.add(int(rng.integers(0, n)))
        marked = np.fromiter(chosen, dtype=np.int64, count=m)
    return SearchProblem(n, marked)


def solver_seed(seed: int) -> np.random.Generator:
    """The solver's random stream for point ``seed`` (independent of the instance draw)."""
    return np.random.default_rng([seed, _SOLVER_STREAM])


def _grover(n: int, m: int, seed: int, backend: Any) -> SearchResult:
    return grover_search(random_problem(n, m, seed), backend, seed=solver_seed(seed))


def _classical(strategy: str) -> Experiment:
    def run(n: int, m: int, seed: int, backend: Any) -> SearchResult:
        del backend  # classical strategies run on the CPU
        return classical_search(random_problem(n, m, seed), strategy, seed=solver_seed(seed))

    run.__name__ = f"classical_{strategy.replace('-', '_')}"
    return run


def _exponential(n: int, m: int, seed: int, backend: Any) -> SearchResult:
    """BBHT exponential search: the algorithm does not know M."""
    from qsearch.algorithms.exponential import exponential_search

    return exponential_search(random_problem(n, m, seed), backend, seed=solver_seed(seed))


def _fixed_point(n: int, m: int, seed: int, backend: Any) -> SearchResult:
    """Fixed-point search with δ = 1/2 and the lower bound w = M/N, repeated until a marked
    item is verified (≤ 20 runs; each succeeds with probability ≥ 3/4)."""
    from qsearch.algorithms.fixed_point import fixed_point_search

    return fixed_point_search(
        random_problem(n, m, seed),
        delta=0.5,
        backend=backend,
        lower_bound=min(m / n, 0.5),
        seed=solver_seed(seed),
        max_attempts=20,
    )


def random_values(num_items: int, seed: int) -> np.ndarray:
    """N uniform values in [0, 1) drawn from ``seed`` (the instance of minimum finding)."""
    return np.random.default_rng([seed, STREAMS["values"]]).random(num_items)


def _minimum(n: int, m: int, seed: int, backend: Any) -> SearchResult:
    """Dürr–Høyer minimum finding on N random values; M is ignored (the values are distinct
    with probability 1). The harness knows the true minimum: ``found`` is kept when it is the
    minimum and set to None otherwise, so the success column is the rate of correct minima.
    Queries are oracle + comparisons; the oracle's construction (N per threshold) is in
    ``build_queries``."""
    from qsearch.algorithms.minimum import find_minimum

    del m
    values = random_values(n, seed)
    result = find_minimum(values, backend, seed=solver_seed(seed))
    correct = result.found is not None and values[result.found] == values.min()
    return dataclasses.replace(
        result,
        found=result.found if correct else None,
        metadata={**result.metadata, "correct": bool(correct)},
    )


def _classical_minimum(n: int, m: int, seed: int, backend: Any) -> SearchResult:
    """A classical minimum needs every value: N reads (deterministic, always correct)."""
    del m, backend
    values = random_values(n, seed)
    return SearchResult(
        method="classical-minimum",
        backend="classical",
        found=int(np.argmin(values)),
        queries=QueryCount(verify=n),
        seed=seed,
        metadata={"num_items": n},
    )


def _count(n: int, m: int, seed: int, backend: Any) -> SearchResult:
    """Exact quantum counting with IQAE: ε = 0.45/N and α = 0.05, so when the interval covers
    a (probability ≥ 0.95) round(N·â) = M. Queries grow as √(N·M) because the interval on
    a = sin²θ narrows as √a·(width in θ). In these rows ``found`` is the count M̂ (not an
    item index) when M̂ = M, else None: the success column is the rate of exact counts."""
    from qsearch.algorithms.counting import count_marked

    problem = random_problem(n, m, seed)
    count = count_marked(
        problem,
        method="iqae",
        epsilon=0.45 / n,
        alpha=0.05,
        backend=backend,
        seed=solver_seed(seed),
    )
    return SearchResult(
        method="count",
        backend=count.backend,
        found=count.num_marked if count.num_marked == m else None,
        queries=count.queries,
        seed=seed,
        metadata={
            "estimate": count.estimate,
            "ci_low": count.confidence_interval[0],
            "ci_high": count.confidence_interval[1],
            "num_marked_estimate": count.num_marked,
        },
    )


def _classical_count(n: int, m: int, seed: int, backend: Any) -> SearchResult:
    """Classical exact counting reads every item: N checks (``found`` is the count M)."""
    del backend
    return SearchResult(
        method="classical-count",
        backend="classical",
        found=random_problem(n, m, seed).num_marked,
        queries=QueryCount(verify=n),
        seed=seed,
        metadata={"num_items": n},
    )


EXPERIMENTS: dict[str, Experiment] = {
    "grover": _grover,
    "classical-random": _classical("random"),
    "classical-random-replace": _classical("random-replace"),
    "classical-linear": _classical("linear"),
    "exponential": _exponential,
    "fixed-point": _fixed_point,
    "minimum": _minimum,
    "classical-minimum": _classical_minimum,
    "count": _count,
    "classical-count": _classical_count,
}

COMPARISONS: dict[str, tuple[str, ...]] = {
    "grover": ("grover", "classical-random", "classical-random-replace", "classical-linear"),
    "exponential": ("exponential", "grover", "classical-random", "classical-random-replace"),
    "fixed-point": ("fixed-point", "grover", "classical-random"),
    "minimum": ("minimum", "classical-minimum"),
    "count": ("count", "classical-count"),
}


def run_experiment(
    name: str, num_items: int, num_marked: int, seed: int, backend: str | Backend = "ideal"
) -> SearchResult:
    """Run one point; ``name`` must be a key of :data:`EXPERIMENTS`.

    The result's ``seed`` is ``seed``: the algorithms get Generators derived from it
    (:func:`seed_streams`) and record no seed themselves, so ``run_experiment(name, N, M,
    result.seed, backend)`` is what reproduces the result.
    """
    if name not in EXPERIMENTS:
        raise ProblemError(
            f"The 'name' argument of run_experiment must be one of {sorted(EXPERIMENTS)}; "
            f"got {name!r}."
        )
    return with_seed(EXPERIMENTS[name](num_items, num_marked, seed, backend), seed)


def with_seed(result: SearchResult, seed: int) -> SearchResult:
    """``result`` with ``seed`` recorded (the point seed that reproduces it)."""
    return dataclasses.replace(result, seed=int(seed))


def expected_queries(algorithm: str, num_items: int, num_marked: int) -> float:
    """Closed-form mean of oracle + verification queries of an experiment, where known (else NaN).

    Grover with k optimal iterates succeeds per run with p = sin²((2k+1)θ); runs are repeated
    until success, each costing k oracle queries and one check: (k + 1)/p (Boyer, Brassard,
    Høyer, Tapp 1998, arXiv:quant-ph/9605034). Sampling without replacement and a linear scan
    need (N + 1)/(M + 1) checks, sampling with replacement N/M. BBHT exponential search: its
    exact expected iterations plus one check per round
    (:func:`qsearch.schedules.bbht_expected_cost`). Classical minimum and exact counting read
    every item: N. Quantum minimum finding and counting have no closed form here (NaN).
    """
    n, m = num_items, num_marked
    if algorithm == "classical-minimum":  # reads N values whatever M is
        return float(n)
    if m == 0:
        return math.nan
    if algorithm == "grover":
        k = optimal_iterations(n, m)
        return (k + 1) / float(success_probability(n, m, k))
    if algorithm in ("classical-random", "classical-linear"):
        return (n + 1) / (m + 1)
    if algorithm == "classical-random-replace":
        return n / m
    if algorithm in ("classical-minimum", "classical-count"):
        return float(n)
    if algorithm == "exponential":
        iterations, rounds = bbht_expected_cost(n, m)
        return iterations + rounds  # each round: its iterates plus one classical check
    return math.nan
