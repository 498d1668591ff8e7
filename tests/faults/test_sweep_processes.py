"""`qsearch sweep run` as a process: killed, or started twice on one store (issue 14, 11-12).

Each test drives real ``python -m qsearch sweep run`` subprocesses and bounds every wait.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from experiments.sweep_helpers import long_spec

from qsearch.experiments.runner import status
from qsearch.experiments.spec import SweepSpec

#: 10,000 classical points at N = 65536: long enough (tens of seconds on 2 cores) to interrupt.
POINTS = 10000


def _start(toml: Path, *extra: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "qsearch", "sweep", "run", str(toml), "--no-progress", *extra]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_rows(toml: Path, out: Path, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        if (out / "sweep.sqlite").exists() and status(SweepSpec.from_file(toml))["stored"]:
            return
        time.sleep(0.2)
    raise AssertionError(f"no row stored within 90 s (exit {process.poll()})")


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting for its reaper counts as ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def test_sigkill_of_sweep_run_takes_its_workers_and_tracker_with_it(tmp_path: Path) -> None:
    toml, out = long_spec(tmp_path)
    process = _start(toml, "--workers", "2")
    family: set[int] = set()
    try:
        _wait_for_rows(toml, out, process)
        family = _descendants(process.pid)
        assert len(family) >= 3  # two pool workers and the resource tracker
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(_alive(pid) for pid in family):
            time.sleep(0.2)
        survivors = {pid for pid in family if _alive(pid)}
        assert not survivors, f"still running 15 s after SIGKILL of their parent: {survivors}"
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)
        for pid in family | _descendants(process.pid):  # never leave one behind, even on failure
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
    stored = status(SweepSpec.from_file(toml))
    assert 0 < stored["stored"] < POINTS and stored["extra"] == 0


def test_a_second_run_on_a_busy_store_computes_nothing_and_says_so(tmp_path: Path) -> None:
    toml, out = long_spec(tmp_path)
    first = _start(toml, "--workers", "1")
    try:
        _wait_for_rows(toml, out, first)
        second = _start(toml, "--workers", "1")
        _, err = second.communicate(timeout=60)
        assert second.returncode == 2, err
        assert "is busy: another sweep run (pid " in err and "Wait for it to finish" in err
        assert first.poll() is None  # the first run was not disturbed
        first.send_signal(signal.SIGINT)
        first.communicate(timeout=60)
        assert first.returncode == 130
        third = _start(toml, "--workers", "1")
        third_out, _ = third.communicate(timeout=300)  # the lock is free again: it resumes
        assert third.returncode == 0 and "already stored" in third_out
    finally:
        for process in (first, locals().get("second"), locals().get("third")):
            if process is not None and process.poll() is None:
                process.kill()
                process.communicate(timeout=30)
    with sqlite3.connect(out / "sweep.sqlite") as conn:
        runs = conn.execute("SELECT new_points, status FROM runs").fetchall()
        (rows,) = conn.execute("SELECT COUNT(*) FROM points").fetchone()
    conn.close()
    assert [s for _, s in runs] == ["interrupted", "complete"]  # the busy run ran nothing
    assert sum(n for n, _ in runs) == rows == POINTS  # every point computed exactly once
