"""Fixed-point amplitude amplification: success ≥ 1 − δ² for every marked mass above a bound.

Yoder, Low, Chuang 2014 (arXiv:1409.3305): l generalised Grover iterates G(α_j, β_j) with phases
from Chebyshev polynomials give P_L(λ) = 1 − δ² T_L(T_{1/L}(1/δ)·√(1 − λ))², L = 2l + 1, which is
at least 1 − δ² for every marked mass λ ≥ w once L ≥ log(2/δ)/√w. Unlike Grover's fixed k the
success does not fall again when λ is larger than expected (no "souffle problem").
"""

from __future__ import annotations

import time
from typing import Any, cast

import numpy as np
from numpy.typing import ArrayLike

from qsearch._validation import SeedLike, check_instance, check_int, check_probability, make_rng
from qsearch.algorithms._result import repeat_until_verified, tally_result
from qsearch.algorithms.exponential import min_marked_mass
from qsearch.backends.base import Backend, ClosedFormAmplification, get_backend, supports
from qsearch.exceptions import ProblemError
from qsearch.problem import SearchProblem, SearchProgram
from qsearch.results import Counts, SearchResult
from qsearch.schedules import (
    fixed_point_length,
    fixed_point_parameters,
    fixed_point_success_probability,
    optimal_iterations,
)


def fixed_point_search(
    problem: SearchProblem,
    backend: str | Backend = "ideal",
    *,
    delta: float,
    lower_bound: float | None = None,
    shots: int = 1,
    max_attempts: int = 1,
    seed: SeedLike = None,
) -> SearchResult:
    """Fixed-point search (Yoder, Low, Chuang 2014, arXiv:1409.3305).

    Runs l = (L − 1)/2 iterates with the YLC phases
    (:func:`qsearch.schedules.fixed_point_parameters`) for the smallest odd L with
    T_{1/L}(1/δ) ≤ 1/√(1 − w), measures ``shots`` times and checks the measured items
    classically. Every marked mass λ ≥ w is then found with probability P_L(λ) ≥ 1 − δ² per
    shot, with no overshoot for large λ.

    Execution: a backend with the ``ClosedFormAmplification`` ability (the closed-form
    ``ideal``) samples the Chebyshev closed form P_L(λ) (identical to the product of the l
    iterates, tested against it), so L ~ 2^21 for N = 2^40 costs microseconds; every other
    backend runs ``SearchProgram(problem, l, phases=...)``.

    Args:
        problem: the search problem.
        backend: a registered name or a Backend instance.
        delta: δ in (0, 1); the guaranteed success per shot is 1 − δ².
        lower_bound: w in (0, 1), a lower bound on the marked mass (M/N without a prior). Default:
            the smallest non-zero mass, 1/N (or the smallest positive prior entry): any M ≥ 1.
        shots: measurements per run (each costs l oracle queries).
        max_attempts: runs before giving up (the guarantee above is per run).
        seed: seeds the backend runs.

    Returns:
        SearchResult with method ``"fixed-point"``; metadata holds L, l, γ, w, δ and the closed-form
        success probability at the problem's true marked mass.

    Raises:
        ProblemError: delta or lower_bound outside (0, 1).
    """
    problem = check_instance(problem, SearchProblem, "problem", "fixed_point_search")
    delta = check_probability(delta, "delta", "fixed_point_search")
    if lower_bound is None:
        w = min(min_marked_mass(problem), 0.5)
    else:
        w = check_probability(lower_bound, "lower_bound", "fixed_point_search")
    shots = check_int(shots, "shots", "fixed_point_search", minimum=1)
    max_attempts = check_int(max_attempts, "max_attempts", "fixed_point_search", minimum=1)
    backend = get_backend(backend)
    rng = make_rng(seed, "fixed_point_search")
    started = time.perf_counter()
    length = fixed_point_length(delta, w)
    iterations = (length - 1) // 2
    predicted = float(fixed_point_success_probability(problem.marked_mass, delta, length))
    closed_form = supports(backend, ClosedFormAmplification)
    program = None
    if not closed_form:
        params = fixed_point_parameters(delta, w)
        program = SearchProgram(problem, params.iterations, phases=params.phases)

    def run_once(run_seed: int) -> Counts:
        if program is None:
            sampler = cast(ClosedFormAmplification, backend)
            return sampler.sample_amplified(problem, predicted, shots=shots, seed=run_seed)
        return backend.run([program], shots=shots, seed=run_seed)[0]

    tally = repeat_until_verified(problem, run_once, iterations, shots, rng, max_attempts)
    metadata = {
        "delta": delta,
        "lower_bound": w,
        "length": length,
        "iterations": iterations,
        "predicted_success": predicted,
        "closed_form": closed_form,
    }
    return tally_result(
        "fixed-point", problem, backend, seed, started, tally, program=program, **metadata
    )


def fixed_point_vs_grover_curves(
    *,
    delta: float = 0.1,
    lower_bound: float = 0.01,
    masses: ArrayLike | None = None,
    num_points: int = 400,
) -> dict[str, Any]:
    """Success probability vs marked mass λ: fixed-point search against Grover's fixed k.

    Both algorithms are tuned for the same knowledge, λ ≥ w: fixed-point uses the YLC length L
    for (δ, w); Grover uses the optimal k for λ = w, so for larger λ it overshoots and oscillates
    (the souffle problem) while P_L(λ) stays ≥ 1 − δ².

    Args:
        delta: δ of the fixed-point sequence.
        lower_bound: w, the assumed lower bound on λ.
        masses: the λ grid (default ``num_points`` values from w/4 to 1, log-spaced).
        num_points: grid size when ``masses`` is None.

    Returns:
        dict with arrays ``marked_mass``, ``fixed_point``, ``grover`` (success probabilities) and
        the ints ``fixed_point_iterations`` (l), ``grover_iterations`` (k), plus ``delta``,
        ``lower_bound``.
    """
    delta = check_probability(delta, "delta", "fixed_point_vs_grover_curves")
    w = check_probability(lower_bound, "lower_bound", "fixed_point_vs_grover_curves")
    if masses is None:
        num_points = check_int(num_points, "num_points", "fixed_point_vs_grover_curves", minimum=2)
        grid = np.geomspace(w / 4, 1.0, num_points)
    else:
        grid = np.asarray(masses, dtype=float)
        if grid.ndim != 1 or grid.size == 0 or np.any((grid < 0) | (grid > 1)):
            raise ProblemError(
                "The 'masses' argument of fixed_point_vs_grover_curves must be a non-empty 1-D "
                f"array of values in [0, 1]; got {masses!r}."
            )
    length = fixed_point_length(delta, w)
    k = optimal_iterations(2, 1, marked_mass=w) if w < 0.5 else 0
    theta = np.arcsin(np.sqrt(grid))
    grover = np.sin((2 * k + 1) * theta) ** 2
    fixed = np.asarray(fixed_point_success_probability(grid, delta, length))
    return {
        "marked_mass": grid,
        "fixed_point": fixed,
        "grover": grover,
        "fixed_point_iterations": (length - 1) // 2,
        "grover_iterations": k,
        "delta": delta,
        "lower_bound": w,
    }
