"""Where a sweep's chunks run: a local process pool whose workers die with their parent, or Dask.

:func:`run_parallel` submits chunks with a bounded number in flight and hands each chunk's rows
back as it finishes; Ctrl-C drops queued chunks and keeps the rows of running ones. The local
pool is spawn-based; each worker ignores SIGINT (the parent stops the pool), sets
``OMP_NUM_THREADS`` and exits when the parent dies (:func:`_exit_with_parent`).
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from qsearch.exceptions import BackendError, BackendUnavailableError
from qsearch.experiments.spec import Point


def _init_pool_worker(threads: int, parent: int) -> None:
    # Ctrl-C reaches the whole process group: only the parent handles it (it stops the pool).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ["OMP_NUM_THREADS"] = str(threads)
    _exit_with_parent(parent)


def _exit_with_parent(parent: int) -> None:
    """End this pool worker when ``parent`` dies, even by SIGKILL (nothing else would stop it).

    Linux: ``prctl(PR_SET_PDEATHSIG, SIGKILL)``, the kernel's parent-death signal. Elsewhere a
    daemon thread polls the parent pid once a second. Either way the resource tracker, whose
    pipe the workers hold open, sees end-of-file and exits after them.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0) == 0:
            if os.getppid() != parent:  # the parent died before the signal was armed
                os._exit(1)
            return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="qsearch-parent-watch", daemon=True).start()


def available_cores() -> int:
    """Cores this process may use (CPU affinity where the OS reports it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


def run_parallel(
    task: Callable[..., list[dict[str, Any]]],
    chunks: list[list[Point]],
    executor: cf.Executor | None,
    workers: int,
    threads: int,
    git: str | None,
    accept: Callable[[Sequence[dict[str, Any]]], None],
) -> int:
    """Run ``task(chunk, threads, git)`` for every chunk on ``executor`` (None: an own
    spawn-based local pool), handing each chunk's rows to ``accept``; returns lost points."""
    own_pool = executor is None
    pool: Any = executor
    if own_pool:
        pool = cf.ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_pool_worker,
            initargs=(threads, os.getpid()),
        )
    try:
        return _drive(
            pool,
            task,
            chunks,
            threads,
            git,
            accept,
            max_inflight=4 * max(workers, 4),
            own_pool=own_pool,
        )
    finally:
        if own_pool:
            pool.shutdown(wait=True, cancel_futures=True)


def _drive(
    pool: Any,
    task: Callable[..., list[dict[str, Any]]],
    chunks: list[list[Point]],
    threads: int | None,
    git: str | None,
    accept: Callable[[Sequence[dict[str, Any]]], None],
    *,
    max_inflight: int,
    own_pool: bool,
) -> int:
    """Submit chunks with a bounded number in flight; returns points whose task failed."""
    lost = 0
    queue = iter(chunks)
    inflight: dict[cf.Future[Any], list[Point]] = {}

    def top_up() -> None:
        while len(inflight) < max_inflight:
            chunk = next(queue, None)
            if chunk is None:
                return
            inflight[pool.submit(task, chunk, threads, git)] = chunk

    try:
        top_up()
        while inflight:
            done, _ = cf.wait(list(inflight), return_when=cf.FIRST_COMPLETED)
            for future in done:
                chunk = inflight.pop(future)
                try:
                    rows = future.result()
                except Exception as exc:
                    lost += len(chunk)
                    print(
                        f"qsearch sweep: a task of {len(chunk)} points failed in the executor "
                        f"({type(exc).__name__}: {exc}); they stay unstored.",
                        file=sys.stderr,
                    )
                    continue
                accept(rows)
            top_up()
    except KeyboardInterrupt:
        # Stop cleanly: drop queued tasks, let running ones finish (the local pool's workers
        # ignore SIGINT), and keep every row that was computed. A second Ctrl-C stops waiting.
        for future in inflight:
            future.cancel()
        try:
            if own_pool:
                pool.shutdown(wait=True, cancel_futures=True)
            for future in inflight:
                if future.done() and not future.cancelled() and future.exception() is None:
                    accept(future.result())
        except KeyboardInterrupt:
            pass
        raise
    except BaseException:
        for future in inflight:
            future.cancel()
        raise
    return lost


def connect_dask(address: str, *, timeout: float = 10.0) -> Any:
    """A ``distributed.Client`` for the Dask scheduler at ``address``.

    Run a sweep on it with ``sweep(spec, client.get_executor(retries=2, pure=False))``
    (``retries``: a task whose worker raised is run again; tasks of a worker that died are
    rescheduled by Dask itself). Close the client when done.

    Raises:
        BackendUnavailableError: dask[distributed] is not installed.
        BackendError: the scheduler cannot be reached within ``timeout`` seconds.
    """
    try:
        from distributed import Client
    except ImportError as exc:
        raise BackendUnavailableError(
            "Running sweeps on Dask needs dask[distributed]. Install it with: "
            "pip install 'qsearch[dask]'."
        ) from exc
    try:
        return Client(address, timeout=f"{timeout}s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise BackendError(
            f"Cannot reach the Dask scheduler at {address!r} within {timeout:g} s "
            f"({type(exc).__name__}: {exc}); nothing was run or written."
        ) from exc


__all__ = ["available_cores", "connect_dask", "run_parallel"]
