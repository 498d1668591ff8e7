"""Job store faults (issue 14.8-14.10): a bad QSEARCH_HOME, an emptied store, a killed submit.

Every case runs the real ``qsearch`` command (in process, or as a subprocess killed with
SIGKILL at the moment that matters) and checks the exit code and what the user is told.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("qiskit_ibm_runtime")

from backends.ibm import fakes

from qsearch.backends.ibm.jobs import JobStore
from qsearch.cli import main
from qsearch.testing import binomial_bound

ROOT = Path(__file__).resolve().parents[2]


def _jobs_list(capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["jobs", "list"])
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("home", "expected"),
    [
        ("file", "is a regular file, not a directory"),
        ("file/sub", "is a regular file, not a directory"),
        ("/proc/self/qsearch", "is under /proc"),
        ("/sys/qsearch-test", "cannot be created"),
    ],
)
def test_a_home_that_cannot_hold_the_store_is_named_with_the_fix(
    home: str,
    expected: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "file").write_text("not a directory")
    monkeypatch.setenv("QSEARCH_HOME", home if home.startswith("/") else str(tmp_path / home))
    code, err = _jobs_list(capsys)
    assert code == 2
    assert expected in err and "set QSEARCH_HOME to a writable directory" in err
    assert "corrupt" not in err and "Traceback" not in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_an_unwritable_home_is_named_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    home.chmod(0o500)
    monkeypatch.setenv("QSEARCH_HOME", str(home))
    try:
        code, err = _jobs_list(capsys)
    finally:
        home.chmod(0o700)
    assert code == 2 and "is not writable by this user (permissions 500)" in err


def test_a_store_truncated_to_zero_bytes_is_reported_not_treated_as_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QSEARCH_HOME", str(tmp_path))
    JobStore().close()
    (tmp_path / "jobs.sqlite").write_bytes(b"")
    code, err = _jobs_list(capsys)
    assert code == 2
    assert "is empty (0 bytes): it was truncated or damaged" in err and "mv " in err
    assert "no runs" not in capsys.readouterr().out
    assert (tmp_path / "jobs.sqlite").stat().st_size == 0  # left untouched


_KILLED_SUBMIT = """
import os, signal, sys
from qsearch.backends.ibm.backend import IBMBackend
from qsearch.cli import main

def die(self, circuits, **kwargs):  # the run record is committed; the process dies now
    os.kill(os.getpid(), signal.SIGKILL)

IBMBackend.submit = die
sys.exit(main(sys.argv[1:]))
"""


def test_a_local_submit_killed_mid_run_is_abandoned_then_resubmitted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {**os.environ, "QSEARCH_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    args = ["submit", "--device", "fake_manila", "--num-items", "8", "--marked", "5"]
    done = subprocess.run(
        [sys.executable, "-c", _KILLED_SUBMIT, *args, "--shots", "2000", "--seed", "3"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL
    monkeypatch.setenv("QSEARCH_HOME", str(tmp_path))
    [run] = JobStore().runs()
    assert run.status == "PENDING" and run.counts is None and run.local

    assert main(["collect", run.run_id]) == 1  # not 3 ("not finished") forever
    out = capsys.readouterr().out
    assert "ABANDONED" in out and f"qsearch collect {run.run_id} --resubmit-failed" in out
    assert JobStore().get(run.run_id).status == "ABANDONED"

    assert main(["collect", run.run_id, "--resubmit-failed", "--yes"]) == 0
    record = JobStore().get(run.run_id)
    assert record.status == "DONE" and len(record.job_ids) == 1
    hits = record.counts[0].get(5, 0)  # type: ignore[index]
    expected = 2000 * 0.945  # sin²(5θ) at N = 8; fake_manila noise lowers it
    assert 2000 / 8 + binomial_bound(2000, 1 / 8) < hits < expected + binomial_bound(2000, 0.945)


def test_a_local_run_still_running_in_a_live_process_is_not_abandoned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qsearch.backends.ibm.jobs import collect_run

    monkeypatch.setenv("QSEARCH_HOME", str(tmp_path))
    store = JobStore()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        record = {"programs": [], "submitter": {"pid": sleeper.pid, "host": os.uname().nodename}}
        run_id = store.create_run(device="fake_manila", local=True, shots=1, record=record, qpy=b"")
        assert collect_run(store, run_id, service=None).status == "PENDING"
        assert f"still running in process {sleeper.pid}" in (store.get(run_id).message or "")
    finally:
        sleeper.kill()
        sleeper.wait()
    assert collect_run(store, run_id, service=None).status == "ABANDONED"


def test_a_service_run_that_never_got_a_job_is_resubmitted_on_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    service = fakes.use_fake_service(monkeypatch, tmp_path)
    service.fail_next_submission = True  # the submission never reaches the service
    args = ["submit", "--device", fakes.DEVICE, "--num-items", "4", "--marked", "2"]
    assert main([*args, "--iterations", "1", "--shots", "400", "--yes"]) == 2
    [run] = JobStore().runs()
    assert main(["collect", run.run_id]) == 3
    out = capsys.readouterr().out
    assert "no job tagged" in out and "--resubmit-failed" in out
    assert main(["collect", run.run_id, "--resubmit-failed", "--yes"]) == 3  # queued now
    assert len(service.jobs_by_id) == 1
    service.last_job.state = "DONE"
    assert main(["collect", run.run_id]) == 0
    assert JobStore().get(run.run_id).counts == [{2: 400}]
