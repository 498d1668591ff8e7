"""The sweep store: one SQLite row per point, and the row layout every experiment table shares.

The store (``<output>/sweep.sqlite``) holds one row per completed point, keyed by
:attr:`qsearch.experiments.spec.Point.key`. Rows are written in batched transactions; each point
is one INSERT, so a point is stored whole or not at all. A rerun skips stored points and retries
failed ones.

A row (:data:`COLUMNS`) is the point's parameters (:func:`point_row`), the scalars of its
``SearchResult`` plus the whole result as JSON (:func:`result_columns`), and provenance metadata.
Sweeps and the in-memory ``run_comparison`` build rows with these same functions, and
:func:`qsearch.experiments.analysis.tidy_table` turns them into one tidy table.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qsearch._versions import package_versions
from qsearch.exceptions import StoreError
from qsearch.experiments.spec import Point
from qsearch.results import SearchResult

#: Version of the store layout; a store written by a newer qsearch is refused, not guessed at.
SCHEMA_VERSION = 1

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


class ResultStore:
    """The SQLite store of one sweep: one row per point, keyed by :attr:`Point.key`.

    Rows are written by :meth:`write` in one transaction per batch; a point is a single INSERT,
    so it is stored whole or not at all. A stored ``ok`` row is never overwritten; an ``error``
    row is replaced when the point later succeeds.
    """

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.exists():
            raise StoreError(f"No sweep store at {str(self.path)!r}; run the sweep first.")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, timeout=30.0)
        try:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._init_schema()
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise StoreError(f"{str(self.path)!r} is not a sweep store: {exc}.") from exc
        except BaseException:
            self._conn.close()
            raise

    def _init_schema(self) -> None:
        conn = self._conn
        with conn:
            conn.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
            row = conn.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO meta VALUES ('schema_version', ?), ('created_with', ?)",
                    (str(SCHEMA_VERSION), f"qsearch {package_versions().get('qsearch', '?')}"),
                )
            else:
                version = int(row[0])
                if version > SCHEMA_VERSION:
                    raise StoreError(
                        f"The store {str(self.path)!r} has schema version {version}, newer than "
                        f"this qsearch understands ({SCHEMA_VERSION}); upgrade qsearch to read it."
                    )
            columns = ", ".join(f"{name} {kind}" for name, kind in _COLUMNS)
            conn.execute(f"CREATE TABLE IF NOT EXISTS points ({columns})")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS runs (started_at TEXT, finished_at TEXT, spec TEXT, "
                "new_points INTEGER, failed INTEGER, already_stored INTEGER, status TEXT)"
            )

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
        names = ", ".join(COLUMNS)
        marks = ", ".join("?" for _ in COLUMNS)
        updates = ", ".join(f"{name} = excluded.{name}" for name in COLUMNS if name != "key")
        sql = (
            f"INSERT INTO points ({names}) VALUES ({marks}) ON CONFLICT(key) DO UPDATE SET "
            f"{updates} WHERE points.status = 'error' AND excluded.status = 'ok'"
        )
        with self._conn:
            self._conn.executemany(sql, [tuple(row[name] for name in COLUMNS) for row in rows])

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
        """Every stored row as a dict (JSON columns still as text)."""
        cursor = self._conn.execute(f"SELECT {', '.join(COLUMNS)} FROM points ORDER BY rowid")
        return [dict(zip(COLUMNS, values, strict=True)) for values in cursor]

    def count(self) -> dict[str, int]:
        """Number of stored rows per status."""
        cursor = self._conn.execute("SELECT status, COUNT(*) FROM points GROUP BY status")
        return {status: int(n) for status, n in cursor}


__all__ = [
    "COLUMNS",
    "SCHEMA_VERSION",
    "ResultStore",
    "StoreError",
    "dumps",
    "point_row",
    "result_columns",
]
