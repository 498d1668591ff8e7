"""The execution seam: the Backend protocol and the registry behind ``get_backend``.

A backend runs :class:`~qsearch.problem.SearchProgram` objects and returns counts keyed by item
index (bit order is the backend's business, never the caller's). That one method is the whole
contract. Optional abilities are named protocols, one method each (:class:`ExactProbabilities`,
:class:`ClosedFormAmplification`, :class:`CircuitExecution`): a backend has an ability when it
implements the method, and algorithms ask :func:`supports` (or :func:`require`), never for a
concrete class, so a new backend that implements an ability gets the paths that use it. A backend
whose configuration rules an ability out sets that method to ``None`` on the instance (Python's
convention for ``__hash__ = None``), which :func:`supports` honours. Backends are registered by
name with the module that implements them (and the abilities they have, for error messages), so
importing qsearch never imports qiskit-aer, qiskit-ibm-runtime or PennyLane.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeGuard, TypeVar, runtime_checkable

import numpy as np

from qsearch._validation import SeedLike, check_int
from qsearch.exceptions import BackendUnavailableError, ProblemError, UnsupportedProgramError
from qsearch.problem import SearchProblem, SearchProgram
from qsearch.results import Counts


@runtime_checkable
class Backend(Protocol):
    """Anything with a ``name`` and ``run(programs, *, shots, seed)`` is a backend.

    ``run`` returns one counts dict per program, keyed by item index, values summing to
    ``shots``. The same int ``seed`` must give the same counts. Optional abilities are the
    protocols below. Two optional methods are looked up by name: ``resources(program) -> dict``
    (depth, two-qubit gates, qubits, estimates) and ``circuit_metadata(program) -> dict | None``
    (what actually runs on a device or noisy simulator; see :func:`circuit_metadata`).
    """

    name: str

    def run(
        self, programs: Sequence[SearchProgram], *, shots: int, seed: SeedLike = None
    ) -> list[Counts]: ...


@runtime_checkable
class ExactProbabilities(Protocol):
    """Exact outcome distributions: ``probabilities(programs)`` gives, per program, the
    probability of each of the N items (a float array of length N summing to 1)."""

    def probabilities(self, programs: Sequence[SearchProgram]) -> list[np.ndarray]: ...


@runtime_checkable
class ClosedFormAmplification(Protocol):
    """Noiseless amplitude amplification in closed form.

    The state stays in the plane of the marked and unmarked parts of A|0⟩ (Brassard, Høyer,
    Mosca, Tapp 2002, arXiv:quant-ph/0005055), so every output distribution of the backend is
    fixed by the marked probability: within each part, item i is seen with probability
    proportional to its prior. Algorithms may then use the closed forms of that plane (e.g. the
    Chebyshev success of fixed-point search, the QPE distribution of the Grover iterate's
    eigenphases) instead of running programs. ``sample_amplified(problem, marked_probability,
    *, shots, seed)`` samples ``shots`` items from that distribution.
    """

    def sample_amplified(
        self,
        problem: SearchProblem,
        marked_probability: float,
        *,
        shots: int,
        seed: SeedLike = None,
    ) -> Counts: ...


@runtime_checkable
class CircuitExecution(Protocol):
    """Execution of arbitrary measured qiskit circuits (e.g. controlled Grover powers for QPE).

    ``run_circuits(circuits, *, shots, seed)`` returns one counts dict per circuit keyed by the
    integer value of its classical register (clbit j is bit j), values summing to ``shots``;
    the same int ``seed`` gives the same counts.
    """

    def run_circuits(
        self, circuits: Sequence[Any], *, shots: int, seed: SeedLike = None
    ) -> list[Counts]: ...


AbilityT = TypeVar("AbilityT")

#: The optional abilities, in the order the conformance suite checks them.
ABILITIES: tuple[type, ...] = (ExactProbabilities, ClosedFormAmplification, CircuitExecution)


def supports(backend: object, ability: type[AbilityT]) -> TypeGuard[AbilityT]:
    """True when ``backend`` has ``ability`` (one of :data:`ABILITIES`).

    It has it when it implements the protocol's method and has not set it to ``None`` (the
    opt-out of an instance whose configuration lacks the ability; ``isinstance`` on a protocol
    alone looks only at the class).
    """
    if ability not in ABILITIES:
        raise ProblemError(
            f"The 'ability' argument of supports must be one of "
            f"{[a.__name__ for a in ABILITIES]}; got {ability!r}."
        )
    methods = [name for name in vars(ability) if not name.startswith("_")]
    return isinstance(backend, ability) and all(
        getattr(backend, name, None) is not None for name in methods
    )


#: Keys every ``circuit_metadata(program)`` report has (backends may add more).
CIRCUIT_METADATA_KEYS = ("decomposition", "depth", "two_qubit_gates", "qubits", "noise")


def circuit_metadata(backend: object, program: SearchProgram) -> dict[str, Any] | None:
    """What ``backend`` runs for ``program``, when it runs a device-specific circuit.

    The optional backend method ``circuit_metadata(program)`` returns a dict with at least
    :data:`CIRCUIT_METADATA_KEYS` (transpiled depth, two-qubit gates, qubits, the lowering
    chosen, the noise source) for devices and noisy simulators, or None when nothing
    device-specific runs (ideal, noiseless simulators). Algorithms store it in
    ``SearchResult.metadata["circuit"]`` without knowing the backend's class.
    """
    method = getattr(backend, "circuit_metadata", None)
    if not callable(method):
        return None
    report = method(program)
    return None if report is None else dict(report)


def backends_with(ability: type) -> list[str]:
    """Registered backend names that declare ``ability`` (their default configuration)."""
    return sorted(name for name, entry in _REGISTRY.items() if ability in entry.abilities)


def missing_ability(backend: object, abilities: Sequence[type], needed_for: str) -> str:
    """The message when ``backend`` has none of ``abilities``: names them and who has them."""
    names = " or ".join(a.__name__ for a in abilities)
    having = sorted({name for a in abilities for name in backends_with(a)})
    return (
        f"{needed_for} needs a backend with the {names} ability; "
        f"{getattr(backend, 'name', type(backend).__name__)!r} has none. Registered backends "
        f"with it: {', '.join(repr(name) for name in having) or 'none'}."
    )


def require(backend: object, ability: type, needed_for: str) -> None:
    """Raise UnsupportedProgramError naming ``ability`` unless ``backend`` :func:`supports` it."""
    if not supports(backend, ability):
        raise UnsupportedProgramError(missing_ability(backend, [ability], needed_for))


def backend_name(backend: object) -> str:
    """The name a result records for ``backend`` (its ``name``, else its class name)."""
    return str(getattr(backend, "name", type(backend).__name__))


@dataclass(frozen=True)
class _Entry:
    target: str  # "module:attribute"
    extra: str | None  # the pip extra that provides the dependencies
    description: str
    abilities: tuple[type, ...] = ()


_REGISTRY: dict[str, _Entry] = {}


def register_backend(
    name: str,
    target: str,
    *,
    extra: str | None = None,
    description: str = "",
    abilities: Sequence[type] = (),
) -> None:
    """Register ``name`` → ``"module:Class"`` (imported only when asked for).

    ``abilities``: the :data:`ABILITIES` the default instance has, named in the error messages
    of algorithms that need one (tests/backends/test_base.py checks them against the instances).
    """
    _REGISTRY[name] = _Entry(target, extra, description, tuple(abilities))


def available_backends() -> dict[str, str]:
    """Registered backend names and their one-line descriptions."""
    return {name: entry.description for name, entry in sorted(_REGISTRY.items())}


def get_backend(name: str | Backend, **options: Any) -> Backend:
    """Return a backend instance by registry name (or pass an instance through unchanged).

    A qiskit ``BaseSamplerV2`` instance is wrapped as ``get_backend("sampler", sampler=...)``.

    Raises:
        ProblemError: unknown name (the message lists the registered ones), or an option the
            backend does not accept (the message names it and the accepted ones).
        BackendUnavailableError: the backend's extra is not installed (the message names the
            ``pip install 'qsearch[...]'`` that fixes it).
    """
    if not isinstance(name, str):
        if _is_qiskit_sampler(name):  # qiskit BaseSamplerV2: see qsearch.backends.sampler
            return get_backend("sampler", sampler=name, **options)
        if isinstance(name, Backend):
            if options:
                raise ProblemError(
                    "get_backend got a Backend instance and options; options apply only to a "
                    f"backend given by name (got options {sorted(options)})."
                )
            return name
        raise ProblemError(
            "The 'backend' argument must be a registered backend name or a Backend instance; "
            f"got {name!r} ({type(name).__name__})."
        )
    entry = _REGISTRY.get(name)
    if entry is None:
        raise ProblemError(
            f"The 'backend' argument must be one of {sorted(_REGISTRY)}; got {name!r}."
        )
    module_name, attribute = entry.target.split(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        hint = f" Install it with: pip install 'qsearch[{entry.extra}]'." if entry.extra else ""
        raise BackendUnavailableError(
            f"The {name!r} backend needs a package that is not installed ({exc.name or exc})."
            + hint
        ) from exc
    factory = getattr(module, attribute)
    _check_options(name, factory, options)
    backend: Backend = factory(**options)
    return backend


def _check_options(name: str, factory: Any, options: dict[str, Any]) -> None:
    """Raise ProblemError naming ``name``'s unknown options and the accepted ones."""
    try:
        parameters = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):  # no introspectable signature: let the factory decide
        return
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return
    accepted = [
        p.name
        for p in parameters
        if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    ]
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise ProblemError(
            f"The {name!r} backend has no option {', '.join(map(repr, unknown))}; it accepts "
            f"{', '.join(map(repr, accepted)) or 'no options'}."
        )


def _is_qiskit_sampler(obj: object) -> bool:
    """True for a qiskit ``BaseSamplerV2`` instance (checked without importing qiskit)."""
    return any(
        cls.__name__ == "BaseSamplerV2" and cls.__module__.startswith("qiskit.primitives")
        for cls in type(obj).__mro__
    )


def check_run_arguments(
    programs: Sequence[SearchProgram], shots: int, owner: str
) -> list[SearchProgram]:
    """Validate the arguments every ``Backend.run`` receives."""
    if isinstance(programs, SearchProgram):
        programs = [programs]
    programs = list(programs)
    for program in programs:
        if not isinstance(program, SearchProgram):
            raise ProblemError(
                f"The 'programs' argument of {owner} must hold SearchProgram objects; got "
                f"{type(program).__name__}."
            )
    check_int(shots, "shots", owner, minimum=1)
    return programs


def counts_from_samples(samples: np.ndarray) -> Counts:
    """Histogram of item indices → {item: count}."""
    values, freq = np.unique(np.asarray(samples, dtype=np.int64), return_counts=True)
    return {int(v): int(c) for v, c in zip(values, freq, strict=True)}


register_backend(
    "ideal",
    "qsearch.backends.ideal:IdealBackend",
    description="exact: closed-form amplification (any N) or a NumPy state vector",
    abilities=(ExactProbabilities, ClosedFormAmplification),
)
register_backend(
    "aer",
    "qsearch.backends.aer:AerBackend",
    description="gate-level circuits on qiskit-aer (statevector, MPS, density matrix, noise)",
    abilities=(CircuitExecution,),
)
register_backend(
    "ibm",
    "qsearch.backends.ibm.backend:IBMBackend",
    extra="ibm",
    description="IBM Quantum devices via qiskit-ibm-runtime (fake_* devices run offline)",
)
register_backend(
    "pennylane",
    "qsearch.backends.pennylane:PennyLaneBackend",
    extra="pennylane",
    description="native PennyLane circuits on default.qubit, lightning.qubit or any device",
    abilities=(ExactProbabilities,),
)
register_backend(
    "sampler",
    "qsearch.backends.sampler:SamplerBackend",
    description="any qiskit BaseSamplerV2 (StatevectorSampler, Aer SamplerV2, runtime samplers)",
    abilities=(CircuitExecution,),
)
