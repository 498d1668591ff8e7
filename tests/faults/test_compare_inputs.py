"""``qsearch compare`` under bad inputs and failing points: exit 2 and a message that names the
option, what it expects and the value, never a traceback, never silently something else."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qsearch.cli import main
from qsearch.experiments import registry

BASE = ["compare", "--sizes", "4,16", "--trials", "2", "--workers", "1"]


def _fails(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return captured.err


def test_unknown_backend_option_is_refused_before_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _fails([*BASE, "--option", "bogus=1", "--out", str(tmp_path)], capsys)
    assert "has no option 'bogus'" in err and "'ideal'" in err and "accepts 'method'" in err
    assert not (tmp_path / "sweep.sqlite").exists()  # nothing ran


def test_unknown_noise_model_is_refused_before_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [*BASE, "--backend", "aer", "--noise", "fake_nosuch", "--out", str(tmp_path)]
    err = _fails(argv, capsys)
    assert "noise='fake_nosuch'" in err and "fake_nosuch" in err
    assert not (tmp_path / "sweep.sqlite").exists()


def test_unknown_ibm_device_is_refused_before_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("qiskit_ibm_runtime")
    argv = [*BASE, "--backend", "ibm", "--option", "device=fake_nosuch", "--out", str(tmp_path)]
    err = _fails(argv, capsys)
    assert "'ibm'" in err and "fake_nosuch" in err


def test_every_point_failing_reports_the_errors_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(n: int, m: int, seed: int, backend: object) -> None:
        raise RuntimeError(f"simulated device failure at N={n}")

    for name in registry.COMPARISONS["grover"]:
        monkeypatch.setitem(registry.EXPERIMENTS, name, broken)
    err = _fails([*BASE, "--out", str(tmp_path)], capsys)
    assert "16 points failed" in err
    assert "simulated device failure" in err
    assert "Every point of the comparison failed (16 points, none completed)" in err


def test_some_points_failing_are_counted_and_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(n: int, m: int, seed: int, backend: object) -> None:
        raise RuntimeError("linear scan unavailable")

    monkeypatch.setitem(registry.EXPERIMENTS, "classical-linear", broken)
    assert main([*BASE, "--out", str(tmp_path)]) == 1  # some points failed
    captured = capsys.readouterr()
    assert "4 points failed" in captured.err and "linear scan unavailable" in captured.err
    assert "classical-linear" not in captured.out.split("fitted scaling")[1]
    assert "grover" in captured.out


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--trials", "0"], "'--trials' option of qsearch compare must be an int >= 2"),
        (["--trials", "1"], "got 1"),
        (["--sizes", ""], "'--sizes' option of qsearch compare must list at least 2 distinct"),
        (["--sizes", "16"], "a slope needs >= 2 sizes); got [16]"),
        (["--sizes", "16,16"], "got [16, 16]"),
        (["--format", "jpg"], "'--format' option of qsearch compare must be png, svg, pdf"),
    ],
)
def test_bad_flags_exit_2_naming_the_value(
    flags: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _fails([*BASE, *flags, "--out", str(tmp_path)], capsys)
    assert message in err
    assert not (tmp_path / "sweep.sqlite").exists()


def test_unwritable_out_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    err = _fails([*BASE, "--out", str(blocker / "sub")], capsys)
    assert "'--out' directory of qsearch compare" in err and "is a regular file" in err
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        err = _fails([*BASE, "--out", str(locked / "out")], capsys)
        assert str(locked / "out") in err
