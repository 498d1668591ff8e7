"""``qsearch sweep run|status|export``: messages, resumption and the exported table."""

import json
from pathlib import Path

import pandas as pd
import pytest

from qsearch.cli import main


def write_spec(path: Path, output: Path) -> Path:
    """24 points: 2 algorithms x 3 sizes x 2 marked x 2 repetitions (JSON values are TOML)."""
    table = {"name": "cli", "algorithms": ["grover", "classical-linear"], "log2_sizes": [4, 5, 6]}
    table.update(marked=[1, 3], repetitions=2, seed=2, output=str(output))
    lines = [f"{key} = {json.dumps(value)}" for key, value in table.items()]
    path.write_text("[sweep]\n" + "\n".join(lines) + "\n")
    return path


def test_cli_run_status_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    toml = write_spec(tmp_path / "spec.toml", tmp_path / "out")
    assert main(["sweep", "status", str(toml)]) == 0
    assert "0 of 24 points stored" in capsys.readouterr().out
    assert main(["sweep", "run", str(toml), "--workers", "1", "--no-progress"]) == 0
    assert "24 new points, 0 already stored" in capsys.readouterr().out
    assert main(["sweep", "run", str(toml), "--workers", "1"]) == 0
    assert "0 new points, 24 already stored" in capsys.readouterr().out
    assert main(["sweep", "status", str(toml)]) == 0
    assert "24 of 24 points stored, 0 failed, 0 missing" in capsys.readouterr().out
    assert main(["sweep", "export", str(toml), "--format", "csv"]) == 0
    table = pd.read_csv(tmp_path / "out" / "points.csv")
    assert len(table) == 24 and {"queries", "point_seed", "success"} <= set(table.columns)
    pytest.importorskip("pyarrow")
    assert main(["sweep", "export", str(toml), "--format", "parquet"]) == 0
    parquet = pd.read_parquet(tmp_path / "out" / "points.parquet")
    assert parquet["queries"].tolist() == table["queries"].tolist()


def test_cli_needs_an_action(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["sweep"])
    assert info.value.code == 2
    assert "ACTION" in capsys.readouterr().err


def test_cli_summary_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``sweep summary`` prints the whole bill per (series, N) and the slopes; ``--format json``
    of status and summary is valid JSON with the same numbers."""
    toml = write_spec(tmp_path / "spec.toml", tmp_path / "out")
    assert main(["sweep", "summary", str(toml)]) == 2  # nothing stored: a clear error
    assert "run the sweep first" in capsys.readouterr().err
    assert main(["sweep", "run", str(toml), "--workers", "1", "--no-progress"]) == 0
    capsys.readouterr()
    assert main(["sweep", "status", str(toml), "--format", "json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert (status["stored"], status["total"], status["missing"]) == (24, 24, 0)
    assert main(["sweep", "summary", str(toml)]) == 0
    text = capsys.readouterr().out
    assert "fitted scaling" in text and "query part" in text and "oracle only" in text
    # linear scan of 0..N-1 with marked 0..M-1 (the registry's instances are random): only
    # the shape is checked here; the numbers are checked through JSON below.
    assert text.count("\ngrover ") == 6 and text.count("\nclassical-linear ") == 6
    assert main(["sweep", "summary", str(toml), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    rows = document["summary"]
    assert len(rows) == 12  # 2 algorithms x 3 sizes x 2 marked
    for row in rows:
        parts = row["mean_oracle"] + row["mean_verify"] + row["mean_build"]
        assert row["mean_total"] == pytest.approx(parts)
        assert row["trials"] == 2
        if row["algorithm"] == "classical-linear":
            assert row["mean_oracle"] == 0 and row["mean_verify"] <= row["num_items"]
    slopes = document["slopes"]
    assert set(slopes) == {"total_queries", "queries", "oracle_queries"}
    assert {r["algorithm"] for r in slopes["total_queries"]} == {"grover", "classical-linear"}
