"""The job store and the submit / refresh / collect flow, driven by a fake runtime service.

The fakes (:mod:`fakes`) stand in for the network only; the command line on top of this flow is
tested in tests/cli/test_jobs_cli.py.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("qiskit_ibm_runtime")

from backends.ibm.fakes import DEVICE, FakeJob, FakeService, modules_loaded_by, use_fake_service
from qsearch.backends.ibm import jobs, runtime
from qsearch.backends.ibm.backend import IBMBackend
from qsearch.backends.ibm.jobs import (
    JobStore,
    JobStoreError,
    collect_run,
    default_store_path,
    submit_run,
)
from qsearch.exceptions import ProblemError
from qsearch.problem import SearchProblem, SearchProgram


@pytest.fixture
def service(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeService:
    return use_fake_service(monkeypatch, tmp_path)


def test_store_lives_under_qsearch_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("QSEARCH_HOME", str(tmp_path / "qs"))
    assert default_store_path() == tmp_path / "qs" / "jobs.sqlite"
    JobStore()
    assert (tmp_path / "qs" / "jobs.sqlite").exists()


def test_collect_saves_nothing_when_reading_the_result_fails(
    service: FakeService, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = JobStore()
    backend = IBMBackend(DEVICE, service=service)
    program = SearchProgram(SearchProblem(4, [2]), 1)
    run_id = submit_run(store, backend, [program], shots=100, seed=1)
    service.last_job.state = "DONE"

    def broken(result: Any, n: int) -> Any:
        raise RuntimeError("decoder crashed")

    with monkeypatch.context() as patch:
        patch.setattr(runtime, "counts_from_result", broken)
        with pytest.raises(RuntimeError, match="decoder crashed"):
            collect_run(store, run_id, service=service, wait=None)
    assert store.get(run_id).counts is None and store.get(run_id).status != "DONE"
    record = collect_run(store, run_id, service=service, wait=None)
    assert record.status == "DONE" and record.counts == [{2: 100}]


def test_ibm_backend_run_goes_through_the_store(service: FakeService) -> None:
    store = JobStore()
    backend = IBMBackend(DEVICE, service=service, store=store)
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


def test_the_job_id_is_stored_before_waiting_for_the_result(
    service: FakeService, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = JobStore()
    backend = IBMBackend(DEVICE, service=service, store=store)

    def interrupted(self: FakeJob, timeout: float | None = None) -> Any:
        raise KeyboardInterrupt  # the session ends while the job waits in the queue

    monkeypatch.setattr(FakeJob, "result", interrupted)
    with pytest.raises(KeyboardInterrupt):
        backend.run([SearchProgram(SearchProblem(4, [3]), 1)], shots=50, seed=2)
    [run] = store.runs()
    assert run.job_ids == ("job-001",) and run.status == "QUEUED" and run.counts is None
    assert service.last_job.tags == ["qsearch", f"qsearch-run:{run.run_id}"]


def test_resubmission_uses_the_backend_the_caller_builds(service: FakeService) -> None:
    store = JobStore()
    backend = IBMBackend(DEVICE, service=service, twirling=True)
    run_id = submit_run(store, backend, [SearchProgram(SearchProblem(4, [2]), 1)], shots=64)
    service.last_job.state = "ERROR"
    with pytest.raises(ProblemError, match="'backend_factory' argument of collect_run"):
        collect_run(store, run_id, service=service, resubmit_failed=True)
    assert len(service.jobs_by_id) == 1 and store.get(run_id).status == "ERROR"

    built: list[IBMBackend] = []

    def factory(record: jobs.RunRecord) -> IBMBackend:
        built.append(IBMBackend.from_record(record, service))
        return built[-1]

    assert collect_run(store, run_id, service=service, backend_factory=factory).status == "ERROR"
    assert not built  # no resubmission asked: the factory is never called
    record = collect_run(
        store, run_id, service=service, resubmit_failed=True, backend_factory=factory
    )
    assert [b.twirling for b in built] == [True]  # rebuilt from the recorded options
    assert record.job_ids == ("job-001", "job-002") and record.status == "QUEUED"
    assert service.jobs_by_id["job-002"].circuits == service.jobs_by_id["job-001"].circuits


def test_the_job_store_loads_neither_the_backend_nor_the_runtime() -> None:
    heavy = ("qsearch.backends.ibm.backend", "qiskit_ibm_runtime", "qiskit")
    assert modules_loaded_by("import qsearch.backends.ibm.jobs", heavy) == []


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


def test_tampered_rows_are_listed_as_corrupt_never_dropped(tmp_path: Path) -> None:
    store, bad = _store_with_a_run(tmp_path / "jobs.sqlite")
    good = store.create_run(device="ibm_y", local=False, shots=5, record={}, qpy=b"Q2")
    with sqlite3.connect(store.path) as conn:
        conn.execute("UPDATE runs SET record = '{\"programs\": [1]}' WHERE run_id = ?", (bad,))
    runs = {run.run_id: run for run in JobStore(store.path).runs()}
    assert set(runs) == {bad, good}
    assert runs[bad].corrupt == "run record checksum mismatch"
    assert runs[good].corrupt is None
    with pytest.raises(JobStoreError, match="is corrupt"):
        JobStore(store.path).get(bad)
    with pytest.raises(JobStoreError, match="No run 'nope'"):
        JobStore(store.path).get("nope")
    assert jobs.run_tag("abc") == "qsearch-run:abc"
