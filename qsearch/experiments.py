"""Named experiments: one random instance of (N, M, seed) solved by one method.

The comparison (``qsearch compare``) and sweeps both run points of the form
``EXPERIMENTS[name](num_items, num_marked, seed, backend) -> SearchResult``. A point draws its own
random instance from ``seed``, so the same (name, N, M, seed) is the same instance for every
method: quantum and classical rows of one seed answer the same problem.

``COMPARISONS`` lists, per ``qsearch compare --algorithm``, the experiments compared.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from qsearch._validation import check_int
from qsearch.algorithms.grover import grover_search
from qsearch.backends.base import Backend
from qsearch.classical import classical_search
from qsearch.exceptions import ProblemError
from qsearch.problem import SearchProblem
from qsearch.results import SearchResult

Experiment = Callable[[int, int, int, "str | Backend"], SearchResult]

#: Seed offset that separates the instance draw from the solver's own randomness.
_SOLVER_STREAM = 1


def random_problem(num_items: int, num_marked: int, seed: int) -> SearchProblem:
    """N items with M distinct marked indices drawn uniformly from ``seed``."""
    n = check_int(num_items, "num_items", "random_problem", minimum=1)
    m = check_int(num_marked, "num_marked", "random_problem", minimum=0)
    if m > n:
        raise ProblemError(
            f"The 'num_marked' argument of random_problem must be <= num_items ({n}); got {m}."
        )
    rng = np.random.default_rng([seed, 0])
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


EXPERIMENTS: dict[str, Experiment] = {
    "grover": _grover,
    "classical-random": _classical("random"),
    "classical-random-replace": _classical("random-replace"),
    "classical-linear": _classical("linear"),
}

COMPARISONS: dict[str, tuple[str, ...]] = {
    "grover": ("grover", "classical-random", "classical-random-replace", "classical-linear"),
}


def run_experiment(
    name: str, num_items: int, num_marked: int, seed: int, backend: str | Backend = "ideal"
) -> SearchResult:
    """Run one point; ``name`` must be a key of :data:`EXPERIMENTS`."""
    if name not in EXPERIMENTS:
        raise ProblemError(
            f"The 'name' argument of run_experiment must be one of {sorted(EXPERIMENTS)}; "
            f"got {name!r}."
        )
    return EXPERIMENTS[name](num_items, num_marked, seed, backend)
