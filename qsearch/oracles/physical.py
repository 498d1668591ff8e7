"""Physical resource estimates: logical counts → the Microsoft Resource Estimator (``qdk``).

``qdk.estimator.LogicalCounts(...).estimate(params)`` (Beverland et al. 2022,
arXiv:2211.07629, "Assessing requirements to scale to practical quantum advantage") lays the
logical computation out with PSSPC, picks the code distance that meets the error budget,
and sizes the T factories; it runs offline in milliseconds. Our counts map onto its inputs as
ANDs → ``ccixCount``, AND-uncomputes → ``measurementCount``, generic Toffolis → ``cczCount``,
rotations → ``rotationCount``. Needs the ``[ft]`` extra (``pip install 'qsearch[ft]'``).

The estimator counts in unsigned 64-bit integers. A search whose totals would overflow is
estimated as one Grover iteration with ``logicalDepthFactor`` = the number of iterations: the
same code distance and run time as the whole search (checked in tests), but T factories sized
for one iteration's T-state rate — the result says so in ``method``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from qsearch.exceptions import BackendUnavailableError, ProblemError, UnsupportedProgramError
from qsearch.oracles.counts import (
    LogicalCounts,
    diffusion_counts,
    grover_iterations,
    marked_set_counts,
    search_counts,
)

#: Qubit models of the estimator (gate-based: ns / µs gate times, 1e-3 / 1e-4 error rates;
#: Majorana: measurement-based).
QUBIT_MODELS = (
    "qubit_gate_ns_e3",
    "qubit_gate_ns_e4",
    "qubit_gate_us_e3",
    "qubit_gate_us_e4",
    "qubit_maj_ns_e4",
    "qubit_maj_ns_e6",
)
QEC_SCHEMES = ("surface_code", "floquet_code")
#: Largest count handed to the estimator (it parses u64 and multiplies internally).
_MAX_COUNT = 2**52
_INSTALL = "pip install 'qsearch[ft]'"


@dataclass(frozen=True)
class PhysicalEstimate:
    """What the estimator says a logical computation needs on a given machine.

    Attributes:
        qubit_model, qec_scheme, error_budget: the assumptions.
        logical_counts: the counts estimated (a whole search, or one iteration; see method).
        repetitions: logicalDepthFactor used (1 unless method == "depth-factor").
        physical_qubits: total, T factories included.
        code_distance: of the algorithm's logical qubits.
        runtime_seconds: wall-clock time of the whole computation.
        t_factories: T factories running in parallel; t_factory_qubits: their physical qubits.
        logical_cycle_seconds: one logical cycle at that distance.
        logical_depth: logical cycles of the whole computation.
        method: ``"total"`` (the counts as given) or ``"depth-factor"`` (see module doc).
        raw: the estimator's full result (not compared).
    """

    qubit_model: str
    qec_scheme: str
    error_budget: float
    logical_counts: LogicalCounts
    repetitions: int
    physical_qubits: int
    code_distance: int
    runtime_seconds: float
    t_factories: int
    t_factory_qubits: int
    logical_cycle_seconds: float
    logical_depth: float
    method: str
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def summary(self) -> str:
        return (
            f"{self.qubit_model} + {self.qec_scheme}, error budget {self.error_budget:g}: "
            f"{self.physical_qubits:,} physical qubits, code distance {self.code_distance}, "
            f"runtime {self.runtime_seconds:.3g} s, {self.t_factories} T factories "
            f"({self.t_factory_qubits:,} qubits), logical cycle "
            f"{self.logical_cycle_seconds * 1e6:.3g} µs [{self.method}]"
        )


def check_model(qubit_model: Any, qec_scheme: Any, owner: str) -> tuple[str, str]:
    """Validate the qubit model and QEC scheme; default scheme: floquet for Majorana models."""
    if qubit_model not in QUBIT_MODELS:
        raise ProblemError(
            f"The 'qubit_model' argument of {owner} must be one of {list(QUBIT_MODELS)}; "
            f"got {qubit_model!r}."
        )
    majorana = str(qubit_model).startswith("qubit_maj")
    if qec_scheme is None:
        qec_scheme = "floquet_code" if majorana else "surface_code"
    if qec_scheme not in QEC_SCHEMES:
        raise ProblemError(
            f"The 'qec_scheme' argument of {owner} must be one of {list(QEC_SCHEMES)}; "
            f"got {qec_scheme!r}."
        )
    if qec_scheme == "floquet_code" and not majorana:
        raise ProblemError(
            f"The 'qec_scheme' argument of {owner} may be 'floquet_code' only with a Majorana "
            f"qubit model (qubit_maj_*); got qubit_model={qubit_model!r}."
        )
    return str(qubit_model), str(qec_scheme)


def _check_budget(error_budget: Any, owner: str) -> float:
    try:
        value = float(error_budget)
    except (TypeError, ValueError):
        value = float("nan")
    if not 0.0 < value < 1.0:
        raise ProblemError(
            f"The 'error_budget' argument of {owner} must be a number in (0, 1); "
            f"got {error_budget!r}."
        )
    return value


def _estimator() -> Any:
    try:
        from qdk.estimator import LogicalCounts as QdkCounts
    except ImportError:
        raise BackendUnavailableError(
            "estimate_physical needs the Microsoft Resource Estimator from the 'qdk' package; "
            f"install it with: {_INSTALL}"
        ) from None
    return QdkCounts


def run_estimator(
    counts: LogicalCounts,
    *,
    qubit_model: str,
    qec_scheme: str,
    error_budget: float,
    repetitions: int = 1,
) -> PhysicalEstimate:
    """One estimator call on ``counts`` repeated ``repetitions`` times (logicalDepthFactor)."""
    qdk_counts = _estimator()(
        {
            "numQubits": counts.qubits,
            "tCount": 0,
            "rotationCount": counts.rotations,
            "rotationDepth": counts.rotations,
            "cczCount": counts.generic,
            "ccixCount": counts.and_compute,
            "measurementCount": counts.and_uncompute,
        }
    )
    params: dict[str, Any] = {
        "qubitParams": {"name": qubit_model},
        "qecScheme": {"name": qec_scheme},
        "errorBudget": error_budget,
    }
    if repetitions > 1:
        params["constraints"] = {"logicalDepthFactor": repetitions}
    if counts.toffoli == 0 and counts.rotations == 0:
        raise UnsupportedProgramError(
            "estimate_physical needs at least one Toffoli, AND or rotation to estimate; got "
            f"counts without any ({counts})."
        )
    try:
        raw = dict(qdk_counts.estimate(params))
    except Exception as exc:  # the estimator raises its own error types
        raise UnsupportedProgramError(f"The resource estimator refused the counts: {exc}") from None
    physical = raw["physicalCounts"]
    breakdown = physical["breakdown"]
    cycle_ns = float(raw["logicalQubit"]["logicalCycleTime"])
    depth = float(breakdown["algorithmicLogicalDepth"]) * repetitions
    runtime_ns = float(physical["runtime"])
    if (
        not math.isclose(runtime_ns, depth * cycle_ns, rel_tol=0.05)
        and runtime_ns < depth * cycle_ns
    ):
        raise UnsupportedProgramError(
            "The resource estimator's run time overflowed its 64-bit range "
            f"({runtime_ns:.3g} ns < depth × cycle = {depth * cycle_ns:.3g} ns)."
        )
    return PhysicalEstimate(
        qubit_model=qubit_model,
        qec_scheme=qec_scheme,
        error_budget=error_budget,
        logical_counts=counts,
        repetitions=repetitions,
        physical_qubits=int(physical["physicalQubits"]),
        code_distance=int(raw["logicalQubit"]["codeDistance"]),
        runtime_seconds=max(runtime_ns, depth * cycle_ns) * 1e-9,
        t_factories=int(breakdown["numTfactories"]),
        t_factory_qubits=int(breakdown["physicalQubitsForTfactories"]),
        logical_cycle_seconds=cycle_ns * 1e-9,
        logical_depth=depth,
        method="total" if repetitions == 1 else "depth-factor",
        raw=raw,
    )


def estimate_physical(
    source: Any,
    *,
    iterations: int | None = None,
    qubit_model: str = "qubit_gate_ns_e3",
    qec_scheme: str | None = None,
    error_budget: float = 1e-3,
) -> PhysicalEstimate:
    """Physical qubits, code distance, run time and T factories of a search (or of counts).

    Args:
        source: a :class:`LogicalCounts` (estimated as given); or a coherent oracle such as
            :class:`~qsearch.oracles.HammingOracle`, or a SearchProblem (its coherent oracle,
            else the marked-set oracle): then the whole Grover search, state preparation plus
            ``iterations`` × (oracle + diffusion). Verifying the measured item is classical.
        iterations: Grover iterations (default ⌊π/(4θ)⌋ for the source's marked count, at
            least one marked item assumed).
        qubit_model: one of :data:`QUBIT_MODELS`.
        qec_scheme: ``"surface_code"`` or ``"floquet_code"`` (Majorana only); default floquet
            for Majorana models, surface code otherwise.
        error_budget: total failure probability allowed, in (0, 1).

    Raises:
        BackendUnavailableError: without the ``[ft]`` extra (names the pip command).
        ProblemError: for an unknown model or scheme, or a bad budget.

    Example:
        >>> from qsearch.oracles import HammingOracle
        >>> oracle = HammingOracle([[0, 1], [1, 1], [0, 0], [1, 0]], [0, 0], 0)
        >>> estimate_physical(oracle).code_distance > 0  # doctest: +SKIP
        True
    """
    owner = "estimate_physical"
    qubit_model, qec_scheme = check_model(qubit_model, qec_scheme, owner)
    budget = _check_budget(error_budget, owner)
    _estimator()
    if isinstance(source, LogicalCounts):
        return run_estimator(
            source, qubit_model=qubit_model, qec_scheme=qec_scheme, error_budget=budget
        )
    num_items, per_call = _per_call(source, owner)
    marked = max(1, len(source.marked))
    k = grover_iterations(num_items, marked) if iterations is None else iterations
    whole = search_counts(per_call, num_items, k)
    if max(whole.and_compute, whole.and_uncompute, whole.generic, whole.rotations) < _MAX_COUNT:
        return run_estimator(
            whole, qubit_model=qubit_model, qec_scheme=qec_scheme, error_budget=budget
        )
    one = per_call + diffusion_counts(num_items)
    return run_estimator(
        one, qubit_model=qubit_model, qec_scheme=qec_scheme, error_budget=budget, repetitions=k
    )


def _per_call(source: Any, owner: str) -> tuple[int, LogicalCounts]:
    oracle = getattr(source, "oracle", None) if not hasattr(source, "logical_counts") else source
    if oracle is not None and hasattr(oracle, "logical_counts"):
        return int(oracle.num_items), oracle.logical_counts()
    if hasattr(source, "num_items") and hasattr(source, "marked"):
        return int(source.num_items), marked_set_counts(source.num_items, source.marked)
    raise ProblemError(
        f"The 'source' argument of {owner} must be LogicalCounts, a coherent oracle or a "
        f"SearchProblem; got {type(source).__name__}."
    )
