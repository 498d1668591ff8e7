"""Native PennyLane circuits for SearchPrograms, on any installed PennyLane qubit device.

A program is built directly from PennyLane operations (no Qiskit translation: pennylane-qiskit
pins an older qiskit and ``qml.from_qiskit`` drops gates it does not know):

* State preparation A: a Hadamard layer when N = 2^n without a prior; otherwise
  ``qml.StatePrep`` of √p (uniform √(1/N) over the N real items when N is not a power of two,
  zero on the padding indices, as in :mod:`qsearch.translate.qiskit`), which devices load
  directly as the initial state.
* Oracle S_t(α) = I − (1 − e^{iα})Π_marked: one diagonal ``qml.QubitUnitary`` given as a sparse
  (CSR) matrix, e^{iα} on the marked items and 1 elsewhere; on the lightning devices, when M is
  small (:func:`controlled_phase_limit`), one multi-controlled ``qml.PhaseShift`` per marked item
  instead (for α = π that is ``qml.FlipSign``'s decomposition, built once and cached); on
  other devices (``default.mixed``, ``reference.qubit``, plugins) always the per-item gates,
  which every device can decompose (not every device accepts sparse matrices).
* Diffusion −S_s(β) with S_s(β) = I − (1 − e^{iβ})|s⟩⟨s| and s = A|0⟩ (Brassard, Høyer, Mosca,
  Tapp 2002, arXiv:quant-ph/0005055): ``qml.GroverOperator`` (= 2|+⟩⟨+| − I = −S_s(π)) for
  the standard iterate with uniform A; otherwise A S_0(β) A† (equal to −S_s(β) up to the global
  phase −1), with S_0(β) the same phase operation as the oracle, on |0…0⟩ only.

Why not ``qml.FlipSign`` or ``qml.DiagonalQubitUnitary`` as such: measured on PennyLane 0.45
(``python benchmarks/bench_pennylane.py --oracles``: 10 iterates, 1000 shots, two runs on a
shared 2-core machine), ``default.qubit`` applies FlipSign and DiagonalQubitUnitary as dense
2^n × 2^n matrices (39-58× and 12-15× slower than the CSR diagonal at n = 10; hopeless at
n = 14) and ``lightning.qubit`` applies DiagonalQubitUnitary as a dense matrix too (27× slower at
n = 10). The CSR diagonal is one O(2^n) pass per oracle whatever M is (2.5× faster than FlipSign
at n = 14, M = 16 on lightning). On lightning a gate with n − 1 controls touches two amplitudes,
so for few marked items per-item controlled phases are as fast or faster; FlipSign itself is
decomposed again at every execution, hence the cached equivalent. With these choices the
adapter runs faster than a hand-written FlipSign + GroverOperator QNode (qsearch/raw 0.87-0.99
at n = 10-18 on lightning.qubit).

Bit order: PennyLane wires are big-endian (wire 0 is the most significant bit of a basis index;
Qiskit is little-endian). Item i is the basis state whose wire j holds bit n−1−j of i; the adapter
converts measured bit rows with the same weights, so item i is reported as i.

Costs and limits: uniform power-of-two problems run O(n) operations per iterate (n ≈ 20 on
``lightning.qubit``). A padded N prepares s with :func:`uniform_superposition` (O(n²) controlled
gates; N = 30000, k = 136 in ~1 s on lightning). A prior needs a general state preparation inside
every diffusion (Möttönen et al. 2004, arXiv:quant-ph/0407010; decomposed once and cached), O(2^n)
gates: N = 1000, k = 34 takes ~3 s on lightning, so priors are practical up to n ≈ 11.
``default.qubit`` applies multi-controlled gates as dense matrices; use lightning for n > 10.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from qsearch._validation import SeedLike, check_int, child_seed, make_rng
from qsearch.backends.base import check_run_arguments, counts_from_samples
from qsearch.backends.ideal import available_memory_bytes
from qsearch.exceptions import (
    BackendError,
    BackendUnavailableError,
    ProblemError,
    UnsupportedProgramError,
)
from qsearch.problem import SearchProblem, SearchProgram
from qsearch.results import Counts

try:
    import pennylane as qml
    import scipy.sparse as sparse
    from pennylane.tape import QuantumScript
except ImportError as exc:  # pragma: no cover - exercised by blocking the import in a test
    raise BackendUnavailableError(
        f"The 'pennylane' backend needs PennyLane, which is not installed ({exc.name or exc}). "
        "Install it with: pip install 'qsearch[pennylane]'.",
        name=exc.name,
    ) from exc

_CACHE_SIZE = 256
_CACHE_BYTES = 256 * 2**20


def installed_devices() -> list[str]:
    """Names of the PennyLane devices installed (their plugins' entry points)."""
    return sorted(qml.plugin_devices)


def _is_pi(angle: float) -> bool:
    return math.isclose(angle % (2 * math.pi), math.pi)


def _uniform_power_of_two(problem: SearchProblem) -> bool:
    return problem.prior is None and not problem.is_padded


def _amplitudes(problem: SearchProblem) -> np.ndarray:
    """√p over the 2^n basis states (zero on the padding indices), big-endian index = item."""
    amplitudes = np.zeros(2**problem.num_qubits)
    if problem.prior is None:
        amplitudes[: problem.num_items] = 1.0 / math.sqrt(problem.num_items)
    else:
        amplitudes[: problem.num_items] = np.sqrt(problem.prior)
    return amplitudes / np.linalg.norm(amplitudes)


def _phase_diagonal(size: int, indices: np.ndarray, angle: float) -> sparse.csr_array:
    """Sparse diag(d) with d_i = e^{i·angle} for i in ``indices`` and 1 elsewhere."""
    diagonal = np.ones(size, dtype=np.complex128)
    diagonal[indices] = np.exp(1j * angle)
    return sparse.diags_array(diagonal, format="csr")


def controlled_phase_limit(num_qubits: int) -> int:
    """Largest M for which per-item multi-controlled phases beat one sparse diagonal.

    On lightning.qubit a gate with n − 1 controls touches two amplitudes and costs ~30 µs of
    PennyLane's Python per operation, while the CSR diagonal is a pass over 2^n amplitudes
    (~0.3 ms at n = 16, ~1.5 ms at n = 18): the crossover measured with 20 iterates and 1000
    shots is near M = 2^(n−13) (benchmarks/bench_pennylane.py --oracles).
    """
    return max(2, 2 ** (num_qubits - 13))


def uniform_superposition(num_items: int, wires: Sequence[int]) -> list[Any]:
    """Operations preparing (1/√N) Σ_{i<N} |i⟩ from |0…0⟩ (wire 0 the most significant bit).

    Recursive binary split: with L = 2^(m−1) < N < 2^m on m wires, RY(2·acos√(L/N)) on the
    first wire, Hadamards on the rest controlled on it being 0 (the L items below L), and the
    same construction for the remaining N − L items controlled on it being 1. At most
    n(n + 1)/2 (multi-)controlled gates, against O(2^n) for a general state preparation
    (Möttönen et al. 2004, arXiv:quant-ph/0407010); the same state as Qiskit's
    ``UniformSuperpositionGate`` (Shukla & Vedula 2024, arXiv:2306.11747).
    """
    ops: list[Any] = []

    def add(op: Any, controls: list[int], values: list[int]) -> None:
        ops.append(qml.ctrl(op, control=controls, control_values=values) if controls else op)

    def build(count: int, rest: list[int], controls: list[int], values: list[int]) -> None:
        if count == 2 ** len(rest):
            for wire in rest:
                add(qml.Hadamard(wire), controls, values)
            return
        half = 2 ** (len(rest) - 1)
        if count <= half:  # the first wire stays |0⟩
            build(count, rest[1:], controls, values)
            return
        add(qml.RY(2 * math.acos(math.sqrt(half / count)), wires=rest[0]), controls, values)
        for wire in rest[1:]:
            add(qml.Hadamard(wire), [*controls, rest[0]], [*values, 0])
        build(count - half, rest[1:], [*controls, rest[0]], [*values, 1])

    build(num_items, list(wires), [], [])
    return ops


class _Circuits:
    """The PennyLane operations of one problem, built once and shared by its programs.

    ``phase_mode``: how a phase on a set of basis states is applied: ``"sparse"`` (one CSR
    diagonal ``qml.QubitUnitary``; default.qubit), ``"hybrid"`` (per-state multi-controlled
    phases up to :func:`controlled_phase_limit` states, else sparse; the lightning devices, whose
    multi-controlled kernels are native) or ``"controlled"`` (always per-state gates; any other
    device, since every device can decompose them but not every device takes sparse matrices).
    """

    def __init__(self, problem: SearchProblem, *, phase_mode: str) -> None:
        self.problem = problem
        self.wires = list(range(problem.num_qubits))
        self.uniform = _uniform_power_of_two(problem)
        self.phase_mode = phase_mode
        self._amplitudes = None if self.uniform else _amplitudes(problem)
        self._phases: dict[tuple[str, float], list[Any]] = {}
        self._gates: tuple[list[Any], list[Any]] | None = None
        #: Bytes held by cached matrices and amplitude vectors (for the backend's cache limit).
        self.nbytes = 0 if self._amplitudes is None else 2 * self._amplitudes.nbytes

    def prepare(self) -> list[Any]:
        if self.uniform:
            return [qml.Hadamard(w) for w in self.wires]
        return [qml.StatePrep(self._amplitudes, wires=self.wires)]

    def phase(self, which: str, items: np.ndarray, angle: float) -> list[Any]:
        """Operations multiplying the amplitudes of the basis states ``items`` by e^{i·angle}."""
        key = (which, angle)
        ops = self._phases.get(key)
        if ops is not None:
            return ops
        n = len(self.wires)
        if self.phase_mode == "controlled" or (
            self.phase_mode == "hybrid" and len(items) <= controlled_phase_limit(n)
        ):
            ops = []
            for item in items.tolist():
                bits = [(item >> (n - 1 - j)) & 1 for j in range(n)]  # wire 0 = MSB
                flip = [qml.PauliX(self.wires[-1])] if not bits[-1] else []
                target = qml.PhaseShift(angle, wires=self.wires[-1])
                if n > 1:
                    target = qml.ctrl(target, control=self.wires[:-1], control_values=bits[:-1])
                ops += [*flip, target, *flip]
        else:
            matrix = _phase_diagonal(2**n, items, angle)
            self.nbytes += matrix.data.nbytes + matrix.indices.nbytes + matrix.indptr.nbytes
            ops = [qml.QubitUnitary(matrix, wires=self.wires)]
        self._phases[key] = ops
        return ops

    def oracle(self, alpha: float) -> list[Any]:
        if not self.problem.num_marked:
            return []
        return self.phase("oracle", self.problem.marked_array, alpha)

    def unprepare_prepare(self) -> tuple[list[Any], list[Any]]:
        """Gate-level A† and A for the diffusion (any A with A|0⟩ = s gives A S_0 A† = S_s)."""
        if self._gates is None:
            if self.uniform:
                gates = self.prepare()
            elif self.problem.prior is None:
                gates = uniform_superposition(self.problem.num_items, self.wires)
            else:  # decomposed once here, not at every execution
                gates = qml.MottonenStatePreparation.compute_decomposition(
                    self._amplitudes, wires=self.wires
                )
            self._gates = ([op.adjoint() for op in reversed(gates)], gates)
        return self._gates

    def diffusion(self, beta: float) -> list[Any]:
        if self.uniform and len(self.wires) >= 2 and _is_pi(beta):
            return [qml.GroverOperator(wires=self.wires)]
        unprepare, prepare = self.unprepare_prepare()
        return [*unprepare, *self.phase("zero", np.zeros(1, dtype=np.int64), beta), *prepare]

    def operations(self, program: SearchProgram) -> list[Any]:
        ops = self.prepare()
        phases = program.phases or ((math.pi, math.pi),) * program.iterations
        for alpha, beta in phases:
            ops.extend(self.oracle(alpha))
            ops.extend(self.diffusion(beta))
        return ops


class PennyLaneBackend:
    """Run SearchPrograms as native PennyLane circuits.

    Args:
        device: a PennyLane device name (``"default.qubit"``, ``"lightning.qubit"`` or any
            installed qubit device; :func:`installed_devices` lists them).
        wires: fix the device's wire count (``None``: each program gets a device with exactly
            its ``num_qubits`` wires). Programs needing more wires are rejected.
        device_options: further keyword arguments for ``qml.device`` (e.g. ``c_dtype``).

    Shots: set on each ``QuantumScript`` (what ``qml.set_shots`` sets on a QNode; device-level
    shots are deprecated in PennyLane 0.45).

    Seeds: ``run`` draws one integer device seed per run from ``seed`` (an int, a
    ``numpy.random.Generator`` or ``None``), so the same int seed gives the same counts for the
    same programs, shots, device and PennyLane version. Devices that take no ``seed`` are not
    reproducible.

    Raises:
        ProblemError: unknown device name (the message lists the installed ones), a bad
            ``wires``.
    """

    def __init__(
        self,
        device: str = "default.qubit",
        *,
        wires: int | None = None,
        device_options: dict[str, Any] | None = None,
    ) -> None:
        if not isinstance(device, str):
            raise ProblemError(
                "The 'device' argument of PennyLaneBackend must be a PennyLane device name; "
                f"got {device!r} ({type(device).__name__})."
            )
        installed = installed_devices()
        if device not in installed:
            raise ProblemError(
                f"The 'device' argument of PennyLaneBackend must be an installed PennyLane "
                f"device; got {device!r}. Installed: {', '.join(installed)}."
            )
        self.device = device
        self.wires = (
            None if wires is None else check_int(wires, "wires", "PennyLaneBackend", minimum=1)
        )
        self.device_options: dict[str, Any] = dict(device_options or {})
        for reserved in ("wires", "shots", "seed"):
            if reserved in self.device_options:
                raise ProblemError(
                    f"The 'device_options' argument of PennyLaneBackend must not set "
                    f"{reserved!r}; got {sorted(self.device_options)} ({reserved!r} is managed "
                    "by the backend)."
                )
        self.name = "pennylane" if device == "default.qubit" else f"pennylane-{device}"
        # See _Circuits: sparse diagonals where the device applies them in one pass.
        if device == "default.qubit":
            self._phase_mode = "sparse"
        elif device.startswith("lightning."):
            self._phase_mode = "hybrid"
        else:
            self._phase_mode = "controlled"
        self._circuits: OrderedDict[SearchProblem, _Circuits] = OrderedDict()
        self._operations: OrderedDict[Any, list[Any]] = OrderedDict()

    def __repr__(self) -> str:
        return f"PennyLaneBackend(device={self.device!r}, wires={self.wires})"

    # -- the contract -----------------------------------------------------------------------
    def run(
        self, programs: Sequence[SearchProgram], *, shots: int, seed: SeedLike = None
    ) -> list[Counts]:
        """Sample each program ``shots`` times; counts keyed by item index."""
        programs = check_run_arguments(programs, shots, "PennyLaneBackend.run")
        if not programs:
            return []
        rng = make_rng(seed, "PennyLaneBackend.run")
        tapes = [
            QuantumScript(
                self.operations(p),
                [qml.sample(wires=range(p.problem.num_qubits))],
                shots=shots,
            )
            for p in programs
        ]
        results = self._execute(programs, tapes, rng)
        output: list[Counts] = []
        for program, samples in zip(programs, results, strict=True):
            n = program.problem.num_qubits
            bits = np.asarray(samples, dtype=np.int64).reshape(shots, n)
            weights = 1 << np.arange(n - 1, -1, -1, dtype=np.int64)  # wire 0 = MSB
            output.append(counts_from_samples(bits @ weights))
        return output

    # -- optional abilities -----------------------------------------------------------------
    def probabilities(self, programs: Sequence[SearchProgram]) -> list[np.ndarray]:
        """Exact (analytic, ``qml.probs``) outcome distributions over the N items."""
        programs = check_run_arguments(programs, 1, "PennyLaneBackend.probabilities")
        if not programs:
            return []
        tapes = [
            QuantumScript(self.operations(p), [qml.probs(wires=range(p.problem.num_qubits))])
            for p in programs
        ]
        results = self._execute(programs, tapes, make_rng(0, "PennyLaneBackend.probabilities"))
        return [
            np.asarray(probs, dtype=np.float64)[: p.problem.num_items].copy()
            for p, probs in zip(programs, results, strict=True)
        ]

    def resources(self, program: SearchProgram) -> dict[str, int]:
        """Qubits, iterations and the operations the device runs after its decompositions."""
        device = self._device(program.problem.num_qubits, 0)
        tape = QuantumScript(self.operations(program), [qml.probs(wires=device.wires)])
        pipeline = device.preprocess_transforms()
        (compiled,), _ = pipeline((tape,))
        return {
            "qubits": program.problem.num_qubits,
            "iterations": program.iterations,
            "operations": len(compiled.operations),
            "depth": int(compiled.graph.get_depth()),
        }

    def operations(self, program: SearchProgram) -> list[Any]:
        """The native PennyLane operations of ``program`` (cached per problem, k and phases).

        The caches are bounded by entries (256 programs) and by the bytes of the diagonal
        matrices and amplitude vectors they hold (256 MiB, the least recently used problems
        go first), so a sweep over many large problems does not accumulate memory.
        """
        self._check_size(program)
        problem = program.problem
        key = (problem, program.iterations, program.phases)
        circuits = self._circuits.get(problem)
        if circuits is None:
            circuits = _Circuits(problem, phase_mode=self._phase_mode)
            self._circuits[problem] = circuits
        else:
            self._circuits.move_to_end(problem)
        ops = self._operations.get(key)
        if ops is None:
            ops = circuits.operations(program)
            self._operations[key] = ops
            if len(self._operations) > _CACHE_SIZE:
                self._operations.popitem(last=False)
        else:
            self._operations.move_to_end(key)
        self._evict()
        return ops

    # -- internals --------------------------------------------------------------------------
    def _evict(self) -> None:
        """Drop least recently used problems until the caches fit their limits."""
        total = sum(c.nbytes for c in self._circuits.values())
        while len(self._circuits) > 1 and (
            len(self._circuits) > _CACHE_SIZE or total > _CACHE_BYTES
        ):
            problem, circuits = self._circuits.popitem(last=False)
            total -= circuits.nbytes
            for key in [k for k in self._operations if k[0] == problem]:
                del self._operations[key]

    def _check_size(self, program: SearchProgram) -> None:
        n = program.problem.num_qubits
        if self.wires is not None and n > self.wires:
            raise UnsupportedProgramError(
                f"PennyLaneBackend({self.device!r}) has {self.wires} wires, too few for a "
                f"program on {n} qubits (N={program.problem.num_items}); create it with "
                f"wires >= {n} or wires=None."
            )
        needed = 16 * 2 ** (self.wires or n)
        if needed > available_memory_bytes():
            raise UnsupportedProgramError(
                f"PennyLaneBackend({self.device!r}) needs {needed / 2**30:.1f} GiB for "
                f"{self.wires or n} qubits, more than is available; use fewer qubits or the "
                "'ideal' backend."
            )

    def _device(self, num_qubits: int, seed: int) -> Any:
        wires = self.wires or num_qubits
        try:
            return qml.device(self.device, wires=wires, seed=seed, **self.device_options)
        except TypeError:
            # A device without a seed argument: it runs, but seeded runs will not repeat.
            return qml.device(self.device, wires=wires, **self.device_options)
        except Exception as exc:
            raise BackendError(
                f"PennyLane could not create device {self.device!r} with {wires} wires: {exc}"
            ) from exc

    def _execute(
        self,
        programs: list[SearchProgram],
        tapes: list[QuantumScript],
        rng: np.random.Generator,
    ) -> list[Any]:
        """Run the tapes, one seeded device per register width, results in input order."""
        groups: dict[int, list[int]] = {}
        for index, program in enumerate(programs):
            width = self.wires or program.problem.num_qubits
            groups.setdefault(width, []).append(index)
        results: list[Any] = [None] * len(tapes)
        for width in sorted(groups):
            indices = groups[width]
            device = self._device(width, child_seed(rng))
            try:
                batch = qml.execute([tapes[i] for i in indices], device, diff_method=None)
            except Exception as exc:
                raise BackendError(
                    f"PennyLane device {self.device!r} could not run the programs: "
                    f"{type(exc).__name__}: {exc}"
                ) from exc
            for i, result in zip(indices, batch, strict=True):
                results[i] = result
        return results


# -- a program inside users' own circuits -------------------------------------------------------
_PHASE_MODES = ("controlled", "sparse", "hybrid")


def grover_template(
    program: SearchProgram, wires: Sequence[Any] | None = None, *, phase_mode: str = "controlled"
) -> list[Any]:
    """Apply ``program`` (A, then its iterates; no measurement) inside a user's QNode or tape.

    The same native operations :class:`PennyLaneBackend` runs, queued on ``wires`` (default
    ``0..n-1``). Wire order is big-endian, PennyLane's convention: ``wires[0]`` holds the most
    significant bit of the item index, so ``qml.probs(wires=wires)[i]`` is the probability of
    item i (Qiskit users: the reverse of qubit order).

    Args:
        program: the SearchProgram.
        wires: n = ``program.problem.num_qubits`` wire labels of the user's circuit.
        phase_mode: ``"controlled"`` (default: multi-controlled phases, which every device can
            decompose), ``"sparse"`` (one sparse diagonal per oracle; fastest on default.qubit) or
            ``"hybrid"`` (lightning devices), as in :class:`PennyLaneBackend`.

    Returns:
        The queued operations.

    Example:
        >>> import pennylane as qml
        >>> program = SearchProgram(SearchProblem(8, [5]), 2)
        >>> @qml.qnode(qml.device("default.qubit", wires=["anc", "a", "b", "c"]))
        ... def circuit():
        ...     grover_template(program, wires=["a", "b", "c"])
        ...     return qml.probs(wires=["a", "b", "c"])
        >>> round(float(circuit()[5]), 3)
        0.945
    """
    if not isinstance(program, SearchProgram):
        raise ProblemError(
            "The 'program' argument of grover_template must be a SearchProgram; got "
            f"{type(program).__name__}."
        )
    n = program.problem.num_qubits
    labels = list(range(n)) if wires is None else list(wires)
    if len(labels) != n or len(set(labels)) != n:
        raise ProblemError(
            f"The 'wires' argument of grover_template must be {n} distinct wire labels (the "
            f"program's num_qubits); got {labels!r}."
        )
    if phase_mode not in _PHASE_MODES:
        raise ProblemError(
            f"The 'phase_mode' argument of grover_template must be one of {list(_PHASE_MODES)}; "
            f"got {phase_mode!r}."
        )
    with qml.QueuingManager.stop_recording():
        ops = _Circuits(program.problem, phase_mode=phase_mode).operations(program)
        mapping = dict(zip(range(n), labels, strict=True))
        ops = [qml.map_wires(op, mapping) for op in ops]
    for op in ops:
        qml.apply(op)
    return ops


def to_qnode(program: SearchProgram, device: Any = "default.qubit", **qnode_options: Any) -> Any:
    """A QNode that runs ``program`` and returns ``qml.probs`` over its 2^n basis states.

    ``device``: a PennyLane device, or a device name (created with n wires). Entry i of the
    result is the probability of item i (padding indices of a non-power-of-two N are 0).
    ``qnode_options`` go to ``qml.QNode`` (e.g. ``diff_method=None``).
    """
    if not isinstance(program, SearchProgram):
        raise ProblemError(
            "The 'program' argument of to_qnode must be a SearchProgram; got "
            f"{type(program).__name__}."
        )
    n = program.problem.num_qubits
    if isinstance(device, str):
        device = qml.device(device, wires=n)
    wires = list(device.wires)[:n] if device.wires is not None else list(range(n))

    def circuit() -> Any:
        grover_template(program, wires)
        return qml.probs(wires=wires)

    return qml.QNode(circuit, device, **qnode_options)
