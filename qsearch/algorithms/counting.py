"""Quantum counting: estimate the marked fraction a = M/N by amplitude estimation.

Methods (each returns a :class:`CountResult` with a confidence interval at level 1 − α):

* ``"iqae"``: iterative amplitude estimation, Grinko, Gacon, Zoufal, Woerner 2021
  (arXiv:1912.05559), Algorithm 1 with Clopper–Pearson intervals at level α/T per round
  (T = the paper's bound on the number of rounds), so the interval covers a with probability at
  least 1 − α. Stops when the interval on a is at most 2ε wide (the paper stops on the width in
  θ, which implies it; stopping on a is never later and narrows fast near a = 0, which gives the
  O(√(N·M)) cost of exact counting with ε < 1/(2N)).
* ``"mlae"``: maximum-likelihood amplitude estimation, Suzuki et al. 2020 (arXiv:1904.10246),
  exponentially incremental schedule m_k ∈ {0, 1, 2, 4, …}, grown until the Fisher-information
  half-width z_{1−α/2}/√(4·shots·Σ(2m_k+1)²) is at most ε; likelihood-ratio interval
  (asymptotic level 1 − α, so its width is close to, not bounded by, 2ε).
* ``"qpe"``: canonical amplitude estimation / quantum counting, Brassard, Høyer, Mosca, Tapp
  2002 (arXiv:quant-ph/0005055), Theorem 12: with M' = 2^m evaluation qubits,
  |ã − a| ≤ 2π√(a(1−a))/M' + π²/M'² with probability ≥ 8/π²; the median of r independent runs,
  r = ⌈ln(1/α)/(2(8/π² − 1/2)²)⌉, is within that bound with probability ≥ 1 − α (Hoeffding).
* ``"monte-carlo"``: the classical baseline, n = ⌈ln(2/α)/(2ε²)⌉ samples with replacement and
  the Hoeffding interval ±ε.

IQAE and MLAE run ``SearchProgram(problem, k)`` through the Backend seam and classify each
measured item with one classical check (``QueryCount.verify``: one per shot); k·shots oracle
queries per program. QPE needs controlled Grover powers, which are not SearchPrograms: on the
closed-form ``ideal`` backend it samples the exact QPE outcome distribution
P(y) = ½[F(y − M'θ/π) + F(y + M'θ/π)], F(x) = sin²(πx)/(M'² sin²(πx/M')); on ``aer`` it builds
the circuit (controlled Q^{2^j}, inverse QFT) with qiskit; other backends raise
:class:`~qsearch.exceptions.UnsupportedProgramError`. Its bill is r·(M' − 1) controlled-Q
applications. With a prior, a is the prior mass of the marked set (sin²θ).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from qsearch._validation import SeedLike, check_int, check_probability, child_seed, make_rng
from qsearch.backends.base import Backend, get_backend
from qsearch.backends.ideal import IdealBackend, available_memory_bytes
from qsearch.exceptions import ProblemError, UnsupportedProgramError
from qsearch.problem import SearchProblem, SearchProgram
from qsearch.results import QueryCount

METHODS = ("iqae", "mlae", "qpe", "monte-carlo")
#: Shots per IQAE / MLAE program (Grinko et al. and Suzuki et al. use 100).
DEFAULT_SHOTS = 100
#: BHMT Theorem 12: one QPE run is within the error bound with probability at least 8/π².
QPE_SUCCESS = 8 / math.pi**2


@dataclass(frozen=True)
class CountResult:
    """An estimate of the marked fraction a with its confidence interval and its bill.

    Attributes:
        method: ``"iqae"``, ``"mlae"``, ``"qpe"`` or ``"monte-carlo"``.
        backend: backend name (``"classical"`` for Monte-Carlo).
        estimate: â, the estimate of a = M/N (the marked prior mass with a prior).
        confidence_interval: (low, high) on a, at level 1 − alpha.
        num_items: N.
        queries: oracle applications, classical checks, build cost.
        epsilon: the target half-width on a.
        alpha: the target error probability of the interval.
        seed: the int seed passed, or None.
        metadata: schedule, rounds and other details.
    """

    method: str
    backend: str
    estimate: float
    confidence_interval: tuple[float, float]
    num_items: int
    queries: QueryCount
    epsilon: float
    alpha: float
    seed: int | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        low, high = self.confidence_interval
        object.__setattr__(self, "confidence_interval", (float(low), float(high)))
        object.__setattr__(self, "metadata", dict(self.metadata))

    @property
    def num_marked(self) -> int:
        """The estimate of M: round(N·â)."""
        return round(self.num_items * self.estimate)

    @property
    def num_marked_interval(self) -> tuple[float, float]:
        """The confidence interval scaled to M: (N·low, N·high)."""
        low, high = self.confidence_interval
        return self.num_items * low, self.num_items * high

    def covers(self, value: float) -> bool:
        """True when ``value`` lies in the confidence interval."""
        low, high = self.confidence_interval
        return low <= value <= high

    def to_dict(self) -> dict[str, Any]:
        """A flat JSON-friendly row."""
        low, high = self.confidence_interval
        return {
            "method": self.method,
            "backend": self.backend,
            "estimate": self.estimate,
            "ci_low": low,
            "ci_high": high,
            "num_items": self.num_items,
            "num_marked": self.num_marked,
            "oracle_queries": self.queries.oracle,
            "verify_queries": self.queries.verify,
            "build_queries": self.queries.build,
            "total_queries": self.queries.total,
            "epsilon": self.epsilon,
            "alpha": self.alpha,
            "seed": self.seed,
            "metadata": dict(self.metadata),
        }


def _good_counts(problem: SearchProblem, counts: Mapping[int, int]) -> int:
    return sum(c for item, c in counts.items() if problem.is_marked(item))


def _clopper_pearson(ones: int, shots: int, alpha: float) -> tuple[float, float]:
    low = 0.0 if ones == 0 else float(stats.beta.ppf(alpha / 2, ones, shots - ones + 1))
    high = 1.0 if ones == shots else float(stats.beta.ppf(1 - alpha / 2, ones + 1, shots - ones))
    return low, high


def _find_next_k(k: int, upper: bool, theta: tuple[float, float]) -> tuple[int, bool]:
    """Grinko et al. Algorithm 2 (FindNextK), θ in units of 2π, ratio K_next/K >= 2."""
    theta_l, theta_u = theta
    old = 4 * k + 2
    largest = int(1 / (2 * (theta_u - theta_l)))
    scaling = largest - (largest - 2) % 4
    while scaling >= 2 * old:
        low = scaling * theta_l - int(scaling * theta_l)
        high = scaling * theta_u - int(scaling * theta_u)
        if low <= high <= 0.5 and low <= 0.5:
            return (scaling - 2) // 4, True
        if high >= 0.5 and high >= low >= 0.5:
            return (scaling - 2) // 4, False
        scaling -= 4
    return k, upper


def _iqae(
    problem: SearchProblem,
    device: Backend,
    epsilon: float,
    alpha: float,
    shots: int,
    rng: np.random.Generator,
) -> tuple[float, tuple[float, float], QueryCount, dict[str, Any]]:
    max_rounds = int(math.log(2 * math.pi / 8 / epsilon) / math.log(2)) + 1
    theta = (0.0, 0.25)  # θ/(2π), a = sin²(2π·θ)
    a_interval = (0.0, 1.0)
    k, upper = 0, True
    powers: list[int] = []
    ones_by_k: dict[int, tuple[int, int]] = {}
    oracle = verify = 0
    while a_interval[1] - a_interval[0] > 2 * epsilon:
        k, upper = _find_next_k(k, upper, theta)
        counts = device.run([SearchProgram(problem, k)], shots=shots, seed=child_seed(rng))[0]
        powers.append(k)
        oracle += k * shots
        verify += shots
        ones, total = ones_by_k.get(k, (0, 0))
        ones, total = ones + _good_counts(problem, counts), total + shots
        ones_by_k = {k: (ones, total)}  # rounds with the same k pool their shots
        a_min, a_max = _clopper_pearson(ones, total, alpha / max_rounds)
        if upper:
            t_min = math.acos(1 - 2 * a_min) / 2 / math.pi
            t_max = math.acos(1 - 2 * a_max) / 2 / math.pi
        else:
            t_min = 1 - math.acos(1 - 2 * a_max) / 2 / math.pi
            t_max = 1 - math.acos(1 - 2 * a_min) / 2 / math.pi
        scaling = 4 * k + 2
        theta = (
            (int(scaling * theta[0]) + t_min) / scaling,
            (int(scaling * theta[1]) + t_max) / scaling,
        )
        a_interval = (
            math.sin(2 * math.pi * theta[0]) ** 2,
            math.sin(2 * math.pi * theta[1]) ** 2,
        )
    estimate = (a_interval[0] + a_interval[1]) / 2
    metadata = {"powers": powers, "rounds": len(powers), "max_rounds": max_rounds, "shots": shots}
    return estimate, a_interval, QueryCount(oracle, verify), metadata


def _mlae_schedule(epsilon: float, alpha: float, shots: int) -> list[int]:
    """m_0 = 0, m_k = 2^{k−1}, grown until the Fisher half-width z/√(4·shots·Σ(2m+1)²) ≤ ε."""
    z = float(stats.norm.ppf(1 - alpha / 2))
    schedule = [0]
    information = float(shots)  # Σ (2m+1)² · shots, divided by 4 below
    while z / math.sqrt(4 * information) > epsilon:
        m = 1 if len(schedule) == 1 else 2 * schedule[-1]
        schedule.append(m)
        information += shots * (2 * m + 1) ** 2
    return schedule


def _log_likelihood(
    thetas: np.ndarray, schedule: np.ndarray, hits: np.ndarray, shots: int
) -> np.ndarray:
    angles = np.outer(thetas, 2 * schedule + 1)
    tiny = 1e-300
    good = np.log(np.maximum(np.sin(angles) ** 2, tiny))
    bad = np.log(np.maximum(np.cos(angles) ** 2, tiny))
    return good @ hits + bad @ (shots - hits)


def _mlae(
    problem: SearchProblem,
    device: Backend,
    epsilon: float,
    alpha: float,
    shots: int,
    rng: np.random.Generator,
) -> tuple[float, tuple[float, float], QueryCount, dict[str, Any]]:
    schedule = np.asarray(_mlae_schedule(epsilon, alpha, shots), dtype=np.int64)
    programs = [SearchProgram(problem, int(m)) for m in schedule]
    counts = device.run(programs, shots=shots, seed=child_seed(rng))
    hits = np.asarray([_good_counts(problem, c) for c in counts], dtype=float)
    oracle = int(schedule.sum()) * shots
    verify = len(schedule) * shots
    # global maximum on a grid finer than the fastest oscillation, then a local refinement
    grid = np.linspace(0, math.pi / 2, max(20001, 40 * (2 * int(schedule[-1]) + 1)))
    values = _log_likelihood(grid, schedule, hits, shots)
    best = float(grid[int(np.argmax(values))])
    information = 4 * shots * float(np.sum((2 * schedule + 1) ** 2))
    threshold = float(stats.chi2.ppf(1 - alpha, 1)) / 2
    width = 8 / math.sqrt(information)
    for _ in range(8):
        local = np.linspace(max(0.0, best - width), min(math.pi / 2, best + width), 4001)
        values = _log_likelihood(local, schedule, hits, shots)
        best = float(local[int(np.argmax(values))])
        inside = local[values >= values.max() - threshold]
        edge_low = inside[0] > local[0] or local[0] == 0.0
        edge_high = inside[-1] < local[-1] or local[-1] == math.pi / 2
        if edge_low and edge_high:
            break
        width *= 2
    estimate = math.sin(best) ** 2
    interval = (math.sin(float(inside[0])) ** 2, math.sin(float(inside[-1])) ** 2)
    metadata = {"schedule": schedule.tolist(), "hits": hits.astype(int).tolist(), "shots": shots}
    return estimate, interval, QueryCount(oracle, verify), metadata


def qpe_evaluation_qubits(epsilon: float) -> int:
    """Smallest m with π/2^m + π²/4^m ≤ ε (BHMT Theorem 12 with √(a(1−a)) ≤ 1/2)."""
    m = 1
    while math.pi / 2**m + math.pi**2 / 4**m > epsilon:
        m += 1
    return m


def qpe_repetitions(alpha: float) -> int:
    """Odd r with exp(−2r(8/π² − 1/2)²) ≤ α: the median of r runs fails with probability ≤ α."""
    r = math.ceil(math.log(1 / alpha) / (2 * (QPE_SUCCESS - 0.5) ** 2))
    return r if r % 2 == 1 else r + 1


def qpe_distribution(marked_mass: float, evaluation_qubits: int) -> np.ndarray:
    """Exact outcome distribution of canonical amplitude estimation (BHMT 2002, Theorem 11).

    A|0⟩ has weight 1/2 on each eigenvector of Q with eigenphase ±θ/π (sin²θ = a); the phase
    register reads y with P(y) = ½[F(y − M'θ/π) + F(y + M'θ/π)], F(x) = sin²(πx)/(M'² sin²(πx/M')).
    """
    size = 2**evaluation_qubits
    theta = math.asin(math.sqrt(min(max(marked_mass, 0.0), 1.0)))
    y = np.arange(size, dtype=float)

    def fejer(x: np.ndarray) -> np.ndarray:
        denominator = size**2 * np.sin(np.pi * x / size) ** 2
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.sin(np.pi * x) ** 2 / denominator
        return np.where(np.abs(denominator) < 1e-300, 1.0, out)

    shift = size * theta / math.pi
    probs = 0.5 * (fejer(y - shift) + fejer(y + shift))
    return probs / probs.sum()


def qpe_circuit(problem: SearchProblem, evaluation_qubits: int) -> Any:
    """The canonical amplitude-estimation circuit: A, controlled Q^{2^j}, inverse QFT, measure.

    Q = −S_s S_t: the translated diffuser is S_s up to the global phase −1, which matters once Q
    is controlled, so the Grover circuit carries global phase π. Evaluation qubits come first
    (qubit j controls Q^{2^j}); the classical register holds y.
    """
    from qiskit.circuit import QuantumCircuit
    from qiskit.circuit.library import QFTGate
    from qiskit.transpiler.passes import RemoveBarriers

    from qsearch.translate.qiskit import circuit_width, diffuser, phase_oracle, state_preparation

    n, width = problem.num_qubits, circuit_width(problem)  # width: with an oracle's work qubits
    grover = QuantumCircuit(width, name="Q")
    grover.compose(phase_oracle(problem), inplace=True)
    grover.compose(diffuser(problem), qubits=range(n), inplace=True)
    grover.global_phase += math.pi
    controlled = RemoveBarriers()(grover).to_gate().control(1)
    m = evaluation_qubits
    circuit = QuantumCircuit(m + width, m, name=f"qpe_m{m}")
    items = list(range(m, m + width))
    circuit.compose(state_preparation(problem), qubits=items[:n], inplace=True)
    circuit.h(range(m))
    for j in range(m):
        for _ in range(2**j):
            circuit.append(controlled, [j, *items])
    circuit.append(QFTGate(m).inverse(), list(range(m)))
    circuit.measure(range(m), range(m))
    return circuit


def _qpe_samples(
    problem: SearchProblem, device: Backend, m: int, shots: int, rng: np.random.Generator
) -> np.ndarray:
    if isinstance(device, IdealBackend):
        probs = qpe_distribution(problem.marked_mass, m)
        return rng.choice(probs.size, size=shots, p=probs)
    from qsearch.backends.aer import AerBackend

    if not isinstance(device, AerBackend):
        raise UnsupportedProgramError(
            "count_marked(method='qpe') needs controlled Grover powers, which run on the "
            f"'ideal' and 'aer' backends only; got {getattr(device, 'name', device)!r}. Use "
            "method='iqae' or 'mlae' on other backends."
        )
    from qsearch.translate.qiskit import circuit_width

    qubits = m + circuit_width(problem)
    needed = 16 * 2**qubits * (2 if device.method == "density_matrix" else 1) ** qubits
    if device.method != "matrix_product_state" and needed > available_memory_bytes():
        raise UnsupportedProgramError(
            f"count_marked(method='qpe') on {device.name!r} needs {qubits} qubits "
            f"({needed / 2**30:.1f} GiB); use a larger epsilon or the 'ideal' backend."
        )
    from qiskit import transpile

    circuit = transpile(
        qpe_circuit(problem, m), device.simulator, seed_transpiler=device.seed_transpiler
    )
    result = device.simulator.run(
        circuit, shots=shots, seed_simulator=int(rng.integers(0, 2**31 - 1))
    ).result()
    samples: list[int] = []
    for bitstring, count in result.get_counts(0).items():
        samples.extend([int(bitstring.replace(" ", ""), 2)] * int(count))
    return np.asarray(samples, dtype=np.int64)


def _qpe(
    problem: SearchProblem,
    device: Backend,
    epsilon: float,
    alpha: float,
    rng: np.random.Generator,
) -> tuple[float, tuple[float, float], QueryCount, dict[str, Any]]:
    m = qpe_evaluation_qubits(epsilon)
    size = 2**m
    runs = qpe_repetitions(alpha)
    samples = _qpe_samples(problem, device, m, runs, rng)
    estimates = np.sin(np.pi * samples / size) ** 2
    estimate = float(np.median(estimates))
    half = math.pi / size + math.pi**2 / size**2
    interval = (max(0.0, estimate - half), min(1.0, estimate + half))
    metadata = {"evaluation_qubits": m, "runs": runs, "outcomes": samples.tolist()}
    return estimate, interval, QueryCount(oracle=runs * (size - 1)), metadata


def _monte_carlo(
    problem: SearchProblem, epsilon: float, alpha: float, rng: np.random.Generator
) -> tuple[float, tuple[float, float], QueryCount, dict[str, Any]]:
    samples = math.ceil(math.log(2 / alpha) / (2 * epsilon**2))
    # Each draw (from the prior, or uniform) is marked with probability a independently, so the
    # number of marked draws is exactly Binomial(n, a); drawing it directly costs O(1).
    hits = int(rng.binomial(samples, problem.marked_mass))
    estimate = hits / samples
    interval = (max(0.0, estimate - epsilon), min(1.0, estimate + epsilon))
    return estimate, interval, QueryCount(verify=samples), {"samples": samples, "hits": hits}


def count_marked(
    problem: SearchProblem,
    *,
    method: str = "iqae",
    epsilon: float,
    alpha: float = 0.05,
    backend: str | Backend = "ideal",
    seed: SeedLike = None,
    shots: int | None = None,
) -> CountResult:
    """Estimate a = M/N (and M) with a confidence interval; see the module docstring.

    Args:
        problem: the search problem whose marked fraction is estimated.
        method: ``"iqae"`` (default), ``"mlae"``, ``"qpe"`` or ``"monte-carlo"``.
        epsilon: target half-width of the interval on a, in (0, 1).
        alpha: the interval misses a with probability at most alpha, in (0, 1).
        backend: a registered name or a Backend instance (ignored by Monte-Carlo).
        seed: seeds every random draw.
        shots: shots per program for IQAE / MLAE (default 100).

    Returns:
        CountResult; ``queries.oracle`` counts Grover iterates (IQAE, MLAE) or controlled-Q
        applications (QPE); ``queries.verify`` the classical checks of measured items.

    Raises:
        ProblemError: unknown method, or epsilon / alpha outside (0, 1).
        UnsupportedProgramError: QPE on a backend other than ideal / aer, or too many qubits.

    Example:
        >>> result = count_marked(SearchProblem(2**30, range(1000)), epsilon=1e-6, seed=1)
        >>> result.covers(1000 / 2**30)
        True
    """
    if not isinstance(problem, SearchProblem):
        raise ProblemError(
            "The 'problem' argument of count_marked must be a SearchProblem; got "
            f"{type(problem).__name__}."
        )
    if method not in METHODS:
        raise ProblemError(
            f"The 'method' argument of count_marked must be one of {list(METHODS)}; got {method!r}."
        )
    epsilon = check_probability(epsilon, "epsilon", "count_marked")
    alpha = check_probability(alpha, "alpha", "count_marked")
    shots = DEFAULT_SHOTS if shots is None else check_int(shots, "shots", "count_marked", minimum=1)
    rng = make_rng(seed, "count_marked")
    started = time.perf_counter()
    if method == "monte-carlo":
        name = "classical"
        estimate, interval, queries, metadata = _monte_carlo(problem, epsilon, alpha, rng)
    else:
        device = get_backend(backend)
        name = getattr(device, "name", type(device).__name__)
        if method == "iqae":
            estimate, interval, queries, metadata = _iqae(
                problem, device, epsilon, alpha, shots, rng
            )
        elif method == "mlae":
            estimate, interval, queries, metadata = _mlae(
                problem, device, epsilon, alpha, shots, rng
            )
        else:
            estimate, interval, queries, metadata = _qpe(problem, device, epsilon, alpha, rng)
    metadata["wall_time_s"] = time.perf_counter() - started
    return CountResult(
        method=method,
        backend=name,
        estimate=float(estimate),
        confidence_interval=interval,
        num_items=problem.num_items,
        queries=queries + QueryCount(build=problem.build_cost),
        epsilon=epsilon,
        alpha=alpha,
        seed=seed if isinstance(seed, int) else None,
        metadata=metadata,
    )
