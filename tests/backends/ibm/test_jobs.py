"""The job store and the submit / jobs / collect CLI, driven by a fake runtime service.

``FakeService`` behaves like ``QiskitRuntimeService`` at the boundary qsearch uses (``backend``,
``backends``, ``job``, ``jobs(job_tags=...)``); its jobs behave like ``RuntimeJobV2`` (string
statuses, ``error_message()``, ``result(timeout)`` raising the runtime's own exceptions).
``FakeSampler`` stands in for the network call of the runtime sampler: everything before it
(connection, device lookup, ISA transpilation, option validation, the store, the CLI) is the
real code. Finished jobs are computed exactly with qiskit's ``StatevectorSampler``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("qiskit_ibm_runtime")

from qiskit.providers import JobStatus
from qiskit_ibm_runtime.exceptions import (
    RuntimeInvalidStateError,
    RuntimeJobFailureError,
    RuntimeJobNotFound,
    RuntimeJobTimeoutError,
)
from qiskit_ibm_runtime.executor_sampler import Sampler as ExecutorSampler

from qsearch.backends.ibm import backend as ibm
from qsearch.backends.ibm import jobs
from qsearch.backends.ibm.jobs import (
    JobStore,
    JobStoreError,
    collect_run,
    default_store_path,
    submit_run,
)
from qsearch.cli import main
from qsearch.problem import SearchProblem, SearchProgram

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


@pytest.fixture
def service(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeService:
    global SERVICE
    SERVICE = FakeService()
    monkeypatch.setenv("QSEARCH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("QISKIT_IBM_TOKEN", FAKE_TOKEN)
    monkeypatch.setattr(ibm, "sampler_class", lambda: FakeSampler)
    monkeypatch.setattr(ibm, "connect_service", lambda *args, **kwargs: SERVICE)
    return SERVICE


def _submit_cli(*extra: str) -> int:
    return main(
        [
            "submit",
            "--device",
            DEVICE,
            "--num-items",
            "4",
            "--marked",
            "2",
            "--iterations",
            "0,1",
            "--shots",
            "400",
            "--seed",
            "5",
            *extra,
        ]
    )


def _only_run(store: JobStore) -> str:
    runs = store.runs()
    assert len(runs) == 1
    return runs[0].run_id


def test_store_lives_under_qsearch_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("QSEARCH_HOME", str(tmp_path / "qs"))
    assert default_store_path() == tmp_path / "qs" / "jobs.sqlite"
    JobStore()
    assert (tmp_path / "qs" / "jobs.sqlite").exists()


def test_real_device_submission_asks_first(
    service: FakeService, capsys: pytest.CaptureFixture[str]
) -> None:
    # pytest's stdin is not a terminal: without --yes the CLI refuses clearly
    assert _submit_cli() == 2
    captured = capsys.readouterr()
    assert "2 circuit(s) × 400 shots, estimated QPU time" in captured.out
    assert "stdin is not a terminal" in captured.err and "--yes" in captured.err
    assert not service.jobs_by_id
    assert JobStore().runs() == []


def test_queued_then_done_is_collected_once(
    service: FakeService, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _submit_cli("--yes") == 0
    store = JobStore()
    run_id = _only_run(store)
    record = store.get(run_id)
    assert record.status == "SUBMITTED" and record.job_ids == ("job-001",)
    assert service.last_job.tags == ["qsearch", f"qsearch-run:{run_id}"]
    assert record.record["options"]["seed_transpiler"] == 1234
    assert record.record["versions"]["qiskit-ibm-runtime"]
    assert [c.num_qubits for c in store.circuits(run_id)] == [5, 5]  # ISA circuits, QPY

    assert main(["jobs", "status", run_id]) == 0
    assert "QUEUED" in capsys.readouterr().out
    assert main(["collect", run_id]) == 3  # not finished yet: nothing saved
    assert store.get(run_id).counts is None

    service.last_job.state = "DONE"
    assert main(["jobs", "status", run_id]) == 0
    assert "READY" in capsys.readouterr().out  # done on the service, not collected yet
    assert main(["collect", run_id[:6]]) == 0  # a unique prefix is enough
    out = capsys.readouterr().out
    assert "k=1: success 400/400" in out  # N = 4, k = 1: exactly 1 in an ideal simulation
    counts = store.get(run_id).counts
    assert counts is not None and counts[1] == {2: 400}
    assert sum(counts[0].values()) == 400
    lookups, calls = service.job_lookups, service.last_job.result_calls
    assert main(["collect", run_id]) == 0  # idempotent: answered from the store
    assert (service.job_lookups, service.last_job.result_calls) == (lookups, calls)
    assert store.get(run_id).counts == counts
    assert len(service.jobs_by_id) == 1  # never resubmitted


def test_failed_job_is_recorded_and_resubmitted_only_on_request(
    service: FakeService, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _submit_cli("--yes") == 0
    store = JobStore()
    run_id = _only_run(store)
    service.last_job.state = "ERROR"
    service.last_job.message = "Error code 1305; job exceeded max_execution_time"
    assert main(["collect", run_id]) == 1
    record = store.get(run_id)
    assert record.status == "ERROR" and "1305" in (record.message or "")
    assert main(["collect", run_id]) == 1
    assert len(service.jobs_by_id) == 1  # no resubmission without the flag

    assert main(["collect", run_id, "--resubmit-failed", "--yes"]) == 3
    assert len(service.jobs_by_id) == 2
    first, second = service.jobs_by_id["job-001"], service.jobs_by_id["job-002"]
    assert second.circuits == first.circuits  # the stored ISA circuits, sent again
    assert second.tags == first.tags
    assert store.get(run_id).job_ids == ("job-001", "job-002")
    second.state = "DONE"
    assert main(["collect", run_id]) == 0
    assert store.get(run_id).status == "DONE"
    capsys.readouterr()


def test_cancelled_job_is_recorded_with_the_service_message(service: FakeService) -> None:
    assert _submit_cli("--yes") == 0
    store = JobStore()
    run_id = _only_run(store)
    service.last_job.state = "CANCELLED"
    service.last_job.enum_status = True  # local-style enum statuses are normalised too
    assert main(["collect", run_id]) == 1
    record = store.get(run_id)
    assert record.status == "CANCELLED"
    assert record.message == "cancelled on the service"
    assert main(["jobs", "list"]) == 0


def test_timeout_keeps_the_run_open(service: FakeService) -> None:
    assert _submit_cli("--yes") == 0
    store = JobStore()
    run_id = _only_run(store)
    service.last_job.state = "RUNNING"
    assert main(["collect", run_id, "--wait", "0.01"]) == 3
    record = store.get(run_id)
    assert record.status == "RUNNING" and "not finished after waiting 0.01 s" in record.message
    assert record.counts is None
    service.last_job.state = "DONE"
    assert main(["collect", run_id, "--wait", "5"]) == 0


def test_a_process_killed_between_submit_and_record_is_recovered(
    service: FakeService, monkeypatch: pytest.MonkeyPatch
) -> None:
    def killed(self: JobStore, run_id: str, job_id: str, **_: Any) -> None:
        raise KeyboardInterrupt  # the process dies right after the service accepted the job

    with monkeypatch.context() as patch:
        patch.setattr(JobStore, "record_job", killed)
        assert _submit_cli("--yes") == 130
    store = JobStore()
    run_id = _only_run(store)
    assert store.get(run_id).status == "PENDING" and store.get(run_id).job_ids == ()
    assert len(service.jobs_by_id) == 1  # the job exists on the service

    service.last_job.state = "DONE"
    assert main(["collect", run_id]) == 0
    record = store.get(run_id)
    assert record.job_ids == ("job-001",)
    assert record.counts is not None and record.counts[1] == {2: 400}
    assert len(service.jobs_by_id) == 1  # recovered, not resubmitted


def test_a_submission_that_never_reached_the_service(service: FakeService) -> None:
    service.fail_next_submission = True
    assert _submit_cli("--yes") == 2  # BackendError from the sampler, reported
    store = JobStore()
    run_id = _only_run(store)  # ... but the run record was committed first
    assert main(["collect", run_id]) == 3
    record = store.get(run_id)
    assert record.status == "PENDING" and "--resubmit-failed" in (record.message or "")
    assert not service.jobs_by_id
    assert main(["collect", run_id, "--resubmit-failed", "--yes"]) == 3
    assert store.get(run_id).job_ids == ("job-001",)


def test_collect_saves_nothing_when_reading_the_result_fails(
    service: FakeService, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = JobStore()
    backend = ibm.IBMBackend(DEVICE, service=service)
    program = SearchProgram(SearchProblem(4, [2]), 1)
    run_id = submit_run(store, backend, [program], shots=100, seed=1)
    service.last_job.state = "DONE"

    def broken(result: Any, n: int) -> Any:
        raise RuntimeError("decoder crashed")

    with monkeypatch.context() as patch:
        patch.setattr(ibm, "counts_from_result", broken)
        with pytest.raises(RuntimeError, match="decoder crashed"):
            collect_run(store, run_id, service=service, wait=None)
    assert store.get(run_id).counts is None and store.get(run_id).status != "DONE"
    record = collect_run(store, run_id, service=service, wait=None)
    assert record.status == "DONE" and record.counts == [{2: 100}]


def test_ibm_backend_run_goes_through_the_store(service: FakeService) -> None:
    store = JobStore()
    backend = ibm.IBMBackend(DEVICE, service=service, store=store)
    program = SearchProgram(SearchProblem(4, [3]), 1)

    original = service.submit

    def submit_and_finish(*args: Any, **kwargs: Any) -> FakeJob:
        job = original(*args, **kwargs)
        job.state = "DONE"
        return job

    service.submit = submit_and_finish  # type: ignore[method-assign]
    assert backend.run([program], shots=50, seed=2) == [{3: 50}]
    [run] = store.runs()
    assert run.status == "DONE" and run.job_ids == ("job-001",)


def test_local_device_runs_are_stored_synchronously(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QSEARCH_HOME", str(tmp_path))
    argv = ["submit", "--device", "fake_manila", "--num-items", "4", "--marked", "1"]
    assert main([*argv, "--shots", "300", "--seed", "9"]) == 0  # no confirmation offline
    store = JobStore()
    run = store.runs()[0]
    assert run.local and run.status == "DONE" and sum(run.counts[0].values()) == 300
    assert run.counts[0].get(1, 0) > 0.7 * 300
    assert main(["collect", run.run_id]) == 0
    assert "success" in capsys.readouterr().out


def test_no_token_in_the_store_or_the_output(
    service: FakeService, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _submit_cli("--yes") == 0
    service.last_job.state = "DONE"
    run_id = _only_run(JobStore())
    assert main(["collect", run_id]) == 0
    assert main(["jobs", "list"]) == 0
    captured = capsys.readouterr()
    assert FAKE_TOKEN not in captured.out + captured.err
    assert FAKE_TOKEN.encode() not in default_store_path().read_bytes()


# -- corrupted and partially written stores ------------------------------------------------


def _store_with_a_run(path: Path) -> tuple[JobStore, str]:
    store = JobStore(path)
    run_id = store.create_run(
        device="ibm_x", local=False, shots=10, record={"programs": []}, qpy=b"QPY"
    )
    store.record_job(run_id, "job-1")
    return store, run_id


def test_garbage_file_is_reported_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite"
    path.write_bytes(b"this is not a database\n" * 10)
    before = path.read_bytes()
    with pytest.raises(JobStoreError, match="not a SQLite database"):
        JobStore(path)
    assert path.read_bytes() == before


def test_truncated_store_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite"
    store, _ = _store_with_a_run(path)
    for i in range(30):  # several pages, so truncation cuts through the tables
        store.create_run(
            device="ibm_x", local=False, shots=10, record={"i": i, "pad": "x" * 2000}, qpy=b"Q"
        )
    store.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(JobStoreError, match="corrupted or partially written|integrity"):
        JobStore(path).runs()


def test_store_without_its_tables_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    with pytest.raises(JobStoreError, match="lacks tables"):
        JobStore(path)


def test_tampered_rows_are_listed_as_corrupt_never_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QSEARCH_HOME", str(tmp_path))
    store, bad = _store_with_a_run(default_store_path())
    good = store.create_run(device="ibm_y", local=False, shots=5, record={}, qpy=b"Q2")
    with sqlite3.connect(store.path) as conn:
        conn.execute("UPDATE runs SET record = '{\"programs\": [1]}' WHERE run_id = ?", (bad,))
    runs = {run.run_id: run for run in JobStore().runs()}
    assert set(runs) == {bad, good}
    assert runs[bad].corrupt == "run record checksum mismatch"
    assert runs[good].corrupt is None
    assert main(["jobs", "list"]) == 1
    captured = capsys.readouterr()
    assert bad in captured.out and "CORRUPT" in captured.out and "1 corrupt run" in captured.err
    assert main(["collect", bad]) == 2
    assert "is corrupt" in capsys.readouterr().err
    with pytest.raises(JobStoreError, match="No run 'nope'"):
        JobStore().get("nope")


def test_collect_of_unknown_run_fails_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QSEARCH_HOME", str(tmp_path))
    assert main(["collect", "abc"]) == 2
    assert "No run 'abc'" in capsys.readouterr().err
    assert jobs.run_tag("abc") == "qsearch-run:abc"


def test_there_is_no_token_flag(service: FakeService) -> None:
    with pytest.raises(SystemExit):
        _submit_cli("--yes", "--token", FAKE_TOKEN)
    assert not service.jobs_by_id


def test_batch_mode_is_closed_after_submission(
    service: FakeService, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed: list[str] = []

    class FakeBatch:
        def __init__(self, backend: Any) -> None:
            self.backend = backend

        def close(self) -> None:
            closed.append("batch")

    import qiskit_ibm_runtime

    monkeypatch.setattr(qiskit_ibm_runtime, "Batch", FakeBatch)

    class BatchSampler(FakeSampler):
        def run(self, pubs: Any, *, shots: int | None = None, dry_run: bool = False) -> Any:
            assert isinstance(self.mode_, FakeBatch) and self.mode_.backend is service.device
            return service.submit(list(pubs), shots, list(self.options_.environment.job_tags))

    monkeypatch.setattr(ibm, "sampler_class", lambda: BatchSampler)
    assert _submit_cli("--yes", "--mode", "batch") == 0
    assert closed == ["batch"]
    assert JobStore().runs()[0].record["options"]["mode"] == "batch"


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


def test_options_reach_the_request_the_service_would_receive(
    service: FakeService, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    service.device._instance = "crn:v1:bluemix:public:quantum-computing:us-east:a/x:y::"
    monkeypatch.setattr(ibm, "sampler_class", lambda: SerializingSampler)
    extra = ("--twirling", "--dd", "XY4", "--max-execution-time", "60", "--yes")
    assert _submit_cli(*extra) == 0
    run_id = _only_run(JobStore())
    options = service.runtime_options
    assert options["max_execution_time"] == 60
    assert options["job_tags"] == ["qsearch", f"qsearch-run:{run_id}"]
    assert options["backend"] == "fake_manila"
    body = json.dumps(service.inputs)
    assert service.inputs["schema_version"] and FAKE_TOKEN not in body
    # twirling and dynamical decoupling are applied client-side: the items carry a samplex
    assert "samplex" in body.lower()
    service.last_job.state = "DONE"
    assert main(["collect", run_id]) == 0
    assert JobStore().get(run_id).counts[1] == {2: 400}
