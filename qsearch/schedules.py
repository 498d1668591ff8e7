"""Iteration counts: how many Grover iterates a search applies.

Grover's optimal k; the BBHT schedule and its exact expected cost; the phases of fixed-point
amplitude amplification.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from qsearch._validation import check_probability
from qsearch.complexity import _marked_mass, grover_angle
from qsearch.exceptions import ProblemError


def optimal_iterations(num_items: int, num_marked: int, *, marked_mass: float | None = None) -> int:
    """The number of Grover iterates k a search should run, by two criteria.

    For 0 < M/N < 1/2: the k that maximises one run's success probability sin²((2k+1)θ) over
    the first rise of the success curve (sin²θ = M/N). The continuous optimum is
    k* = π/(4θ) − 1/2; the best integer is ⌊k*⌋ or ⌈k*⌉, whichever gives the higher closed-form
    probability (the smaller on a tie). The large-N shortcut ⌊π/4·√(N/M)⌋ is measurably worse
    for moderate M/N (N=128, M=19: k=2 gives 0.8435, k=1 gives 0.8595).

    For M/N ≥ 1/2: 0, the k that minimises the expected queries per success (k oracle calls
    plus one verification, divided by sin²((2k+1)θ)): k = 0 costs N/M ≤ 2, any k ≥ 1 costs at
    least k + 1 ≥ 2. A k > 0 can still raise one run's success probability (N=5, M=3: k=2 gives
    0.923 against 0.600 at k = 0); pass that k explicitly when a single run must succeed.
    Returns 0 when M = 0 (nothing to amplify).

    Example:
        >>> optimal_iterations(128, 19), optimal_iterations(4096, 1)
        (1, 50)
    """
    mass = _marked_mass(num_items, num_marked, marked_mass, "optimal_iterations")
    if mass <= 0.0 or mass >= 0.5:
        return 0
    theta = grover_angle(mass)
    k_star = math.pi / (4 * theta) - 0.5
    low, high = max(0, math.floor(k_star)), max(0, math.ceil(k_star))
    p_low = math.sin((2 * low + 1) * theta) ** 2
    p_high = math.sin((2 * high + 1) * theta) ** 2
    return high if p_high > p_low else low


# -- BBHT exponential search (Boyer, Brassard, Høyer, Tapp 1998, arXiv:quant-ph/9605034) --------

#: BBHT's growth factor (any 1 < λ < 4/3 works; the paper's analysis uses 6/5).
BBHT_LAMBDA = 6 / 5
#: Rounds that the default exponential-search budget guarantees after the ramp (see bbht_budget).
BBHT_CAPPED_ROUNDS = 32


def check_lambda(lam: float, owner: str) -> float:
    """Return ``lam`` as a float in (1, 4/3), or raise ProblemError naming the argument."""
    try:
        value = float(lam)
    except (TypeError, ValueError):
        value = math.nan
    if not 1.0 < value < 4.0 / 3.0:
        raise ProblemError(
            f"The 'lam' argument of {owner} must be a number in (1, 4/3) (BBHT's growth factor); "
            f"got {lam!r}."
        )
    return value


def bbht_cap(min_mass: float) -> float:
    """The largest BBHT range, 1/√p_min (= √N without a prior).

    BBHT cap the range m at √N; with a prior the smallest non-zero marked mass is the smallest
    positive prior entry p_min, and m0 = 1/sin 2θ ≤ 1/√p_min for every marked set with
    p_min ≤ sin²θ ≤ 1 − p_min, so the cap keeps Lemma 2 of BBHT applicable.
    """
    return 1.0 / math.sqrt(min_mass)


def bbht_budget(min_mass: float, *, lam: float = BBHT_LAMBDA) -> int:
    """Default search-query budget (oracle + checks) of exponential search.

    ⌈(λ/(λ−1) + R)·cap + R + log_λ(cap) + 2⌉ with R = 32 and cap = :func:`bbht_cap` (about
    38√N + 70 for λ = 6/5). A round with range m costs at most ⌈m⌉ queries (j ≤ ⌈m⌉ − 1
    iterations and one check). The ramp (m = λ^i below the cap, at most log_λ(cap) + 1 rounds)
    costs less than λ/(λ−1)·cap + log_λ(cap) + 1; every later round costs at most cap + 1 and,
    as m ≥ m0 = 1/sin 2θ there, succeeds with probability at least 1/4 (BBHT Lemma 2). The
    budget therefore always leaves R such rounds: a search with M ≥ 1 runs out of budget with
    probability at most (3/4)^32 < 1.1e-4, and with M = 0 it stops after at most this many
    queries.
    """
    lam = check_lambda(lam, "bbht_budget")
    cap = bbht_cap(min_mass)
    rounds = BBHT_CAPPED_ROUNDS
    ramp = math.log(cap) / math.log(lam) if cap > 1 else 0.0
    return math.ceil((lam / (lam - 1) + rounds) * cap + rounds + ramp + 2)


def bbht_round_success(marked_mass: float, m: int) -> float:
    """P_m = 1/2 − sin(4mθ)/(4m sin 2θ): a round with j uniform in [0, m) succeeds (BBHT Lem. 2)."""
    theta = grover_angle(marked_mass)
    s2 = math.sin(2 * theta)
    if s2 < 1e-300:
        return float(marked_mass >= 0.5)
    return 0.5 - math.sin(4 * m * theta) / (4 * m * s2)


def bbht_expected_cost(
    num_items: int,
    num_marked: int,
    *,
    lam: float = BBHT_LAMBDA,
    marked_mass: float | None = None,
    min_mass: float | None = None,
) -> tuple[float, float]:
    """Exact expected (Grover iterations, rounds) of BBHT exponential search without a budget.

    Stage s draws j uniformly from {0, …, ⌈m_s⌉ − 1} (mean (⌈m_s⌉ − 1)/2 iterations) and is reached
    only if every earlier stage failed, each failing with 1 − P_{⌈m⌉}
    (:func:`bbht_round_success`), with m_{s+1} = min(λ m_s, cap). Linearity of expectation gives
    the sums directly. Returns (inf, inf) when M = 0.

    Example:
        >>> iterations, rounds = bbht_expected_cost(2**20, 1)
        >>> round(iterations / 2**10, 2)
        1.42
    """
    mass = _marked_mass(num_items, num_marked, marked_mass, "bbht_expected_cost")
    lam = check_lambda(lam, "bbht_expected_cost")
    if mass <= 0.0:
        return math.inf, math.inf
    cap = bbht_cap(1.0 / num_items if min_mass is None else min_mass)
    m = 1.0
    reach = 1.0
    iterations = 0.0
    rounds = 0.0
    while reach > 1e-16:
        width = math.ceil(m)
        iterations += reach * (width - 1) / 2
        rounds += reach
        reach *= 1.0 - bbht_round_success(mass, width)
        m = min(lam * m, cap)
    return iterations, rounds


# -- Fixed-point amplitude amplification (Yoder, Low, Chuang 2014, arXiv:1409.3305) -------------


def chebyshev_t(order: float, x: float | np.ndarray) -> float | np.ndarray:
    """T_L(x) for real order L ≥ 0 and x ≥ 0: cos(L·arccos x) on [0, 1], cosh(L·arccosh x) above."""
    values = np.asarray(x, dtype=float)
    inside = np.cos(order * np.arccos(np.clip(values, -1.0, 1.0)))
    outside = np.cosh(order * np.arccosh(np.maximum(values, 1.0)))
    out = np.where(values <= 1.0, inside, outside)
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class FixedPointParameters:
    """Yoder–Low–Chuang parameters: L = 2l + 1, l oracle queries, γ and the l phase pairs.

    ``phases`` are in qsearch's convention (oracle phase, reflection phase) per iterate; see
    :func:`fixed_point_parameters`.
    """

    delta: float
    lower_bound: float
    length: int
    iterations: int
    gamma: float
    phases: tuple[tuple[float, float], ...]


def fixed_point_length(delta: float, lower_bound: float) -> int:
    """The smallest odd L with T_{1/L}(1/δ) ≤ 1/√(1 − w) (YLC 2014: then P_L ≥ 1 − δ² for λ ≥ w).

    Equivalent to L ≥ arccosh(1/δ) / arccosh(1/√(1 − w)) ≈ log(2/δ)/√w.
    """
    delta = check_probability(delta, "delta", "fixed_point_length")
    w = check_probability(lower_bound, "lower_bound", "fixed_point_length")
    length = math.ceil(math.acosh(1 / delta) / math.acosh(1 / math.sqrt(1 - w)) - 1e-12)
    length = max(length, 1)
    return length if length % 2 == 1 else length + 1


def fixed_point_parameters(delta: float, lower_bound: float) -> FixedPointParameters:
    """Phases of fixed-point amplitude amplification (Yoder, Low, Chuang 2014, arXiv:1409.3305).

    YLC eq. (3)–(4): with L = 2l + 1 and γ^{-1} = T_{1/L}(1/δ),
    α_j = −β_{l−j+1} = 2 cot^{-1}(tan(2πj/L)·√(1 − γ²)), j = 1..l, for their iterate
    G(α, β) = −S_s(α) S_t(β) with S_s(α) = I − (1 − e^{−iα})|s⟩⟨s| and
    S_t(β) = I − (1 − e^{iβ})Π_marked. qsearch's iterate G(a, b) = −S_s(b) S_t(a) puts e^{ia} on
    the marked items and e^{ib} in the reflection, so the j-th pair is (β_j, −α_j). After the l
    iterates the marked set is measured with probability
    P_L(λ) = 1 − δ² T_L(T_{1/L}(1/δ)·√(1 − λ))² (:func:`fixed_point_success_probability`),
    at least 1 − δ² for every marked mass λ ≥ w.
    """
    delta = check_probability(delta, "delta", "fixed_point_parameters")
    w = check_probability(lower_bound, "lower_bound", "fixed_point_parameters")
    length = fixed_point_length(delta, w)
    iterations = (length - 1) // 2
    gamma = 1.0 / math.cosh(math.acosh(1.0 / delta) / length)
    root = math.sqrt(max(0.0, 1.0 - gamma**2))
    alphas = []
    for j in range(1, iterations + 1):
        t = math.tan(2 * math.pi * j / length) * root
        alphas.append(2 * (math.pi / 2 - math.atan(t)))  # 2·arccot(t), arccot in (0, π)
    betas = [-alphas[iterations - j] for j in range(1, iterations + 1)]
    phases = tuple((betas[j], -alphas[j]) for j in range(iterations))
    return FixedPointParameters(delta, w, length, iterations, gamma, phases)


def fixed_point_success_probability(
    marked_mass: float | np.ndarray, delta: float, length: int
) -> float | np.ndarray:
    """P_L(λ) = 1 − δ² T_L(T_{1/L}(1/δ)·√(1 − λ))² (YLC 2014, eq. 2)."""
    delta = check_probability(delta, "delta", "fixed_point_success_probability")
    lam = np.clip(np.asarray(marked_mass, dtype=float), 0.0, 1.0)
    x = chebyshev_t(1.0 / length, 1.0 / delta) * np.sqrt(1.0 - lam)
    out = 1.0 - delta**2 * np.asarray(chebyshev_t(length, x)) ** 2
    out = np.clip(out, 0.0, 1.0)
    return float(out) if out.ndim == 0 else out
