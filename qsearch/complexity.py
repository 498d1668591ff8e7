"""Closed forms of amplitude amplification and the fits used to read scaling off results.

* Grover / amplitude amplification (Boyer, Brassard, Høyer, Tapp 1998, arXiv:quant-ph/9605034;
  Brassard, Høyer, Mosca, Tapp 2002, arXiv:quant-ph/0005055): after k iterates the marked set is
  measured with probability sin²((2k+1)θ), where sin²θ = M/N, or the prior mass of the marked
  set when the state preparation loads a prior.
* Classical sampling: (N+1)/(M+1) expected draws without replacement, N/M with replacement.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from qsearch._validation import SeedLike, check_int, make_rng
from qsearch.exceptions import ProblemError


def _marked_mass(num_items: int, num_marked: int, marked_mass: float | None, owner: str) -> float:
    n = check_int(num_items, "num_items", owner, minimum=1)
    m = check_int(num_marked, "num_marked", owner, minimum=0)
    if m > n:
        raise ProblemError(
            f"The 'num_marked' argument of {owner} must be <= num_items ({n}); got {m}."
        )
    if marked_mass is None:
        return m / n
    mass = float(marked_mass)
    if not 0.0 <= mass <= 1.0:
        raise ProblemError(
            f"The 'marked_mass' argument of {owner} must be in [0, 1]; got {marked_mass!r}."
        )
    return mass


def grover_angle(marked_mass: float) -> float:
    """θ with sin²θ = marked mass (the rotation per half-iterate in the 2-D plane)."""
    return math.asin(math.sqrt(min(max(marked_mass, 0.0), 1.0)))


def success_probability(
    num_items: int,
    num_marked: int,
    iterations: int | ArrayLike,
    *,
    marked_mass: float | None = None,
) -> float | np.ndarray:
    """sin²((2k+1)θ) with sin θ = √(M/N): the probability of measuring a marked item.

    Args:
        num_items: N.
        num_marked: M.
        iterations: k (an int, or an array of them for a curve).
        marked_mass: sin²θ when the state preparation loads a prior (the prior mass of the
            marked set); defaults to M/N.

    Example:
        >>> round(success_probability(8, 1, 2), 4)
        0.9453
    """
    mass = _marked_mass(num_items, num_marked, marked_mass, "success_probability")
    theta = grover_angle(mass)
    k = np.asarray(iterations)
    if k.dtype.kind not in "iu" or np.any(k < 0):
        raise ProblemError(
            "The 'iterations' argument of success_probability must be a non-negative int "
            f"(or an array of them); got {iterations!r}."
        )
    values = np.sin((2 * k.astype(float) + 1) * theta) ** 2
    return float(values) if values.ndim == 0 else values


def amplified_amplitudes(
    marked_mass: float, phases: Sequence[tuple[float, float]]
) -> tuple[complex, complex]:
    """Amplitudes on the normalised marked / unmarked components after generalised iterates.

    Implements G(α, β) = −S_s(β) S_t(α) in the 2-D invariant plane spanned by the marked and
    unmarked parts of s = A|0⟩ (Yoder, Low, Chuang 2014, arXiv:1409.3305, eq. 1).
    """
    theta = grover_angle(marked_mass)
    s = np.array([math.sin(theta), math.cos(theta)], dtype=complex)
    state = s.copy()
    projector = np.outer(s, s.conj())
    identity = np.eye(2, dtype=complex)
    for alpha, beta in phases:
        state = state * np.array([np.exp(1j * alpha), 1.0])
        state = -(identity - (1 - np.exp(1j * beta)) * projector) @ state
    return complex(state[0]), complex(state[1])


def expected_classical_queries(num_items: int, num_marked: int, *, replace: bool) -> float:
    """Expected draws until the first marked item: (N+1)/(M+1) without, N/M with replacement."""
    n = check_int(num_items, "num_items", "expected_classical_queries", minimum=1)
    m = check_int(num_marked, "num_marked", "expected_classical_queries", minimum=0)
    if replace:
        return math.inf if m == 0 else n / m
    return (n + 1) / (m + 1)


@dataclass(frozen=True)
class PowerLawFit:
    """y ≈ C·N^slope fitted in log-log space, with a bootstrap confidence interval on the slope."""

    slope: float
    intercept: float
    slope_low: float
    slope_high: float
    confidence: float

    def predict(self, sizes: ArrayLike) -> np.ndarray:
        fitted: np.ndarray = np.exp(self.intercept) * np.asarray(sizes, dtype=float) ** self.slope
        return fitted


def fit_power_law(
    samples: dict[int, Sequence[float]] | dict[int, np.ndarray],
    *,
    confidence: float = 0.95,
    n_bootstrap: int = 1000,
    seed: SeedLike = 0,
) -> PowerLawFit:
    """Fit log(mean y) = intercept + slope·log N; the CI resamples each size's samples.

    Args:
        samples: per size N, the observed values (e.g. queries of each trial).
        confidence: two-sided level of the percentile bootstrap interval.
        n_bootstrap: bootstrap resamples.
        seed: seeds the bootstrap.
    """
    sizes = sorted(samples)
    if len(sizes) < 2:
        raise ProblemError(
            f"The 'samples' argument of fit_power_law must hold at least 2 sizes; got {len(sizes)}."
        )
    arrays = [np.asarray(samples[s], dtype=float) for s in sizes]
    if any(a.size == 0 or np.any(a <= 0) or not np.all(np.isfinite(a)) for a in arrays):
        raise ProblemError(
            "The 'samples' argument of fit_power_law must hold positive finite values for every "
            "size."
        )
    x = np.log(np.asarray(sizes, dtype=float))
    slope, intercept = np.polyfit(x, np.log([a.mean() for a in arrays]), 1)
    rng = make_rng(seed, "fit_power_law")
    boot = np.empty(n_bootstrap)
    for b in range(n_bootstrap):
        means = [a[rng.integers(0, a.size, a.size)].mean() for a in arrays]
        boot[b] = np.polyfit(x, np.log(means), 1)[0]
    tail = (1 - confidence) / 2
    low, high = np.quantile(boot, [tail, 1 - tail])
    return PowerLawFit(float(slope), float(intercept), float(low), float(high), confidence)


def mean_confidence_interval(
    values: ArrayLike, confidence: float = 0.95
) -> tuple[float, float, float]:
    """(mean, low, high) of the Student-t interval of the mean."""
    from scipy import stats

    data = np.asarray(values, dtype=float)
    mean = float(data.mean())
    if data.size < 2:
        return mean, mean, mean
    half = float(
        stats.t.ppf((1 + confidence) / 2, data.size - 1) * data.std(ddof=1) / math.sqrt(data.size)
    )
    return mean, mean - half, mean + half
