"""Running sweeps: resumption, failures, interruption, local pool and Dask give the same rows."""

from __future__ import annotations

import io
import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from qsearch.cli import main
from qsearch.exceptions import BackendError
from qsearch.experiments import registry as experiments
from qsearch.experiments.progress import progress_bar
from qsearch.experiments.runner import (
    SweepInterrupted,
    connect_dask,
    replay,
    run_point,
    status,
    sweep,
)
from qsearch.experiments.spec import SweepSpec, point_seed
from qsearch.results import SearchResult

from .sweep_helpers import comparable, issue_spec, long_spec, small_spec, stored


def test_rerun_skips_and_growth_runs_only_new_points(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = sweep(small_spec(out), workers=1)
    assert (first.new, first.already_stored, first.failed) == (40, 0, 0)
    assert first.summary() == "40 new points, 0 already stored"
    again = sweep(small_spec(out), workers=1)
    assert again.summary() == "0 new points, 40 already stored"
    before = comparable(stored(out))
    grown = sweep(small_spec(out, sizes=[16, 64, 256]), workers=1)
    assert (grown.new, grown.already_stored) == (20, 40)
    after = comparable(stored(out))
    assert len(after) == 60
    assert all(after[key] == row for key, row in before.items())
    # The grown sweep equals a fresh run of the grown grid, row for row.
    fresh = tmp_path / "fresh"
    sweep(small_spec(fresh, sizes=[16, 64, 256]), workers=1)
    assert comparable(stored(fresh)) == after


def test_rows_hold_result_parameters_and_metadata(tmp_path: Path) -> None:
    out = tmp_path / "out"
    sweep(small_spec(out, algorithms=["grover"], sizes=[2**30], marked=[1], repetitions=2))
    rows = stored(out)
    assert len(rows) == 2
    row = next(r for r in rows if r["repetition"] == 0)  # the store keeps completion order
    assert row["status"] == "ok" and row["error"] is None
    assert (row["algorithm"], row["num_items"], row["num_marked"]) == ("grover", 2**30, 1)
    result = json.loads(row["result"])
    assert result["method"] == "grover" and result["found"] is not None
    assert result["oracle_queries"] == row["oracle_queries"] > 0
    meta = json.loads(row["metadata"])
    assert meta["seeds"]["point"] == row["point_seed"] == point_seed(3, 2**30, 1, 0)
    assert meta["seeds"]["root"] == 3
    assert meta["versions"]["qsearch"] and meta["versions"]["qiskit"]
    assert meta["backend"] == "ideal" and meta["method"] == "closed_form"
    assert meta["wall_time_s"] > 0
    # The stored result is SearchResult.to_dict(): the same as running the point directly.
    direct = experiments.run_experiment("grover", 2**30, 1, row["point_seed"], "ideal").to_dict()
    direct["metadata"].pop("wall_time_s")
    result["metadata"].pop("wall_time_s")
    assert json.loads(json.dumps(direct)) == result


def test_a_stored_point_reruns_from_its_row_alone(tmp_path: Path) -> None:
    """Issue 13.3: every row records the seed that reproduces it and every stream it used."""
    out = tmp_path / "out"
    algorithms = ["grover", "classical-random", "exponential", "fixed-point", "minimum", "count"]
    spec = small_spec(out, algorithms=algorithms, sizes=[32], marked=[3], repetitions=2)
    spec["sweep"]["grid"] = [{}, {"algorithms": ["grover"], "iterations": [1, 3]}]
    sweep(spec, workers=1)
    rows = stored(out)
    assert len(rows) == 6 * 2 + 2 * 2
    for row in rows:
        result = json.loads(row["result"])
        seeds = json.loads(row["metadata"])["seeds"]
        assert result["seed"] == seeds["point"] == row["point_seed"] is not None
        entropy = seeds["sequence"]["entropy"]
        assert entropy == [3, 32, 3, row["repetition"]]  # root, N, M, repetition
        rebuilt = np.random.SeedSequence(entropy, spawn_key=seeds["sequence"]["spawn_key"])
        assert int(rebuilt.generate_state(1)[seeds["sequence"]["word"]]) == result["seed"]
        assert {k: seeds[k] for k in ("instance", "solver", "values")} == {
            "instance": [result["seed"], 0],
            "solver": [result["seed"], 1],
            "values": [result["seed"], 2],
        }
        again = replay(row)
        assert again == SearchResult.from_dict(result)  # found, queries, attempts and seed
        assert again.metadata.keys() == result["metadata"].keys()


def test_failing_points_are_recorded_and_the_sweep_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def boom(n: int, m: int, seed: int, backend: Any) -> Any:
        raise RuntimeError(f"no luck for N={n}")

    monkeypatch.setitem(experiments.EXPERIMENTS, "boom", boom)
    out = tmp_path / "out"
    spec = small_spec(out, algorithms=["grover", "boom"], marked=[1], repetitions=3)
    report = sweep(spec, workers=1)
    assert (report.new, report.failed) == (12, 6)
    rows = stored(out)
    errors = [r for r in rows if r["status"] == "error"]
    assert len(errors) == 6
    assert all(r["algorithm"] == "boom" and "RuntimeError: no luck" in r["error"] for r in errors)
    assert "Traceback" in json.loads(errors[0]["metadata"])["traceback"]
    # The CLI says how many failed, in its message and in its exit status.
    toml = tmp_path / "spec.toml"
    toml.write_text(issue_spec(out).replace('"classical-random"', '"boom"'))
    code = main(["sweep", "run", str(toml), "--workers", "1", "--no-progress"])
    captured = capsys.readouterr().out
    assert "failed" in captured and code == min(125, 120)
    # A rerun retries failed points; a point that now succeeds replaces its error row.
    monkeypatch.setitem(experiments.EXPERIMENTS, "boom", experiments.EXPERIMENTS["grover"])
    retry = sweep(spec, workers=1)
    assert (retry.new, retry.already_stored, retry.failed) == (6, 6, 0)
    counts = status(spec)
    assert (counts["stored"], counts["failed"], counts["missing"]) == (12, 0, 0)
    assert counts["extra"] == 240  # the CLI run's points (another grid) are kept


def test_interrupt_keeps_whole_rows_and_rerun_resumes_identically(tmp_path: Path) -> None:
    out = tmp_path / "out"
    seen: list[str] = []

    def stop_after_five(row: dict[str, Any]) -> None:
        seen.append(row["key"])
        if len(seen) == 5:
            raise KeyboardInterrupt

    with pytest.raises(SweepInterrupted) as info:
        sweep(small_spec(out), workers=1, callback=stop_after_five)
    assert info.value.report.interrupted
    partial = stored(out)
    assert 5 <= len(partial) < 40
    assert all(r["status"] == "ok" and json.loads(r["result"])["method"] for r in partial)
    resumed = sweep(small_spec(out), workers=1)
    assert resumed.new + resumed.already_stored == 40
    reference = tmp_path / "reference"
    sweep(small_spec(reference), workers=1)
    assert comparable(stored(out)) == comparable(stored(reference))


def test_local_pool_gives_the_same_rows_as_one_process(tmp_path: Path) -> None:
    spec_one = small_spec(tmp_path / "one", repetitions=4)
    spec_pool = small_spec(tmp_path / "pool", repetitions=4)
    sweep(spec_one, workers=1)
    report = sweep(spec_pool, workers=2, chunk_size=3)
    assert (report.new, report.lost) == (32, 0)
    assert comparable(stored(tmp_path / "pool")) == comparable(stored(tmp_path / "one"))
    threads = {json.loads(r["metadata"])["threads"] for r in stored(tmp_path / "pool")}
    assert threads == {max(1, len(os.sched_getaffinity(0)) // 2)}


def test_aer_points_get_one_thread_per_worker_share(tmp_path: Path) -> None:
    spec = small_spec(tmp_path, algorithms=["grover"], sizes=[8], marked=[1], repetitions=2)
    spec["sweep"]["backend"] = "aer"
    report = sweep(spec, workers=1, threads=1)
    assert report.failed == 0
    rows = stored(tmp_path)
    assert {r["result_backend"] for r in rows} == {"aer"}
    assert {json.loads(r["metadata"])["method"] for r in rows} == {"statevector"}
    assert {json.loads(r["metadata"])["threads"] for r in rows} == {1}
    # The simulator the points ran on was built with that thread count.
    from qsearch.experiments.runner import _WORKER_BACKENDS
    from qsearch.experiments.store import dumps

    device = _WORKER_BACKENDS[dumps(["aer", {"threads": 1}])]
    assert device.simulator.options.max_parallel_threads == 1


def test_dask_cluster_gives_the_same_rows_as_the_local_pool(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    sweep(small_spec(tmp_path / "pool", repetitions=4), workers=2)
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        report = sweep(small_spec(tmp_path / "dask", repetitions=4), client.get_executor())
        # The CLI's --dask ADDRESS path: connect, run with retries, close the client.
        toml = tmp_path / "spec.toml"
        toml.write_text(issue_spec(tmp_path / "cli").replace("repetitions = 20", "repetitions = 1"))
        code = main(["sweep", "run", str(toml), "--dask", cluster.scheduler_address])
    assert (report.new, report.lost, report.failed) == (32, 0, 0)
    assert comparable(stored(tmp_path / "dask")) == comparable(stored(tmp_path / "pool"))
    assert code == 0 and len(stored(tmp_path / "cli")) == 12


def test_a_worker_killed_mid_sweep_loses_no_point_and_duplicates_none(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    spec = small_spec(tmp_path / "dask", sizes=[16, 64, 256], repetitions=10)
    total = len(SweepSpec.from_dict(spec).points())
    seen: list[str] = []
    killed: dict[str, Any] = {}
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        pids = client.run(os.getpid)

        def kill_a_busy_worker(row: dict[str, Any]) -> None:
            seen.append(row["key"])
            if killed:
                return
            busy = [w for w, tasks in client.processing().items() if tasks and w in pids]
            if busy:
                killed["worker"] = busy[0]
                killed["stored_before"] = len(seen)
                os.kill(pids[busy[0]], signal.SIGKILL)  # abrupt: no goodbye to the scheduler

        executor = client.get_executor(retries=2, pure=False)
        report = sweep(spec, executor, chunk_size=1, callback=kill_a_busy_worker)
    assert killed and killed["stored_before"] < total
    assert (report.new, report.lost, report.failed) == (total, 0, 0)
    assert len(seen) == len(set(seen)) == total
    rows = stored(tmp_path / "dask")
    assert len(rows) == total
    sweep(small_spec(tmp_path / "one", sizes=[16, 64, 256], repetitions=10), workers=1)
    assert comparable(rows) == comparable(stored(tmp_path / "one"))


def test_unreachable_scheduler_is_a_clear_error_and_writes_nothing(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    started = time.perf_counter()
    with pytest.raises(BackendError, match="Cannot reach the Dask scheduler.*nothing was run"):
        connect_dask("tcp://127.0.0.1:1", timeout=1)
    assert time.perf_counter() - started < 15
    toml = tmp_path / "spec.toml"
    toml.write_text(issue_spec(tmp_path / "out"))
    code = main(["sweep", "run", str(toml), "--dask", "tcp://127.0.0.1:1", "--dask-timeout", "1"])
    assert code == 2
    assert not (tmp_path / "out").exists()


def test_progress_bar_reports_rate_and_eta_only_when_asked_or_on_a_tty() -> None:
    quiet = io.StringIO()
    with progress_bar(10, file=quiet) as bar:
        bar.update(10)
    assert quiet.getvalue() == ""  # not a terminal: off
    loud = io.StringIO()
    with progress_bar(10, initial=4, desc="demo", enabled=True, file=loud) as bar:
        bar.update(6)
    text = loud.getvalue()
    assert "demo" in text and "10/10" in text and "pt/s" in text


def test_ctrl_c_stops_the_local_pool_cleanly_and_keeps_whole_rows(tmp_path: Path) -> None:
    import subprocess
    import sys

    toml, out = long_spec(tmp_path)
    total = 10000
    command = [sys.executable, "-m", "qsearch", "sweep", "run", str(toml), "--workers", "2"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
            if (out / "sweep.sqlite").exists() and status(SweepSpec.from_file(toml))["stored"]:
                break
        process.send_signal(signal.SIGINT)
        stdout, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130
    assert "interrupted: rerun to resume" in stdout
    rows = stored(out)
    assert 0 < len(rows) < total and all(r["status"] == "ok" for r in rows)
    # Stored rows are whole and equal to what the point gives when run again.
    by_key = {p.key: p for p in SweepSpec.from_file(toml).points()}
    for row in rows[:5]:
        again = run_point(by_key[row["key"]])
        assert comparable([again]) == comparable([row])
