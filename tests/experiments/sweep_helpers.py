"""Specs and store readers shared by the sweep tests (spec, store, runner, compare)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from qsearch.experiments import spec as spec_module
from qsearch.experiments.store import ResultStore


def issue_spec(output: Path) -> str:
    """The example spec of :mod:`qsearch.experiments.spec`'s docstring, writing to ``output``.

    240 points: 2 algorithms x 3 sizes x 2 marked counts x 20 repetitions, seed 11.
    """
    doc = spec_module.__doc__ or ""
    example = doc.split("::\n\n", 1)[1].split("\n\n", 1)[0]
    text = textwrap.dedent(example) + "\n"
    default = '"results/grover-vs-classical"'
    assert default in text
    return text.replace(default, json.dumps(str(output)))


def long_spec(tmp_path: Path) -> tuple[Path, Path]:
    """10,000 classical points at N = 65536 (tens of seconds on 2 cores: long enough to
    interrupt or kill); the spec file and its output directory."""
    toml = tmp_path / "spec.toml"
    out = tmp_path / "out"
    toml.write_text(
        issue_spec(out)
        .replace("[64, 256, 1024]", "[65536]")
        .replace('"grover", ', "")
        .replace("repetitions = 20", "repetitions = 5000")
    )
    return toml, out


def small_spec(output: Path, **overrides: Any) -> dict[str, Any]:
    table: dict[str, Any] = {
        "name": "small",
        "algorithms": ["grover", "classical-random"],
        "sizes": [16, 64],
        "marked": [1, 2],
        "repetitions": 5,
        "seed": 3,
        "output": str(output),
    }
    table.update(overrides)
    return {"sweep": table}


def comparable(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Rows keyed by point key, without what legitimately differs between runs (timing, host)."""
    out = {}
    for row in rows:
        row = dict(row)
        for column in ("wall_time_s", "metadata", "finished_at"):
            row.pop(column)
        if row["result"] is not None:
            result = json.loads(row["result"])
            result["metadata"].pop("wall_time_s", None)
            row["result"] = result
        out[row["key"]] = row
    return out


def stored(output: Path) -> list[dict[str, Any]]:
    with ResultStore(output / "sweep.sqlite", create=False) as store:
        return store.rows()
