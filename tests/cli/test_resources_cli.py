"""``qsearch resources``, ``submit --dry-run``, the session warning and ``--format json``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("qiskit_ibm_runtime")

from qsearch import SearchProblem, SearchProgram
from qsearch.backends.ibm.jobs import JobStore
from qsearch.backends.resources import resources
from qsearch.cli import main


def test_resources_command_matches_the_python_function(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--num-items", "16", "--marked", "3", "--iterations", "1,3", "--device", "fake_torino"]
    assert main(["resources", *args, "--format", "json"]) == 0
    reports = json.loads(capsys.readouterr().out)
    expected = resources(SearchProgram(SearchProblem(16, [3]), 3), "fake_torino")
    assert reports[1]["depth"] == expected["depth"] == 337
    assert reports[1]["two_qubit_gates"] == expected["two_qubit_gates"]
    assert main(["resources", *args]) == 0
    table = capsys.readouterr().out
    assert "estimated_success" in table and "337" in table


def test_dry_run_submits_and_stores_nothing_and_session_warns_on_fakes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QSEARCH_HOME", str(tmp_path))
    args = ["submit", "--device", "fake_torino", "--num-items", "16", "--marked", "3"]
    assert main([*args, "--mode", "session", "--dry-run", "--shots", "500"]) == 0
    captured = capsys.readouterr()
    assert "depth 337, 121 two-qubit gates, 5 physical qubits" in captured.out
    assert "1 circuit(s) × 500 shots; estimated QPU time" in captured.out
    assert "--mode session has no effect" in captured.err
    assert not (tmp_path / "jobs.sqlite").exists()


def test_jobs_list_and_status_as_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QSEARCH_HOME", str(tmp_path))
    args = ["submit", "--device", "fake_manila", "--num-items", "4", "--marked", "2"]
    assert main([*args, "--iterations", "1", "--shots", "100", "--seed", "1"]) == 0
    capsys.readouterr()
    assert main(["jobs", "list", "--format", "json"]) == 0
    [run] = json.loads(capsys.readouterr().out)
    assert run["status"] == "DONE" and run["local"] and sum(run["counts"][0].values()) == 100
    assert main(["jobs", "status", run["run_id"], "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["run_id"] == run["run_id"]
    assert JobStore().get(run["run_id"]).status == "DONE"
