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

Local (``fake_*``) runs complete synchronously in ``submit`` and are stored the same way.

Every row carries a SHA-256 checksum of its payload; the file header and ``PRAGMA quick_check``
are verified on open. A corrupted or partially written store raises :class:`JobStoreError`
naming the file and what failed; unreadable rows are reported (``qsearch jobs list`` marks them
CORRUPT and exits non-zero), never skipped.

The store talks to the service only through the runtime adapter
(:mod:`qsearch.backends.ibm.runtime`) and never builds a backend: :func:`submit_run` receives
one (an ``IBMBackend``), and :func:`collect_run` receives a factory for the rare resubmission.
The command line on top of it is :mod:`qsearch.cli.jobs`.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from qsearch._validation import SeedLike
from qsearch._versions import package_versions
from qsearch.backends.ibm import runtime
from qsearch.backends.ibm.runtime import FINAL_STATUSES, quiet_runtime
from qsearch.exceptions import BackendError, JobStoreError, ProblemError
from qsearch.problem import SearchProgram
from qsearch.results import Counts

SCHEMA_VERSION = "1"
STORE_FILENAME = "jobs.sqlite"
TAG_PREFIX = "qsearch-run:"
_SQLITE_HEADER = b"SQLite format 3\x00"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    created TEXT NOT NULL,
    device TEXT NOT NULL,
    local INTEGER NOT NULL,
    shots INTEGER NOT NULL,
    record TEXT NOT NULL,
    qpy BLOB NOT NULL,
    checksum TEXT NOT NULL,
    status TEXT NOT NULL,
    message TEXT,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
    job_id TEXT PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    attempt INTEGER NOT NULL,
    submitted TEXT NOT NULL,
    how TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS results (
    run_id TEXT PRIMARY KEY REFERENCES runs(run_id),
    job_id TEXT NOT NULL,
    counts TEXT NOT NULL,
    metadata TEXT NOT NULL,
    checksum TEXT NOT NULL,
    collected TEXT NOT NULL
);
"""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _sha256(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return digest.hexdigest()


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def default_store_path() -> Path:
    """``$QSEARCH_HOME/jobs.sqlite``, with ``QSEARCH_HOME`` defaulting to ``~/.qsearch``."""
    home = os.environ.get("QSEARCH_HOME") or os.path.join("~", ".qsearch")
    return Path(home).expanduser() / STORE_FILENAME


@dataclass(frozen=True)
class RunRecord:
    """One run as stored.

    Attributes:
        run_id: the run's id (also the job tag ``qsearch-run:<run_id>``).
        status: PENDING (recorded, no job id yet), SUBMITTED, the service's QUEUED / RUNNING /
            ..., READY (done on the service, not collected), DONE (counts stored), ERROR,
            CANCELLED.
        message: the service's message for ERROR / CANCELLED, or a note from qsearch.
        job_ids: ids of the jobs submitted for this run, oldest first.
        counts: one counts dict per program once collected, else None.
        corrupt: why the row failed verification, or None.
    """

    run_id: str
    created: str
    device: str
    local: bool
    shots: int
    status: str
    message: str | None
    job_ids: tuple[str, ...]
    record: dict[str, Any] = field(default_factory=dict)
    counts: list[Counts] | None = None
    corrupt: str | None = None

    @property
    def programs(self) -> list[SearchProgram]:
        return [SearchProgram.from_dict(p) for p in self.record.get("programs", [])]

    @property
    def seed(self) -> int | None:
        return self.record.get("seed")


class JobStore:
    """The SQLite job store (see the module docstring for its guarantees).

    Args:
        path: the database file; None means :func:`default_store_path`.

    Raises:
        JobStoreError: the file exists but is not an intact qsearch store.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        existing = self.path.exists() and self.path.stat().st_size > 0
        if existing:
            with open(self.path, "rb") as handle:
                header = handle.read(len(_SQLITE_HEADER))
            if header != _SQLITE_HEADER:
                raise JobStoreError(
                    f"The job store {self.path} is not a SQLite database (corrupted or partially "
                    "written). It was left untouched; move it aside to start a new store, or set "
                    "QSEARCH_HOME to another directory."
                )
        try:
            self._conn = sqlite3.connect(self.path, timeout=30.0)
            self._conn.execute("PRAGMA foreign_keys = ON")
            check = self._conn.execute("PRAGMA quick_check").fetchall()
            if check != [("ok",)]:
                raise JobStoreError(
                    f"The job store {self.path} failed SQLite's integrity check "
                    f"({'; '.join(str(r[0]) for r in check[:3])}). It was left untouched; "
                    "move it aside to start a new store."
                )
            if existing:
                self._check_schema()
            else:
                with self._conn:
                    self._conn.executescript(_SCHEMA)
                    self._conn.execute(
                        "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)",
                        (SCHEMA_VERSION,),
                    )
        except sqlite3.DatabaseError as exc:
            raise JobStoreError(
                f"The job store {self.path} cannot be read ({exc}); it is corrupted or partially "
                "written. It was left untouched; move it aside to start a new store."
            ) from None

    def _check_schema(self) -> None:
        tables = {
            row[0]
            for row in self._conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        missing = {"meta", "runs", "jobs", "results"} - tables
        if missing:
            raise JobStoreError(
                f"The job store {self.path} lacks tables {sorted(missing)} (partially written or "
                "not a qsearch store). It was left untouched."
            )
        row = self._conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None or row[0] != SCHEMA_VERSION:
            raise JobStoreError(
                f"The job store {self.path} has schema version {row and row[0]!r}; this qsearch "
                f"reads version {SCHEMA_VERSION!r}."
            )

    def close(self) -> None:
        self._conn.close()

    def __repr__(self) -> str:
        return f"JobStore({str(self.path)!r})"

    # -- writes ----------------------------------------------------------------------------

    def create_run(
        self,
        *,
        device: str,
        local: bool,
        shots: int,
        record: dict[str, Any],
        qpy: bytes,
        run_id: str | None = None,
    ) -> str:
        """Commit a run record (status PENDING) and return its id."""
        run_id = run_id or uuid.uuid4().hex[:12]
        payload = _dumps(record)
        now = _now()
        with self._conn:
            self._conn.execute(
                "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'PENDING', NULL, ?)",
                (
                    run_id,
                    now,
                    device,
                    int(local),
                    shots,
                    payload,
                    qpy,
                    _sha256(payload.encode(), qpy),
                    now,
                ),
            )
        return run_id

    def record_job(self, run_id: str, job_id: str, *, how: str = "submitted") -> None:
        """Commit a job id for ``run_id`` (status SUBMITTED); repeated ids are ignored."""
        with self._conn:
            attempt = self._conn.execute(
                "SELECT COUNT(*) FROM jobs WHERE run_id = ?", (run_id,)
            ).fetchone()[0]
            inserted = self._conn.execute(
                "INSERT OR IGNORE INTO jobs VALUES (?, ?, ?, ?, ?)",
                (str(job_id), run_id, attempt + 1, _now(), how),
            ).rowcount
            if inserted:
                self._conn.execute(
                    "UPDATE runs SET status = 'SUBMITTED', message = NULL, updated = ? "
                    "WHERE run_id = ?",
                    (_now(), run_id),
                )

    def set_status(self, run_id: str, status: str, message: str | None = None) -> None:
        with self._conn:
            self._conn.execute(
                "UPDATE runs SET status = ?, message = ?, updated = ? WHERE run_id = ? "
                "AND run_id NOT IN (SELECT run_id FROM results)",
                (status, message, _now(), run_id),
            )

    def save_results(
        self, run_id: str, job_id: str, counts: list[Counts], metadata: dict[str, Any]
    ) -> bool:
        """Store counts and mark the run DONE in one transaction; False if already stored."""
        counts_text = _dumps([{str(k): v for k, v in c.items()} for c in counts])
        metadata_text = _dumps(metadata)
        with self._conn:
            inserted = self._conn.execute(
                "INSERT OR IGNORE INTO results VALUES (?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    str(job_id),
                    counts_text,
                    metadata_text,
                    _sha256(counts_text.encode(), metadata_text.encode()),
                    _now(),
                ),
            ).rowcount
            if inserted:
                self._conn.execute(
                    "UPDATE runs SET status = 'DONE', message = NULL, updated = ? WHERE run_id = ?",
                    (_now(), run_id),
                )
        return bool(inserted)

    # -- reads -----------------------------------------------------------------------------

    def _record_from_row(self, row: tuple[Any, ...]) -> RunRecord:
        run_id, created, device, local, shots, payload, qpy, checksum, status, message, _ = row
        problems: list[str] = []
        record: dict[str, Any] = {}
        if not isinstance(payload, str) or not isinstance(qpy, bytes):
            problems.append("run record has the wrong type")
        elif _sha256(payload.encode(), qpy) != checksum:
            problems.append("run record checksum mismatch")
        else:
            try:
                record = json.loads(payload)
            except json.JSONDecodeError as exc:
                problems.append(f"run record is not JSON ({exc})")
        job_ids = tuple(
            r[0]
            for r in self._conn.execute(
                "SELECT job_id FROM jobs WHERE run_id = ? ORDER BY attempt", (run_id,)
            )
        )
        counts = None
        result = self._conn.execute(
            "SELECT counts, metadata, checksum FROM results WHERE run_id = ?", (run_id,)
        ).fetchone()
        if result is not None:
            counts_text, metadata_text, result_checksum = result
            if _sha256(str(counts_text).encode(), str(metadata_text).encode()) != result_checksum:
                problems.append("results checksum mismatch")
            else:
                counts = [{int(k): int(v) for k, v in c.items()} for c in json.loads(counts_text)]
        return RunRecord(
            run_id=str(run_id),
            created=str(created),
            device=str(device),
            local=bool(local),
            shots=int(shots),
            status=str(status),
            message=message,
            job_ids=job_ids,
            record=record,
            counts=counts,
            corrupt="; ".join(problems) or None,
        )

    def runs(self) -> list[RunRecord]:
        """Every run, newest first; corrupt rows are included with ``corrupt`` set."""
        rows = self._conn.execute("SELECT * FROM runs ORDER BY created DESC, rowid DESC")
        return [self._record_from_row(row) for row in rows.fetchall()]

    def get(self, run_id: str) -> RunRecord:
        """The run ``run_id`` (a unique prefix is enough).

        Raises:
            JobStoreError: no such run, an ambiguous prefix, or a corrupt row.
        """
        rows = self._conn.execute(
            "SELECT * FROM runs WHERE run_id = ? OR run_id LIKE ? ESCAPE '\\'",
            (run_id, run_id.replace("%", r"\%").replace("_", r"\_") + "%"),
        ).fetchall()
        exact = [r for r in rows if r[0] == run_id]
        rows = exact or rows
        if not rows:
            raise JobStoreError(f"No run {run_id!r} in the job store {self.path}.")
        if len(rows) > 1:
            raise JobStoreError(
                f"The run id {run_id!r} is ambiguous in {self.path}: "
                f"{sorted(r[0] for r in rows)[:5]}."
            )
        record = self._record_from_row(rows[0])
        if record.corrupt:
            raise JobStoreError(
                f"Run {record.run_id} in {self.path} is corrupt ({record.corrupt}); it is kept "
                "as is for inspection."
            )
        return record

    def circuits(self, run_id: str) -> list[Any]:
        """The ISA circuits stored (QPY) with ``run_id``."""
        from qiskit import qpy

        record = self.get(run_id)
        row = self._conn.execute(
            "SELECT qpy FROM runs WHERE run_id = ?", (record.run_id,)
        ).fetchone()
        return list(qpy.load(io.BytesIO(row[0])))


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
        with quiet_runtime():
            result = job.result()
        counts = runtime.counts_from_result(result, len(circuits))
        store.save_results(run_id, job.job_id(), counts, {"local": True})
    return run_id


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
        return record  # a local run that failed before its results were saved
    record = refresh_run(store, record.run_id, service=service)
    if record.status in ("ERROR", "CANCELLED") or not record.job_ids:
        if not resubmit_failed:
            return record
        record = _resubmit(store, record, backend_factory)
    return _fetch_results(store, record, service, wait)


def _resubmit(
    store: JobStore, record: RunRecord, backend_factory: Callable[[RunRecord], Any] | None
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
