"""Resource estimates without running, and the iteration count that is best under noise.

:func:`resources` transpiles a program for an IBM device snapshot and reports logical and
transpiled depth, two-qubit gates, qubits, an estimated duration and an estimated success
probability from the device's reported error rates.

Estimated success (global white-noise approximation): with circuit fidelity
F = Π_gates (1 − ε_g) · Π_measurements (1 − ε_ro), the outcome is the ideal distribution with
probability F and uniform over the 2^n register states otherwise, so
P_success ≈ F · sin²((2k+1)θ) + (1 − F) · M / 2^n. It is a first-order screening number (no
coherent errors, no crosstalk, no idle decoherence), not a prediction to the percent; the noisy
simulation (``get_backend("aer", noise=...)``) is the better estimate on small n.

Lowering (decompositions of the multi-controlled phases, ISA transpilation, the shallowest
candidate for ``decomposition="auto"``) lives in :mod:`qsearch.translate.lowering`; the report
says which decomposition was kept.

:func:`screen_size` refuses, before anything is built, programs a device cannot run
meaningfully (too many qubits; a success estimate indistinguishable from noise even with a
lower bound on the gate count; more two-qubit gates than a stated budget).

:func:`noisy_optimum` runs k = 0..k_max on a (noisy) backend and returns the k with the highest
measured success next to the ideal optimum ⌊π/4·√(N/M)⌉ (Boyer, Brassard, Høyer, Tapp 1998,
arXiv:quant-ph/9605034); under noise the best k is at or below the ideal one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qsearch._validation import SeedLike, check_int, make_rng, seed_record
from qsearch.backends.base import Backend, get_backend
from qsearch.backends.ibm.devices import (
    active_qubits,
    fake_device,
    readout_and_gate_errors,
    schedule_duration,
)
from qsearch.backends.ideal import marked_probability
from qsearch.exceptions import ProblemError, UnsupportedProgramError
from qsearch.problem import SearchProblem, SearchProgram
from qsearch.schedules import optimal_iterations
from qsearch.translate.lowering import (
    TWO_QUBIT_GATES,
    ancillas_for,
    check_decomposition,
    check_optimization_level,
    decomposed_circuit,
    fitting_decompositions,
    logical_circuit,
    lower,
    two_qubit_count,
)


def _check_program(program: Any, owner: str) -> SearchProgram:
    if not isinstance(program, SearchProgram):
        raise ProblemError(
            f"The 'program' argument of {owner} must be a SearchProgram; "
            f"got {type(program).__name__}."
        )
    return program


def resources(
    program: SearchProgram,
    device: str | Any | None = None,
    *,
    decomposition: str = "auto",
    optimization_level: int = 2,
    seed_transpiler: int = 1234,
) -> dict[str, Any]:
    """Logical and transpiled resource counts of ``program``, without running it.

    Args:
        program: the program to cost.
        device: a fake device name (``"fake_torino"``), a ``BackendV2`` (e.g. a real device from
            ``QiskitRuntimeService.backend``), or None for logical counts only.
        decomposition: one of :data:`DECOMPOSITIONS`, or ``"auto"`` (the shallowest after
            transpilation; with more than n − 2 spare qubits on the device).
        optimization_level: preset pass-manager level (0-3).
        seed_transpiler: transpiler seed (the counts are reproducible for a given seed).

    Returns:
        A JSON-friendly dict: ``logical_qubits``, ``logical_depth``, ``logical_two_qubit_gates``
        (CX + single-qubit basis), ``decomposition``, ``ancillas``, ``decomposition_depths``,
        ``ideal_success``; with a device also ``device``, ``device_qubits``, ``qubits`` (physical
        qubits touched), ``depth``, ``two_qubit_gates``, ``two_qubit_gate``, ``duration_s``,
        ``circuit_fidelity``, ``estimated_success``, ``optimization_level``,
        ``seed_transpiler``.

    Raises:
        ProblemError: bad arguments; unknown device (with close matches).
        UnsupportedProgramError: the program needs more qubits than the device has.
    """
    program = _check_program(program, "resources")
    level = check_optimization_level(optimization_level, "resources")
    seed = check_int(seed_transpiler, "seed_transpiler", "resources", minimum=0)
    check_decomposition(decomposition, "resources")
    backend = fake_device(device, "resources") if isinstance(device, str) else device
    n = program.problem.num_qubits
    if backend is not None and n > backend.num_qubits:
        raise UnsupportedProgramError(
            f"The program needs {n} qubits but device {backend.name!r} has {backend.num_qubits}."
        )
    if backend is not None and not fitting_decompositions(decomposition, n, backend.num_qubits):
        decomposition = "mcphase"  # the requested ancillas do not fit: cost the plain circuit
    lowering = lower(
        program,
        backend,
        decomposition=decomposition,
        optimization_level=level,
        seed_transpiler=seed,
    )
    chosen = lowering.decomposition
    logical = logical_circuit(decomposed_circuit(program, chosen), seed_transpiler=seed)
    problem = program.problem
    ideal = float(marked_probability(program))
    report: dict[str, Any] = {
        "num_items": problem.num_items,
        "num_marked": problem.num_marked,
        "iterations": program.iterations,
        "logical_qubits": int(logical.num_qubits),
        "logical_depth": int(logical.depth()),
        "logical_two_qubit_gates": two_qubit_count(logical),
        "decomposition": chosen,
        "ancillas": ancillas_for(chosen, n),
        "decomposition_depths": lowering.depths,
        "ideal_success": ideal,
    }
    if backend is None:
        return report
    isa = lowering.circuit
    fidelity, rated, unrated = readout_and_gate_errors(backend, isa)
    two_qubit_names = sorted(name for name in isa.count_ops() if name in TWO_QUBIT_GATES)
    uniform_marked = problem.num_marked / 2**n
    report.update(
        device=backend.name,
        device_qubits=int(backend.num_qubits),
        qubits=len(active_qubits([isa])),
        depth=int(isa.depth()),
        two_qubit_gates=two_qubit_count(isa),
        two_qubit_gate=",".join(two_qubit_names),
        duration_s=schedule_duration(backend, isa),
        circuit_fidelity=fidelity,
        rated_instructions=rated,
        unrated_instructions=unrated,
        estimated_success=fidelity * ideal + (1.0 - fidelity) * uniform_marked,
        optimization_level=level,
        seed_transpiler=seed,
    )
    return report


#: Default budget of two-qubit gates for :func:`screen_size` (its lower bound, per circuit).
DEFAULT_MAX_TWO_QUBIT_GATES = 20_000
#: Standard errors by which the estimated success must exceed the uniform baseline M/2ⁿ.
DISTINGUISHABLE_SIGMAS = 5.0


def median_error(device: Any, names: Sequence[str]) -> tuple[str, float]:
    """(gate name, median reported error) of the first of ``names`` the device's target has."""
    target = device.target
    for name in names:
        if name in target.operation_names:
            errors = [float(p.error) for p in target[name].values() if p is not None and p.error]
            return name, float(np.median(errors)) if errors else 0.0
    return "", 0.0


def screen_size(
    programs: Sequence[SearchProgram],
    device: Any,
    *,
    shots: int,
    max_two_qubit_gates: int | None = DEFAULT_MAX_TWO_QUBIT_GATES,
    allow_noise_dominated: bool = False,
) -> dict[str, Any]:
    """Refuse programs ``device`` cannot run meaningfully, without building a circuit.

    Every multi-controlled phase on n qubits needs at least n − 1 two-qubit gates (it entangles
    n qubits), and an iterate has M + 1 of them (oracle and diffuser), so a program with k
    iterates has at least L = k·(M + 1)·(n − 1) two-qubit gates (the transpiled count is several
    times higher: 121 against L = 18 at N = 16, k = 3 on fake_torino). With the device's median
    two-qubit error ε₂ and readout error ε_ro, F ≤ (1 − ε₂)^L·(1 − ε_ro)^n, and the white-noise
    estimate of :func:`resources` bounds the success by F·p + (1 − F)·M/2ⁿ. A program is refused
    when even that bound exceeds the uniform baseline M/2ⁿ by less than
    :data:`DISTINGUISHABLE_SIGMAS` standard errors of ``shots`` shots while the ideal success
    would exceed it by more (k = 0 runs are references, never refused), when it needs more qubits
    than the device has, or when L exceeds ``max_two_qubit_gates``.

    Args:
        programs: the programs to submit.
        device: a ``BackendV2`` (its target's error rates) or a fake device name.
        shots: shots per program.
        max_two_qubit_gates: budget for L per program (None: no budget).
        allow_noise_dominated: skip the distinguishability check.

    Returns:
        Per-program screening numbers (``two_qubit_lower_bound``, ``fidelity_upper_bound``,
        ``success_upper_bound``, ``baseline``) under ``"programs"``, and the median errors.

    Raises:
        UnsupportedProgramError: naming the numbers and the override.
    """
    backend = fake_device(device, "screen_size") if isinstance(device, str) else device
    shots = check_int(shots, "shots", "screen_size", minimum=1)
    gate, e2 = median_error(backend, TWO_QUBIT_GATES)
    _, e_ro = median_error(backend, ("measure",))
    rows = []
    for program in programs:
        problem = program.problem
        n, m, k = problem.num_qubits, problem.num_marked, program.iterations
        if n > backend.num_qubits:
            raise UnsupportedProgramError(
                f"The program needs {n} qubits (N = {problem.num_items}) but device "
                f"{backend.name!r} has {backend.num_qubits}; no override can fix that."
            )
        lower_bound = k * (m + 1) * max(n - 1, 0)
        log_f = lower_bound * math.log1p(-min(e2, 0.999999)) + n * math.log1p(-min(e_ro, 0.999999))
        fidelity = math.exp(log_f)
        baseline = m / 2**n
        ideal = float(marked_probability(program))
        bound = fidelity * ideal + (1.0 - fidelity) * baseline
        sigma = math.sqrt(baseline * (1.0 - baseline) / shots)
        rows.append(
            {
                "iterations": k,
                "two_qubit_lower_bound": lower_bound,
                "fidelity_upper_bound": fidelity,
                "success_upper_bound": bound,
                "baseline": baseline,
            }
        )
        noise_dominated = bound - baseline < DISTINGUISHABLE_SIGMAS * sigma
        signal = ideal - baseline >= DISTINGUISHABLE_SIGMAS * sigma
        if noise_dominated and signal and not allow_noise_dominated:
            raise UnsupportedProgramError(
                f"On {backend.name!r} the program (N = {problem.num_items}, M = {m}, k = {k}) "
                f"would give a success indistinguishable from noise: at least {lower_bound:,} "
                f"two-qubit gates at median {gate} error {e2:.2e} and readout error "
                f"{e_ro:.2e} bound the circuit fidelity by {fidelity:.2e}, so P(marked) <= "
                f"{bound:.4g} against {baseline:.4g} from random guessing, less than "
                f"{DISTINGUISHABLE_SIGMAS:g} standard errors ({sigma:.2e}) apart at {shots} "
                "shots. Use fewer iterations or items; --allow-noise-dominated "
                "(allow_noise_dominated=True) submits anyway."
            )
        if max_two_qubit_gates is not None and lower_bound > max_two_qubit_gates:
            raise UnsupportedProgramError(
                f"The program (N = {problem.num_items}, M = {m}, k = {k}) needs at least "
                f"{lower_bound:,} two-qubit gates, over the budget of {max_two_qubit_gates:,} "
                "(building and transpiling it would take minutes to hours and gigabytes). "
                "Raise the budget with --max-two-qubit-gates (max_two_qubit_gates=) if you mean it."
            )
    return {
        "device": backend.name,
        "two_qubit_gate": gate,
        "median_two_qubit_error": e2,
        "median_readout_error": e_ro,
        "programs": rows,
    }


@dataclass(frozen=True)
class NoisyOptimum:
    """Measured success per iteration count on one backend, and the best k.

    Attributes:
        backend: backend name.
        ideal_iterations: the noiseless optimum (``optimal_iterations``).
        ideal_success: its closed-form success probability.
        iterations: the k with the highest measured success (smallest k on a tie).
        success: measured success at ``iterations``.
        success_by_iterations: k → measured success (marked counts / shots).
        ideal_by_iterations: k → closed-form success.
        shots: shots per k.
        seed: the int seed passed, or None.
    """

    backend: str
    ideal_iterations: int
    ideal_success: float
    iterations: int
    success: float
    success_by_iterations: Mapping[int, float]
    ideal_by_iterations: Mapping[int, float]
    shots: int
    seed: int | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "ideal_iterations": self.ideal_iterations,
            "ideal_success": self.ideal_success,
            "iterations": self.iterations,
            "success": self.success,
            "success_by_iterations": dict(self.success_by_iterations),
            "ideal_by_iterations": dict(self.ideal_by_iterations),
            "shots": self.shots,
            "seed": self.seed,
            "metadata": dict(self.metadata),
        }


def noisy_optimum(
    problem: SearchProblem,
    backend: str | Backend = "aer",
    *,
    iterations: Sequence[int] | None = None,
    shots: int = 1000,
    seed: SeedLike = None,
) -> NoisyOptimum:
    """The iteration count that maximises measured success on ``backend`` (e.g. a noisy one).

    Runs one program per k in ``iterations`` (default 0..k_ideal + 1) with ``shots`` shots each
    and counts the shots that land on a marked item. Under noise every iterate costs fidelity,
    so the best k is at or below the ideal π/4·√(N/M) and the measured success is lower.

    Args:
        problem: the search problem (M ≥ 1).
        backend: a backend or its registry name, e.g. ``get_backend("aer", noise="fake_torino")``.
        iterations: the k to try (non-negative ints); default ``range(k_ideal + 2)``.
        shots: shots per k (≥ 1).
        seed: int | Generator | None; an int makes simulator runs reproducible.

    Example:
        >>> from qsearch import SearchProblem
        >>> noisy_optimum(SearchProblem(8, [3]), "ideal", shots=2000, seed=1).iterations
        2
    """
    if not isinstance(problem, SearchProblem):
        raise ProblemError(
            "The 'problem' argument of noisy_optimum must be a SearchProblem; "
            f"got {type(problem).__name__}."
        )
    if problem.num_marked == 0:
        raise ProblemError(
            "The 'problem' argument of noisy_optimum must have at least one marked item; got M=0."
        )
    shots = check_int(shots, "shots", "noisy_optimum", minimum=1)
    device = get_backend(backend)
    ideal_k = optimal_iterations(
        problem.num_items, problem.num_marked, marked_mass=problem.marked_mass
    )
    ks = list(range(ideal_k + 2)) if iterations is None else list(iterations)
    if not ks:
        raise ProblemError("The 'iterations' argument of noisy_optimum must not be empty; got [].")
    ks = [check_int(k, "iterations", "noisy_optimum", minimum=0) for k in ks]
    if len(set(ks)) != len(ks):
        raise ProblemError(
            f"The 'iterations' argument of noisy_optimum must not repeat a k; got {ks}."
        )
    rng = make_rng(seed, "noisy_optimum")
    programs = [SearchProgram(problem, k) for k in ks]
    counts = device.run(programs, shots=shots, seed=rng)
    marked = set(problem.marked)
    measured = {
        k: sum(c for item, c in row.items() if item in marked) / shots
        for k, row in zip(ks, counts, strict=True)
    }
    ideal = {k: float(marked_probability(p)) for k, p in zip(ks, programs, strict=True)}
    best = max(ks, key=lambda k: (measured[k], -k))
    resources_by_k: dict[int, Any] = {}
    cost = getattr(device, "resources", None)
    if callable(cost):
        for k, program in zip(ks, programs, strict=True):
            report = cost(program)
            resources_by_k[k] = {
                key: report[key]
                for key in ("depth", "two_qubit_gates", "noise", "method")
                if key in report
            }
    return NoisyOptimum(
        backend=getattr(device, "name", type(device).__name__),
        ideal_iterations=ideal_k,
        ideal_success=float(marked_probability(SearchProgram(problem, ideal_k))),
        iterations=best,
        success=float(measured[best]),
        success_by_iterations=measured,
        ideal_by_iterations=ideal,
        shots=shots,
        seed=seed_record(seed),
        metadata={"resources": resources_by_k, "standard_error": _stderr(measured, shots)},
    )


def _stderr(measured: Mapping[int, float], shots: int) -> dict[int, float]:
    return {k: float(np.sqrt(max(p * (1 - p), 1e-12) / shots)) for k, p in measured.items()}
