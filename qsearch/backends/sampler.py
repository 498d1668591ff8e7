"""Any Qiskit ``BaseSamplerV2`` as a qsearch backend.

``SamplerBackend(sampler)`` (or ``get_backend(sampler)``, or ``get_backend("sampler",
sampler=...)``) runs SearchPrograms on a sampler primitive a Qiskit user already has: the
reference ``qiskit.primitives.StatevectorSampler``, ``qiskit_aer.primitives.SamplerV2``, or a
runtime sampler. Circuits come from :mod:`qsearch.translate.qiskit` (or from a ``translate``
function, e.g. :func:`qsearch.translate.amplification.oracle_translator`, which runs a user's own
oracle circuit) and are measured into one register; counts come back keyed by item index (Qiskit
bitstrings are little-endian: ``int(bitstring, 2)`` is the item).

Transpilation, chosen per sampler (or given as ``pass_manager``):

* ``StatevectorSampler`` and other reference samplers: none (they simulate any gate that has a
  definition: ``UniformSuperpositionGate``, ``StatePreparation``, multi-controlled phases).
* Aer's ``SamplerV2`` (or ``BackendSamplerV2`` on an ``AerSimulator``): Aer does not transpile
  and does not know those custom gates, so circuits are lowered to the gates Aer runs natively
  (:data:`qsearch.backends.aer.BASIS_GATES`; a generic transpilation would emit multiplexers,
  on which Aer 0.18 crashes).
* A sampler bound to a device (``sampler.backend()`` or ``sampler.mode`` with a ``target``,
  e.g. qiskit-ibm-runtime): ISA circuits from ``generate_preset_pass_manager`` on that device.

Seeds: ``BaseSamplerV2.run`` takes no seed, so ``run(..., seed=s)`` reseeds a copy of the
samplers qsearch knows how to seed (``StatevectorSampler`` gets a Generator derived from ``s``,
Aer's ``SamplerV2`` an int seed, a runtime sampler ``options.simulator.seed_simulator``, which
local testing mode on fake devices honours; their other settings are kept). Any other sampler is
used as it is; with ``seed=None`` every sampler is used as it is (its own seed, if any, applies).
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from qsearch._validation import SeedLike, check_int, child_seed, make_rng
from qsearch.backends.base import check_run_arguments
from qsearch.exceptions import BackendError, ProblemError
from qsearch.problem import SearchProgram
from qsearch.results import Counts

try:
    from qiskit import QuantumCircuit, transpile
    from qiskit.primitives import BaseSamplerV2, StatevectorSampler
except ImportError as exc:  # pragma: no cover - qiskit is a core dependency
    raise ImportError(exc.msg, name=exc.name) from exc

from qsearch.translate.qiskit import counts_by_index, to_circuit

_CACHE_SIZE = 256
Translate = Callable[[SearchProgram], QuantumCircuit]


def is_aer_sampler(sampler: Any) -> bool:
    """True for ``qiskit_aer.primitives.SamplerV2`` (checked without importing qiskit-aer)."""
    cls = type(sampler)
    return cls.__name__ == "SamplerV2" and cls.__module__.startswith("qiskit_aer")


def _device_of(sampler: Any) -> Any:
    """The device a sampler is bound to (an object with a ``target``), or None."""
    for attribute in ("backend", "mode", "_backend"):
        value = getattr(sampler, attribute, None)
        if callable(value) and not hasattr(value, "target"):
            try:
                value = value()
            except TypeError:
                continue
        if value is not None and hasattr(value, "target"):
            return value
    return None


class SamplerBackend:
    """Run SearchPrograms on a Qiskit ``BaseSamplerV2`` primitive.

    Args:
        sampler: any ``BaseSamplerV2`` instance (default: a new ``StatevectorSampler()``).
        pass_manager: transpile with this (anything with ``run(circuit)``) instead of the
            automatic choice described in the module docstring.
        seed_transpiler: seed of the automatic transpilation (Aer lowering, device ISA).
        translate: SearchProgram → measured ``QuantumCircuit`` with one classical register whose
            bit j is qubit j (default :func:`qsearch.translate.qiskit.to_circuit`).

    Raises:
        ProblemError: ``sampler`` is not a ``BaseSamplerV2``, or ``pass_manager`` has no ``run``.

    Example:
        >>> from qiskit.primitives import StatevectorSampler
        >>> from qsearch import SearchProblem, SearchProgram
        >>> backend = SamplerBackend(StatevectorSampler())
        >>> counts = backend.run([SearchProgram(SearchProblem(8, [5]), 2)], shots=100, seed=1)
        >>> max(counts[0], key=counts[0].get)
        5
    """

    def __init__(
        self,
        sampler: Any = None,
        *,
        pass_manager: Any = None,
        seed_transpiler: int = 1234,
        translate: Translate | None = None,
    ) -> None:
        if sampler is None:
            sampler = StatevectorSampler()
        if not isinstance(sampler, BaseSamplerV2):
            raise ProblemError(
                "The 'sampler' argument of SamplerBackend must be a qiskit BaseSamplerV2 "
                "(StatevectorSampler, qiskit_aer.primitives.SamplerV2, a runtime sampler); got "
                f"{type(sampler).__name__}."
            )
        if pass_manager is not None and not callable(getattr(pass_manager, "run", None)):
            raise ProblemError(
                "The 'pass_manager' argument of SamplerBackend must have a run(circuit) method; "
                f"got {type(pass_manager).__name__}."
            )
        if translate is not None and not callable(translate):
            raise ProblemError(
                "The 'translate' argument of SamplerBackend must be callable (SearchProgram -> "
                f"QuantumCircuit); got {translate!r}."
            )
        self.sampler = sampler
        self.seed_transpiler = check_int(
            seed_transpiler, "seed_transpiler", "SamplerBackend", minimum=0
        )
        self.translate: Translate = translate or to_circuit
        self.name = f"sampler-{type(sampler).__name__}"
        if is_aer_sampler(sampler):
            self.name = "sampler-aer"
        self._pass_manager = pass_manager or self._automatic_pass_manager()
        self._cache: OrderedDict[Any, QuantumCircuit] = OrderedDict()

    def __repr__(self) -> str:
        return f"SamplerBackend({type(self.sampler).__name__})"

    @property
    def reseeds(self) -> bool:
        """True when ``run(seed=...)`` makes the counts reproducible (a known simulator)."""
        sampler = self.sampler
        simulator_options = getattr(getattr(sampler, "options", None), "simulator", None)
        return (
            isinstance(sampler, StatevectorSampler)
            or is_aer_sampler(sampler)
            or hasattr(simulator_options, "seed_simulator")
        )

    def _automatic_pass_manager(self) -> Any:
        if isinstance(self.sampler, StatevectorSampler):
            return None
        if is_aer_sampler(self.sampler):
            return _AerLowering(self.sampler._backend, self.seed_transpiler)
        device = _device_of(self.sampler)
        if device is None:
            return None
        if type(device).__name__ == "AerSimulator":  # e.g. BackendSamplerV2(AerSimulator())
            return _AerLowering(device, self.seed_transpiler)
        from qiskit.transpiler import generate_preset_pass_manager

        return generate_preset_pass_manager(
            optimization_level=1, backend=device, seed_transpiler=self.seed_transpiler
        )

    def circuit(self, program: SearchProgram) -> QuantumCircuit:
        """The circuit the sampler receives for ``program`` (cached per problem and phases)."""
        key = (program.problem, program.iterations, program.phases)
        circuit = self._cache.get(key)
        if circuit is not None:
            self._cache.move_to_end(key)
            return circuit
        circuit = self.translate(program)
        if not isinstance(circuit, QuantumCircuit) or len(circuit.cregs) != 1:
            raise ProblemError(
                "The 'translate' function of SamplerBackend must return a QuantumCircuit with "
                f"one classical register; got {type(circuit).__name__}."
            )
        if self._pass_manager is not None:
            circuit = self._pass_manager.run(circuit)
        self._cache[key] = circuit
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return circuit

    def run(
        self, programs: Sequence[SearchProgram], *, shots: int, seed: SeedLike = None
    ) -> list[Counts]:
        """Sample each program ``shots`` times; counts keyed by item index."""
        programs = check_run_arguments(programs, shots, "SamplerBackend.run")
        if not programs:
            return []
        return self._sample([self.circuit(p) for p in programs], shots, seed, "run")

    def run_circuits(
        self, circuits: Sequence[QuantumCircuit], *, shots: int, seed: SeedLike = None
    ) -> list[Counts]:
        """Sample measured circuits (one classical register each), lowered like programs are;
        counts keyed by the register's integer value (the CircuitExecution ability)."""
        shots = check_int(shots, "shots", "SamplerBackend.run_circuits", minimum=1)
        lowered = [
            c if self._pass_manager is None else self._pass_manager.run(c) for c in circuits
        ]
        return self._sample(lowered, shots, seed, "run_circuits")

    def _sample(
        self, circuits: list[QuantumCircuit], shots: int, seed: SeedLike, caller: str
    ) -> list[Counts]:
        sampler = self.sampler
        if seed is not None:
            sampler = self._reseeded(child_seed(make_rng(seed, f"SamplerBackend.{caller}")))
        try:
            result = sampler.run(circuits, shots=shots).result()
        except Exception as exc:
            raise BackendError(
                f"The sampler {type(self.sampler).__name__} could not run the circuits: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        return [counts_by_index(pub_result.join_data().get_counts()) for pub_result in result]

    def _reseeded(self, seed: int) -> Any:
        """A copy of a known simulator sampler with ``seed``; other samplers unchanged."""
        sampler = self.sampler
        if isinstance(sampler, StatevectorSampler):
            return StatevectorSampler(
                default_shots=sampler.default_shots, seed=np.random.default_rng(seed)
            )
        if is_aer_sampler(sampler):
            options = {
                "backend_options": dict(sampler.options.backend_options),
                "run_options": dict(sampler.options.run_options),
            }
            return type(sampler)(
                default_shots=sampler.default_shots, seed=seed % 2**31, options=options
            )
        simulator_options = getattr(getattr(sampler, "options", None), "simulator", None)
        if hasattr(simulator_options, "seed_simulator"):  # qiskit-ibm-runtime, local mode
            clone = copy.copy(sampler)
            runtime_options: Any = copy.deepcopy(sampler.options)
            runtime_options.simulator.seed_simulator = seed % 2**31
            try:
                clone.options = runtime_options
            except AttributeError:  # SamplerV2 before 0.50: a read-only property
                clone._options = runtime_options
            return clone
        return sampler


class _AerLowering:
    """Lower circuits to the gates Aer's sampler runs natively (it does not transpile)."""

    def __init__(self, simulator: Any, seed_transpiler: int) -> None:
        from qsearch.backends.aer import _lowering_target

        self._target = _lowering_target(simulator)
        self._seed = seed_transpiler

    def run(self, circuit: QuantumCircuit) -> QuantumCircuit:
        return transpile(
            circuit, target=self._target, optimization_level=1, seed_transpiler=self._seed
        )
