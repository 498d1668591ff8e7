"""The execution seam: the Backend protocol and the registry behind ``get_backend``.

A backend runs :class:`~qsearch.problem.SearchProgram` objects and returns counts keyed by item
index (bit order is the backend's business, never the caller's). That one method is the whole
contract; ``probabilities`` and ``resources`` are optional abilities that callers look up with
``getattr``. Backends are registered by name with the module that implements them, so importing
qsearch never imports qiskit-aer, qiskit-ibm-runtime or PennyLane.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from qsearch._validation import SeedLike, check_int
from qsearch.exceptions import BackendUnavailableError, ProblemError
from qsearch.problem import SearchProgram
from qsearch.results import Counts


@runtime_checkable
class Backend(Protocol):
    """Anything with a ``name`` and ``run(programs, *, shots, seed)`` is a backend.

    ``run`` returns one counts dict per program, keyed by item index, values summing to
    ``shots``. The same int ``seed`` must give the same counts.

    Optional abilities:
        ``probabilities(programs) -> list[numpy.ndarray]``: exact outcome distributions over the
        N items (exact backends only).
        ``resources(program) -> dict``: circuit depth, two-qubit gate count, qubits.
    """

    name: str

    def run(
        self, programs: Sequence[SearchProgram], *, shots: int, seed: SeedLike = None
    ) -> list[Counts]: ...


@dataclass(frozen=True)
class _Entry:
    target: str  # "module:attribute"
    extra: str | None  # the pip extra that provides the dependencies
    description: str


_REGISTRY: dict[str, _Entry] = {}


def register_backend(
    name: str, target: str, *, extra: str | None = None, description: str = ""
) -> None:
    """Register ``name`` → ``"module:Class"`` (imported only when asked for)."""
    _REGISTRY[name] = _Entry(target, extra, description)


def available_backends() -> dict[str, str]:
    """Registered backend names and their one-line descriptions."""
    return {name: entry.description for name, entry in sorted(_REGISTRY.items())}


def get_backend(name: str | Backend, **options: Any) -> Backend:
    """Return a backend instance by registry name (or pass an instance through unchanged).

    Raises:
        ProblemError: unknown name (the message lists the registered ones).
        BackendUnavailableError: the backend's extra is not installed (the message names the
            ``pip install 'qsearch[...]'`` that fixes it).
    """
    if not isinstance(name, str):
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
    backend: Backend = getattr(module, attribute)(**options)
    return backend


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
)
register_backend(
    "aer",
    "qsearch.backends.aer:AerBackend",
    description="gate-level circuits on qiskit-aer (statevector, MPS, density matrix, noise)",
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
)
