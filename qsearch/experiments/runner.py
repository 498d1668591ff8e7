"""Running sweeps: points in-process, on a local process pool or on any executor (Dask).

This module runs points and writes their rows; :mod:`qsearch.experiments.pool` runs chunks
on a pool or executor. Execution: in-process (one worker), a local process pool (default: one
worker per core, each with ``OMP_NUM_THREADS`` and Aer ``threads`` = cores // workers), or any
executor with ``submit`` returning ``concurrent.futures.Future`` (``client.get_executor()`` of
Dask). Points go out in chunks with a bounded number in flight; rows are written by the calling
process only, in batched transactions (:class:`qsearch.experiments.store.ResultStore`). Ctrl-C
(or SIGTERM in ``qsearch sweep run``) drops queued chunks, keeps the rows of finished ones and
raises :class:`SweepInterrupted`; rerunning resumes. One ``sweep`` writes a store at a time (a
second one says the store is busy), and every row records the seed that reproduces it
(:func:`seed_record`, :func:`replay`).
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import os
import socket
import subprocess
import time
import traceback
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from qsearch._validation import check_writable_dir
from qsearch._versions import package_versions
from qsearch.algorithms.grover import grover_search
from qsearch.backends.base import Backend, get_backend
from qsearch.exceptions import ProblemError
from qsearch.experiments.pool import available_cores, connect_dask, run_parallel
from qsearch.experiments.progress import progress_bar
from qsearch.experiments.registry import (
    random_problem,
    run_experiment,
    seed_streams,
    solver_seed,
    with_seed,
)
from qsearch.experiments.spec import Point, SweepSpec, load_spec
from qsearch.experiments.store import (
    ResultStore,
    dumps,
    point_row,
    result_columns,
    store_lock,
)
from qsearch.results import SearchResult

#: Rows buffered before a transaction commits (and at most this many seconds between commits).
_COMMIT_ROWS = 1000
_COMMIT_SECONDS = 1.0


def git_revision() -> str | None:
    """The qsearch checkout's git commit (``+dirty`` if modified); None outside a checkout."""
    here = Path(__file__).resolve().parents[1]  # the qsearch package
    try:
        head = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no", "--", "."],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head}+dirty" if dirty else head or None


_WORKER_BACKENDS: dict[str, Backend] = {}
_HOST = socket.gethostname()
_WORKER_VERSIONS: dict[str, str] = {}


def _backend_for(point: Point, threads: int | None) -> Backend:
    options = dict(point.backend_options)
    if point.noise is not None:
        options["noise"] = point.noise
    if threads is not None and point.backend.startswith("aer") and "threads" not in options:
        options["threads"] = threads  # Aer OpenMP threads × workers <= cores
    cache_key = dumps([point.backend, options])
    device = _WORKER_BACKENDS.get(cache_key)
    if device is None:
        device = get_backend(point.backend, **options)
        _WORKER_BACKENDS[cache_key] = device
    return device


def _solve(point: Point, device: Backend, seed: int | None = None) -> SearchResult:
    """The point's experiment, or one single-shot Grover run with its fixed ``iterations``.

    ``seed`` (default: ``point.seed``) is the point seed; the result records it.
    """
    seed = point.seed if seed is None else int(seed)
    if point.iterations is None:
        return run_experiment(point.algorithm, point.num_items, point.num_marked, seed, device)
    problem = random_problem(point.num_items, point.num_marked, seed)
    result = grover_search(
        problem,
        device,
        iterations=point.iterations,
        shots=1,
        seed=solver_seed(seed),
        max_attempts=1,
    )
    return with_seed(result, seed)


def seed_record(point: Point) -> dict[str, Any]:
    """What reproduces a point's randomness, as stored in its row's ``metadata["seeds"]``.

    ``point`` is the point seed, ``SeedSequence(sequence["entropy"]).generate_state(1)[0]``
    (:func:`qsearch.experiments.spec.point_seed`); each stream (instance, solver, values) is
    ``numpy.random.default_rng(stream)``.
    """
    entropy = [point.root_seed, point.num_items, point.num_marked, point.repetition]
    return {
        "root": point.root_seed,
        "point": point.seed,
        "sequence": {"entropy": entropy, "spawn_key": [], "word": 0},
        **seed_streams(point.seed),
    }


def replay(row: Mapping[str, Any], *, backend: Backend | None = None) -> SearchResult:
    """Run a stored point again from its row alone: its parameters and its seed record.

    The result equals the stored one (``SearchResult.from_dict(json.loads(row["result"]))``)
    up to metadata such as wall time.

    Args:
        row: a store row (:data:`qsearch.experiments.store.COLUMNS`).
        backend: run on this instance instead of the row's backend, options and noise.
    """
    options = json.loads(row["backend_options"]) if row["backend_options"] else {}
    point = Point(
        row["algorithm"], row["num_items"], row["num_marked"], row["repetition"], row["backend"],
        row["root_seed"], tuple(sorted(options.items())), row["noise"], row["iterations"],
    )  # fmt: skip
    seed = json.loads(row["metadata"])["seeds"]["point"]
    return _solve(point, _backend_for(point, None) if backend is None else backend, seed)


def run_point(
    point: Point,
    *,
    threads: int | None = None,
    git: str | None = None,
    backend: Backend | None = None,
) -> dict[str, Any]:
    """Run one point and return its store row; an exception becomes an ``error`` row.

    The row (:data:`qsearch.experiments.store.COLUMNS`) holds the point parameters,
    ``SearchResult.to_dict()`` (JSON in ``result``, its scalars also as columns; its ``seed`` is
    the point seed) and metadata: package versions, backend and its simulation method, the
    seed record (:func:`seed_record`: what :func:`replay` needs), wall time, host, the git
    revision when known, and any warnings raised.

    Args:
        point: the point.
        threads: Aer OpenMP threads (passed as ``threads=`` to Aer backends built here).
        git: the git revision to record.
        backend: run on this instance instead of building ``point.backend`` from the registry.
    """
    if not _WORKER_VERSIONS:
        _WORKER_VERSIONS.update(package_versions())
    row = point_row(point)
    metadata: dict[str, Any] = {
        "versions": dict(_WORKER_VERSIONS),
        "seeds": seed_record(point),
        "git_revision": git,
        "host": _HOST,
        "threads": threads,
    }
    started = time.perf_counter()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            device = _backend_for(point, threads) if backend is None else backend
            metadata["backend"] = getattr(device, "name", point.backend)
            metadata["method"] = getattr(device, "method", None)
            result = _solve(point, device)
        wall = time.perf_counter() - started
        if caught:
            metadata["warnings"] = sorted({f"{w.category.__name__}: {w.message}" for w in caught})
        row.update(result_columns(result))
    except Exception as exc:
        wall = time.perf_counter() - started
        row.update(status="error", error=f"{type(exc).__name__}: {exc}")
        metadata["traceback"] = traceback.format_exc(limit=8)
    metadata["wall_time_s"] = wall
    row["wall_time_s"] = wall
    row["metadata"] = dumps(metadata)
    row["finished_at"] = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
    return row


def run_chunk(
    points: Sequence[Point], threads: int | None = None, git: str | None = None
) -> list[dict[str, Any]]:
    """Run several points in one task (the unit sent to a pool or Dask worker).

    ``threads`` goes to Aer backends as ``threads=`` (OpenMP threads per simulator); the local
    pool also sets ``OMP_NUM_THREADS`` in each worker before anything is imported.
    """
    return [run_point(point, threads=threads, git=git) for point in points]


# ------------------------------------------------------------------------------ the sweep itself
@dataclass(frozen=True)
class SweepReport:
    """What one ``sweep`` call did.

    Attributes:
        new: points run and stored by this call (including failed ones).
        already_stored: points of the grid found stored (``ok``) before the call.
        failed: points of this call that raised (stored with their error).
        total: points in the grid.
        interrupted: True when Ctrl-C stopped the call (rerun to resume).
        lost: points whose task the executor could not run (not stored; rerun retries them).
        store_path: the SQLite store.
        compute_s: summed wall time of the points run.
        store_s: time spent writing rows.
        elapsed_s: wall time of the call.
    """

    new: int
    already_stored: int
    failed: int
    total: int
    interrupted: bool
    lost: int
    store_path: Path
    compute_s: float
    store_s: float
    elapsed_s: float

    def summary(self) -> str:
        text = f"{self.new} new points, {self.already_stored} already stored"
        if self.failed:
            text += f", {self.failed} failed (stored with their errors)"
        if self.lost:
            text += f", {self.lost} not run (executor errors; rerun to retry)"
        if self.interrupted:
            text += "; interrupted: rerun to resume"
        return text


def _chunks(points: Sequence[Point], size: int) -> Iterator[list[Point]]:
    for start in range(0, len(points), size):
        yield list(points[start : start + size])


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a sweep; ``report`` says what was stored (rerun to resume)."""

    def __init__(self, report: SweepReport) -> None:
        super().__init__(report.summary())
        self.report = report


class _Writer:
    """Buffers rows and stores them in batches; counts what one ``sweep`` call did."""

    def __init__(
        self,
        store: ResultStore,
        bar: Any,
        callback: Callable[[dict[str, Any]], None] | None,
    ) -> None:
        self.store, self.bar, self.callback = store, bar, callback
        self.buffer: list[dict[str, Any]] = []
        self.new = self.failed = 0
        self.compute_s = self.store_s = 0.0
        self.last_commit = time.perf_counter()

    def flush(self) -> None:
        if self.buffer:
            t0 = time.perf_counter()
            self.store.write(self.buffer)
            self.store_s += time.perf_counter() - t0
            rows = list(self.buffer)
            self.buffer.clear()
            if self.callback is not None:
                for row in rows:
                    self.callback(row)
        self.last_commit = time.perf_counter()

    def accept(self, rows: Sequence[dict[str, Any]]) -> None:
        for row in rows:
            self.new += 1
            self.failed += row["status"] != "ok"
            self.compute_s += row["wall_time_s"]
        self.buffer.extend(rows)
        self.bar.update(len(rows))
        if self.failed:
            self.bar.set_postfix(failed=self.failed, refresh=False)
        flush_due = time.perf_counter() - self.last_commit > _COMMIT_SECONDS
        if self.callback is not None or len(self.buffer) >= _COMMIT_ROWS or flush_due:
            self.flush()


def sweep(
    spec: SweepSpec | Mapping[str, Any] | str | os.PathLike[str],
    executor: cf.Executor | None = None,
    *,
    workers: int | None = None,
    threads: int | None = None,
    chunk_size: int | None = None,
    progress: bool | None = None,
    callback: Callable[[dict[str, Any]], None] | None = None,
) -> SweepReport:
    """Run the points of ``spec`` that are not stored yet and store their rows.

    Args:
        spec: a :class:`SweepSpec`, a dict (``{"sweep": {...}}``) or a TOML path.
        executor: anything with ``submit(fn, *args)`` returning ``concurrent.futures.Future``,
            e.g. ``dask.distributed.Client(...).get_executor(retries=2)``. None: a local process
            pool of ``workers`` processes, or the current process when ``workers`` is 1.
        workers: local processes (default: the spec's ``workers``, else the available cores).
        threads: OpenMP threads per worker for Aer (default: the spec's, else cores // workers).
        chunk_size: points per task (default: ~16 tasks per worker, at most 64 points).
        progress: progress bar on stderr (None: only when stderr is a terminal).
        callback: called in this process with each row right after it is stored.

    Returns:
        A :class:`SweepReport`; ``report.summary()`` is "N new points, M already stored".

    Raises:
        KeyboardInterrupt: after Ctrl-C, once the rows finished so far are stored.
        ProblemError: the output directory cannot hold the store (says why and what to do).
        StoreError: another sweep is writing the same store (nothing is run).
    """
    spec = load_spec(spec)
    check_writable_dir(spec.output, "output directory", f"sweep {spec.name!r}")
    with store_lock(spec.store_path):
        return _sweep_locked(spec, executor, workers, threads, chunk_size, progress, callback)


def _sweep_locked(
    spec: SweepSpec,
    executor: cf.Executor | None,
    workers: int | None,
    threads: int | None,
    chunk_size: int | None,
    progress: bool | None,
    callback: Callable[[dict[str, Any]], None] | None,
) -> SweepReport:
    """:func:`sweep` once the store's lock is held (one writer per store)."""
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    began = time.perf_counter()
    points = spec.points()
    workers, threads, inline_threads = _execution_settings(spec, executor, workers, threads)
    git = git_revision()
    store = ResultStore(spec.store_path, locked=True)
    lost = 0
    interrupted = False
    try:
        done = store.stored_keys("ok")
        pending = [p for p in points if p.key not in done]
        already = len(points) - len(pending)
        parallel = executor is not None or (workers > 1 and len(pending) > 1)
        if chunk_size is None:
            chunk_size = _default_chunk_size(len(pending), workers, executor, parallel)
        with progress_bar(len(points), initial=already, desc=spec.name, enabled=progress) as bar:
            writer = _Writer(store, bar, callback)
            try:
                if not parallel:
                    for point in pending:
                        writer.accept([run_point(point, threads=inline_threads, git=git)])
                else:
                    chunks = list(_chunks(pending, chunk_size))
                    lost = run_parallel(
                        run_chunk, chunks, executor, workers, threads, git, writer.accept
                    )
            except KeyboardInterrupt:
                interrupted = True
            finally:
                writer.flush()
        store.record_run(
            {
                "started_at": started_at,
                "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "spec": dumps(_spec_record(spec)),
                "new_points": writer.new,
                "failed": writer.failed,
                "already_stored": already,
                "status": "interrupted" if interrupted else "complete",
            }
        )
    finally:
        store.close()
    report = SweepReport(
        writer.new, already, writer.failed, len(points), interrupted, lost, spec.store_path,
        writer.compute_s, writer.store_s, time.perf_counter() - began,
    )  # fmt: skip
    if interrupted:
        raise SweepInterrupted(report)
    return report


def _default_chunk_size(
    pending: int, workers: int, executor: cf.Executor | None, parallel: bool
) -> int:
    """About 16 tasks per worker (at least 4 slots on an executor), at most 64 points each."""
    if not parallel:
        return 1
    slots = workers if executor is None else max(workers, 4)
    return max(1, min(64, pending // (16 * slots)))


def _execution_settings(
    spec: SweepSpec, executor: cf.Executor | None, workers: int | None, threads: int | None
) -> tuple[int, int, int | None]:
    """``(workers, threads per pool/executor task, threads for in-process runs)``."""
    cores = available_cores()
    if workers is None:
        workers = spec.workers or cores
    workers = int(workers)
    if workers < 1:
        raise ProblemError(f"The 'workers' argument of sweep must be an int >= 1; got {workers}.")
    if threads is None:
        threads = spec.threads
    # In-process runs keep Aer's default (all cores) unless threads were asked for.
    inline_threads = threads
    if threads is None:
        # Local pool: Aer threads × workers <= cores. Dask workers run one task per thread
        # already, so each task's simulator gets one thread.
        threads = 1 if executor is not None else max(1, cores // workers)
    return workers, threads, inline_threads


def _spec_record(spec: SweepSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "seed": spec.seed,
        "source": None if spec.source is None else str(spec.source),
        "grids": [
            {
                "algorithms": list(g.algorithms),
                "sizes": list(g.sizes),
                "marked": list(g.marked),
                "repetitions": g.repetitions,
                "backend": list(g.backends),
                "backend_options": dict(g.backend_options),
                "noise": list(g.noise),
                "iterations": list(g.iterations),
            }
            for g in spec.grids
        ],
    }


def status(spec: SweepSpec | Mapping[str, Any] | str | os.PathLike[str]) -> dict[str, int]:
    """Counts of the grid: ``total``, ``stored`` (ok), ``failed``, ``missing``, ``extra``.

    ``extra`` counts stored rows that are not in the grid (e.g. after shrinking the spec).
    """
    spec = load_spec(spec)
    keys = {p.key for p in spec.points()}
    if not spec.store_path.exists():
        return {"total": len(keys), "stored": 0, "failed": 0, "missing": len(keys), "extra": 0}
    with ResultStore(spec.store_path, create=False) as store:
        ok = store.stored_keys("ok")
        bad = store.stored_keys("error")
    return {
        "total": len(keys),
        "stored": len(keys & ok),
        "failed": len(keys & bad),
        "missing": len(keys - ok - bad),
        "extra": len((ok | bad) - keys),
    }


__all__ = [
    "SweepInterrupted",
    "SweepReport",
    "available_cores",
    "connect_dask",
    "git_revision",
    "replay",
    "run_chunk",
    "run_point",
    "seed_record",
    "status",
    "sweep",
]
