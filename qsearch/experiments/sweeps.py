"""Sweeps: declarative grids of experiment points, a resumable SQLite store, local pool or Dask.

A *point* is one call ``qsearch.experiments.registry.run_experiment(algorithm, N, M, seed,
backend)``
(or, with ``iterations`` in the grid, one Grover run with that fixed k), identified by its
parameters: (algorithm, N, M, repetition, backend, backend options, noise, iterations, root seed).
A TOML spec names the grid::

    [sweep]
    name = "grover-vs-classical"
    algorithms = ["grover", "classical-random"]
    sizes = [64, 256, 1024]
    marked = [1, 4]
    repetitions = 20
    seed = 11
    backend = "ideal"
    output = "results/grover-vs-classical"

Optional keys: ``log2_sizes`` (instead of ``sizes``), ``backend_options`` (a table passed to
``get_backend``), ``noise`` (a device name such as ``"fake_torino"`` or a list with ``"none"``
for a noisy-vs-ideal axis; passed to the backend as ``noise=``), ``iterations`` (a list of fixed
Grover iterate counts k: each point is then one single-shot run, for success-vs-k curves),
``workers``, ``threads`` (Aer OpenMP threads per worker), ``description``, and ``[[sweep.grid]]``
tables that override the grid keys for a part of the sweep (e.g. classical methods on smaller
sizes than Grover). The union of the grids is the sweep.

Seeds: the seed of a point is ``SeedSequence([root, N, M, repetition]).generate_state(1)[0]``
(the same formula as ``qsearch compare``), so every algorithm, backend and noise setting of one
repetition solves the same random instance (paired comparisons), enlarging the grid never changes
an existing point's seed, and a resumed sweep writes identical rows.

The store (``<output>/sweep.sqlite``) holds one row per completed point, keyed by a hash of the
point's parameters. Rows are written in batched transactions; each point is one INSERT, so a
point is stored whole or not at all. A rerun skips stored points and retries failed ones.

Execution: in-process (one worker), a local process pool (default: one worker per core, each
with ``OMP_NUM_THREADS`` and Aer ``threads`` = cores // workers), or any executor with
``submit`` returning ``concurrent.futures.Future`` (``client.get_executor()`` of Dask). Points
go out in chunks with a bounded number in flight; rows are written by the calling process only.
Ctrl-C (or SIGTERM in ``qsearch sweep run``) drops queued chunks, keeps the rows of finished
ones and raises :class:`SweepInterrupted`; rerunning resumes.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import contextlib
import functools
import hashlib
import json
import numbers
import os
import socket
import sqlite3
import subprocess
import sys
import time
import traceback
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from qsearch._versions import package_versions
from qsearch.exceptions import (
    BackendError,
    BackendUnavailableError,
    ProblemError,
    StoreError,
)

try:  # Python >= 3.11
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

#: Version of the store layout; a store written by a newer qsearch is refused, not guessed at.
SCHEMA_VERSION = 1
STORE_FILENAME = "sweep.sqlite"

#: Keys that describe a grid (allowed in ``[sweep]`` and in each ``[[sweep.grid]]``).
GRID_KEYS = (
    "algorithms",
    "sizes",
    "log2_sizes",
    "marked",
    "repetitions",
    "backend",
    "backend_options",
    "noise",
    "iterations",
)
#: Keys allowed in ``[sweep]``.
SWEEP_KEYS = ("name", "description", "seed", "output", "workers", "threads", "grid", *GRID_KEYS)
_NO_NOISE = ("none", "ideal", "")
#: Algorithms that accept a fixed ``iterations`` grid (a single-shot Grover run with k iterates).
FIXED_ITERATION_ALGORITHMS = ("grover",)
#: Rows buffered before a transaction commits (and at most this many seconds between commits).
_COMMIT_ROWS = 1000
_COMMIT_SECONDS = 1.0

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


# ----------------------------------------------------------------------------------- the spec
def _spec_error(where: str, key: str, expected: str, value: Any) -> ProblemError:
    return ProblemError(f"The {key!r} key of {where} must be {expected}; got {value!r}.")


def _int_list(value: Any, key: str, where: str, minimum: int) -> tuple[int, ...]:
    items = value if isinstance(value, list) else [value]
    expected = f"an int >= {minimum} or a non-empty list of them"
    if not items:
        raise _spec_error(where, key, expected, value)
    out = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, numbers.Integral) or item < minimum:
            raise _spec_error(where, key, expected, value)
        out.append(int(item))
    if len(set(out)) != len(out):
        raise _spec_error(where, key, "a list without repeated values", value)
    return tuple(out)


def _str_list(value: Any, key: str, where: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(item, str) and item for item in items):
        raise _spec_error(where, key, "a non-empty string or a non-empty list of them", value)
    if len(set(items)) != len(items):
        raise _spec_error(where, key, "a list without repeated values", value)
    return tuple(items)


def _check_keys(table: Mapping[str, Any], allowed: Sequence[str], where: str) -> None:
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise ProblemError(
            f"Unknown key {unknown[0]!r} in {where}; the allowed keys are {sorted(allowed)}."
        )


@dataclass(frozen=True)
class Grid:
    """One rectangular block of points (the product of its lists)."""

    algorithms: tuple[str, ...]
    sizes: tuple[int, ...]
    marked: tuple[int, ...]
    repetitions: int
    backends: tuple[str, ...]
    backend_options: tuple[tuple[str, Any], ...]
    noise: tuple[str | None, ...]
    iterations: tuple[int | None, ...]


@dataclass(frozen=True)
class Point:
    """One experiment run; ``key`` and ``seed`` depend only on the parameters."""

    algorithm: str
    num_items: int
    num_marked: int
    repetition: int
    backend: str
    root_seed: int
    backend_options: tuple[tuple[str, Any], ...] = ()
    noise: str | None = None
    iterations: int | None = None

    def params(self) -> dict[str, Any]:
        """The parameters that identify the point (defaults left out, so keys stay stable)."""
        out: dict[str, Any] = {
            "algorithm": self.algorithm,
            "num_items": self.num_items,
            "num_marked": self.num_marked,
            "repetition": self.repetition,
            "backend": self.backend,
            "root_seed": self.root_seed,
        }
        if self.backend_options:
            out["backend_options"] = dict(self.backend_options)
        if self.noise is not None:
            out["noise"] = self.noise
        if self.iterations is not None:
            out["iterations"] = self.iterations
        return out

    @functools.cached_property
    def key(self) -> str:
        """A 128-bit hex digest of the canonical JSON of :meth:`params`."""
        text = json.dumps(self.params(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    @functools.cached_property
    def seed(self) -> int:
        """The point's seed: ``SeedSequence([root, N, M, repetition])`` (see module docstring)."""
        return point_seed(self.root_seed, self.num_items, self.num_marked, self.repetition)


def point_seed(root_seed: int, num_items: int, num_marked: int, repetition: int) -> int:
    """Seed shared by every algorithm/backend of one (N, M, repetition): one random instance."""
    sequence = np.random.SeedSequence([root_seed, num_items, num_marked, repetition])
    return int(sequence.generate_state(1)[0])


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep: name, grids, root seed, output directory and execution hints.

    Build with :meth:`from_dict` or :meth:`from_file` (which check every key and value).
    """

    name: str
    grids: tuple[Grid, ...]
    seed: int
    output: Path
    workers: int | None = None
    threads: int | None = None
    description: str = ""
    source: Path | None = field(default=None, compare=False)

    @property
    def store_path(self) -> Path:
        return self.output / STORE_FILENAME

    def points(self) -> list[Point]:
        """Every point of the sweep, in grid order, without duplicates."""
        seen: set[Point] = set()
        out: list[Point] = []
        for grid in self.grids:
            for backend in grid.backends:
                for noise in grid.noise:
                    for algorithm in grid.algorithms:
                        for n in grid.sizes:
                            for m in grid.marked:
                                for k in grid.iterations:
                                    for rep in range(grid.repetitions):
                                        point = Point(
                                            algorithm,
                                            n,
                                            m,
                                            rep,
                                            backend,
                                            self.seed,
                                            grid.backend_options,
                                            noise,
                                            k,
                                        )
                                        if point not in seen:
                                            seen.add(point)
                                            out.append(point)
        return out

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> SweepSpec:
        """Read and validate a TOML spec (relative ``output`` resolves against the cwd)."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ProblemError(f"Cannot read the sweep spec {str(path)!r}: {exc}.") from exc
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ProblemError(f"The sweep spec {str(path)!r} is not valid TOML: {exc}.") from exc
        spec = cls.from_dict(data, where=str(path))
        return SweepSpec(
            spec.name,
            spec.grids,
            spec.seed,
            spec.output,
            spec.workers,
            spec.threads,
            spec.description,
            source=path,
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, where: str = "the sweep spec") -> SweepSpec:
        """Validate a spec given as a dict: ``{"sweep": {...}}`` or the ``[sweep]`` table itself.

        Raises:
            ProblemError: naming the key, what it must be and what it was; unknown keys are
                listed with the allowed ones; algorithm names are checked against the
                experiment registry as it is now.
        """
        if not isinstance(data, Mapping):
            raise ProblemError(f"{where} must be a table (dict); got {type(data).__name__}.")
        if "sweep" in data:
            _check_keys(data, ("sweep",), f"the top level of {where}")
            table = data["sweep"]
            if not isinstance(table, Mapping):
                raise _spec_error(where, "sweep", "a table", table)
        else:
            table = data
        place = f"[sweep] of {where}"
        _check_keys(table, SWEEP_KEYS, place)
        for required in ("name", "seed", "output"):
            if required not in table:
                raise ProblemError(f"The {required!r} key is missing from {place}.")
        name = table["name"]
        if not isinstance(name, str) or not name.strip():
            raise _spec_error(place, "name", "a non-empty string", name)
        seed = table["seed"]
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            raise _spec_error(place, "seed", "an int >= 0", seed)
        output = table["output"]
        if not isinstance(output, str) or not output.strip():
            raise _spec_error(place, "output", "a non-empty path string", output)
        workers = _optional_positive(table, "workers", place)
        threads = _optional_positive(table, "threads", place)
        description = table.get("description", "")
        if not isinstance(description, str):
            raise _spec_error(place, "description", "a string", description)
        base = {key: table[key] for key in GRID_KEYS if key in table}
        grids_data = table.get("grid")
        if grids_data is None:
            grids = (_parse_grid(base, place),)
        else:
            if not isinstance(grids_data, list) or not grids_data:
                raise _spec_error(place, "grid", "a non-empty array of tables", grids_data)
            grids_list = []
            for index, entry in enumerate(grids_data):
                here = f"[[sweep.grid]] #{index + 1} of {where}"
                if not isinstance(entry, Mapping):
                    raise ProblemError(f"{here} must be a table; got {entry!r}.")
                _check_keys(entry, GRID_KEYS, here)
                merged = dict(base)
                if "sizes" in entry or "log2_sizes" in entry:
                    merged.pop("sizes", None)
                    merged.pop("log2_sizes", None)
                merged.update(entry)
                grids_list.append(_parse_grid(merged, here))
            grids = tuple(grids_list)
        return cls(
            name.strip(),
            grids,
            int(seed),
            Path(output).expanduser(),
            workers,
            threads,
            description,
        )


def _optional_positive(table: Mapping[str, Any], key: str, where: str) -> int | None:
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise _spec_error(where, key, "an int >= 1", value)
    return int(value)


def _parse_grid(table: Mapping[str, Any], where: str) -> Grid:
    from qsearch.experiments import (
        registry as experiments,  # read the registry now: other modules may have added to it
    )

    for required in ("algorithms", "repetitions"):
        if required not in table:
            raise ProblemError(f"The {required!r} key is missing from {where}.")
    algorithms = _str_list(table["algorithms"], "algorithms", where)
    known = sorted(experiments.EXPERIMENTS)
    for algorithm in algorithms:
        if algorithm not in experiments.EXPERIMENTS:
            raise ProblemError(
                f"The 'algorithms' key of {where} must list registered experiments {known}; "
                f"got {algorithm!r}."
            )
    if ("sizes" in table) == ("log2_sizes" in table):
        raise ProblemError(f"{where} must give exactly one of 'sizes' and 'log2_sizes'.")
    if "sizes" in table:
        sizes = _int_list(table["sizes"], "sizes", where, 2)
    else:
        exponents = _int_list(table["log2_sizes"], "log2_sizes", where, 1)
        if max(exponents) > 62:
            raise _spec_error(where, "log2_sizes", "a list of ints in [1, 62]", exponents)
        sizes = tuple(2**e for e in exponents)
    marked = _int_list(table.get("marked", 1), "marked", where, 0)
    if max(marked) > min(sizes):
        raise ProblemError(
            f"The 'marked' key of {where} must not exceed the smallest size ({min(sizes)}); "
            f"got {max(marked)}."
        )
    repetitions = table["repetitions"]
    if isinstance(repetitions, bool) or not isinstance(repetitions, numbers.Integral):
        raise _spec_error(where, "repetitions", "an int >= 1", repetitions)
    if repetitions < 1:
        raise _spec_error(where, "repetitions", "an int >= 1", repetitions)
    from qsearch.backends.base import available_backends

    backends = _str_list(table.get("backend", "ideal"), "backend", where)
    registered = sorted(available_backends())
    for backend in backends:
        if backend not in registered:
            raise ProblemError(
                f"The 'backend' key of {where} must name registered backends {registered}; "
                f"got {backend!r}."
            )
    options = table.get("backend_options", {})
    if not isinstance(options, Mapping):
        raise _spec_error(where, "backend_options", "a table of backend options", options)
    for key in ("noise", "threads"):
        if key in options:
            raise ProblemError(
                f"Give {key} with the {key!r} key of {where}, not inside 'backend_options'"
                + (
                    " (threads do not change results, so they are not part of a point)."
                    if key == "threads"
                    else "."
                )
            )
    noise_raw = _str_list(table.get("noise", "none"), "noise", where)
    noise = tuple(None if item.lower() in _NO_NOISE else item for item in noise_raw)
    if any(n is not None for n in noise) and "ideal" in backends:
        raise ProblemError(
            f"The 'noise' key of {where} needs a circuit backend (e.g. backend = \"aer\"); the "
            "ideal backend is noiseless. Put noisy points in their own [[sweep.grid]]."
        )
    if "iterations" in table:
        iterations: tuple[int | None, ...] = _int_list(table["iterations"], "iterations", where, 0)
        unsupported = [a for a in algorithms if a not in FIXED_ITERATION_ALGORITHMS]
        if unsupported:
            raise ProblemError(
                f"The 'iterations' key of {where} applies to {list(FIXED_ITERATION_ALGORITHMS)} "
                f"only; got algorithms {unsupported}. Put them in another [[sweep.grid]]."
            )
    else:
        iterations = (None,)
    return Grid(
        algorithms,
        sizes,
        marked,
        int(repetitions),
        backends,
        tuple(sorted((str(k), v) for k, v in options.items())),
        noise,
        iterations,
    )


def load_spec(spec: SweepSpec | Mapping[str, Any] | str | os.PathLike[str]) -> SweepSpec:
    """A SweepSpec from a spec, a dict, or a path to a TOML file."""
    if isinstance(spec, SweepSpec):
        return spec
    if isinstance(spec, Mapping):
        return SweepSpec.from_dict(spec)
    if isinstance(spec, (str, os.PathLike)):
        return SweepSpec.from_file(spec)
    raise ProblemError(
        "The 'spec' argument of sweep must be a SweepSpec, a dict or a path to a TOML file; "
        f"got {type(spec).__name__}."
    )


# ---------------------------------------------------------------------------------- the store
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


# ------------------------------------------------------------------------------- running points
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


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=_json_default)


_WORKER_BACKENDS: dict[str, Any] = {}
_HOST = socket.gethostname()
_WORKER_VERSIONS: dict[str, str] = {}


def _backend_for(point: Point, threads: int | None) -> Any:
    from qsearch.backends.base import get_backend

    options = dict(point.backend_options)
    if point.noise is not None:
        options["noise"] = point.noise
    if threads is not None and point.backend.startswith("aer") and "threads" not in options:
        options["threads"] = threads  # Aer OpenMP threads × workers <= cores
    cache_key = _dumps([point.backend, options])
    device = _WORKER_BACKENDS.get(cache_key)
    if device is None:
        device = get_backend(point.backend, **options)
        _WORKER_BACKENDS[cache_key] = device
    return device


def _run_fixed_iterations(point: Point, device: Any) -> Any:
    from qsearch.algorithms.grover import grover_search
    from qsearch.experiments.registry import random_problem, solver_seed

    problem = random_problem(point.num_items, point.num_marked, point.seed)
    return grover_search(
        problem,
        device,
        iterations=point.iterations,
        shots=1,
        seed=solver_seed(point.seed),
        max_attempts=1,
    )


def run_point(
    point: Point, *, threads: int | None = None, git: str | None = None
) -> dict[str, Any]:
    """Run one point and return its store row; an exception becomes an ``error`` row.

    The row holds the point parameters, ``SearchResult.to_dict()`` (JSON in ``result``, its
    scalars also as columns) and metadata: package versions, backend and method, the derived
    seeds (``point``; the instance draw uses ``[point, 0]`` and the solver ``[point, 1]``),
    wall time, host, the git revision when known, and any warnings raised.
    """
    from qsearch.experiments.registry import run_experiment

    if not _WORKER_VERSIONS:
        _WORKER_VERSIONS.update(package_versions())
    seed = point.seed
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update(
        key=point.key,
        algorithm=point.algorithm,
        num_items=point.num_items,
        num_marked=point.num_marked,
        repetition=point.repetition,
        backend=point.backend,
        backend_options=_dumps(dict(point.backend_options)),
        noise=point.noise,
        iterations=point.iterations,
        root_seed=point.root_seed,
        point_seed=seed,
    )
    metadata: dict[str, Any] = {
        "versions": dict(_WORKER_VERSIONS),
        "seeds": {
            "root": point.root_seed,
            "point": seed,
            "instance": [seed, 0],
            "solver": [seed, 1],
        },
        "git_revision": git,
        "host": _HOST,
        "threads": threads,
    }
    started = time.perf_counter()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            device = _backend_for(point, threads)
            metadata["backend"] = getattr(device, "name", point.backend)
            metadata["method"] = getattr(device, "method", None)
            if point.iterations is None:
                result = run_experiment(
                    point.algorithm, point.num_items, point.num_marked, seed, device
                )
            else:
                result = _run_fixed_iterations(point, device)
        wall = time.perf_counter() - started
        if caught:
            metadata["warnings"] = sorted({f"{w.category.__name__}: {w.message}" for w in caught})
        data = result.to_dict()
        row.update(
            status="ok",
            method=data["method"],
            result_backend=data["backend"],
            found=data["found"],
            success=int(bool(data["success"])),
            oracle_queries=data["oracle_queries"],
            verify_queries=data["verify_queries"],
            build_queries=data["build_queries"],
            total_queries=data["total_queries"],
            num_attempts=data["num_attempts"],
            result=_dumps(data),
        )
    except Exception as exc:
        wall = time.perf_counter() - started
        row.update(status="error", error=f"{type(exc).__name__}: {exc}")
        metadata["traceback"] = traceback.format_exc(limit=8)
    metadata["wall_time_s"] = wall
    row["wall_time_s"] = wall
    row["metadata"] = _dumps(metadata)
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


def _init_pool_worker(threads: int) -> None:
    import signal

    # Ctrl-C reaches the whole process group: only the parent handles it (it stops the pool).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ["OMP_NUM_THREADS"] = str(threads)


def available_cores() -> int:
    """Cores this process may use (CPU affinity where the OS reports it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


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
    """
    from qsearch.experiments.progress import progress_bar

    spec = load_spec(spec)
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    began = time.perf_counter()
    points = spec.points()
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
    git = git_revision()
    store = ResultStore(spec.store_path)
    new = failed = lost = 0
    compute_s = store_s = 0.0
    interrupted = False
    try:
        done = store.stored_keys("ok")
        pending = [p for p in points if p.key not in done]
        already = len(points) - len(pending)
        parallel = executor is not None or (workers > 1 and len(pending) > 1)
        if chunk_size is None:
            slots = workers if executor is None else max(workers, 4)
            chunk_size = max(1, min(64, len(pending) // (16 * slots))) if parallel else 1
        buffer: list[dict[str, Any]] = []
        last_commit = time.perf_counter()

        def flush() -> None:
            nonlocal store_s, last_commit
            if buffer:
                t0 = time.perf_counter()
                store.write(buffer)
                store_s += time.perf_counter() - t0
                rows = list(buffer)
                buffer.clear()
                if callback is not None:
                    for row in rows:
                        callback(row)
            last_commit = time.perf_counter()

        def accept(rows: Sequence[dict[str, Any]]) -> None:
            nonlocal new, failed, compute_s
            for row in rows:
                new += 1
                failed += row["status"] != "ok"
                compute_s += row["wall_time_s"]
            buffer.extend(rows)
            bar.update(len(rows))
            if failed:
                bar.set_postfix(failed=failed, refresh=False)
            flush_due = time.perf_counter() - last_commit > _COMMIT_SECONDS
            if callback is not None or len(buffer) >= _COMMIT_ROWS or flush_due:
                flush()

        with progress_bar(len(points), initial=already, desc=spec.name, enabled=progress) as bar:
            try:
                if not parallel:
                    for point in pending:
                        accept([run_point(point, threads=inline_threads, git=git)])
                else:
                    own_pool = executor is None
                    pool = executor
                    if own_pool:
                        import multiprocessing

                        pool = cf.ProcessPoolExecutor(
                            max_workers=workers,
                            mp_context=multiprocessing.get_context("spawn"),
                            initializer=_init_pool_worker,
                            initargs=(threads,),
                        )
                    try:
                        lost = _drive(
                            pool,
                            list(_chunks(pending, chunk_size)),
                            threads,
                            git,
                            accept,
                            max_inflight=4 * max(workers, 4),
                            own_pool=own_pool,
                        )
                    finally:
                        if own_pool:
                            pool.shutdown(wait=True, cancel_futures=True)
            except KeyboardInterrupt:
                interrupted = True
            finally:
                flush()
        status = "interrupted" if interrupted else "complete"
        store.record_run(
            {
                "started_at": started_at,
                "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "spec": _dumps(_spec_record(spec)),
                "new_points": new,
                "failed": failed,
                "already_stored": already,
                "status": status,
            }
        )
    finally:
        store.close()
    report = SweepReport(
        new,
        already,
        failed,
        len(points),
        interrupted,
        lost,
        spec.store_path,
        compute_s,
        store_s,
        time.perf_counter() - began,
    )
    if interrupted:
        raise SweepInterrupted(report)
    return report


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a sweep; ``report`` says what was stored (rerun to resume)."""

    def __init__(self, report: SweepReport) -> None:
        super().__init__(report.summary())
        self.report = report


def _drive(
    pool: Any,
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
            inflight[pool.submit(run_chunk, chunk, threads, git)] = chunk

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


def compare_spec(
    sizes: Sequence[int],
    *,
    marked: int = 1,
    trials: int = 100,
    backend: str = "ideal",
    seed: int = 7,
    algorithm: str = "grover",
    noise: str | None = None,
    backend_options: Mapping[str, Any] | None = None,
    output: str | os.PathLike[str] = "results/compare",
) -> SweepSpec:
    """``qsearch compare`` as a sweep: the methods of ``COMPARISONS[algorithm]`` on the same sizes.

    The points are exactly those of :func:`qsearch.experiments.compare.run_comparison` with the same
    arguments (trial t of size N is repetition t; both use the seed
    ``SeedSequence([seed, N, M, t])``), so ``sweep(compare_spec(...))`` stores the same
    results, resumably, and ``qsearch.experiments.analysis.summarize`` / ``fit_scaling`` give its
    table and
    slopes.
    """
    from qsearch.experiments.registry import COMPARISONS

    if algorithm not in COMPARISONS:
        raise ProblemError(
            f"The 'algorithm' argument of compare_spec must be one of {sorted(COMPARISONS)}; "
            f"got {algorithm!r}."
        )
    table: dict[str, Any] = {
        "name": f"compare-{algorithm}",
        "algorithms": list(COMPARISONS[algorithm]),
        "sizes": list(sizes),
        "marked": marked,
        "repetitions": trials,
        "seed": seed,
        "backend": backend,
        "backend_options": dict(backend_options or {}),
        "output": str(output),
    }
    if noise is not None:
        table["noise"] = noise
    return SweepSpec.from_dict({"sweep": table}, where="compare_spec")


# ------------------------------------------------------------------------------------------ CLI
def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _cmd_run(args: argparse.Namespace) -> int:
    import signal
    import threading

    spec = SweepSpec.from_file(args.spec)
    client = connect_dask(args.dask, timeout=args.dask_timeout) if args.dask else None
    executor = None if client is None else client.get_executor(retries=2, pure=False)
    progress = False if args.no_progress else None
    previous = None
    if threading.current_thread() is threading.main_thread():
        # SIGTERM stops a sweep like Ctrl-C: finished rows are kept, the rerun resumes.
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        report = sweep(
            spec, executor, workers=args.workers, threads=args.threads, progress=progress
        )
    except SweepInterrupted as stop:
        print(stop.report.summary())
        return 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        if client is not None:
            with contextlib.suppress(Exception):
                client.close()
    print(f"{report.summary()} (store: {report.store_path})")
    if report.failed or report.lost:
        return min(125, report.failed + report.lost)
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    spec = SweepSpec.from_file(args.spec)
    counts = status(spec)
    print(
        f"{spec.name}: {counts['stored']} of {counts['total']} points stored, "
        f"{counts['failed']} failed, {counts['missing']} missing"
        + (f", {counts['extra']} stored rows outside the grid" if counts["extra"] else "")
        + f" (store: {spec.store_path})"
    )
    return 0


def _cmd_plot(args: argparse.Namespace) -> int:
    from qsearch.experiments.plots import plot_sweep

    spec = SweepSpec.from_file(args.spec)
    out = Path(args.out) if args.out else spec.output / "plots"
    paths = plot_sweep(spec.store_path, out, formats=tuple(args.format.split(",")))
    for path in paths:
        print(f"wrote {path}")
    if not paths:
        print("nothing to plot yet: no stored points")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from qsearch.experiments.analysis import export_table

    spec = SweepSpec.from_file(args.spec)
    path = Path(args.out) if args.out else spec.output / f"points.{args.format}"
    written = export_table(spec.store_path, path, format=args.format)
    print(f"wrote {written}")
    return 0


def register_cli(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sweep",
        help="run, inspect, plot and export declarative sweeps (TOML specs)",
        description="Sweeps over (algorithm, N, M, repetition, backend, noise) grids with a "
        "resumable SQLite store.",
    )
    commands = parser.add_subparsers(dest="sweep_command", metavar="ACTION", required=True)
    run = commands.add_parser("run", help="run the points not stored yet")
    run.add_argument("spec", help="the TOML spec file")
    run.add_argument("--workers", type=int, help="local worker processes (default: cores)")
    run.add_argument("--threads", type=int, help="Aer OpenMP threads per worker")
    run.add_argument("--dask", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://host:8786")
    run.add_argument("--dask-timeout", type=float, default=10.0, help="seconds to connect")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    run.set_defaults(func=_cmd_run)
    stat = commands.add_parser("status", help="how many points are stored, failed, missing")
    stat.add_argument("spec")
    stat.set_defaults(func=_cmd_status)
    plot = commands.add_parser("plot", help="write figures (PNG/SVG) from the store")
    plot.add_argument("spec")
    plot.add_argument("--format", default="png", help="png, svg or png,svg (default png)")
    plot.add_argument("--out", help="directory (default <output>/plots)")
    plot.set_defaults(func=_cmd_plot)
    export = commands.add_parser("export", help="write the tidy table as parquet or CSV")
    export.add_argument("spec")
    export.add_argument("--format", choices=("parquet", "csv"), default="csv")
    export.add_argument("--out", help="file (default <output>/points.<format>)")
    export.set_defaults(func=_cmd_export)


__all__ = [
    "COLUMNS",
    "SCHEMA_VERSION",
    "Grid",
    "Point",
    "ResultStore",
    "StoreError",
    "SweepInterrupted",
    "SweepReport",
    "SweepSpec",
    "compare_spec",
    "connect_dask",
    "load_spec",
    "point_seed",
    "run_chunk",
    "run_point",
    "status",
    "sweep",
]
