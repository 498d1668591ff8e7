"""Grover search with a known number of marked items."""

from __future__ import annotations

import time
import warnings

from qsearch._validation import SeedLike, check_instance, check_int, make_rng
from qsearch.algorithms._result import repeat_until_verified, tally_result
from qsearch.backends.base import Backend, get_backend
from qsearch.exceptions import QSearchWarning
from qsearch.problem import SearchProblem, SearchProgram
from qsearch.results import SearchResult
from qsearch.schedules import optimal_iterations

#: Circuit runs grover_search makes before it gives up (with k optimal and 0 < M ≤ N/2 each run
#: succeeds with probability ≥ 1 − M/N ≥ 1/2, so failure after 20 runs is below 2^-20).
DEFAULT_MAX_ATTEMPTS = 20


def grover_search(
    problem: SearchProblem,
    backend: str | Backend = "ideal",
    *,
    iterations: int | None = None,
    shots: int = 1,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    seed: SeedLike = None,
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
        max_attempts: the budget of circuit runs.
        seed: seeds the backend runs; the same seed reproduces the result.

    Returns:
        SearchResult with method ``"grover"``.
    """
    problem = check_instance(problem, SearchProblem, "problem", "grover_search")
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
    backend = get_backend(backend)
    rng = make_rng(seed, "grover_search")
    program = SearchProgram(problem, k)
    started = time.perf_counter()
    tally = repeat_until_verified(
        problem,
        lambda run_seed: backend.run([program], shots=shots, seed=run_seed)[0],
        k,
        shots,
        rng,
        max_attempts,
    )
    return tally_result(
        "grover",
        problem,
        backend,
        seed,
        started,
        tally,
        program=program,
        iterations=k,
        max_attempts=max_attempts,
    )
