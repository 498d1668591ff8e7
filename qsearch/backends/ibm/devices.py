"""IBM device snapshots (``qiskit_ibm_runtime.fake_provider``) as noise sources and targets.

A *fake device* is a recorded calibration of a real IBM Quantum processor: coupling map, basis
gates, gate and readout error rates, T1/T2. qsearch uses them in three places: the ``aer``
backend's ``noise="fake_torino"``, the ``ibm`` backend's local testing mode
(``device="fake_torino"``), and :func:`qsearch.backends.resources.resources`.

Building a device's full noise model (``NoiseModel.from_backend``) costs seconds for a 133-qubit
device, and handing the full model to Aer costs seconds *per run*. So the full model is built
once per device and process (cached), and each run gets the model *restricted to the physical
qubits its circuits touch* (cached per qubit set). The restriction is exact: the device noise
model has no crosstalk terms, so errors on qubits a circuit never uses cannot change its
outcome distribution.

Names are the runtime's own ``backend_name`` (``"fake_torino"``, ``"fake_brisbane"``, ...);
an unknown name raises :class:`~qsearch.exceptions.ProblemError` listing the close matches.
"""

from __future__ import annotations

import difflib
import functools
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from qsearch.exceptions import BackendUnavailableError, ProblemError

#: Every fake device name starts with this prefix.
FAKE_PREFIX = "fake_"

_LOCK = threading.RLock()


def _fake_provider() -> Any:
    try:
        from qiskit_ibm_runtime import fake_provider
    except ImportError as exc:
        raise BackendUnavailableError(
            "IBM device snapshots need qiskit-ibm-runtime, which is not installed. "
            "Install it with: pip install 'qsearch[ibm]'."
        ) from exc
    return fake_provider


@functools.cache
def _device_classes() -> dict[str, type]:
    provider = _fake_provider()
    from qiskit_ibm_runtime.fake_provider.fake_backend import FakeBackendV2

    classes: dict[str, type] = {}
    for attribute in dir(provider):
        value = getattr(provider, attribute)
        name = getattr(value, "backend_name", None)
        if (
            isinstance(value, type)
            and issubclass(value, FakeBackendV2)
            and value is not FakeBackendV2
            and isinstance(name, str)
        ):
            classes[name] = value
    return classes


def fake_device_names() -> tuple[str, ...]:
    """The names of every fake device the installed qiskit-ibm-runtime ships, sorted."""
    return tuple(sorted(_device_classes()))


def is_fake_device(name: object) -> bool:
    """True when ``name`` names a fake (offline snapshot) device rather than a real one."""
    return isinstance(name, str) and name.startswith(FAKE_PREFIX)


def unknown_device_error(name: str, known: Sequence[str], owner: str) -> ProblemError:
    """The ProblemError for an unknown device: close matches first, then how to list all."""
    matches = difflib.get_close_matches(name, list(known), n=5, cutoff=0.5)
    hint = f" Close matches: {matches}." if matches else ""
    return ProblemError(
        f"The 'device' argument of {owner} must name a known device; got {name!r}.{hint} "
        f"{len(known)} devices are known (qsearch.backends.ibm.devices.fake_device_names() lists "
        "the offline ones)."
    )


def fake_device(name: str, owner: str = "fake_device") -> Any:
    """The fake device ``name`` (cached: one instance per name and process).

    Raises:
        ProblemError: ``name`` is not a fake device; the message lists close matches.
        BackendUnavailableError: qiskit-ibm-runtime is not installed.
    """
    if not isinstance(name, str):
        raise ProblemError(
            f"The 'device' argument of {owner} must be a device name such as 'fake_torino'; "
            f"got {name!r} ({type(name).__name__})."
        )
    classes = _device_classes()
    if name not in classes:
        raise unknown_device_error(name, sorted(classes), owner)
    return _device_instance(name)


@functools.cache
def _device_instance(name: str) -> Any:
    return _device_classes()[name]()


def device_noise_model(name: str) -> Any:
    """The full ``qiskit_aer.noise.NoiseModel`` of fake device ``name`` (cached per process)."""
    device = fake_device(name, "device_noise_model")
    with _LOCK:
        return _full_noise_model(device.name)


@functools.cache
def _full_noise_model(name: str) -> Any:
    from qiskit_aer.noise import NoiseModel

    return NoiseModel.from_backend(_device_instance(name))


def restricted_noise_model(name: str, qubits: Iterable[int]) -> Any:
    """The device noise model keeping only errors that act within ``qubits`` (cached).

    Physical qubit indices are kept, so the model applies unchanged to circuits transpiled for
    the device. Exact for circuits that only touch ``qubits`` (the model has no crosstalk).
    """
    return _restricted(name, frozenset(int(q) for q in qubits))


@functools.lru_cache(maxsize=64)
def _restricted(name: str, qubits: frozenset[int]) -> Any:
    from qiskit_aer.noise import NoiseModel

    full = device_noise_model(name)
    local_errors = getattr(full, "_local_quantum_errors", None)
    local_readout = getattr(full, "_local_readout_errors", None)
    if local_errors is None or local_readout is None:  # pragma: no cover - Aer internals moved
        return full
    model = NoiseModel(basis_gates=full.basis_gates)
    for instruction, per_qubits in local_errors.items():
        for error_qubits, error in per_qubits.items():
            if set(error_qubits) <= qubits:
                model.add_quantum_error(error, instruction, error_qubits, warnings=False)
    for error_qubits, error in local_readout.items():
        if set(error_qubits) <= qubits:
            model.add_readout_error(error, error_qubits, warnings=False)
    return model


def active_qubits(circuits: Iterable[Any]) -> tuple[int, ...]:
    """Sorted physical qubit indices that any instruction of ``circuits`` acts on."""
    active: set[int] = set()
    for circuit in circuits:
        for instruction in circuit.data:
            for qubit in instruction.qubits:
                active.add(circuit.find_bit(qubit).index)
    return tuple(sorted(active))


def noisy_simulator(
    name: str, qubits: Iterable[int], *, threads: int | None = 1, method: str = "automatic"
) -> Any:
    """An ``AerSimulator`` with device ``name``'s target and its noise restricted to ``qubits``.

    Cached per (device, qubit set, threads, method). Circuits must be transpiled for the device
    (ISA) and touch only ``qubits``; :func:`active_qubits` gives that set.
    """
    return _simulator(name, frozenset(int(q) for q in qubits), threads, method)


@functools.lru_cache(maxsize=64)
def _simulator(name: str, qubits: frozenset[int], threads: int | None, method: str) -> Any:
    from qiskit_aer import AerSimulator

    options: dict[str, Any] = {
        "noise_model": restricted_noise_model(name, qubits),
        "method": method,
    }
    if threads is not None:
        options["max_parallel_threads"] = threads
    return AerSimulator.from_backend(fake_device(name, "noisy_simulator"), **options)


def readout_and_gate_errors(device: Any, circuit: Any) -> tuple[float, int, int]:
    """Π(1 − ε) over the gates and measurements of an ISA ``circuit`` on ``device``.

    Error rates are the device target's reported ``InstructionProperties.error`` (None counts
    as 0: e.g. virtual ``rz`` gates). Returns (fidelity product, instructions with an error rate,
    instructions without one).
    """
    target = device.target
    fidelity = 1.0
    rated = unrated = 0
    for instruction in circuit.data:
        operation = instruction.operation
        if operation.name in ("barrier", "delay"):
            continue
        qargs = tuple(circuit.find_bit(q).index for q in instruction.qubits)
        error = None
        if operation.name in target.operation_names:
            properties = target[operation.name].get(qargs)
            error = None if properties is None else properties.error
        if error is None:
            unrated += 1
            continue
        rated += 1
        fidelity *= max(0.0, 1.0 - float(error))
    return fidelity, rated, unrated


def schedule_duration(device: Any, circuit: Any) -> float:
    """As-soon-as-possible duration in seconds of an ISA ``circuit`` from the target's timings."""
    target = device.target
    clock: dict[int, float] = {}
    for instruction in circuit.data:
        operation = instruction.operation
        qargs = tuple(circuit.find_bit(q).index for q in instruction.qubits)
        if not qargs:
            continue
        start = max(clock.get(q, 0.0) for q in qargs)
        duration = 0.0
        if operation.name == "delay":
            duration = float(getattr(operation, "duration", 0.0) or 0.0) * (target.dt or 0.0)
        elif operation.name in target.operation_names:
            properties = target[operation.name].get(qargs)
            if properties is not None and properties.duration is not None:
                duration = float(properties.duration)
        for q in qargs:
            clock[q] = start + duration
    return max(clock.values(), default=0.0)
