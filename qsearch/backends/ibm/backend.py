"""IBM Quantum devices through qiskit-ibm-runtime; ``fake_*`` devices run the same path offline.

Flow: each program → :func:`qsearch.translate.lowering.lower` (a decomposition of the
multi-controlled phases, then an ISA circuit for the device by the preset pass manager with a
recorded ``seed_transpiler``) → the runtime sampler → counts keyed by item index.

Everything that talks to qiskit-ibm-runtime's API (connection, the sampler and its options,
job statuses and results) lives in the runtime adapter, :mod:`qsearch.backends.ibm.runtime`.

Local testing mode: ``device="fake_torino"`` (any ``qiskit_ibm_runtime.fake_provider`` name)
passes an ``AerSimulator`` built from the snapshot as the sampler's mode, which is the runtime's
own local mode; the simulator carries the device noise model restricted to the touched qubits
and is cached per device and qubit set (:mod:`qsearch.backends.ibm.devices`).

Credentials: a saved account (``account=`` is its *name*) or the ``QISKIT_IBM_*`` environment
variables, read by the runtime itself (:func:`qsearch.backends.ibm.runtime.connect_service`);
qsearch never accepts, stores, logs or prints a token.

Real-device runs through :meth:`IBMBackend.run` go through the job store
(:mod:`qsearch.backends.ibm.jobs`): the run record is committed before submission and the job id
right after, so an interrupted session can ``qsearch collect`` later.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from qsearch._validation import SeedLike, check_int, make_rng
from qsearch.backends.base import check_run_arguments
from qsearch.backends.ibm import runtime
from qsearch.backends.ibm.devices import (
    active_qubits,
    fake_device,
    is_fake_device,
    noisy_simulator,
    schedule_duration,
    unknown_device_error,
)
from qsearch.backends.ibm.jobs import JobStore, RunRecord, collect_run, submit_run
from qsearch.backends.ibm.runtime import quiet_runtime
from qsearch.backends.resources import resources as estimate_resources
from qsearch.exceptions import BackendError, ProblemError
from qsearch.problem import SearchProgram
from qsearch.results import Counts
from qsearch.translate.lowering import DeviceLowering, check_decomposition, check_optimization_level

try:  # fail at import when the extra is missing: the backend registry then names it
    import qiskit_ibm_runtime  # noqa: F401
except ImportError as exc:
    raise ImportError(exc.msg, name=exc.name) from exc

MODES = ("job", "batch", "session")
#: Estimated per-job overhead on the service, seconds (loading, compilation, readout).
JOB_OVERHEAD_S = 2.0
#: Repetition delay used for the QPU-time estimate when the device does not report one.
DEFAULT_REP_DELAY_S = 250e-6


class IBMBackend:
    """Run SearchPrograms on an IBM Quantum device, or offline on a device snapshot.

    Args:
        device: a device name (``"ibm_torino"``) or a snapshot (``"fake_torino"``, offline).
        account: name of a saved qiskit-ibm-runtime account (never a token).
        instance: instance CRN or name (overrides the account's).
        channel: ``"ibm_quantum_platform"`` or ``"ibm_cloud"``.
        mode: ``"job"``, ``"batch"`` or ``"session"`` (execution mode on the service).
        optimization_level: preset pass-manager level 0-3.
        seed_transpiler: transpiler seed, recorded with every run.
        decomposition: how to lower multi-controlled phases: ``"auto"`` (the shallowest ISA
            circuit, see :meth:`decomposition_of`) or one of
            :data:`qsearch.translate.lowering.DECOMPOSITIONS` (``"mcx-ancillas"`` cuts depth for n
            ≥ 6).
        twirling: enable Pauli twirling of gates and measurements.
        dynamical_decoupling: False, True (``"XX"``) or a sequence name in
            :data:`qsearch.backends.ibm.runtime.DD_SEQUENCES`.
        max_execution_time: QPU-time cap in seconds per job (the service cancels beyond it).
        options: further sampler options as a nested dict (validated by the runtime's model).
        service: an already connected ``QiskitRuntimeService`` (or an object behaving like one).
        threads: simulator threads in local mode.
        store: job store for real-device ``run`` calls (a
            :class:`qsearch.backends.ibm.jobs.JobStore`, a path,
            or None for the default under ``$QSEARCH_HOME``).

    Example:
        >>> backend = IBMBackend("fake_torino")  # doctest: +SKIP
        >>> program = SearchProgram(SearchProblem(4, [1]), 1)  # doctest: +SKIP
        >>> backend.run([program], shots=100, seed=1)  # doctest: +SKIP
    """

    def __init__(
        self,
        device: str = "fake_torino",
        *,
        account: str | None = None,
        instance: str | None = None,
        channel: str | None = None,
        mode: str = "job",
        optimization_level: int = 2,
        seed_transpiler: int = 1234,
        decomposition: str = "auto",
        twirling: bool = False,
        dynamical_decoupling: bool | str = False,
        max_execution_time: int | None = None,
        options: Mapping[str, Any] | None = None,
        service: Any = None,
        threads: int | None = 1,
        store: Any = None,
    ) -> None:
        if not isinstance(device, str) or not device:
            raise ProblemError(
                f"The 'device' argument of IBMBackend must be a device name such as "
                f"'ibm_torino' or 'fake_torino'; got {device!r}."
            )
        if mode not in MODES:
            raise ProblemError(
                f"The 'mode' argument of IBMBackend must be one of {list(MODES)}; got {mode!r}."
            )
        level = check_optimization_level(optimization_level, "IBMBackend")
        check_decomposition(decomposition, "IBMBackend")
        dynamical_decoupling, max_execution_time = runtime.check_sampler_settings(
            twirling, dynamical_decoupling, max_execution_time, options, "IBMBackend"
        )
        self.device_name = device
        self.local = is_fake_device(device)
        self.mode = mode
        self.optimization_level = level
        self.seed_transpiler = check_int(
            seed_transpiler, "seed_transpiler", "IBMBackend", minimum=0
        )
        self.decomposition = decomposition
        self.twirling = twirling
        self.dynamical_decoupling: str | bool = dynamical_decoupling
        self.max_execution_time = max_execution_time
        self.extra_options: dict[str, Any] = dict(options or {})
        self.account = account
        self.instance = runtime.check_instance(instance)
        self.channel = channel
        self.threads = threads
        self._store = store
        self._mode_object: Any = None
        if self.local:
            if account is not None or instance is not None or service is not None:
                raise ProblemError(
                    f"The device {device!r} is an offline snapshot; it takes no account, "
                    "instance or service (drop them, or name a real device such as 'ibm_torino')."
                )
            self.service = None
            self.device = fake_device(device, "IBMBackend")
        else:
            self.service = (
                service
                if service is not None
                else runtime.connect_service(account, instance, channel)
            )
            self.device = self._lookup_device(device)
        self.name = f"ibm:{device}"
        self._lowering = DeviceLowering(
            self.device,
            decomposition=decomposition,
            optimization_level=level,
            seed_transpiler=self.seed_transpiler,
        )
        self.sampler_options()  # validate the options now, not at submission

    @classmethod
    def from_record(cls, record: RunRecord, service: Any) -> IBMBackend:
        """The backend a stored run was submitted with (its recorded options), on ``service``.

        Used to resubmit a failed run's stored circuits (``qsearch collect --resubmit-failed``).
        """
        options = record.record.get("options", {})
        return cls(
            record.device,
            mode=options.get("mode", "job"),
            optimization_level=options.get("optimization_level", 2),
            seed_transpiler=options.get("seed_transpiler", 1234),
            decomposition=options.get("decomposition", "auto"),
            twirling=options.get("twirling", False),
            dynamical_decoupling=options.get("dynamical_decoupling", False),
            max_execution_time=options.get("max_execution_time"),
            options=options.get("options") or None,
            service=service,
        )

    def close(self) -> None:
        """Close the batch or session opened for ``mode="batch" | "session"`` (if any).

        Jobs already submitted still run; a session otherwise holds the device until its
        time-to-live expires. Also called on leaving a ``with IBMBackend(...)`` block.
        """
        if self._mode_object is not None:
            with quiet_runtime():
                self._mode_object.close()
            self._mode_object = None

    def __enter__(self) -> IBMBackend:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        account = "" if self.account is None else f", account={self.account!r}"
        return f"IBMBackend(device={self.device_name!r}, mode={self.mode!r}{account})"

    # -- device ---------------------------------------------------------------------------

    def _lookup_device(self, name: str) -> Any:
        try:
            with quiet_runtime():
                return self.service.backend(name)
        except Exception as exc:
            if isinstance(exc, (ProblemError, BackendError)):
                raise
            try:
                with quiet_runtime():
                    known = sorted(b.name for b in self.service.backends())
            except Exception:
                raise BackendError(
                    f"Could not look up device {name!r} ({type(exc).__name__}): "
                    f"{runtime.CONNECTION_HINT}"
                ) from None
            if name in known:
                raise BackendError(
                    f"Device {name!r} exists but could not be loaded ({type(exc).__name__}); "
                    "retry later."
                ) from None
            raise unknown_device_error(name, known, "IBMBackend") from None

    @property
    def max_shots(self) -> int | None:
        """The device's maximum shots per circuit, when it reports one."""
        configuration = getattr(self.device, "configuration", None)
        value = getattr(configuration(), "max_shots", None) if callable(configuration) else None
        value = value or getattr(self.device, "max_shots", None)
        return int(value) if value else None

    def check_shots(self, shots: Any) -> int:
        shots = check_int(shots, "shots", "IBMBackend.run", minimum=1)
        limit = self.max_shots
        if limit is not None and shots > limit:
            raise ProblemError(
                f"The 'shots' argument of IBMBackend.run must be <= {limit} (the maximum of "
                f"{self.device_name!r}); got {shots}."
            )
        return shots

    # -- circuits -------------------------------------------------------------------------

    def isa_circuit(self, program: SearchProgram) -> Any:
        """The ISA circuit of ``program`` for the device (cached per program).

        With ``decomposition="auto"`` every lowering that fits the device is transpiled and the
        shallowest kept (ties: fewer two-qubit gates); :meth:`decomposition_of` says which.
        """
        with quiet_runtime():
            return self._lowering(program).circuit

    def decomposition_of(self, program: SearchProgram) -> str:
        """Which lowering of the multi-controlled phases :meth:`isa_circuit` used."""
        with quiet_runtime():
            return self._lowering(program).decomposition

    def circuit_metadata(self, program: SearchProgram) -> dict[str, Any]:
        """What runs for ``program`` (:func:`qsearch.backends.base.circuit_metadata`).

        The ISA circuit's depth, two-qubit gates, physical qubits and decomposition, the
        device, transpiler settings and the noise source (the device itself, or its snapshot's
        noise model in local mode).
        """
        with quiet_runtime():
            summary = self._lowering(program).summary()
        noise = (
            f"{self.device_name} snapshot noise model (local mode)"
            if self.local
            else f"{self.device_name} hardware"
        )
        return {
            **summary,
            "device": self.device_name,
            "optimization_level": self.optimization_level,
            "seed_transpiler": self.seed_transpiler,
            "noise": noise,
        }

    def estimate_qpu_seconds(self, circuits: Sequence[Any], shots: int) -> float:
        """Rough QPU time: Σ shots × (circuit duration + repetition delay) + job overhead."""
        configuration = getattr(self.device, "configuration", None)
        rep_delay = None
        if callable(configuration):
            rep_delay = getattr(configuration(), "default_rep_delay", None)
        rep_delay = float(rep_delay) if rep_delay else DEFAULT_REP_DELAY_S
        if rep_delay > 1e-2:  # reported in microseconds by some devices
            rep_delay *= 1e-6
        per_shot = sum(schedule_duration(self.device, c) + rep_delay for c in circuits)
        return JOB_OVERHEAD_S + shots * per_shot

    # -- options and submission -----------------------------------------------------------

    def options_record(self) -> dict[str, Any]:
        """The options as recorded in the job store (JSON-friendly, no credentials)."""
        return {
            "device": self.device_name,
            "mode": self.mode,
            "optimization_level": self.optimization_level,
            "seed_transpiler": self.seed_transpiler,
            "decomposition": self.decomposition,
            "twirling": self.twirling,
            "dynamical_decoupling": self.dynamical_decoupling,
            "max_execution_time": self.max_execution_time,
            "options": self.extra_options,
            "account": self.account,
            "instance": self.instance,
            "channel": self.channel,
            "sampler": runtime.sampler_name(),
        }

    def sampler_options(
        self,
        *,
        tags: Sequence[str] = (),
        seed_simulator: int | None = None,
        shots: int | None = None,
    ) -> Any:
        """The sampler's options object (:func:`qsearch.backends.ibm.runtime.sampler_options`)."""
        return runtime.sampler_options(
            self.extra_options,
            twirling=self.twirling,
            dynamical_decoupling=self.dynamical_decoupling,
            max_execution_time=self.max_execution_time,
            tags=tags,
            seed_simulator=seed_simulator,
            shots=shots,
        )

    def _execution_mode(self) -> Any:
        if self.mode == "job":
            return self.device
        if self._mode_object is None:
            from qiskit_ibm_runtime import Batch, Session

            with quiet_runtime():
                self._mode_object = (Batch if self.mode == "batch" else Session)(
                    backend=self.device
                )
        return self._mode_object

    def submit(
        self,
        circuits: Sequence[Any],
        *,
        shots: int,
        seed: SeedLike = None,
        tags: Sequence[str] = (),
    ) -> Any:
        """Submit ISA circuits; returns the runtime job (local jobs finish synchronously)."""
        shots = self.check_shots(shots)
        seed_simulator = None
        if self.local:
            seed_simulator = int(make_rng(seed, "IBMBackend.run").integers(0, 2**31 - 1))
            mode = noisy_simulator(self.device_name, active_qubits(circuits), threads=self.threads)
        else:
            mode = self._execution_mode()
        options = self.sampler_options(tags=tags, seed_simulator=seed_simulator, shots=shots)
        return runtime.run_sampler(mode, circuits, shots=shots, options=options)

    def run(
        self, programs: Sequence[SearchProgram], *, shots: int, seed: SeedLike = None
    ) -> list[Counts]:
        """Counts per program. Real devices: recorded in the job store, then waited for."""
        programs = check_run_arguments(programs, shots, "IBMBackend.run")
        shots = self.check_shots(shots)
        if not programs:
            return []
        if not self.local:
            store = self._store if isinstance(self._store, JobStore) else JobStore(self._store)
            run_id = submit_run(store, self, programs, shots=shots, seed=seed)
            record = collect_run(store, run_id, service=self.service, wait=None)
            if record.counts is None:
                raise BackendError(
                    f"Run {run_id} ended {record.status}: {record.message or 'no message'}"
                )
            return record.counts
        circuits = [self.isa_circuit(program) for program in programs]
        job = self.submit(circuits, shots=shots, seed=seed)
        with quiet_runtime():
            result = job.result()
        return runtime.counts_from_result(result, len(circuits))

    def resources(self, program: SearchProgram) -> dict[str, Any]:
        """:func:`qsearch.backends.resources.resources` on this device with these settings."""
        return estimate_resources(
            program,
            self.device,
            decomposition=self.decomposition,
            optimization_level=self.optimization_level,
            seed_transpiler=self.seed_transpiler,
        )
