"""Program → device lowering: multi-controlled phases, then an ISA circuit for a device.

One place for the steps every device path shares (the ``aer`` backend with device noise, the
``ibm`` backend and :func:`qsearch.backends.resources.resources`):

1. :func:`decomposed_circuit`: the program's circuit with its π multi-controlled phases lowered
   as one of :data:`DECOMPOSITIONS`;
2. :func:`transpile_for_device`: an ISA circuit for a device (a ``BackendV2`` such as a fake IBM
   device, or a ``Target``), by qiskit's preset pass manager with a recorded seed;
3. :func:`lower`: both, for every decomposition that fits the device, keeping the shallowest
   (ties: fewer two-qubit gates). With no device it lowers to :data:`LOGICAL_BASIS`.
4. :class:`DeviceLowering`: :func:`lower` for one (device, decomposition, level, seed), cached per
   program. ``IBMBackend`` (real and local mode) and ``AerBackend(noise=...)`` each hold one with
   the same defaults as :func:`qsearch.backends.resources.resources`, so what a report counts is
   the circuit that runs (same decomposition choice, same seed, same ISA circuit).

Multi-controlled gates: the oracle and the diffuser each need an (n−1)-controlled phase of π.
Qiskit synthesises ``MCPhaseGate`` without auxiliary qubits (O(n²) two-qubit gates). Writing it
as H·MCX·H lets the MCX synthesis use clean ancillas (Barenco et al. 1995,
arXiv:quant-ph/9503016, §7; Iten et al. 2016, arXiv:1501.06911), which cuts depth sharply from
n ≈ 6 on: n = 8, one iterate: depth 333 → 146 with n − 2 ancillas.

qiskit is imported inside the functions, so this module is cheap to import.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from qsearch._validation import check_int
from qsearch.exceptions import ProblemError, UnsupportedProgramError
from qsearch.problem import SearchProgram

#: Ways to lower the multi-controlled phase of π (see the module docstring).
DECOMPOSITIONS = ("mcphase", "mcx", "mcx-1-ancilla", "mcx-ancillas")
#: Basis of the device-independent ("logical") counts.
LOGICAL_BASIS = ("cx", "rz", "sx", "x")
#: Names of two-qubit entangling gates on IBM devices.
TWO_QUBIT_GATES = ("cx", "cz", "ecr", "rzz", "cp", "swap")


def check_decomposition(decomposition: Any, owner: str) -> str:
    """``decomposition`` if it is ``"auto"`` or one of :data:`DECOMPOSITIONS`, else ProblemError."""
    if decomposition != "auto" and decomposition not in DECOMPOSITIONS:
        raise ProblemError(
            f"The 'decomposition' argument of {owner} must be 'auto' or one of "
            f"{list(DECOMPOSITIONS)}; got {decomposition!r}."
        )
    return str(decomposition)


def check_optimization_level(optimization_level: Any, owner: str) -> int:
    """A preset pass-manager level: an int 0, 1, 2 or 3, else ProblemError."""
    level = check_int(optimization_level, "optimization_level", owner, minimum=0)
    if level > 3:
        raise ProblemError(
            f"The 'optimization_level' argument of {owner} must be 0, 1, 2 or 3; got {level}."
        )
    return level


def ancillas_for(decomposition: str, num_qubits: int) -> int:
    """Clean ancilla qubits ``decomposition`` appends to an ``num_qubits`` index register."""
    if decomposition == "mcx-1-ancilla":
        return 1
    if decomposition == "mcx-ancillas":
        return max(1, num_qubits - 2)
    return 0


def fitting_decompositions(decomposition: str, num_qubits: int, device_qubits: int) -> list[str]:
    """The candidates of ``decomposition`` (all for ``"auto"``) whose qubits fit the device."""
    candidates = list(DECOMPOSITIONS) if decomposition == "auto" else [decomposition]
    return [c for c in candidates if num_qubits + ancillas_for(c, num_qubits) <= device_qubits]


def two_qubit_count(circuit: Any) -> int:
    """Number of two-qubit entangling gates (:data:`TWO_QUBIT_GATES`) in ``circuit``."""
    ops = circuit.count_ops()
    return int(sum(ops.get(name, 0) for name in TWO_QUBIT_GATES))


def decomposed_circuit(program: SearchProgram, decomposition: str = "mcphase") -> Any:
    """The program's circuit with its π multi-controlled phases lowered as ``decomposition``.

    ``"mcphase"`` is :func:`qsearch.translate.qiskit.to_circuit` unchanged; the ``"mcx"`` forms
    replace each MCPhase(π) on ≥ 3 qubits with H·MCX·H and append 0, 1 or n − 2 clean ancilla
    qubits after the index register (they start and end in |0⟩; measurement is unchanged, so
    the outcome distribution over items is the same).
    """
    from qiskit import QuantumCircuit
    from qiskit.circuit.library import MCPhaseGate, MCXGate

    from qsearch.translate.qiskit import to_circuit

    if decomposition not in DECOMPOSITIONS:
        raise ProblemError(
            f"The 'decomposition' argument must be one of {list(DECOMPOSITIONS)} or 'auto'; "
            f"got {decomposition!r}."
        )
    circuit = to_circuit(program)
    if decomposition == "mcphase":
        return circuit
    n = circuit.num_qubits
    out = QuantumCircuit(n + ancillas_for(decomposition, n), circuit.num_clbits, name=circuit.name)
    for instruction in circuit.data:
        operation = instruction.operation
        qubits = [circuit.find_bit(q).index for q in instruction.qubits]
        clbits = [circuit.find_bit(c).index for c in instruction.clbits]
        if (
            isinstance(operation, MCPhaseGate)
            and len(qubits) >= 3
            and math.isclose(float(operation.params[0]) % (2 * math.pi), math.pi)
        ):
            out.h(qubits[-1])
            out.append(MCXGate(len(qubits) - 1), qubits)
            out.h(qubits[-1])
        else:
            out.append(operation, qubits, clbits)
    return out


def device_pass_manager(
    device: Any, *, optimization_level: int = 2, seed_transpiler: int = 1234
) -> Any:
    """qiskit's preset pass manager for ``device`` (a ``BackendV2`` or a ``Target``), seeded."""
    from qiskit.transpiler import Target, generate_preset_pass_manager

    where = {"target": device} if isinstance(device, Target) else {"backend": device}
    return generate_preset_pass_manager(
        optimization_level=optimization_level, seed_transpiler=seed_transpiler, **where
    )


def _device_label(device: Any) -> str:
    return repr(getattr(device, "name", None) or type(device).__name__)


def transpile_for_device(
    circuit: Any,
    device: Any,
    *,
    optimization_level: int = 2,
    seed_transpiler: int = 1234,
    pass_manager: Any = None,
) -> Any:
    """ISA circuit for ``device`` (preset pass manager, seeded, so the output is reproducible).

    ``pass_manager`` reuses one from :func:`device_pass_manager` (same result, less setup).
    """
    if circuit.num_qubits > device.num_qubits:
        raise UnsupportedProgramError(
            f"The circuit needs {circuit.num_qubits} qubits but device {_device_label(device)} "
            f"has {device.num_qubits}."
        )
    if pass_manager is None:
        pass_manager = device_pass_manager(
            device, optimization_level=optimization_level, seed_transpiler=seed_transpiler
        )
    return pass_manager.run(circuit)


def logical_circuit(
    circuit: Any, *, optimization_level: int = 1, seed_transpiler: int = 1234
) -> Any:
    """``circuit`` in the device-independent :data:`LOGICAL_BASIS` (CX + single-qubit gates)."""
    from qiskit import transpile

    return transpile(
        circuit,
        basis_gates=list(LOGICAL_BASIS),
        optimization_level=optimization_level,
        seed_transpiler=seed_transpiler,
    )


@dataclass(frozen=True)
class Lowering:
    """The result of :func:`lower`.

    Attributes:
        decomposition: the decomposition kept (the shallowest of the candidates).
        circuit: its lowered circuit (ISA for the device, or in :data:`LOGICAL_BASIS`).
        depths: depth of every candidate that was lowered.
    """

    decomposition: str
    circuit: Any
    depths: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """What ran, JSON-friendly: ``decomposition``, ``depth``, ``two_qubit_gates``,
        ``qubits`` (qubits an instruction acts on: physical qubits for an ISA circuit)."""
        circuit = self.circuit
        touched = {circuit.find_bit(q).index for inst in circuit.data for q in inst.qubits}
        return {
            "decomposition": self.decomposition,
            "depth": int(circuit.depth()),
            "two_qubit_gates": two_qubit_count(circuit),
            "qubits": len(touched),
        }


def lower(
    program: SearchProgram,
    device: Any = None,
    *,
    decomposition: str = "auto",
    optimization_level: int = 2,
    seed_transpiler: int = 1234,
    pass_manager: Any = None,
) -> Lowering:
    """Lower ``program`` for ``device`` with every fitting candidate; keep the shallowest.

    Args:
        program: the program.
        device: a ``BackendV2`` or ``Target`` (ISA circuits), or None (:data:`LOGICAL_BASIS`).
        decomposition: ``"auto"`` (every one of :data:`DECOMPOSITIONS` that fits the device) or
            one of them.
        optimization_level: preset pass-manager level (0-3).
        seed_transpiler: transpiler seed (the result is reproducible for a given seed).
        pass_manager: a :func:`device_pass_manager` for ``device`` to reuse (optional).

    Raises:
        ProblemError: unknown ``decomposition``.
        UnsupportedProgramError: no candidate fits the device's qubits.
    """
    check_decomposition(decomposition, "lower")
    n = program.problem.num_qubits
    wanted = list(DECOMPOSITIONS) if decomposition == "auto" else [decomposition]
    if device is None:
        candidates = wanted
        options = {"optimization_level": optimization_level, "seed_transpiler": seed_transpiler}
        lowered = {c: logical_circuit(decomposed_circuit(program, c), **options) for c in wanted}
    else:
        candidates = fitting_decompositions(decomposition, n, device.num_qubits)
        if not candidates:
            needed = n + min(ancillas_for(c, n) for c in wanted)
            raise UnsupportedProgramError(
                f"The program needs {needed} qubits but device {_device_label(device)} has "
                f"{device.num_qubits}."
            )
        manager = pass_manager or device_pass_manager(
            device, optimization_level=optimization_level, seed_transpiler=seed_transpiler
        )
        lowered = {c: manager.run(decomposed_circuit(program, c)) for c in candidates}
    chosen = min(candidates, key=lambda c: (lowered[c].depth(), two_qubit_count(lowered[c])))
    depths = {name: int(circuit.depth()) for name, circuit in lowered.items()}
    return Lowering(decomposition=chosen, circuit=lowered[chosen], depths=depths)


#: Programs a :class:`DeviceLowering` keeps lowered.
CACHE_SIZE = 256


class DeviceLowering:
    """:func:`lower` for one device and one set of settings, cached per program.

    The one lowering path of a (program, device) pair: the ``ibm`` backend, ``aer`` with device
    noise and :func:`qsearch.backends.resources.resources` all end in :func:`lower` with these
    arguments, and the defaults here are theirs (``"auto"``, level 2, seed 1234).

    Args:
        device: a ``BackendV2`` or ``Target``.
        decomposition: ``"auto"`` or one of :data:`DECOMPOSITIONS`.
        optimization_level: preset pass-manager level (0-3).
        seed_transpiler: transpiler seed.
    """

    def __init__(
        self,
        device: Any,
        *,
        decomposition: str = "auto",
        optimization_level: int = 2,
        seed_transpiler: int = 1234,
    ) -> None:
        self.device = device
        self.decomposition = check_decomposition(decomposition, "DeviceLowering")
        self.optimization_level = check_optimization_level(optimization_level, "DeviceLowering")
        self.seed_transpiler = check_int(
            seed_transpiler, "seed_transpiler", "DeviceLowering", minimum=0
        )
        self._pass_manager: Any = None
        self._cache: OrderedDict[Any, Lowering] = OrderedDict()

    def __call__(self, program: SearchProgram) -> Lowering:
        """The :class:`Lowering` of ``program`` (computed once per problem, k and phases)."""
        key = (program.problem, program.iterations, program.phases)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        if self._pass_manager is None:
            self._pass_manager = device_pass_manager(
                self.device,
                optimization_level=self.optimization_level,
                seed_transpiler=self.seed_transpiler,
            )
        lowering = lower(
            program,
            self.device,
            decomposition=self.decomposition,
            optimization_level=self.optimization_level,
            seed_transpiler=self.seed_transpiler,
            pass_manager=self._pass_manager,
        )
        self._cache[key] = lowering
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return lowering
