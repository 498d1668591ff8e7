"""Grover search with a known number of marked items."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from qsearch._validation import SeedLike, check_int, child_seed, make_rng, seed_record
from qsearch.backends.base import Backend, get_backend
from qsearch.exceptions import ProblemError, QSearchWarning
from qsearch.problem import SearchProblem, SearchProgram
from qsearch.results import Attempt, Counts, QueryCount, SearchResult
from qsearch.schedules import optimal_iterations

#: Circuit runs grover_search makes before it gives up (with k optimal and 0 < M ≤ N/2 each run
#: succeeds with probability ≥ 1 − M/N ≥ 1/2, so failure after 20 runs is below 2^-20).
DEFAULT_MAX_ATTEMPTS = 20


def verify_counts(problem: SearchProblem, counts: dict[int, int]) -> tuple[int | None, int]:
    """Check measured items classically, most frequent first, until one is marked.

    Returns (the first marked item or None, the number of classical checks made). Each distinct
    outcome is checked once.
    """
    checks = 0
    for item, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        checks += 1
        if problem.is_marked(item):
            return item, checks
    return None, checks


def repeat_until_verified(
    problem: SearchProblem,
    run_once: Callable[[int], Counts],
    iterations: int,
    shots: int,
    rng: np.random.Generator,
    max_attempts: int,
) -> tuple[int | None, list[Attempt], int]:
    """Run ``run_once(seed)`` until a measured item verifies as marked or the budget is spent.

    Returns (the verified item or None, the attempts made, the classical checks made).
    """
    attempts: list[Attempt] = []
    verify = 0
    for _ in range(max_attempts):
        counts = run_once(child_seed(rng))
        attempts.append(Attempt(iterations, shots, counts))
        found, checks = verify_counts(problem, counts)
        verify += checks
        if found is not None:
            return found, attempts, verify
    return None, attempts, verify


def grover_search(
    problem: SearchProblem,
    backend: str | Backend = "ideal",
    *,
    iterations: int | None = None,
    shots: int = 1,
    seed: SeedLike = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> SearchResult:
    """Grover's search (Grover 1996, arXiv:quant-ph/9605043) with M known.

    Each attempt runs A then k Grover iterates (k = :func:`optimal_iterations` by default),
    measures ``shots`` times, and checks the measured items classically; attempts repeat until
    a marked item is verified or ``max_attempts`` runs are spent. The bill counts
    k × shots oracle queries per attempt, every classical check, and the problem's build cost.

    M = 0: k = 0 and the search returns ``found=None`` after ``max_attempts`` runs.
    M > N/2: a :class:`QSearchWarning` says why k = 0 is run: measuring the prepared state
    needs fewer expected queries per success than any k > 0 (see :func:`optimal_iterations`),
    although some k > 0 may raise one run's success probability; pass ``iterations`` to choose.

    Args:
        problem: the search problem.
        backend: a registered name (``"ideal"``, ``"aer"``, ...) or a Backend instance.
        iterations: Grover iterates per run; default the optimal k for M.
        shots: measurements per run (each costs k oracle queries).
        seed: seeds the backend runs; the same seed reproduces the result.
        max_attempts: the budget of circuit runs.

    Returns:
        SearchResult with method ``"grover"``.
    """
    if not isinstance(problem, SearchProblem):
        raise ProblemError(
            f"The 'problem' argument of grover_search must be a SearchProblem; got "
            f"{type(problem).__name__}."
        )
    shots = check_int(shots, "shots", "grover_search", minimum=1)
    max_attempts = check_int(max_attempts, "max_attempts", "grover_search", minimum=1)
    if iterations is None:
        if 2 * problem.num_marked > problem.num_items:
            warnings.warn(
                f"M/N = {problem.num_marked}/{problem.num_items} > 1/2: running k = 0, which "
                "needs fewer expected queries per success than any k > 0; a k > 0 may still "
                "raise one run's success probability (pass iterations= to choose k).",
                QSearchWarning,
                stacklevel=2,
            )
        k = optimal_iterations(
            problem.num_items, problem.num_marked, marked_mass=problem.marked_mass
        )
    else:
        k = check_int(iterations, "iterations", "grover_search", minimum=0)
    device = get_backend(backend)
    rng = make_rng(seed, "grover_search")
    program = SearchProgram(problem, k)
    started = time.perf_counter()
    found, attempts, verify = repeat_until_verified(
        problem,
        lambda seed: device.run([program], shots=shots, seed=seed)[0],
        k,
        shots,
        rng,
        max_attempts,
    )
    metadata: dict[str, Any] = {
        "num_items": problem.num_items,
        "num_marked": problem.num_marked,
        "iterations": k,
        "max_attempts": max_attempts,
        "wall_time_s": time.perf_counter() - started,
    }
    return SearchResult(
        method="grover",
        backend=getattr(device, "name", type(device).__name__),
        found=found,
        queries=QueryCount(
            oracle=k * shots * len(attempts), verify=verify, build=problem.build_cost
        ),
        attempts=tuple(attempts),
        seed=seed_record(seed),
        metadata=metadata,
    )
