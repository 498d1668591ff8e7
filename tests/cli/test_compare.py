"""``qsearch compare``: files, report, resumption, flags and exit codes."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from qsearch.cli import main
from qsearch.cli.compare import COMPARISON_NAMES
from qsearch.experiments.registry import COMPARISONS


def test_cli_writes_table_csv_and_png(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    code = main(["compare", "--sizes", "16,64,256", "--trials", "10", "--out", str(tmp_path)])
    assert code == 0
    out = capsys.readouterr().out
    assert "slope" in out and "grover" in out and "classical-random" in out
    table = pd.read_csv(tmp_path / "results.csv")
    assert len(table) == 3 * 10 * 4
    assert (tmp_path / "queries.png").stat().st_size > 10_000


def test_cli_aer_backend(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    code = main(
        [
            "compare",
            "--sizes",
            "4,16",
            "--trials",
            "3",
            "--backend",
            "aer",
            "--option",
            "threads=1",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    assert "backend=aer noise=none M=1" in capsys.readouterr().out


def test_cli_bad_input(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["compare", "--sizes", "8,16", "--backend", "nope"]) == 2
    assert "'backend' key of [sweep] of compare_spec must name registered backends" in (
        capsys.readouterr().err
    )


def test_cli_shows_build_cost_and_resumes(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    args = [
        "compare",
        "--algorithm",
        "minimum",
        "--sizes",
        "16,64",
        "--trials",
        "3",
        "--workers",
        "1",
        "--out",
        str(tmp_path),
    ]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert "12 new points, 0 already stored" in first
    assert "build" in first and "never" not in first
    table = pd.read_csv(tmp_path / "results.csv")
    assert set(table["algorithm"]) == {"minimum", "classical-minimum"}
    assert (table.loc[table["algorithm"] == "minimum", "build_queries"] > 0).all()
    assert main(args) == 0
    assert "0 new points, 12 already stored" in capsys.readouterr().out


def test_algorithm_help_lists_the_registered_comparisons() -> None:
    assert list(COMPARISON_NAMES) == sorted(COMPARISONS)


def test_building_the_experiment_commands_loads_no_heavy_module() -> None:
    code = (
        "import argparse, sys\n"
        "from qsearch.cli import circuits, compare, sweep\n"
        "sub = argparse.ArgumentParser().add_subparsers()\n"
        "for module in (circuits, compare, sweep):\n"
        "    module.register_cli(sub)\n"
        "heavy = ('pandas', 'matplotlib', 'qiskit', 'scipy', 'qsearch.experiments')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy or m in heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_cli_writes_figures_in_the_formats_asked(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    argv = ["compare", "--sizes", "16,64", "--trials", "3", "--workers", "1"]
    assert main([*argv, "--format", "svg,pdf", "--out", str(tmp_path)]) == 0
    assert b"<svg" in (tmp_path / "queries.svg").read_bytes()[:400]
    assert (tmp_path / "queries.pdf").read_bytes().startswith(b"%PDF")
    assert not (tmp_path / "queries.png").exists()
    out = capsys.readouterr().out
    assert "backend=ideal noise=none" in out.splitlines()[0]


def test_compare_format_json_prints_one_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--format json``: stdout is one JSON document (no table), figures in the other formats."""
    import json

    out = tmp_path / "cmp"
    code = main(
        ["compare", "--sizes", "16,64", "--trials", "3", "--out", str(out), "--format", "json,svg"]
    )
    assert code == 0
    document = json.loads(capsys.readouterr().out)
    assert {"header", "summary", "slopes", "files", "setting", "store"} <= set(document)
    grover = [r for r in document["summary"] if r["algorithm"] == "grover"]
    # N = 16, M = 1: k = 3 iterates, then one check; p = sin²(7θ) ≈ 0.961 per attempt.
    row16 = next(r for r in grover if r["num_items"] == 16)
    assert row16["mean_oracle"] >= 3 and row16["mean_verify"] >= 1
    assert (out / "queries.svg").exists() and not (out / "queries.png").exists()
    assert str(out / "queries.svg") in document["files"]
