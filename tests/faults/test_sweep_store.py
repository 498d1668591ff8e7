"""The sweep store under hostile input and damage: refused before disk, or noticed and salvaged.

Each test reproduces one fault of issue 14 (items 6, 8, 9) on a real store written by a real
sweep; classical points keep them fast (about a second each).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import warnings
from pathlib import Path

import pytest
from experiments.sweep_helpers import comparable, small_spec, stored

from qsearch.cli import main
from qsearch.exceptions import ProblemError, QSearchWarning
from qsearch.experiments.runner import status, sweep
from qsearch.experiments.spec import MAX_POINTS, SweepSpec
from qsearch.experiments.store import SCHEMA_VERSION, ResultStore, row_checksum

CLASSICAL = {"algorithms": ["classical-random", "classical-linear"], "repetitions": 25}
TOTAL = 2 * 2 * 2 * 25  # algorithms x sizes x marked x repetitions


def _toml(path: Path, output: Path, **lines: str) -> Path:
    table = {
        "name": '"faults"',
        "algorithms": '["classical-random"]',
        "sizes": "[16]",
        "repetitions": "2",
        "seed": "1",
        "output": f'"{output}"',
    }
    table.update(lines)
    path.write_text("[sweep]\n" + "".join(f"{k} = {v}\n" for k, v in table.items()))
    return path


# ------------------------------------------------------------------ item 6: limits of the store
@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        (
            "sizes",
            "[16, 1180591620717411303424]",
            "'sizes' key .* must be an int in \\[2, 2\\*\\*63",
        ),
        ("seed", "18446744073709551616", "'seed' key .* must be an int in \\[0, 2\\*\\*63 - 1\\]"),
        ("iterations", "[9223372036854775808]", "'iterations' key .* 2\\*\\*63 - 1"),
        ("repetitions", "1000000000000", "'repetitions' key .* must be an int in \\[1, "),
        ("sizes", f"[{', '.join(str(2**k) for k in range(1, 41))}]", "at most 10_000_000"),
    ],
)
def test_a_spec_beyond_the_store_is_refused_before_touching_disk(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str, value: str, message: str
) -> None:
    lines = {key: value}
    if key == "sizes" and "at most" in message:
        lines["repetitions"] = str(MAX_POINTS // 40 + 1)
    toml = _toml(tmp_path / "spec.toml", tmp_path / "out", **lines)
    with pytest.raises(ProblemError, match=message):
        SweepSpec.from_file(toml)
    assert main(["sweep", "run", str(toml), "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("qsearch: error: ") and "Traceback" not in err
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------ item 8: where the store must go
def test_output_that_is_a_regular_file_or_under_proc_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cases = {
        blocker: "is a regular file, not a directory; remove or rename that file",
        blocker / "out": "lies under .*file', which is a regular file",
        Path("/proc/qsearch-sweep"): "is inside /proc, a virtual file system",
    }
    for output, message in cases.items():
        toml = _toml(tmp_path / "spec.toml", output)
        assert main(["sweep", "run", str(toml), "--workers", "1"]) == 2
        err = capsys.readouterr().err
        assert err.startswith("qsearch: error: The output directory of sweep 'faults'")
        assert __import__("re").search(message, err), err
        assert "Traceback" not in err
    assert blocker.read_text() == "not a directory"


def test_an_unwritable_output_directory_is_a_clear_error(tmp_path: Path) -> None:
    base = Path(tempfile.mkdtemp(prefix="qsearch-faults-"))  # traversable by "nobody"
    try:
        base.chmod(0o755)
        locked = base / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        spec = SweepSpec.from_file(_toml(tmp_path / "spec.toml", locked / "out"))
        read, write = os.pipe()
        child = os.fork()
        if child == 0:  # pragma: no cover - the child reports through the pipe
            message = "no error"
            try:
                if os.geteuid() == 0:  # root may write anywhere: be "nobody" so the check is real
                    os.setgid(65534)
                    os.setuid(65534)
                sweep(spec, workers=1)
            except ProblemError as exc:  # the CLI prints it and exits 2 (see the tests above)
                message = str(exc)
            except BaseException as exc:
                message = f"{type(exc).__name__}: {exc}"
            finally:
                os.write(write, message.encode())
                os._exit(0)
        os.close(write)
        with os.fdopen(read) as pipe:
            message = pipe.read()
        os.waitpid(child, 0)
        assert message.startswith(
            f"The output directory of sweep 'faults' ({str(locked / 'out')!r})"
        )
        assert "is not writable by this user (permission denied on" in message
        assert f"`chmod u+w {locked}`" in message
        assert list(locked.iterdir()) == []
    finally:
        shutil.rmtree(base)


# ------------------------------------------------------------------------ item 9: damage
@pytest.fixture
def original(tmp_path: Path) -> tuple[dict[str, object], dict[str, dict[str, object]]]:
    spec = small_spec(tmp_path / "out", **CLASSICAL)
    report = sweep(spec, workers=1)
    assert report.new == TOTAL
    return spec, comparable(stored(tmp_path / "out"))


def _flip(path: Path, offset: int, count: int) -> None:
    data = bytearray(path.read_bytes())
    for i in range(offset, offset + count):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def _damage_then_recover(spec: dict[str, object], good: dict[str, dict[str, object]]) -> str:
    """Status notices the damage; rows kept are the original ones; a rerun restores the rest."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        counts = status(spec)
    messages = [str(w.message) for w in caught if issubclass(w.category, QSearchWarning)]
    assert len(messages) == 1, messages
    message = messages[0]
    assert "is damaged" in message and "rerun recomputes the rest" in message
    output = Path(spec["sweep"]["output"])  # type: ignore[index]
    aside = list(output.glob("sweep.sqlite.damaged-*"))
    assert len(aside) == 1 and f"moved aside to {str(aside[0])!r}" in message
    kept = comparable(stored(output))
    assert all(kept[key] == good[key] for key in kept)  # never a damaged row passed off as good
    assert counts["stored"] == len(kept) < TOTAL and counts["extra"] == 0
    assert f"its {len(kept)} readable rows were kept" in message
    report = sweep(spec, workers=1)
    assert report.new == TOTAL - len(kept)
    assert comparable(stored(output)) == good
    return message


def test_a_store_truncated_to_zero_bytes_is_damaged_not_new(original, tmp_path: Path) -> None:
    spec, good = original
    path = tmp_path / "out" / "sweep.sqlite"
    path.write_bytes(b"")
    message = _damage_then_recover(spec, good)
    assert "the file is empty (0 bytes)" in message


def test_64_flipped_bytes_are_noticed_and_readable_rows_kept(original, tmp_path: Path) -> None:
    spec, good = original
    path = tmp_path / "out" / "sweep.sqlite"
    _flip(path, path.stat().st_size // 2, 64)
    message = _damage_then_recover(spec, good)
    assert "unreadable" in message


def test_a_flipped_page_is_noticed_and_readable_rows_kept(original, tmp_path: Path) -> None:
    spec, good = original
    path = tmp_path / "out" / "sweep.sqlite"
    _flip(path, 4096 * (path.stat().st_size // 4096 // 2), 4096)
    _damage_then_recover(spec, good)


@pytest.mark.parametrize("target", ["key", "result"])
def test_two_flipped_bytes_in_a_row_are_noticed(original, tmp_path: Path, target: str) -> None:
    spec, good = original
    path = tmp_path / "out" / "sweep.sqlite"
    data = path.read_bytes()
    row = next(iter(good.values()))
    needle = row["key"] if target == "key" else '"oracle_queries": '
    offset = data.index(str(needle).encode()) + (4 if target == "key" else len(needle))
    _flip(path, offset, 2)
    message = _damage_then_recover(spec, good)
    assert "1 row unreadable" in message or "integrity check" in message


def test_a_header_that_is_not_sqlite_keeps_nothing_but_says_so(original, tmp_path: Path) -> None:
    spec, good = original
    _flip(tmp_path / "out" / "sweep.sqlite", 0, 16)
    with pytest.warns(QSearchWarning, match="SQLite cannot read it.*an unknown number of rows"):
        assert status(spec)["stored"] == 0
    assert sweep(spec, workers=1).new == TOTAL
    assert comparable(stored(tmp_path / "out")) == good


def test_cli_status_and_export_on_a_damaged_store_warn_and_exit_0(
    original, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec, _ = original
    toml = tmp_path / "spec.toml"
    table = spec["sweep"]
    toml.write_text(
        "[sweep]\n" + "".join(f"{k} = {v!r}\n".replace("'", '"') for k, v in table.items())
    )
    (tmp_path / "out" / "sweep.sqlite").write_bytes(b"")
    assert main(["sweep", "status", str(toml)]) == 0
    out, err = capsys.readouterr()
    assert "qsearch: warning: The sweep store" in err and "is damaged" in err
    assert f"0 of {TOTAL} points stored" in out
    assert main(["sweep", "export", str(toml)]) == 0


def test_version_1_stores_are_upgraded_with_checksums(original, tmp_path: Path) -> None:
    spec, good = original
    path = tmp_path / "out" / "sweep.sqlite"
    with sqlite3.connect(path) as conn:  # what qsearch 0.1 wrote: no checksum column
        conn.execute("ALTER TABLE points DROP COLUMN checksum")
        conn.execute("UPDATE meta SET value = '1' WHERE name = 'schema_version'")
    conn.close()
    assert status(spec)["stored"] == TOTAL
    with sqlite3.connect(path) as conn:
        (version,) = conn.execute("SELECT value FROM meta WHERE name='schema_version'").fetchone()
        values = conn.execute("SELECT * FROM points LIMIT 1").fetchone()
    conn.close()
    assert int(version) == SCHEMA_VERSION == 2
    assert values[-1] == row_checksum(values[:-1])
    assert comparable(stored(tmp_path / "out")) == good
    with ResultStore(path, create=False) as store:
        assert store.repaired is None
