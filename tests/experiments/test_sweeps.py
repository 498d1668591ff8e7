"""Sweeps: spec validation, stable keys and seeds, the resumable store, local pool and Dask."""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from qsearch.cli import main
from qsearch.exceptions import BackendError, ProblemError
from qsearch.experiments import registry as experiments
from qsearch.experiments.compare import point_seed as compare_point_seed
from qsearch.experiments.progress import progress_bar
from qsearch.experiments.sweeps import (
    SCHEMA_VERSION,
    Point,
    ResultStore,
    StoreError,
    SweepInterrupted,
    SweepSpec,
    connect_dask,
    run_point,
    status,
    sweep,
)

ISSUE_SPEC = """
[sweep]
name = "grover-vs-classical"
algorithms = ["grover", "classical-random"]
sizes = [64, 256, 1024]
marked = [1, 4]
repetitions = 20
seed = 11
backend = "ideal"
output = "{output}"
"""


def small_spec(output: Path, **overrides: Any) -> dict[str, Any]:
    table: dict[str, Any] = {
        "name": "small",
        "algorithms": ["grover", "classical-random"],
        "sizes": [16, 64],
        "marked": [1, 2],
        "repetitions": 5,
        "seed": 3,
        "output": str(output),
    }
    table.update(overrides)
    return {"sweep": table}


def comparable(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Rows keyed by point key, without what legitimately differs between runs (timing, host)."""
    out = {}
    for row in rows:
        row = dict(row)
        for column in ("wall_time_s", "metadata", "finished_at"):
            row.pop(column)
        if row["result"] is not None:
            result = json.loads(row["result"])
            result["metadata"].pop("wall_time_s", None)
            row["result"] = result
        out[row["key"]] = row
    return out


def stored(output: Path) -> list[dict[str, Any]]:
    with ResultStore(output / "sweep.sqlite", create=False) as store:
        return store.rows()


# ------------------------------------------------------------------------------------- specs
def test_issue_spec_parses_and_lists_every_point(tmp_path: Path) -> None:
    path = tmp_path / "spec.toml"
    path.write_text(ISSUE_SPEC.format(output=tmp_path / "out"))
    spec = SweepSpec.from_file(path)
    points = spec.points()
    assert len(points) == 2 * 3 * 2 * 20
    assert len({p.key for p in points}) == len(points)
    assert spec.store_path == tmp_path / "out" / "sweep.sqlite"
    assert {p.algorithm for p in points} == {"grover", "classical-random"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"repetition": 3}, "Unknown key 'repetition'"),
        ({"sizes": []}, "'sizes' key"),
        ({"sizes": [64, 1]}, "'sizes' key"),
        ({"sizes": [16, 16]}, "without repeated values"),
        ({"marked": [1, 32]}, "must not exceed the smallest size (16)"),
        ({"repetitions": 0}, "'repetitions' key"),
        ({"seed": -1}, "'seed' key"),
        ({"seed": "x"}, "'seed' key"),
        ({"algorithms": ["grover", "quantum-magic"]}, "registered experiments"),
        ({"algorithms": []}, "'algorithms' key"),
        ({"log2_sizes": [4, 6]}, "exactly one of 'sizes' and 'log2_sizes'"),
        ({"iterations": [0, 1]}, "'iterations' key"),
        ({"backend_options": {"noise": "fake_torino"}}, "'noise' key"),
        ({"backend_options": {"threads": 2}}, "'threads' key"),
        ({"backend": "quantum-cloud-9"}, "registered backends"),
        ({"noise": "fake_torino"}, "needs a circuit backend"),
        ({"workers": 0}, "'workers' key"),
        ({"grid": [{"algorithms": ["grover"], "sizez": [4]}]}, "Unknown key 'sizez'"),
    ],
)
def test_bad_spec_values_name_the_key(tmp_path: Path, change: dict, message: str) -> None:
    with pytest.raises(ProblemError) as info:
        SweepSpec.from_dict(small_spec(tmp_path, **change))
    assert message in str(info.value)


def test_unknown_key_message_lists_the_allowed_ones(tmp_path: Path) -> None:
    with pytest.raises(ProblemError, match=r"allowed keys are \[.*'algorithms'.*'sizes'"):
        SweepSpec.from_dict(small_spec(tmp_path, sizess=[4]))
    with pytest.raises(ProblemError, match="'name' key is missing"):
        SweepSpec.from_dict({"sweep": {"seed": 1, "output": "x"}})
    with pytest.raises(ProblemError, match="Unknown key 'extra' in the top level"):
        SweepSpec.from_dict({"sweep": {}, "extra": {}})


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[sweep\nname = 1\n")
    with pytest.raises(ProblemError, match="broken.toml.*not valid TOML"):
        SweepSpec.from_file(path)


def test_validation_reads_the_experiment_registry_at_run_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = small_spec(tmp_path, algorithms=["late-arrival"])
    with pytest.raises(ProblemError, match="late-arrival"):
        SweepSpec.from_dict(spec)
    monkeypatch.setitem(experiments.EXPERIMENTS, "late-arrival", experiments.EXPERIMENTS["grover"])
    assert {p.algorithm for p in SweepSpec.from_dict(spec).points()} == {"late-arrival"}


def test_grids_override_the_base_keys(tmp_path: Path) -> None:
    spec = SweepSpec.from_dict(
        small_spec(
            tmp_path,
            grid=[
                {"algorithms": ["grover"], "log2_sizes": [10, 40]},
                {"algorithms": ["classical-random"], "repetitions": 2},
            ],
        )
    )
    points = spec.points()
    grover = {(p.num_items, p.num_marked) for p in points if p.algorithm == "grover"}
    assert grover == {(2**10, 1), (2**10, 2), (2**40, 1), (2**40, 2)}
    assert len([p for p in points if p.algorithm == "classical-random"]) == 2 * 2 * 2


# ----------------------------------------------------------------------------- keys and seeds
def test_point_keys_and_seeds_are_stable() -> None:
    point = Point("grover", 64, 1, 0, "ideal", 11)
    # A literal: changing how keys are derived would orphan every existing store.
    assert point.key == "4b4548134be7dd9edabd6e1ddd19adef"
    # The seed is the compare seed, shared by every method of one (N, M, repetition).
    assert point.seed == compare_point_seed(11, 64, 1, 0)
    expected = int(np.random.SeedSequence([11, 64, 1, 0]).generate_state(1)[0])
    assert point.seed == expected
    classical = Point("classical-random", 64, 1, 0, "ideal", 11)
    assert classical.seed == point.seed and classical.key != point.key
    assert Point("grover", 64, 1, 0, "ideal", 12).key != point.key
    assert Point("grover", 64, 1, 0, "aer", 11, noise="fake_torino").key != point.key


def test_enlarging_the_grid_keeps_existing_keys_and_seeds(tmp_path: Path) -> None:
    small = SweepSpec.from_dict(small_spec(tmp_path)).points()
    large = SweepSpec.from_dict(
        small_spec(tmp_path, sizes=[16, 64, 256], marked=[1, 2, 3], repetitions=8)
    ).points()
    by_key = {p.key: p for p in large}
    for p in small:
        assert by_key[p.key] == p
        assert by_key[p.key].seed == p.seed


# ------------------------------------------------------------------------- runs and resumption
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
    row = rows[0]
    assert row["status"] == "ok" and row["error"] is None
    assert (row["algorithm"], row["num_items"], row["num_marked"]) == ("grover", 2**30, 1)
    result = json.loads(row["result"])
    assert result["method"] == "grover" and result["found"] is not None
    assert result["oracle_queries"] == row["oracle_queries"] > 0
    meta = json.loads(row["metadata"])
    assert meta["seeds"]["point"] == row["point_seed"] == compare_point_seed(3, 2**30, 1, 0)
    assert meta["seeds"]["root"] == 3
    assert meta["versions"]["qsearch"] and meta["versions"]["qiskit"]
    assert meta["backend"] == "ideal" and meta["method"] == "closed_form"
    assert meta["wall_time_s"] > 0
    # The stored result is SearchResult.to_dict(): the same as running the point directly.
    direct = experiments.run_experiment("grover", 2**30, 1, row["point_seed"], "ideal").to_dict()
    direct["metadata"].pop("wall_time_s")
    result["metadata"].pop("wall_time_s")
    assert json.loads(json.dumps(direct)) == result


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
    toml.write_text(ISSUE_SPEC.format(output=out).replace('"classical-random"', '"boom"'))
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


def test_a_batch_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    point = Point("grover", 16, 1, 0, "ideal", 1)
    good = run_point(point)
    bad = dict(run_point(Point("grover", 16, 1, 1, "ideal", 1)), metadata=None)  # NOT NULL
    with ResultStore(tmp_path / "s.sqlite") as store:
        with pytest.raises(sqlite3.IntegrityError):
            store.write([good, bad])
        assert store.rows() == []
        store.write([good])
        store.write([good])  # a stored point is never duplicated
        assert [r["key"] for r in store.rows()] == [point.key]


def test_store_from_a_newer_schema_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    sweep(small_spec(out, repetitions=1), workers=1)
    with sqlite3.connect(out / "sweep.sqlite") as conn:
        conn.execute(
            "UPDATE meta SET value = ? WHERE name = 'schema_version'", (str(SCHEMA_VERSION + 1),)
        )
    conn.close()
    with pytest.raises(StoreError, match="newer than this qsearch understands"):
        sweep(small_spec(out, repetitions=1), workers=1)
    with pytest.raises(StoreError, match="schema version"):
        status(small_spec(out, repetitions=1))


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
    from qsearch.experiments.sweeps import _WORKER_BACKENDS, _dumps

    device = _WORKER_BACKENDS[_dumps(["aer", {"threads": 1}])]
    assert device.simulator.options.max_parallel_threads == 1


# ------------------------------------------------------------------------------------- Dask
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
        toml.write_text(ISSUE_SPEC.format(output=tmp_path / "cli").replace("20", "1"))
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
    toml.write_text(ISSUE_SPEC.format(output=tmp_path / "out"))
    code = main(["sweep", "run", str(toml), "--dask", "tcp://127.0.0.1:1", "--dask-timeout", "1"])
    assert code == 2
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------------------- CLI, progress
def test_cli_run_status_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    toml = tmp_path / "spec.toml"
    toml.write_text(ISSUE_SPEC.format(output=tmp_path / "out").replace("20", "2"))
    assert main(["sweep", "status", str(toml)]) == 0
    assert "0 of 24 points stored" in capsys.readouterr().out
    assert main(["sweep", "run", str(toml), "--workers", "1", "--no-progress"]) == 0
    assert "24 new points, 0 already stored" in capsys.readouterr().out
    assert main(["sweep", "run", str(toml), "--workers", "1"]) == 0
    assert "0 new points, 24 already stored" in capsys.readouterr().out
    assert main(["sweep", "status", str(toml)]) == 0
    assert "24 of 24 points stored, 0 failed, 0 missing" in capsys.readouterr().out
    assert main(["sweep", "export", str(toml), "--format", "csv"]) == 0
    import pandas as pd

    table = pd.read_csv(tmp_path / "out" / "points.csv")
    assert len(table) == 24 and {"queries", "point_seed", "success"} <= set(table.columns)
    pytest.importorskip("pyarrow")
    assert main(["sweep", "export", str(toml), "--format", "parquet"]) == 0
    parquet = pd.read_parquet(tmp_path / "out" / "points.parquet")
    assert parquet["queries"].tolist() == table["queries"].tolist()


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


def test_compare_is_a_preset_of_sweep(tmp_path: Path) -> None:
    from qsearch.experiments.analysis import load_table
    from qsearch.experiments.compare import run_comparison
    from qsearch.experiments.sweeps import compare_spec

    comparison = run_comparison([16, 64], marked=2, trials=4, seed=7, progress=False)
    spec = compare_spec([16, 64], marked=2, trials=4, seed=7, output=tmp_path)
    assert sweep(spec, workers=1).new == len(comparison.rows)
    table = load_table(tmp_path).rename(
        columns={"repetition": "trial", "point_seed": "instance_seed"}
    )
    assert (table["method"] == table["algorithm"]).all()
    columns = ["method", "num_items", "trial", "instance_seed", "queries", "found", "success"]
    ours = table[columns].sort_values(columns[:3], ignore_index=True)
    theirs = comparison.rows[columns].sort_values(columns[:3], ignore_index=True)
    assert ours.astype(object).equals(theirs.astype(object))
    with pytest.raises(ProblemError, match="'algorithm' argument of compare_spec"):
        compare_spec([16, 64], algorithm="nope")


def test_ctrl_c_stops_the_local_pool_cleanly_and_keeps_whole_rows(tmp_path: Path) -> None:
    import subprocess
    import sys

    toml = tmp_path / "spec.toml"
    out = tmp_path / "out"
    toml.write_text(
        ISSUE_SPEC.format(output=out)
        .replace("[64, 256, 1024]", "[65536]")
        .replace('"grover", ', "")
        .replace("repetitions = 20", "repetitions = 5000")
    )
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
