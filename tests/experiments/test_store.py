"""The sweep store: whole rows, one row per point, schema versions, the shared row layout."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from qsearch.exceptions import StoreError
from qsearch.experiments.runner import run_point, status, sweep
from qsearch.experiments.spec import Point
from qsearch.experiments.store import SCHEMA_VERSION, ResultStore

from .sweep_helpers import small_spec


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
