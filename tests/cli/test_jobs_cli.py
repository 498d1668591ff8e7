"""``qsearch submit``, ``jobs list|status`` and ``collect`` against a fake runtime service.

The fakes (tests/backends/ibm/fakes.py) stand in for the network only: connection, device
lookup, ISA transpilation, option validation, the job store and the command line are the real
code.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("qiskit_ibm_runtime")

from backends.ibm import fakes

from qsearch.backends.ibm import runtime
from qsearch.backends.ibm.jobs import JobStore, default_store_path
from qsearch.cli import build_parser, main


@pytest.fixture
def service(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> fakes.FakeService:
    return fakes.use_fake_service(monkeypatch, tmp_path)


def _submit_cli(*extra: str) -> int:
    return main(
        [
            "submit",
            "--device",
            fakes.DEVICE,
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


def _submitted(*extra: str, exit_code: int = 0) -> tuple[JobStore, str]:
    """``qsearch submit ... --yes`` with its exit code checked; the store and its only run."""
    assert _submit_cli("--yes", *extra) == exit_code
    store = JobStore()
    runs = store.runs()
    assert len(runs) == 1
    return store, runs[0].run_id


def test_real_device_submission_asks_first(
    service: fakes.FakeService, capsys: pytest.CaptureFixture[str]
) -> None:
    # pytest's stdin is not a terminal: without --yes the CLI refuses clearly
    assert _submit_cli() == 2
    captured = capsys.readouterr()
    assert "2 circuit(s) × 400 shots, estimated QPU time" in captured.out
    assert "stdin is not a terminal" in captured.err and "--yes" in captured.err
    assert not service.jobs_by_id
    assert JobStore().runs() == []


def test_queued_then_done_is_collected_once(
    service: fakes.FakeService, capsys: pytest.CaptureFixture[str]
) -> None:
    store, run_id = _submitted()
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
    service: fakes.FakeService, capsys: pytest.CaptureFixture[str]
) -> None:
    store, run_id = _submitted()
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


def test_cancelled_job_is_recorded_with_the_service_message(service: fakes.FakeService) -> None:
    store, run_id = _submitted()
    service.last_job.state = "CANCELLED"
    service.last_job.enum_status = True  # local-style enum statuses are normalised too
    assert main(["collect", run_id]) == 1
    record = store.get(run_id)
    assert record.status == "CANCELLED"
    assert record.message == "cancelled on the service"
    assert main(["jobs", "list"]) == 0


def test_timeout_keeps_the_run_open(service: fakes.FakeService) -> None:
    store, run_id = _submitted()
    service.last_job.state = "RUNNING"
    assert main(["collect", run_id, "--wait", "0.01"]) == 3
    record = store.get(run_id)
    assert record.status == "RUNNING" and "not finished after waiting 0.01 s" in record.message
    assert record.counts is None
    service.last_job.state = "DONE"
    assert main(["collect", run_id, "--wait", "5"]) == 0


def test_a_process_killed_between_submit_and_record_is_recovered(
    service: fakes.FakeService, monkeypatch: pytest.MonkeyPatch
) -> None:
    def killed(self: JobStore, run_id: str, job_id: str, **_: Any) -> None:
        raise KeyboardInterrupt  # the process dies right after the service accepted the job

    with monkeypatch.context() as patch:
        patch.setattr(JobStore, "record_job", killed)
        store, run_id = _submitted(exit_code=130)
    assert store.get(run_id).status == "PENDING" and store.get(run_id).job_ids == ()
    assert len(service.jobs_by_id) == 1  # the job exists on the service

    service.last_job.state = "DONE"
    assert main(["collect", run_id]) == 0
    record = store.get(run_id)
    assert record.job_ids == ("job-001",)
    assert record.counts is not None and record.counts[1] == {2: 400}
    assert len(service.jobs_by_id) == 1  # recovered, not resubmitted


def test_a_submission_that_never_reached_the_service(service: fakes.FakeService) -> None:
    service.fail_next_submission = True
    # BackendError from the sampler, reported (exit 2) ... but the run record was committed first
    store, run_id = _submitted(exit_code=2)
    assert main(["collect", run_id]) == 3
    record = store.get(run_id)
    assert record.status == "PENDING" and "--resubmit-failed" in (record.message or "")
    assert not service.jobs_by_id
    assert main(["collect", run_id, "--resubmit-failed", "--yes"]) == 3
    assert store.get(run_id).job_ids == ("job-001",)


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
    service: fakes.FakeService, capsys: pytest.CaptureFixture[str]
) -> None:
    _, run_id = _submitted()
    service.last_job.state = "DONE"
    assert main(["collect", run_id]) == 0
    assert main(["jobs", "list"]) == 0
    captured = capsys.readouterr()
    assert fakes.FAKE_TOKEN not in captured.out + captured.err
    assert fakes.FAKE_TOKEN.encode() not in default_store_path().read_bytes()


def test_tampered_rows_are_listed_as_corrupt_never_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QSEARCH_HOME", str(tmp_path))
    store = JobStore()
    bad = store.create_run(device="ibm_x", local=False, shots=10, record={}, qpy=b"QPY")
    store.record_job(bad, "job-1")
    good = store.create_run(device="ibm_y", local=False, shots=5, record={}, qpy=b"Q2")
    with sqlite3.connect(store.path) as conn:
        conn.execute("UPDATE runs SET record = '{\"programs\": [1]}' WHERE run_id = ?", (bad,))
    assert main(["jobs", "list"]) == 1
    captured = capsys.readouterr()
    assert bad in captured.out and "CORRUPT" in captured.out and "1 corrupt run" in captured.err
    assert good in captured.out
    assert main(["collect", bad]) == 2
    assert "is corrupt" in capsys.readouterr().err


def test_collect_of_unknown_run_fails_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QSEARCH_HOME", str(tmp_path))
    assert main(["collect", "abc"]) == 2
    assert "No run 'abc'" in capsys.readouterr().err


def test_there_is_no_token_flag(service: fakes.FakeService) -> None:
    with pytest.raises(SystemExit):
        _submit_cli("--yes", "--token", fakes.FAKE_TOKEN)
    assert not service.jobs_by_id


def test_batch_mode_is_closed_after_submission(
    service: fakes.FakeService, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed: list[str] = []

    class FakeBatch:
        def __init__(self, backend: Any) -> None:
            self.backend = backend

        def close(self) -> None:
            closed.append("batch")

    import qiskit_ibm_runtime

    monkeypatch.setattr(qiskit_ibm_runtime, "Batch", FakeBatch)

    class BatchSampler(fakes.FakeSampler):
        def run(self, pubs: Any, *, shots: int | None = None, dry_run: bool = False) -> Any:
            assert isinstance(self.mode_, FakeBatch) and self.mode_.backend is service.device
            return service.submit(list(pubs), shots, list(self.options_.environment.job_tags))

    monkeypatch.setattr(runtime, "sampler_class", lambda: BatchSampler)
    assert _submit_cli("--yes", "--mode", "batch") == 0
    assert closed == ["batch"]
    assert JobStore().runs()[0].record["options"]["mode"] == "batch"


def test_options_reach_the_request_the_service_would_receive(
    service: fakes.FakeService, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    service.device._instance = "crn:v1:bluemix:public:quantum-computing:us-east:a/x:y::"
    monkeypatch.setattr(runtime, "sampler_class", lambda: fakes.SerializingSampler)
    _, run_id = _submitted("--twirling", "--dd", "XY4", "--max-execution-time", "60")
    options = service.runtime_options
    assert options["max_execution_time"] == 60
    assert options["job_tags"] == ["qsearch", f"qsearch-run:{run_id}"]
    assert options["backend"] == "fake_manila"
    body = json.dumps(service.inputs)
    assert service.inputs["schema_version"] and fakes.FAKE_TOKEN not in body
    # twirling and dynamical decoupling are applied client-side: the items carry a samplex
    assert "samplex" in body.lower()
    service.last_job.state = "DONE"
    assert main(["collect", run_id]) == 0
    assert JobStore().get(run_id).counts[1] == {2: 400}


def test_decomposition_choices_are_the_lowering_ones() -> None:
    from qsearch.translate.lowering import DECOMPOSITIONS

    parser = build_parser()
    submit = parser._subparsers._group_actions[0].choices["submit"]  # type: ignore[union-attr]
    [action] = [a for a in submit._actions if a.dest == "decomposition"]
    assert list(action.choices) == ["auto", *DECOMPOSITIONS]


def test_registering_the_commands_loads_no_qiskit() -> None:
    heavy = (
        "qiskit",
        "qiskit_ibm_runtime",
        "qsearch.backends.ibm.jobs",
        "qsearch.backends.ibm.backend",
    )
    assert (
        fakes.modules_loaded_by("from qsearch.cli import build_parser; build_parser()", heavy) == []
    )


def test_jobs_cancel_cancels_the_service_job_and_marks_the_run(
    service: fakes.FakeService, capsys: pytest.CaptureFixture[str]
) -> None:
    store, run_id = _submitted()
    job = service.last_job
    assert job.state == "QUEUED"
    capsys.readouterr()
    assert main(["jobs", "cancel", run_id]) == 2  # asks first; no terminal here
    assert "Refusing to cancel run" in capsys.readouterr().err and job.state == "QUEUED"
    assert main(["jobs", "cancel", run_id, "--yes"]) == 0
    assert job.state == "CANCELLED"
    record = store.get(run_id)
    assert record.status == "CANCELLED" and job.job_id() in (record.message or "")
    assert "--resubmit-failed" in capsys.readouterr().out
    assert main(["jobs", "cancel", run_id, "--yes", "--format", "json"]) == 0  # idempotent
    assert '"status": "CANCELLED"' in capsys.readouterr().out


def test_jobs_cancel_refuses_a_finished_run(
    service: fakes.FakeService, capsys: pytest.CaptureFixture[str]
) -> None:
    _, run_id = _submitted()
    service.last_job.state = "DONE"
    assert main(["collect", run_id]) == 0
    capsys.readouterr()
    assert main(["jobs", "cancel", run_id, "--yes"]) == 2
    err = capsys.readouterr().err
    assert f"run {run_id} is complete" in err and "nothing to cancel" in err
