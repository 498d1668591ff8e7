"""A fake IBM Quantum service for the job store and CLI tests.

``FakeService`` behaves like ``QiskitRuntimeService`` at the boundary qsearch uses (``backend``,
``backends``, ``job``, ``jobs(job_tags=...)``); its jobs behave like ``RuntimeJobV2`` (string
statuses, ``error_message()``, ``result(timeout)`` raising the runtime's own exceptions).
``FakeSampler`` stands in for the network call of the runtime sampler: everything before it
(connection, device lookup, ISA transpilation, option validation, the store, the CLI) is the
real code. Finished jobs are computed exactly with qiskit's ``StatevectorSampler``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from qiskit.providers import JobStatus
from qiskit_ibm_runtime.exceptions import (
    RuntimeInvalidStateError,
    RuntimeJobFailureError,
    RuntimeJobNotFound,
    RuntimeJobTimeoutError,
)
from qiskit_ibm_runtime.executor_sampler import Sampler as ExecutorSampler

from qsearch.backends.ibm import runtime

DEVICE = "ibm_fakecity"
FAKE_TOKEN = "qsearchFAKEtoken0123456789abcdefghijklmnopqrstuvwxyzABCDEF"


class FakeJob:
    """A cloud job: ``status()`` returns a str (or a JobStatus enum when ``enum_status``)."""

    def __init__(self, job_id: str, circuits: list, shots: int, tags: list[str]) -> None:
        self._id = job_id
        self.circuits = circuits
        self.shots = shots
        self.tags = tags
        self.state = "QUEUED"
        self.message: str | None = None
        self.enum_status = False
        self.result_calls = 0

    def job_id(self) -> str:
        return self._id

    def status(self) -> Any:
        return JobStatus[self.state] if self.enum_status else self.state

    def error_message(self) -> str | None:
        return self.message

    def cancel(self) -> None:
        if self.state in ("DONE", "ERROR", "CANCELLED"):
            raise RuntimeInvalidStateError(f"Job cannot be cancelled: it is {self.state}.")
        self.state = "CANCELLED"

    def result(self, timeout: float | None = None) -> Any:
        self.result_calls += 1
        if self.state in ("QUEUED", "RUNNING", "INITIALIZING"):
            if timeout is None:
                raise AssertionError("test would wait forever")
            raise RuntimeJobTimeoutError(f"Timed out waiting for job after {timeout} secs.")
        if self.state == "ERROR":
            raise RuntimeJobFailureError(f"Unable to retrieve job result. {self.message}")
        if self.state == "CANCELLED":
            raise RuntimeInvalidStateError("Unable to retrieve result. Job was cancelled.")
        from qiskit.primitives import StatevectorSampler

        return StatevectorSampler(seed=7).run(self.circuits, shots=self.shots).result()


class FakeService:
    """The parts of QiskitRuntimeService that qsearch calls."""

    def __init__(self) -> None:
        from qiskit_ibm_runtime.fake_provider import FakeManilaV2

        self.device = FakeManilaV2()
        self.jobs_by_id: dict[str, FakeJob] = {}
        self.job_lookups = 0
        self.fail_next_submission = False
        self._token = FAKE_TOKEN  # like a real service, it holds credentials

    def backend(self, name: str) -> Any:
        if name != DEVICE:
            raise LookupError(f"QiskitBackendNotFoundError: {name}")
        return self.device

    def backends(self) -> list:
        device = type("Named", (), {"name": DEVICE})()
        return [device]

    def job(self, job_id: str) -> FakeJob:
        self.job_lookups += 1
        if job_id not in self.jobs_by_id:
            raise RuntimeJobNotFound(f"Job not found: {job_id}")
        return self.jobs_by_id[job_id]

    def jobs(self, job_tags: list[str] | None = None, limit: int | None = 10, **_: Any) -> list:
        wanted = set(job_tags or ())
        return [j for j in self.jobs_by_id.values() if wanted <= set(j.tags)][:limit]

    def submit(self, circuits: list, shots: int, tags: list[str]) -> FakeJob:
        if self.fail_next_submission:
            self.fail_next_submission = False
            raise ConnectionError("the service went away")
        job = FakeJob(f"job-{len(self.jobs_by_id) + 1:03d}", circuits, shots, tags)
        self.jobs_by_id[job.job_id()] = job
        return job

    @property
    def last_job(self) -> FakeJob:
        return list(self.jobs_by_id.values())[-1]


SERVICE: FakeService | None = None


class FakeSampler(ExecutorSampler):
    """The runtime sampler up to its network call, which goes to the fake service."""

    def __init__(self, mode: Any = None, options: Any = None) -> None:
        self.mode_ = mode
        self.options_ = options

    def run(self, pubs: Any, *, shots: int | None = None, dry_run: bool = False) -> FakeJob:
        assert SERVICE is not None and self.mode_ is SERVICE.device
        return SERVICE.submit(list(pubs), shots, list(self.options_.environment.job_tags))


class SerializingSampler(FakeSampler):
    """Runs the runtime's own client-side processing up to the request body it would send."""

    def run(self, pubs: Any, *, shots: int | None = None, dry_run: bool = False) -> FakeJob:
        from qiskit_ibm_runtime.executor.executor import Executor
        from qiskit_ibm_runtime.executor_sampler.prepare import prepare
        from qiskit_ibm_runtime.options_models.converters import to_runtime_options
        from qiskit_ibm_runtime.quantum_program.params_converters import (
            QUANTUM_PROGRAM_PARAMS_CONVERTERS,
        )

        assert SERVICE is not None
        pubs = list(pubs)
        program, executor_options = prepare(
            pubs, self.options_, shots, add_tags=False, backend=self.mode_
        )
        program._semantic_role = "sampler_v2"
        encoder = QUANTUM_PROGRAM_PARAMS_CONVERTERS[Executor._SCHEMA_VERSION].encoder
        SERVICE.inputs = encoder(program, executor_options).model_dump(mode="json")
        SERVICE.runtime_options = to_runtime_options(
            executor_options.environment, self.mode_, executor_options.max_execution_time
        )
        return SERVICE.submit(pubs, shots, list(SERVICE.runtime_options["job_tags"]))


def use_fake_service(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeService:
    """A fresh FakeService that ``connect_service`` returns and ``FakeSampler`` submits to."""
    global SERVICE
    SERVICE = FakeService()
    monkeypatch.setenv("QSEARCH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("QISKIT_IBM_TOKEN", FAKE_TOKEN)
    monkeypatch.setattr(runtime, "sampler_class", lambda: FakeSampler)
    monkeypatch.setattr(runtime, "connect_service", lambda *args, **kwargs: SERVICE)
    return SERVICE


def modules_loaded_by(statement: str, names: tuple[str, ...]) -> list[str]:
    """Which of ``names`` (modules or top-level packages) a fresh interpreter has loaded after
    running ``statement``."""
    code = (
        f"import sys; {statement}; "
        f"print(sorted(m for m in sys.modules if m in {names!r} or m.split('.')[0] in {names!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return ast.literal_eval(out.stdout)
