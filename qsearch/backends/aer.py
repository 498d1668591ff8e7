"""Gate-level execution on qiskit-aer.

Circuits come from :mod:`qsearch.translate.qiskit`, are transpiled once per (problem, phases)
for the simulator (cached, seeded with ``seed_transpiler``) and run with ``seed_simulator``.
Aer does not raise when a circuit needs more memory than exists (it returns ``success=False``),
so the memory a method needs is checked before anything is allocated.

Device noise: ``AerBackend(noise="fake_torino")`` lowers programs to ISA circuits for that IBM
device snapshot through :class:`qsearch.translate.lowering.DeviceLowering`, the lowering the ``ibm``
backend and :func:`qsearch.backends.resources.resources` use (same decomposition choice, level
and seed, so ``resources`` counts the circuit that runs), and simulates them with the
device's noise model, restricted to the physical qubits the circuits touch (exact, and orders of
magnitude faster than handing Aer the full 133-qubit model; see
:mod:`qsearch.backends.ibm.devices`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from qsearch._validation import SeedLike, check_int, make_rng
from qsearch.backends.base import check_run_arguments
from qsearch.backends.ideal import available_memory_bytes
from qsearch.exceptions import BackendError, ProblemError, UnsupportedProgramError
from qsearch.problem import SearchProgram
from qsearch.results import Counts

try:
    from qiskit import QuantumCircuit, transpile
    from qiskit.transpiler import Target
    from qiskit_aer import AerSimulator
except ImportError as exc:  # pragma: no cover - qiskit-aer is a core dependency
    raise ImportError(exc.msg, name=exc.name) from exc

from qsearch.translate.lowering import (
    DeviceLowering,
    check_decomposition,
    check_optimization_level,
    logical_circuit,
)
from qsearch.translate.qiskit import circuit_width, counts_by_index, to_circuit

METHODS = ("statevector", "matrix_product_state", "density_matrix")
#: Gates circuits are lowered to. Aer runs multi-controlled gates natively (no decomposition
#: into CX ladders); ``multiplexer`` is left out because Aer 0.18 crashes (SIGSEGV) on the
#: multiplexers that ``StatePreparation`` produces. The Toffolis of coherent oracles
#: (:mod:`qsearch.oracles`) stay Toffolis (``ccx``, native in Aer).
BASIS_GATES = (
    *("u", "p", "x", "h", "ry", "rz", "cx", "cz", "cp", "cry", "crz", "mcx", "mcphase"),
    "ccx",
)


def _lowering_target(simulator: AerSimulator) -> Target:
    """The simulator's own target restricted to :data:`BASIS_GATES` plus measurement.

    Methods without native multi-controlled gates (MPS, density matrix) get them decomposed.
    """
    source = simulator.target
    target = Target(num_qubits=source.num_qubits)
    for name in (*BASIS_GATES, "measure"):
        if name not in source.operation_names:
            continue
        operation = source.operation_from_name(name)
        properties = None if isinstance(operation, type) else {None: None}
        target.add_instruction(operation, properties, name=name)
    return target


_CACHE_SIZE = 256


class AerBackend:
    """Run SearchPrograms as circuits on ``qiskit_aer.AerSimulator``.

    Args:
        method: ``"statevector"`` (default), ``"matrix_product_state"`` or ``"density_matrix"``.
        noise_model: an optional ``qiskit_aer.noise.NoiseModel``.
        threads: OpenMP threads for the simulator (``None``: Aer's default, all cores). Set 1
            when several simulators share the cores.
        seed_transpiler: seed for transpilation (recorded in ``resources``).
        simulator_options: further ``AerSimulator`` options, passed through.
        noise: name of an IBM device snapshot (``"fake_torino"``, any
            ``qiskit_ibm_runtime.fake_provider`` backend name): use its noise model, coupling map
            and basis gates. Needs ``qsearch[ibm]``. Not combinable with ``noise_model``.
        optimization_level: preset pass-manager level for ``noise`` transpilation (0-3).
        decomposition: lowering of the multi-controlled phases for ``noise`` (``"auto"``: the
            shallowest ISA circuit, as the ``ibm`` backend and ``resources`` choose it).
    """

    def __init__(
        self,
        method: str = "statevector",
        *,
        noise_model: Any = None,
        threads: int | None = None,
        seed_transpiler: int = 1234,
        simulator_options: dict[str, Any] | None = None,
        noise: str | None = None,
        optimization_level: int = 2,
        decomposition: str = "auto",
    ) -> None:
        if method not in METHODS:
            raise ProblemError(
                f"The 'method' argument of AerBackend must be one of {list(METHODS)}; "
                f"got {method!r}."
            )
        if noise is not None and noise_model is not None:
            raise ProblemError(
                "The 'noise' and 'noise_model' arguments of AerBackend are exclusive; got both "
                f"(noise={noise!r})."
            )
        options: dict[str, Any] = dict(simulator_options or {})
        if threads is not None:
            options["max_parallel_threads"] = check_int(threads, "threads", "AerBackend", minimum=1)
        if noise_model is not None:
            options["noise_model"] = noise_model
        self.method = method
        self.name = "aer" if method == "statevector" else f"aer-{method}"
        self.seed_transpiler = check_int(
            seed_transpiler, "seed_transpiler", "AerBackend", minimum=0
        )
        self.simulator = AerSimulator(method=method, **options)
        self._noisy = noise_model is not None
        self.noise = noise
        self.optimization_level = optimization_level
        self._threads = threads
        self.decomposition = check_decomposition(decomposition, "AerBackend")
        self._lowering: DeviceLowering | None = None
        if noise is not None:
            self._init_device_noise(noise, optimization_level)
            # device noise is applied to SearchPrograms (run); no noisy path for raw circuits
            self.run_circuits = None  # type: ignore[assignment]  # opt out (base.supports)
        self._target = _lowering_target(self.simulator)
        self._cache: OrderedDict[Any, QuantumCircuit] = OrderedDict()

    def _init_device_noise(self, noise: str, optimization_level: int) -> None:
        from qsearch.backends.ibm.devices import fake_device

        check_optimization_level(optimization_level, "AerBackend")
        device = fake_device(noise, "AerBackend")
        # Under noise, statevector means one trajectory per shot; Aer's "automatic" picks the
        # density matrix for few qubits (exact, all shots from one simulation: ~100x faster).
        self._noisy_method = "automatic" if self.method == "statevector" else self.method
        self._device = device
        self._noisy = True
        self.name = f"{self.name}+{noise}"
        self._lowering = DeviceLowering(
            device,
            decomposition=self.decomposition,
            optimization_level=optimization_level,
            seed_transpiler=self.seed_transpiler,
        )

    def __repr__(self) -> str:
        if self.noise is not None:
            return f"AerBackend(method={self.method!r}, noise={self.noise!r})"
        return f"AerBackend(method={self.method!r}, noisy={self._noisy})"

    def run(
        self, programs: Sequence[SearchProgram], *, shots: int, seed: SeedLike = None
    ) -> list[Counts]:
        programs = check_run_arguments(programs, shots, "AerBackend.run")
        if not programs:
            return []
        rng = make_rng(seed, "AerBackend.run")
        circuits = [self.transpiled(program) for program in programs]
        seed_simulator = int(rng.integers(0, 2**31 - len(circuits)))
        simulator = self.simulator
        if self.noise is not None:
            from qsearch.backends.ibm.devices import active_qubits, noisy_simulator

            simulator = noisy_simulator(
                self.noise,
                active_qubits(circuits),
                threads=self._threads,
                method=self._noisy_method,
            )
        job = simulator.run(circuits, shots=shots, seed_simulator=seed_simulator)
        result = job.result()
        if not result.success:
            raise BackendError(f"Aer could not run the circuits: {result.status}")
        return [counts_by_index(result.get_counts(index)) for index in range(len(programs))]

    def transpiled(self, program: SearchProgram) -> QuantumCircuit:
        """The simulator-ready circuit of ``program`` (cached per problem and phases)."""
        self._check_memory(program)
        if self._lowering is not None:  # device noise: the ISA circuit resources() counts
            return self._lowering(program).circuit
        key = (program.problem, program.iterations, program.phases)
        circuit = self._cache.get(key)
        if circuit is not None:
            self._cache.move_to_end(key)
            return circuit
        circuit = transpile(
            to_circuit(program),
            target=self._target,
            optimization_level=1,
            seed_transpiler=self.seed_transpiler,
        )
        self._cache[key] = circuit
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return circuit

    def run_circuits(
        self, circuits: Sequence[QuantumCircuit], *, shots: int, seed: SeedLike = None
    ) -> list[Counts]:
        """Run measured qiskit circuits (the ``CircuitExecution`` ability), noiselessly.

        Each circuit is lowered to :data:`BASIS_GATES` (``seed_transpiler``); counts are keyed by
        the integer value of the classical register (clbit j = bit j).
        """
        shots = check_int(shots, "shots", "AerBackend.run_circuits", minimum=1)
        circuits = list(circuits)
        for circuit in circuits:
            if not isinstance(circuit, QuantumCircuit):
                raise ProblemError(
                    "The 'circuits' argument of AerBackend.run_circuits must hold qiskit "
                    f"QuantumCircuit objects; got {type(circuit).__name__}."
                )
            self._check_qubits(circuit.num_qubits)
        if not circuits:
            return []
        rng = make_rng(seed, "AerBackend.run_circuits")
        # Lowered like SearchPrograms (BASIS_GATES, level 1), one at a time: the simulator's full
        # target at the default level, or a list (worker processes), varies from run to run.
        compiled = [
            transpile(
                circuit,
                target=self._target,
                optimization_level=1,
                seed_transpiler=self.seed_transpiler,
            )
            for circuit in circuits
        ]
        seed_simulator = int(rng.integers(0, 2**31 - len(circuits)))
        result = self.simulator.run(compiled, shots=shots, seed_simulator=seed_simulator).result()
        if not result.success:
            raise BackendError(f"Aer could not run the circuits: {result.status}")
        return [counts_by_index(result.get_counts(index)) for index in range(len(circuits))]

    def resources(self, program: SearchProgram) -> dict[str, Any]:
        """Qubits, depth and two-qubit gates of the circuit in a CX + single-qubit basis.

        With ``noise`` set: :func:`qsearch.backends.resources.resources` for that device
        (transpiled depth,
        two-qubit gates, estimated success), plus the method and the noise source.
        """
        if self.noise is not None:
            from qsearch.backends.resources import resources

            report = resources(
                program,
                device=self.noise,
                decomposition=self.decomposition,
                optimization_level=self.optimization_level,
                seed_transpiler=self.seed_transpiler,
            )
            report.update(method=self.method, simulator_method=self._noisy_method, noise=self.noise)
            return report
        circuit = logical_circuit(to_circuit(program), seed_transpiler=self.seed_transpiler)
        ops = circuit.count_ops()
        return {
            "qubits": circuit.num_qubits,
            "depth": int(circuit.depth()),
            "two_qubit_gates": int(ops.get("cx", 0)),
            "iterations": program.iterations,
            "method": self.method,
            "noise": "custom noise_model" if self._noisy else None,
        }

    def circuit_metadata(self, program: SearchProgram) -> dict[str, Any] | None:
        """What runs for ``program`` (:func:`qsearch.backends.base.circuit_metadata`).

        With ``noise``: the ISA circuit's depth, two-qubit gates, physical qubits, decomposition,
        the device snapshot and its noise model. With a custom ``noise_model``: the simulated
        circuit's counts and ``"custom noise_model"``. Noiseless: None (nothing device-specific).
        """
        if self._lowering is not None:
            return {
                **self._lowering(program).summary(),
                "device": self.noise,
                "optimization_level": self.optimization_level,
                "seed_transpiler": self.seed_transpiler,
                "noise": f"{self.noise} snapshot noise model (Aer, method {self._noisy_method})",
            }
        if not self._noisy:
            return None
        circuit = self.transpiled(program)
        return {
            "decomposition": "simulator basis",
            "depth": int(circuit.depth()),
            "two_qubit_gates": sum(1 for inst in circuit.data if inst.operation.num_qubits == 2),
            "qubits": int(circuit.num_qubits),
            "noise": "custom noise_model",
        }

    def _check_memory(self, program: SearchProgram) -> None:
        self._check_qubits(circuit_width(program.problem))  # index + oracle work qubits

    def _check_qubits(self, n: int) -> None:
        if self.method == "matrix_product_state":
            return
        exponent = n if self.method == "statevector" else 2 * n
        needed = 16 * 2**exponent
        available = available_memory_bytes()
        if needed > available:
            raise UnsupportedProgramError(
                f"AerBackend({self.method!r}) needs {needed / 2**30:.1f} GiB for {n} qubits but "
                f"only {available / 2**30:.1f} GiB is available; use fewer qubits, "
                "method='matrix_product_state', or the 'ideal' backend."
            )
