"""A job store that loses nothing: submit to IBM Quantum, walk away, collect later.

The store is one SQLite file, ``$QSEARCH_HOME/jobs.sqlite`` (default ``~/.qsearch``). The order
of writes is the whole design:

1. the *run record* (programs, device, options, shots, seeds, package versions and the QPY of the
   ISA circuits) is committed **before** anything is submitted;
2. the job id is committed **immediately after** the service accepts the job; every job is tagged
   ``qsearch-run:<run id>``, so if the process dies between 1 and 2 the job is found again
   through the service's job listing (``QiskitRuntimeService.jobs(job_tags=...)``);
3. ``collect`` saves the counts and the final status in **one transaction** (atomic) and is
   idempotent: a collected run is answered from the store without asking the service again.
   A failed or cancelled job is recorded with the service's message and is never resubmitted
   unless asked (``--resubmit-failed``), in which case the *stored* ISA circuits are sent again.

Local (``fake_*``) runs complete synchronously in ``submit`` and are stored the same way; one
whose process died before its counts were saved is marked ABANDONED by ``collect`` (nothing
outside that process held the job), and ``--resubmit-failed`` reruns its stored circuits.

The store's file (checksummed rows, integrity and emptiness checks on open, a clear error for a
directory that cannot hold it) is :mod:`qsearch.backends.ibm.store`; its names are re-exported
here.

The store talks to the service only through the runtime adapter
(:mod:`qsearch.backends.ibm.runtime`) and never builds a backend: :func:`submit_run` receives
one (an ``IBMBackend``), and :func:`collect_run` receives a factory for the rare resubmission.
The command line on top of it is :mod:`qsearch.cli.jobs`.
"""

from __future__ import annotations

import io
import os
import socket
from collections.abc import Callable, Sequence
from typing import Any

from qsearch._validation import SeedLike
from qsearch._versions import package_versions
from qsearch.backends.ibm import runtime
from qsearch.backends.ibm.runtime import FINAL_STATUSES, quiet_runtime
from qsearch.backends.ibm.store import (
    STORE_FILENAME,
    TAG_PREFIX,
    JobStore,
    RunRecord,
    default_store_path,
)
from qsearch.exceptions import BackendError, JobStoreError, ProblemError
from qsearch.problem import SearchProgram

__all__ = [
    "STORE_FILENAME",
    "TAG_PREFIX",
    "JobStore",
    "JobStoreError",
    "RunRecord",
    "collect_run",
    "default_store_path",
    "refresh_run",
    "submit_run",
]


# -- the workflow ----------------------------------------------------------------------------


def run_tag(run_id: str) -> str:
    return f"{TAG_PREFIX}{run_id}"


def submit_run(
    store: JobStore,
    backend: Any,
    programs: Sequence[SearchProgram],
    *,
    shots: int,
    seed: SeedLike = None,
) -> str:
    """Record, submit and (for local devices) collect ``programs`` on ``backend``.

    ``backend`` is an ``IBMBackend`` (anything with its ``check_shots``, ``isa_circuit``,
    ``decomposition_of``, ``options_record``, ``estimate_qpu_seconds`` and ``submit``). Returns
    the run id. The run record is committed before submission and the job id right
    after; a local run's counts are stored before this returns.
    """
    from qiskit import qpy

    programs = list(programs)
    if not programs:
        raise ProblemError("The 'programs' argument of submit_run must not be empty.")
    shots = backend.check_shots(shots)
    if seed is not None and not isinstance(seed, int):
        raise ProblemError(
            "The 'seed' argument of submit_run must be an int or None (it is recorded); "
            f"got {type(seed).__name__}."
        )
    circuits = [backend.isa_circuit(p) for p in programs]
    buffer = io.BytesIO()
    qpy.dump(circuits, buffer)
    record = {
        "programs": [p.to_dict() for p in programs],
        "shots": shots,
        "seed": seed,
        "options": backend.options_record(),
        "versions": package_versions(),
        "circuits": [
            {
                "depth": int(c.depth()),
                "num_qubits": int(c.num_qubits),
                "ops": dict(c.count_ops()),
                "decomposition": backend.decomposition_of(p),
            }
            for p, c in zip(programs, circuits, strict=True)
        ],
        "estimated_qpu_seconds": backend.estimate_qpu_seconds(circuits, shots),
        "submitter": {"pid": os.getpid(), "host": socket.gethostname()},
    }
    run_id = store.create_run(
        device=backend.device_name,
        local=backend.local,
        shots=shots,
        record=record,
        qpy=buffer.getvalue(),
    )
    job = backend.submit(circuits, shots=shots, seed=seed, tags=["qsearch", run_tag(run_id)])
    store.record_job(run_id, job.job_id())
    if backend.local:
        _save_local(store, run_id, job, len(circuits))
    return run_id


def _save_local(store: JobStore, run_id: str, job: Any, num_circuits: int) -> None:
    with quiet_runtime():
        result = job.result()
    counts = runtime.counts_from_result(result, num_circuits)
    store.save_results(run_id, job.job_id(), counts, {"local": True})


def _submitter_alive(record: RunRecord) -> bool:
    """True when the process that submitted ``record`` still runs (on this host)."""
    submitter = record.record.get("submitter") or {}
    if submitter.get("host") != socket.gethostname() or not submitter.get("pid"):
        return False
    try:
        os.kill(int(submitter["pid"]), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by another user
        return True
    return int(submitter["pid"]) != os.getpid()


def _unfinished_local(
    store: JobStore,
    record: RunRecord,
    resubmit_failed: bool,
    backend_factory: Callable[[RunRecord], Any] | None,
) -> RunRecord:
    """A local run without counts: its process died (or is still running it).

    Local jobs live inside the submitting process, so nothing can be recovered from a service:
    the run is marked ABANDONED with the next step, or (``resubmit_failed``) its stored circuits
    are run again locally and the counts saved.
    """
    if resubmit_failed:
        record = _resubmit(store, record, backend_factory, local=True)
        return store.get(record.run_id)
    if _submitter_alive(record):
        pid = record.record["submitter"]["pid"]
        store.set_status(record.run_id, record.status, f"still running in process {pid}")
    else:
        store.set_status(
            record.run_id,
            "ABANDONED",
            "the process that submitted this local run ended before its counts were saved; "
            f"rerun its stored circuits with: qsearch collect {record.run_id} --resubmit-failed",
        )
    return store.get(record.run_id)


def _recover(store: JobStore, record: RunRecord, service: Any) -> RunRecord:
    """Find the jobs of a run that crashed between submit and record (by its tag)."""
    try:
        with quiet_runtime():
            found = service.jobs(job_tags=[run_tag(record.run_id)], limit=10)
    except Exception as exc:
        raise BackendError(
            f"Could not list the service's jobs to recover run {record.run_id} "
            f"({type(exc).__name__}); retry later."
        ) from None
    found = sorted(found, key=lambda job: str(getattr(job, "creation_date", "") or ""))
    for job in found:
        store.record_job(record.run_id, job.job_id(), how="recovered from the job listing")
    if not found:
        store.set_status(
            record.run_id,
            "PENDING",
            f"no job tagged {run_tag(record.run_id)} on the service: the submission did not "
            "reach it (resubmit with --resubmit-failed)",
        )
    return store.get(record.run_id)


def refresh_run(store: JobStore, run_id: str, *, service: Any) -> RunRecord:
    """Ask the service for the run's current status (recovering lost job ids) and store it."""
    record = store.get(run_id)
    if record.counts is not None or record.local:
        return record
    if not record.job_ids:
        record = _recover(store, record, service)
        if not record.job_ids:
            return record
    if record.status in ("ERROR", "CANCELLED"):
        return record
    try:
        with quiet_runtime():
            job = service.job(record.job_ids[-1])
            status = runtime.normalize_status(job.status())
    except Exception as exc:
        raise BackendError(
            f"Could not read job {record.job_ids[-1]} of run {record.run_id} "
            f"({type(exc).__name__}); retry later."
        ) from None
    if status in ("ERROR", "CANCELLED"):
        store.set_status(record.run_id, status, runtime.job_message(job, status))
    elif status == "DONE":
        store.set_status(record.run_id, "READY", "done on the service; not collected yet")
    elif status not in FINAL_STATUSES:
        store.set_status(record.run_id, status, None)
    return store.get(record.run_id)


def cancel_run(store: JobStore, run_id: str, *, service: Any) -> RunRecord:
    """Cancel a run that has no results: its job on the service, then the stored status.

    A finished run (counts stored) is refused; an ERROR / CANCELLED run is returned as it is. A
    service run whose job id was lost is first recovered by tag; one that never reached the
    service is only marked. A local run (fake device) executes inside its submitting process,
    so it is marked CANCELLED and ``collect --resubmit-failed`` reruns it.

    Raises:
        ProblemError: the run has results already.
        BackendError: the service did not accept the cancellation (the run is unchanged).
    """
    record = store.get(run_id)
    if record.counts is not None:
        raise ProblemError(
            f"The 'run' argument of qsearch jobs cancel must name a run without results; run "
            f"{record.run_id} is complete ({record.status}), so there is nothing to cancel."
        )
    if record.status in ("ERROR", "CANCELLED"):
        return record
    if not record.local and not record.job_ids:
        record = _recover(store, record, service)
    if not record.local and record.job_ids:
        job_id = record.job_ids[-1]
        try:
            with quiet_runtime():
                service.job(job_id).cancel()
        except Exception as exc:
            raise BackendError(
                f"The service did not cancel job {job_id} of run {record.run_id} "
                f"({type(exc).__name__}); the run is unchanged. It may have finished already: "
                f"qsearch collect {record.run_id}."
            ) from None
        message = f"cancelled by the user (job {job_id})"
    else:
        where = "local run" if record.local else "no job had reached the service"
        message = f"cancelled by the user ({where})"
    store.set_status(
        record.run_id,
        "CANCELLED",
        f"{message}; rerun with: qsearch collect {record.run_id} --resubmit-failed",
    )
    return store.get(record.run_id)


def collect_run(
    store: JobStore,
    run_id: str,
    *,
    service: Any,
    wait: float | None = 0.0,
    resubmit_failed: bool = False,
    backend_factory: Callable[[RunRecord], Any] | None = None,
) -> RunRecord:
    """Fetch a run's results into the store (idempotent) and return the updated record.

    Args:
        store: the job store.
        run_id: the run (or a unique prefix).
        service: a connected ``QiskitRuntimeService`` (unused when results are stored).
        wait: seconds to wait for an unfinished job (None: until it finishes; 0: do not wait).
        resubmit_failed: resubmit the stored ISA circuits of an ERROR / CANCELLED / never
            submitted run (as a new job of the same run); never happens otherwise.
        backend_factory: builds the backend to resubmit with from the run record (e.g.
            ``lambda record: IBMBackend.from_record(record, service)``); called only when a
            resubmission happens, and required then.
    """
    record = store.get(run_id)
    if record.counts is not None:
        return record
    if record.local:
        return _unfinished_local(store, record, resubmit_failed, backend_factory)
    record = refresh_run(store, record.run_id, service=service)
    if record.status in ("ERROR", "CANCELLED") or not record.job_ids:
        if not resubmit_failed:
            return record
        record = _resubmit(store, record, backend_factory)
    return _fetch_results(store, record, service, wait)


def _resubmit(
    store: JobStore,
    record: RunRecord,
    backend_factory: Callable[[RunRecord], Any] | None,
    *,
    local: bool = False,
) -> RunRecord:
    """Send the stored ISA circuits again, as a new job of the same run."""
    if backend_factory is None:
        raise ProblemError(
            "The 'backend_factory' argument of collect_run is required with "
            f"resubmit_failed=True (run {record.run_id} needs a backend to resubmit); got None."
        )
    backend = backend_factory(record)
    circuits = store.circuits(record.run_id)
    job = backend.submit(
        circuits, shots=record.shots, seed=record.seed, tags=["qsearch", run_tag(record.run_id)]
    )
    store.record_job(record.run_id, job.job_id(), how="resubmitted")
    if local:
        _save_local(store, record.run_id, job, len(circuits))
    return store.get(record.run_id)


def _fetch_results(
    store: JobStore, record: RunRecord, service: Any, wait: float | None
) -> RunRecord:
    """Wait up to ``wait`` s for the run's last job; store its counts or its final status."""
    job_id = record.job_ids[-1]
    try:
        with quiet_runtime():
            job = service.job(job_id)
            status = runtime.normalize_status(job.status())
            if status not in FINAL_STATUSES and wait == 0:
                store.set_status(record.run_id, status, None)
                return store.get(record.run_id)
            if status not in ("ERROR", "CANCELLED"):
                result = job.result(timeout=wait)
                status = runtime.normalize_status(job.status())
    except Exception as exc:
        if runtime.is_timeout(exc):
            store.set_status(
                record.run_id, "RUNNING", f"not finished after waiting {wait} s; collect later"
            )
            return store.get(record.run_id)
        try:
            status = runtime.normalize_status(job.status())
        except Exception:
            status = "UNKNOWN"
        if status in ("ERROR", "CANCELLED"):
            store.set_status(record.run_id, status, runtime.job_message(job, status))
            return store.get(record.run_id)
        raise BackendError(
            f"Could not collect job {job_id} of run {record.run_id} ({type(exc).__name__}); "
            "the run is unchanged, retry later."
        ) from None
    if status in ("ERROR", "CANCELLED"):
        store.set_status(record.run_id, status, runtime.job_message(job, status))
        return store.get(record.run_id)
    counts = runtime.counts_from_result(result, len(record.record.get("programs", [])))
    store.save_results(record.run_id, job_id, counts, {"status": status})
    return store.get(record.run_id)
