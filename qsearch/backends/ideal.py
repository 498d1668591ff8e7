"""The exact backend: amplitude amplification without noise, in closed form or as a state vector.

Closed form (default, any N up to 2^60): with ideal operations the state stays in the plane of
the normalised marked and unmarked parts of s = A|0⟩ (Brassard, Høyer, Mosca, Tapp 2002,
arXiv:quant-ph/0005055), so the marked set is measured with probability sin²((2k+1)θ) (or the
2-D product of generalised iterates) and, within each part, item i is seen with probability
proportional to its prior p_i. Sampling costs O(shots), independent of N.

State vector (``method="statevector"``): an explicit NumPy vector over the N items, oracle = sign
flip (or phase e^{iα}) of the marked entries, diffusion = reflection about s. Real float64 for
Grover iterates; with a uniform s the sum ⟨s|ψ⟩ is tracked in O(M) per iterate, so one iterate
is a single streaming pass ``c − ψ`` in place (16 bytes per item). It is the reference that every
other backend is tested against on small N.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

import numpy as np

from qsearch._validation import SeedLike, check_instance, check_int, make_rng
from qsearch.backends.base import check_run_arguments, counts_from_samples
from qsearch.complexity import amplified_amplitudes, success_probability
from qsearch.exceptions import ProblemError, UnsupportedProgramError
from qsearch.problem import SearchProblem, SearchProgram
from qsearch.results import Counts

#: Largest N for which dense outcome distributions are returned by ``probabilities``.
MAX_DENSE_ITEMS = 2**27


def available_memory_bytes() -> int:
    """Physical memory currently available (Linux sysconf; total memory elsewhere)."""
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return 8 * 2**30


def marked_probability(program: SearchProgram) -> float:
    """Exact probability that ``program`` measures a marked item."""
    problem = program.problem
    if program.is_standard:
        return float(
            success_probability(
                problem.num_items,
                problem.num_marked,
                program.iterations,
                marked_mass=problem.marked_mass,
            )
        )
    good, _ = amplified_amplitudes(problem.marked_mass, program.phases or ())
    return min(1.0, abs(good) ** 2)


class IdealBackend:
    """Exact, noiseless execution.

    Args:
        method: ``"closed_form"`` (default; any N) or ``"statevector"`` (explicit NumPy vector,
            N limited by memory).

    Seeds: the same int ``seed`` gives the same counts for the same programs and shots.

    Abilities (:mod:`qsearch.backends.base`): ``ExactProbabilities`` in both modes;
    ``ClosedFormAmplification`` in closed-form mode only (the statevector mode is the explicit
    reference, so algorithms run their programs through it).
    """

    def __init__(self, method: str = "closed_form") -> None:
        if method not in ("closed_form", "statevector"):
            raise ProblemError(
                "The 'method' argument of IdealBackend must be 'closed_form' or 'statevector'; "
                f"got {method!r}."
            )
        self.method = method
        self.name = "ideal" if method == "closed_form" else "ideal-statevector"
        if method == "statevector":
            self.sample_amplified = None  # type: ignore[assignment]  # opt out (see base.supports)

    def __repr__(self) -> str:
        return f"IdealBackend(method={self.method!r})"

    # -- the contract -----------------------------------------------------------------------
    def run(
        self, programs: Sequence[SearchProgram], *, shots: int, seed: SeedLike = None
    ) -> list[Counts]:
        programs = check_run_arguments(programs, shots, "IdealBackend.run")
        rng = make_rng(seed, "IdealBackend.run")
        if self.method == "statevector":
            return [
                counts_from_samples(rng.choice(p.problem.num_items, size=shots, p=self._probs(p)))
                for p in programs
            ]
        return [self._sample_closed_form(p, shots, rng) for p in programs]

    # -- optional abilities -----------------------------------------------------------------
    def probabilities(self, programs: Sequence[SearchProgram]) -> list[np.ndarray]:
        """Exact outcome distribution over the N items for each program."""
        programs = check_run_arguments(programs, 1, "IdealBackend.probabilities")
        return [self._probs(p) for p in programs]

    def sample_amplified(
        self,
        problem: SearchProblem,
        marked_probability: float,
        *,
        shots: int,
        seed: SeedLike = None,
    ) -> Counts:
        """Sample the amplified distribution that sees the marked set with this probability.

        The ``ClosedFormAmplification`` ability: see :func:`_sample_amplified`.
        """
        owner = "IdealBackend.sample_amplified"
        problem = check_instance(problem, SearchProblem, "problem", owner)
        if not 0.0 <= float(marked_probability) <= 1.0:
            raise ProblemError(
                f"The 'marked_probability' argument of {owner} must be a number in [0, 1]; got "
                f"{marked_probability!r}."
            )
        shots = check_int(shots, "shots", owner, minimum=1)
        rng = make_rng(seed, owner)
        return _sample_amplified(problem, float(marked_probability), shots, rng)

    def statevector(self, program: SearchProgram) -> np.ndarray:
        """The explicit amplitudes after the program's iterates (length N)."""
        return _evolve(program, self._check_memory(program))

    def resources(self, program: SearchProgram) -> dict[str, int]:
        return {"qubits": program.problem.num_qubits, "iterations": program.iterations}

    # -- internals --------------------------------------------------------------------------
    def _probs(self, program: SearchProgram) -> np.ndarray:
        if self.method == "statevector":
            amplitudes = self.statevector(program)
            probs = np.abs(amplitudes) ** 2 if np.iscomplexobj(amplitudes) else amplitudes**2
            return probs / probs.sum()
        problem = program.problem
        if problem.num_items > MAX_DENSE_ITEMS:
            raise UnsupportedProgramError(
                f"IdealBackend.probabilities returns dense vectors for N <= {MAX_DENSE_ITEMS}; "
                f"got N={problem.num_items}. Use run() to sample instead."
            )
        p_good = marked_probability(program)
        prior = _prior(problem)
        mass = problem.marked_mass
        probs = prior * ((1 - p_good) / (1 - mass) if mass < 1 else 0.0)
        if problem.num_marked:
            marked = problem.marked_array
            probs[marked] = prior[marked] * (p_good / mass if mass > 0 else 0.0)
        return probs

    def _check_memory(self, program: SearchProgram) -> int:
        n = program.problem.num_items
        itemsize = 8 if program.is_standard else 16
        needed = 2 * n * itemsize
        if needed > available_memory_bytes():
            raise UnsupportedProgramError(
                f"The statevector mode needs about {needed / 2**30:.1f} GiB for N={n}, more than "
                "is available; use IdealBackend(method='closed_form')."
            )
        return itemsize

    def _sample_closed_form(
        self, program: SearchProgram, shots: int, rng: np.random.Generator
    ) -> Counts:
        return _sample_amplified(program.problem, marked_probability(program), shots, rng)


def _sample_amplified(
    problem: SearchProblem, p_good: float, shots: int, rng: np.random.Generator
) -> Counts:
    """Sample ``shots`` items when the marked set is seen with probability ``p_good``.

    Within the marked and the unmarked part, item i is seen with probability proportional to its
    prior (uniform without one): the exact outcome distribution of any amplitude amplification
    in the two-dimensional plane. O(shots) without a prior, whatever N.
    """
    if problem.num_marked == 0:
        p_good = 0.0
    elif problem.num_marked == problem.num_items:
        p_good = 1.0
    n_good = int(rng.binomial(shots, min(max(p_good, 0.0), 1.0)))
    n_bad = shots - n_good
    marked = problem.marked_array
    if problem.prior is None:
        good = marked[rng.integers(0, len(marked), n_good)] if n_good else marked[:0]
        ranks = rng.integers(0, problem.num_items - len(marked), n_bad) if n_bad else None
        bad = _unmarked_from_rank(marked, ranks) if ranks is not None else marked[:0]
    else:
        prior = problem.prior
        good_weights = prior[marked] / prior[marked].sum() if n_good else None
        good = rng.choice(marked, size=n_good, p=good_weights) if n_good else marked[:0]
        if n_bad:
            weights = prior.copy()
            weights[marked] = 0.0
            bad = rng.choice(problem.num_items, size=n_bad, p=weights / weights.sum())
        else:
            bad = marked[:0]
    return counts_from_samples(np.concatenate([good, bad]))


def _prior(problem: SearchProblem) -> np.ndarray:
    if problem.prior is not None:
        return problem.prior.copy()
    return np.full(problem.num_items, 1.0 / problem.num_items)


def _unmarked_from_rank(marked: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """Map ranks r in [0, N − M) to the r-th unmarked index (marked sorted ascending)."""
    if len(marked) == 0:
        return ranks.astype(np.int64)
    shifted = marked - np.arange(len(marked), dtype=np.int64)
    return ranks.astype(np.int64) + np.searchsorted(shifted, ranks, side="right")


def _evolve(program: SearchProgram, itemsize: int) -> np.ndarray:
    """Apply the program's iterates to an explicit state vector (see module docstring)."""
    problem = program.problem
    n = problem.num_items
    marked = problem.marked_array
    if problem.prior is None:
        s = None
        psi = np.full(n, 1.0 / math.sqrt(n), dtype=np.float64 if itemsize == 8 else np.complex128)
    else:
        s = np.sqrt(problem.prior)
        psi = s.astype(np.float64 if itemsize == 8 else np.complex128)
    phases = program.phases if not program.is_standard else None
    total = float(psi.sum()) if phases is None and s is None else 0.0
    for j in range(program.iterations):
        if phases is None:
            if s is None:
                # The oracle changes Σψ by −2·Σψ[marked]; the reflection 2|s⟩⟨s|ψ⟩ − ψ about the
                # uniform s keeps Σψ. So Σψ is tracked in O(M) and an iterate is one streaming
                # pass c − ψ in place (16 bytes per amplitude); re-summed every 64 iterates to
                # keep rounding from accumulating.
                if j % 64 == 63:
                    total = float(psi.sum())
                total -= 2.0 * float(psi[marked].sum())
                psi[marked] *= -1.0
                np.subtract(2.0 * total / n, psi, out=psi)
            else:
                psi[marked] *= -1.0
                overlap = float(s @ psi)
                psi *= -1.0
                psi += (2.0 * overlap) * s
        else:
            alpha, beta = phases[j]
            psi[marked] *= np.exp(1j * alpha)
            s_vec = s if s is not None else np.full(n, 1.0 / math.sqrt(n))
            amplitude = complex(s_vec @ psi)
            # −S_s(β)ψ = −ψ + (1 − e^{iβ})⟨s|ψ⟩ s
            psi *= -1.0
            psi += (1 - np.exp(1j * beta)) * amplitude * s_vec
    return psi
