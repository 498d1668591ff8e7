import math

import pandas as pd
import pytest

from qsearch import ProblemError
from qsearch.cli import main
from qsearch.experiments.compare import expected_queries, run_comparison


def test_slopes_separate_quantum_from_classical() -> None:
    comparison = run_comparison([64, 256, 1024, 4096, 16384], trials=60, seed=3, progress=False)
    fits = comparison.fits
    assert 0.4 <= fits["grover"].slope <= 0.55
    assert fits["grover"].slope_low <= fits["grover"].slope <= fits["grover"].slope_high
    for method in ("classical-random", "classical-random-replace", "classical-linear"):
        assert 0.85 <= fits[method].slope <= 1.15, method
    summary = comparison.summary
    assert set(summary["method"]) == {
        "grover",
        "classical-random",
        "classical-random-replace",
        "classical-linear",
    }
    assert (summary["success_rate"] == 1.0).all()
    grover = summary[summary["method"] == "grover"].set_index("num_items")
    # mean queries of the trials are consistent with the closed form (k+1)/p
    for n, row in grover.iterrows():
        assert row["ci_low"] - 0.5 <= expected_queries("grover", int(n), 1) <= row["ci_high"] + 0.5


def test_methods_share_instances() -> None:
    rows = run_comparison([16, 64], trials=5, seed=1, progress=False).rows
    by_trial = rows.groupby(["num_items", "trial"])["instance_seed"].nunique()
    assert (by_trial == 1).all()
    found = rows.pivot_table(index=["num_items", "trial"], columns="method", values="found")
    assert (found.nunique(axis=1) == 1).all()  # M = 1: every method finds the same item


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
    assert "backend=aer" in capsys.readouterr().out


def test_bad_input(capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ProblemError, match="'sizes'"):
        run_comparison([16])
    with pytest.raises(ProblemError, match="'marked' argument of run_comparison"):
        run_comparison([4, 16], marked=4)
    with pytest.raises(ProblemError, match="'algorithm'"):
        run_comparison([4, 16], algorithm="shor")
    assert main(["compare", "--sizes", "8,16", "--backend", "nope"]) == 2
    assert "'backend' key of [sweep] of compare_spec must name registered backends" in (
        capsys.readouterr().err
    )
    assert math.isnan(expected_queries("grover", 16, 0))


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
    assert set(table["method"]) == {"minimum", "classical-minimum"}
    assert (table.loc[table["method"] == "minimum", "build_queries"] > 0).all()
    assert main(args) == 0
    assert "0 new points, 12 already stored" in capsys.readouterr().out
