"""Iteration counts: how many Grover iterates a search applies."""

from __future__ import annotations

import math

from qsearch.complexity import _marked_mass, grover_angle


def optimal_iterations(num_items: int, num_marked: int, *, marked_mass: float | None = None) -> int:
    """The k that maximises sin²((2k+1)θ) over the first rise of the success curve.

    The continuous optimum is k* = π/(4θ) − 1/2; the best integer is ⌊k*⌋ or ⌈k*⌉, whichever
    gives the higher closed-form probability (the smaller on a tie). The large-N shortcut
    ⌊π/4·√(N/M)⌋ is measurably worse for moderate M/N (N=128, M=19: k=2 gives 0.843, k=1 gives
    0.856). Returns 0 when M = 0 (nothing to amplify) and when M/N ≥ 1/2 (no k > 0 beats
    measuring s directly).

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
