"""The sweep store: one SQLite row per point, and the row layout every experiment table shares.

The store (``<output>/sweep.sqlite``) holds one row per completed point, keyed by
:attr:`qsearch.experiments.spec.Point.key`. Rows are written in batched transactions; each point
is one INSERT, so a point is stored whole or not at all. A rerun skips stored points and retries
failed ones.

Damage is noticed, not guessed at: every row carries a SHA-256 checksum of its values, and
opening a store runs ``PRAGMA integrity_check`` (about 40 ms for 8000 points; quick_check saves
only half of that) and verifies every row's checksum. A damaged store (a 0-byte file, a broken
page, a changed byte) is moved aside to ``sweep.sqlite.damaged-<time>``; its readable rows, and
only those, are copied into a fresh store, and a :class:`~qsearch.exceptions.QSearchWarning`
says how many rows were unreadable (a rerun recomputes them). A new store is built under a
temporary name and linked into place, so a store file is never empty unless damaged.
``<output>/sweep.sqlite.lock`` lets one ``sweep`` write a store at a time (:func:`store_lock`).

A row (:data:`COLUMNS`) is the point's parameters (:func:`point_row`), the scalars of its
``SearchResult`` plus the whole result as JSON (:func:`result_columns`), and provenance metadata.
Sweeps and the in-memory ``run_comparison`` build rows with these same functions, and
:func:`qsearch.experiments.analysis.tidy_table` turns them into one tidy table.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import sqlite3
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from qsearch._versions import package_versions
from qsearch.exceptions import QSearchWarning, StoreError
from qsearch.experiments.spec import Point
from qsearch.results import SearchResult

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, one runner per store
    fcntl = None  # type: ignore[assignment]

#: Version of the store layout; a store written by a newer qsearch is refused, not guessed at.
#: Version 2 added the per-row ``checksum``; version 1 stores are upgraded in place on open
#: (after ``PRAGMA integrity_check`` passes, their rows are checksummed as they are).
SCHEMA_VERSION = 2

_COLUMNS = (
    ("key", "TEXT PRIMARY KEY"),
    ("algorithm", "TEXT NOT NULL"),
    ("num_items", "INTEGER NOT NULL"),
    ("num_marked", "INTEGER NOT NULL"),
    ("repetition", "INTEGER NOT NULL"),
    ("backend", "TEXT NOT NULL"),
    ("backend_options", "TEXT NOT NULL"),
    ("noise", "TEXT"),
    ("iterations", "INTEGER"),
    ("root_seed", "INTEGER NOT NULL"),
    ("point_seed", "INTEGER NOT NULL"),
    ("status", "TEXT NOT NULL"),
    ("error", "TEXT"),
    ("method", "TEXT"),
    ("result_backend", "TEXT"),
    ("found", "INTEGER"),
    ("success", "INTEGER"),
    ("oracle_queries", "INTEGER"),
    ("verify_queries", "INTEGER"),
    ("build_queries", "INTEGER"),
    ("total_queries", "INTEGER"),
    ("num_attempts", "INTEGER"),
    ("wall_time_s", "REAL"),
    ("result", "TEXT"),
    ("metadata", "TEXT NOT NULL"),
    ("finished_at", "TEXT NOT NULL"),
)
COLUMNS = tuple(name for name, _ in _COLUMNS)
_KINDS = tuple(kind.split()[0] for _, kind in _COLUMNS)
_RUNS_COLUMNS = (
    "started_at TEXT, finished_at TEXT, spec TEXT, new_points INTEGER, failed INTEGER, "
    "already_stored INTEGER, status TEXT"
)
#: Rows copied per transaction when a damaged store is salvaged or an old one upgraded.
_BATCH = 1000


def row_checksum(values: Sequence[Any]) -> str:
    """SHA-256 of a row's values in :data:`COLUMNS` order, as SQLite returns them.

    Values are normalised by column type first (INTEGER columns as int, REAL as float, TEXT
    as str), so what is written and what is read back hash alike.
    """
    canonical = []
    for kind, value in zip(_KINDS, values, strict=True):
        if value is not None:
            value = int(value) if kind == "INTEGER" else float(value) if kind == "REAL" else value
            if kind == "TEXT" and not isinstance(value, str):
                value = str(value)
        canonical.append(value)
    return hashlib.sha256(repr(tuple(canonical)).encode()).hexdigest()


def _checksum_ok(values: Sequence[Any], checksum: Any) -> bool:
    try:
        return isinstance(checksum, str) and row_checksum(values) == checksum
    except (TypeError, ValueError):  # a flipped type byte: e.g. a blob where an int was
        return False


@contextlib.contextmanager
def store_lock(store_path: str | os.PathLike[str]) -> Iterator[None]:
    """Hold ``<store>.lock`` (an advisory ``flock``) or raise StoreError naming its holder.

    The kernel releases the lock when its holder exits, however it exits (SIGKILL included),
    so a stale lock file never blocks a rerun. Without ``fcntl`` (Windows) this is a no-op.
    """
    lock_path = Path(f"{os.fspath(store_path)}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(descriptor, 300, 0).decode(errors="replace").strip()
                raise StoreError(
                    f"The sweep store {os.fspath(store_path)!r} is busy: another sweep run "
                    f"({holder or 'holder unknown'}) is writing it. Wait for it to finish "
                    "(`qsearch sweep status SPEC` shows its progress) or stop it; a rerun then "
                    "computes whatever is left."
                ) from None
            since = datetime.now(timezone.utc).isoformat(timespec="seconds")
            os.ftruncate(descriptor, 0)
            os.pwrite(descriptor, f"pid {os.getpid()} on {socket.gethostname()}, since {since}"
                      .encode(), 0)  # fmt: skip
        yield
    finally:
        os.close(descriptor)  # releases the lock


def _json_default(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return repr(value)


def dumps(value: Any) -> str:
    """Canonical JSON (sorted keys; NumPy scalars and arrays as plain numbers and lists)."""
    return json.dumps(value, sort_keys=True, default=_json_default)


#: Columns copied from the :class:`~qsearch.experiments.spec.Point` field of the same name.
_POINT_FIELDS = (
    "algorithm",
    "num_items",
    "num_marked",
    "repetition",
    "backend",
    "noise",
    "iterations",
    "root_seed",
)


def point_row(point: Point) -> dict[str, Any]:
    """A row of :data:`COLUMNS` holding the point's parameters (the other columns None)."""
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update({name: getattr(point, name) for name in _POINT_FIELDS})
    row.update(
        key=point.key, backend_options=dumps(dict(point.backend_options)), point_seed=point.seed
    )
    return row


def result_columns(result: SearchResult) -> dict[str, Any]:
    """The columns of a successful point: ``status="ok"``, the result's scalars and its JSON.

    ``method`` holds ``SearchResult.method`` (for the registered experiments, the algorithm's
    name) and ``result_backend`` ``SearchResult.backend`` (e.g. ``"classical"``).
    """
    data = result.to_dict()
    return {
        "status": "ok",
        "method": data["method"],
        "result_backend": data["backend"],
        "found": data["found"],
        "success": int(bool(data["success"])),
        "oracle_queries": data["oracle_queries"],
        "verify_queries": data["verify_queries"],
        "build_queries": data["build_queries"],
        "total_queries": data["total_queries"],
        "num_attempts": data["num_attempts"],
        "result": dumps(data),
    }


class _Damaged(Exception):
    """Raised inside :class:`ResultStore` when an open finds damage (reason in the message)."""


class ResultStore:
    """The SQLite store of one sweep: one row per point, keyed by :attr:`Point.key`.

    Rows are written by :meth:`write` in one transaction per batch; a point is a single INSERT,
    so it is stored whole or not at all. A stored ``ok`` row is never overwritten; an ``error``
    row is replaced when the point later succeeds.

    Opening checks the file (see the module docstring); a damaged store is salvaged, and
    :attr:`repaired` then holds the message also given as a QSearchWarning.

    Args:
        path: the ``sweep.sqlite`` file.
        create: create the store when missing (else StoreError).
        locked: the caller holds :func:`store_lock` (a salvage otherwise takes it itself).
    """

    def __init__(
        self, path: str | os.PathLike[str], *, create: bool = True, locked: bool = False
    ) -> None:
        self.path = Path(path)
        self.repaired: str | None = None
        if not self.path.exists():
            if not create:
                raise StoreError(f"No sweep store at {str(self.path)!r}; run the sweep first.")
            _create_store(self.path)
        try:
            self._conn = self._open_checked()
        except _Damaged as damage:
            with contextlib.nullcontext() if locked else store_lock(self.path):
                self.repaired = _salvage(self.path, str(damage))
            warnings.warn(self.repaired, QSearchWarning, stacklevel=2)
            self._conn = self._open_checked()

    def _open_checked(self) -> sqlite3.Connection:
        wal = Path(f"{self.path}-wal")
        if self.path.stat().st_size == 0 and not (wal.exists() and wal.stat().st_size):
            raise _Damaged("the file is empty (0 bytes)")
        conn = sqlite3.connect(self.path, timeout=30.0)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            problems = [text for (text,) in conn.execute("PRAGMA integrity_check(5)")]
            if problems != ["ok"]:
                raise _Damaged(f"SQLite's integrity check fails: {problems[0]}")
            _init_schema(conn, self.path)
            unreadable = _scan(conn)
            if unreadable:
                rows = "1 row fails its" if unreadable == 1 else f"{unreadable} rows fail their"
                raise _Damaged(f"{rows} checksum or cannot be read")
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise _Damaged(f"SQLite cannot read it: {exc}") from exc
        except BaseException:
            conn.close()
            raise
        return conn

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def stored_keys(self, status: str | None = "ok") -> set[str]:
        """Keys of stored points (``status=None``: whatever their status)."""
        if status is None:
            cursor = self._conn.execute("SELECT key FROM points")
        else:
            cursor = self._conn.execute("SELECT key FROM points WHERE status = ?", (status,))
        return {key for (key,) in cursor}

    def write(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Store rows in one transaction (an ``ok`` row is never replaced)."""
        if not rows:
            return
        names = (*COLUMNS, "checksum")
        marks = ", ".join("?" for _ in names)
        updates = ", ".join(f"{name} = excluded.{name}" for name in names if name != "key")
        sql = (
            f"INSERT INTO points ({', '.join(names)}) VALUES ({marks}) ON CONFLICT(key) DO UPDATE "
            f"SET {updates} WHERE points.status = 'error' AND excluded.status = 'ok'"
        )
        values = [tuple(row[name] for name in COLUMNS) for row in rows]
        with self._conn:
            self._conn.executemany(sql, [(*v, row_checksum(v)) for v in values])

    def record_run(self, record: Mapping[str, Any]) -> None:
        with self._conn:
            self._conn.execute(
                "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    record["started_at"],
                    record["finished_at"],
                    record["spec"],
                    record["new_points"],
                    record["failed"],
                    record["already_stored"],
                    record["status"],
                ),
            )

    def rows(self) -> list[dict[str, Any]]:
        """Every stored row as a dict (JSON columns as text; checksums verified on open)."""
        cursor = self._conn.execute(f"SELECT {', '.join(COLUMNS)} FROM points ORDER BY rowid")
        return [dict(zip(COLUMNS, values, strict=True)) for values in cursor]

    def count(self) -> dict[str, int]:
        """Number of stored rows per status."""
        cursor = self._conn.execute("SELECT status, COUNT(*) FROM points GROUP BY status")
        return {status: int(n) for status, n in cursor}


def _init_schema(conn: sqlite3.Connection, path: Path) -> None:
    """Create the tables (new store), refuse a newer schema, upgrade version 1 in place."""
    conn.execute("BEGIN IMMEDIATE")  # one upgrader at a time; the version is read inside
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
        row = conn.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone()
        version = SCHEMA_VERSION if row is None else int(row[0])
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"The store {str(path)!r} has schema version {version}, newer than "
                f"this qsearch understands ({SCHEMA_VERSION}); upgrade qsearch to read it."
            )
        if row is None:
            conn.execute(
                "INSERT INTO meta VALUES ('schema_version', ?), ('created_with', ?)",
                (str(SCHEMA_VERSION), f"qsearch {package_versions().get('qsearch', '?')}"),
            )
        columns = ", ".join(f"{name} {kind}" for name, kind in _COLUMNS)
        conn.execute(f"CREATE TABLE IF NOT EXISTS points ({columns}, checksum TEXT)")
        conn.execute(f"CREATE TABLE IF NOT EXISTS runs ({_RUNS_COLUMNS})")
        if version == 1:  # version 1 had no checksums: add them to the rows as they are
            conn.execute("ALTER TABLE points ADD COLUMN checksum TEXT")
            cursor = conn.execute(f"SELECT rowid, {', '.join(COLUMNS)} FROM points")
            updates = [(row_checksum(values), rowid) for rowid, *values in cursor]
            conn.executemany("UPDATE points SET checksum = ? WHERE rowid = ?", updates)
            conn.execute(
                "UPDATE meta SET value = ? WHERE name = 'schema_version'", (str(SCHEMA_VERSION),)
            )
    except BaseException:
        conn.rollback()
        raise
    conn.commit()


def _create_store(path: Path) -> None:
    """Build an empty store under a temporary name, then link it into place (never 0 bytes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.creating-{os.getpid()}-{os.urandom(4).hex()}")
    conn = sqlite3.connect(temporary)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        _init_schema(conn, path)
    finally:
        conn.close()  # checkpoints the WAL into the file and removes it
    try:
        os.link(temporary, path)  # atomic, and never replaces a store created meanwhile
    except FileExistsError:
        pass
    except OSError:  # pragma: no cover - file systems without hard links
        if not path.exists():
            os.replace(temporary, path)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temporary)


def _scan(
    conn: sqlite3.Connection, sink: Callable[[list[tuple[Any, ...]]], None] | None = None
) -> int:
    """Verify every row's checksum; give the good ones (values + checksum) to ``sink``.

    Returns the number of rows that fail their checksum or cannot be read. Rows sit in rowid
    order (1, 2, ...); where a page cannot be read the scan steps past it one rowid at a time,
    so every readable row after a broken page is still found. Raises sqlite3.DatabaseError
    when not even the table's last rowid can be read.
    """
    (last,) = conn.execute("SELECT max(rowid) FROM points").fetchone()  # raises: unreadable
    last = 0 if last is None else int(last)
    sql = f"SELECT rowid, {', '.join(COLUMNS)}, checksum FROM points WHERE rowid > ? ORDER BY rowid"
    after, bad, failures = 0, 0, 0
    while True:
        good: list[tuple[Any, ...]] = []
        try:
            for rowid, *values, checksum in conn.execute(sql, (after,)):
                after, failures = rowid, 0
                if _checksum_ok(values, checksum):
                    good.append((*values, checksum))
                else:
                    bad += 1
                if sink is not None and len(good) >= _BATCH:
                    sink(good)
                    good = []
            if sink is not None:
                sink(good)
            return bad
        except sqlite3.DatabaseError:
            if sink is not None:
                sink(good)
            after, bad, failures = after + 1, bad + 1, failures + 1
            if after >= last or failures > 100_000:
                return bad


def _salvage(path: Path, reason: str) -> str:
    """Move a damaged store aside and rebuild it from its readable rows; returns the message."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    fresh = path.with_name(f".{path.name}.salvage-{os.getpid()}")
    fresh.unlink(missing_ok=True)
    _create_store(fresh)
    kept, unreadable = 0, None
    names = ", ".join((*COLUMNS, "checksum"))
    marks = ", ".join("?" for _ in (*COLUMNS, "checksum"))
    target = sqlite3.connect(fresh)

    def keep(rows: list[tuple[Any, ...]]) -> None:
        nonlocal kept
        with target:
            target.executemany(f"INSERT OR IGNORE INTO points ({names}) VALUES ({marks})", rows)
        kept += len(rows)

    try:
        if path.stat().st_size:
            damaged = sqlite3.connect(path)
            try:
                unreadable = _scan(damaged, keep)
                with contextlib.suppress(sqlite3.DatabaseError), target:
                    runs = damaged.execute("SELECT * FROM runs").fetchall()
                    target.executemany("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?)", runs)
            except sqlite3.DatabaseError:
                pass  # nothing readable: not even the table of points
            finally:
                damaged.close()
    finally:
        target.close()
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.replace(f"{path}{suffix}", f"{aside}{suffix}")
    os.replace(fresh, path)
    lost = (
        "an unknown number of rows"
        if unreadable is None
        else f"{unreadable} row{'' if unreadable == 1 else 's'}"
    )
    return (
        f"The sweep store {str(path)!r} is damaged ({reason}): {lost} unreadable. It was moved "
        f"aside to {str(aside)!r}; its {kept} readable rows were kept in a fresh store, and a "
        "rerun recomputes the rest."
    )


__all__ = [
    "COLUMNS",
    "SCHEMA_VERSION",
    "ResultStore",
    "StoreError",
    "dumps",
    "point_row",
    "result_columns",
    "row_checksum",
    "store_lock",
]
