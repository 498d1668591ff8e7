"""Sweep specs: declarative grids of experiment points, validated key by key.

A *point* is one call ``qsearch.experiments.registry.run_experiment(algorithm, N, M, seed,
backend)`` (or, with ``iterations`` in the grid, one Grover run with that fixed k), identified by
its parameters: (algorithm, N, M, repetition, backend, backend options, noise, iterations, root
seed). A TOML spec names the grid::

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
tables that override the grid keys for a part of the sweep (e.g. classical algorithms on smaller
sizes than Grover). The union of the grids is the sweep.

Seeds: the seed of a point is ``SeedSequence([root, N, M, repetition]).generate_state(1)[0]``
(:func:`point_seed`, also used by ``qsearch compare``), so every algorithm, backend and noise
setting of one repetition solves the same random instance (paired comparisons), enlarging the
grid never changes an existing point's seed, and a resumed sweep writes identical rows.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import numbers
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from qsearch.backends.base import available_backends
from qsearch.exceptions import ProblemError
from qsearch.experiments import registry

try:  # Python >= 3.11
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

#: The store file inside a sweep's output directory.
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
#: Largest integer the store holds (SQLite INTEGER is a signed 64-bit integer).
MAX_STORED_INT = 2**63 - 1
#: Most points one spec may name: the grid is enumerated in memory and each point is one row.
MAX_POINTS = 10_000_000


def _spec_error(where: str, key: str, expected: str, value: Any) -> ProblemError:
    return ProblemError(f"The {key!r} key of {where} must be {expected}; got {value!r}.")


def _int_list(value: Any, key: str, where: str, minimum: int) -> tuple[int, ...]:
    items = value if isinstance(value, list) else [value]
    expected = (
        f"an int in [{minimum}, 2**63 - 1] (the store's signed 64-bit integers) or a non-empty "
        "list of them"
    )
    if not items:
        raise _spec_error(where, key, expected, value)
    out = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, numbers.Integral):
            raise _spec_error(where, key, expected, value)
        if not minimum <= int(item) <= MAX_STORED_INT:
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
        """The point's seed: ``SeedSequence([root, N, M, repetition])`` (see :func:`point_seed`)."""
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
            axes = itertools.product(
                grid.backends,
                grid.noise,
                grid.algorithms,
                grid.sizes,
                grid.marked,
                grid.iterations,
                range(grid.repetitions),
            )
            for backend, noise, algorithm, n, m, k, rep in axes:
                point = Point(
                    algorithm, n, m, rep, backend, self.seed, grid.backend_options, noise, k
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
        if (
            isinstance(seed, bool)
            or not isinstance(seed, numbers.Integral)
            or not 0 <= int(seed) <= MAX_STORED_INT
        ):
            raise _spec_error(place, "seed", "an int in [0, 2**63 - 1] (a SQLite INTEGER)", seed)
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
            grids: tuple[Grid, ...] = (_parse_grid(base, place),)
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
        _check_grid_size(grids, place)  # before anything is enumerated or written
        return cls(
            name.strip(),
            grids,
            int(seed),
            Path(output).expanduser(),
            workers,
            threads,
            description,
        )


def _check_grid_size(grids: Sequence[Grid], where: str) -> None:
    """Refuse, before anything is enumerated or written, a spec naming more than MAX_POINTS."""
    total = sum(
        len(g.algorithms) * len(g.sizes) * len(g.marked) * len(g.backends) * len(g.noise)
        * len(g.iterations) * g.repetitions
        for g in grids
    )  # fmt: skip
    if total > MAX_POINTS:
        raise ProblemError(
            f"{where} names {total:_} points; a sweep holds at most {MAX_POINTS:_} (each point is "
            "a row enumerated in memory). Split it into several specs or lower 'repetitions'."
        )


def _optional_positive(table: Mapping[str, Any], key: str, where: str) -> int | None:
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise _spec_error(where, key, "an int >= 1", value)
    return int(value)


def _parse_grid(table: Mapping[str, Any], where: str) -> Grid:
    for required in ("algorithms", "repetitions"):
        if required not in table:
            raise ProblemError(f"The {required!r} key is missing from {where}.")
    algorithms = _parse_algorithms(table, where)
    sizes = _parse_sizes(table, where)
    marked = _int_list(table.get("marked", 1), "marked", where, 0)
    if max(marked) > min(sizes):
        raise ProblemError(
            f"The 'marked' key of {where} must not exceed the smallest size ({min(sizes)}); "
            f"got {max(marked)}."
        )
    repetitions = table["repetitions"]
    expected = f"an int in [1, {MAX_POINTS:_}]"
    if isinstance(repetitions, bool) or not isinstance(repetitions, numbers.Integral):
        raise _spec_error(where, "repetitions", expected, repetitions)
    if not 1 <= int(repetitions) <= MAX_POINTS:
        raise _spec_error(where, "repetitions", expected, repetitions)
    backends = _parse_backends(table, where)
    options = _parse_backend_options(table, where)
    noise_raw = _str_list(table.get("noise", "none"), "noise", where)
    noise = tuple(None if item.lower() in _NO_NOISE else item for item in noise_raw)
    if any(n is not None for n in noise) and "ideal" in backends:
        raise ProblemError(
            f"The 'noise' key of {where} needs a circuit backend (e.g. backend = \"aer\"); the "
            "ideal backend is noiseless. Put noisy points in their own [[sweep.grid]]."
        )
    return Grid(
        algorithms,
        sizes,
        marked,
        int(repetitions),
        backends,
        options,
        noise,
        _parse_iterations(table, algorithms, where),
    )


def _parse_algorithms(table: Mapping[str, Any], where: str) -> tuple[str, ...]:
    algorithms = _str_list(table["algorithms"], "algorithms", where)
    known = sorted(registry.EXPERIMENTS)  # read now: other modules may have added to it
    for algorithm in algorithms:
        if algorithm not in registry.EXPERIMENTS:
            raise ProblemError(
                f"The 'algorithms' key of {where} must list registered experiments {known}; "
                f"got {algorithm!r}."
            )
    return algorithms


def _parse_sizes(table: Mapping[str, Any], where: str) -> tuple[int, ...]:
    if ("sizes" in table) == ("log2_sizes" in table):
        raise ProblemError(f"{where} must give exactly one of 'sizes' and 'log2_sizes'.")
    if "sizes" in table:
        return _int_list(table["sizes"], "sizes", where, 2)
    exponents = _int_list(table["log2_sizes"], "log2_sizes", where, 1)
    if max(exponents) > 62:
        raise _spec_error(where, "log2_sizes", "a list of ints in [1, 62]", exponents)
    return tuple(2**e for e in exponents)


def _parse_backends(table: Mapping[str, Any], where: str) -> tuple[str, ...]:
    backends = _str_list(table.get("backend", "ideal"), "backend", where)
    registered = sorted(available_backends())
    for backend in backends:
        if backend not in registered:
            raise ProblemError(
                f"The 'backend' key of {where} must name registered backends {registered}; "
                f"got {backend!r}."
            )
    return backends


def _parse_backend_options(table: Mapping[str, Any], where: str) -> tuple[tuple[str, Any], ...]:
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
    return tuple(sorted((str(k), v) for k, v in options.items()))


def _parse_iterations(
    table: Mapping[str, Any], algorithms: Sequence[str], where: str
) -> tuple[int | None, ...]:
    if "iterations" not in table:
        return (None,)
    iterations = _int_list(table["iterations"], "iterations", where, 0)
    unsupported = [a for a in algorithms if a not in FIXED_ITERATION_ALGORITHMS]
    if unsupported:
        raise ProblemError(
            f"The 'iterations' key of {where} applies to {list(FIXED_ITERATION_ALGORITHMS)} "
            f"only; got algorithms {unsupported}. Put them in another [[sweep.grid]]."
        )
    return iterations


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


__all__ = [
    "FIXED_ITERATION_ALGORITHMS",
    "GRID_KEYS",
    "MAX_POINTS",
    "MAX_STORED_INT",
    "STORE_FILENAME",
    "SWEEP_KEYS",
    "Grid",
    "Point",
    "SweepSpec",
    "load_spec",
    "point_seed",
]
