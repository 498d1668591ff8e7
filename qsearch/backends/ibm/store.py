"""The job store's file: one SQLite database that notices damage (see :mod:`.jobs`).

Every row carries a SHA-256 checksum of its payload; the file header and ``PRAGMA quick_check``
are verified on open. A corrupted, partially written or empty (truncated) store raises
:class:`JobStoreError` naming the file and what failed; unreadable rows are reported (``qsearch
jobs list`` marks them CORRUPT and exits non-zero), never skipped. A store directory that cannot
hold it (a regular file, unwritable, under /proc) is named with the fix. The submit / refresh /
collect flow on top of it is :mod:`qsearch.backends.ibm.jobs`.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from qsearch.exceptions import JobStoreError
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


def _check_directory(path: Path) -> None:
    """Create the store's directory, or raise JobStoreError saying what is wrong with it."""
    directory = path.parent
    fix = "set QSEARCH_HOME to a writable directory (or pass --store PATH)"
    if str(directory.resolve()).startswith("/proc"):
        raise JobStoreError(
            f"The job store directory {directory} is under /proc (a kernel file system, not "
            f"storage); {fix}."
        )
    for parent in (directory, *directory.parents):
        if parent.exists() and not parent.is_dir():
            raise JobStoreError(
                f"The job store directory {directory} cannot be created: {parent} is a regular "
                f"file, not a directory; {fix}."
            )
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise JobStoreError(
            f"The job store directory {directory} cannot be created ({exc.strerror}); {fix}."
        ) from None
    writable = os.access(directory, os.W_OK | os.X_OK)
    if not writable or (path.exists() and not os.access(path, os.R_OK | os.W_OK)):
        what = directory if not writable else path
        raise JobStoreError(
            f"The job store {'directory ' if not writable else ''}{what} is not writable by "
            f"this user (permissions {what.stat().st_mode & 0o777:o}); fix its permissions "
            f"(chmod u+rwx) or {fix}."
        )


@dataclass(frozen=True)
class RunRecord:
    """One run as stored.

    Attributes:
        run_id: the run's id (also the job tag ``qsearch-run:<run_id>``).
        status: PENDING (recorded, no job id yet), SUBMITTED, the service's QUEUED / RUNNING /
            ..., READY (done on the service, not collected), DONE (counts stored), ERROR,
            CANCELLED, ABANDONED (a local run whose process died before saving its counts).
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
        _check_directory(self.path)
        existing = self.path.exists()
        if existing and self.path.stat().st_size == 0:
            raise JobStoreError(
                f"The job store {self.path} is empty (0 bytes): it was truncated or damaged, so "
                "the runs recorded in it cannot be read. It was left untouched; restore it from "
                f"a backup, or move it aside (mv {self.path} {self.path}.damaged) to start a new "
                "store."
            )
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
