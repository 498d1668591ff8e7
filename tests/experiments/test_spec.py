"""Sweep specs: validation that names the key, grids, stable point keys and seeds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qsearch.exceptions import ProblemError
from qsearch.experiments import registry as experiments
from qsearch.experiments.spec import Point, SweepSpec, point_seed

from .sweep_helpers import issue_spec, small_spec


def test_issue_spec_parses_and_lists_every_point(tmp_path: Path) -> None:
    path = tmp_path / "spec.toml"
    path.write_text(issue_spec(tmp_path / "out"))
    spec = SweepSpec.from_file(path)
    points = spec.points()
    assert len(points) == 2 * 3 * 2 * 20
    assert len({p.key for p in points}) == len(points)
    assert spec.store_path == tmp_path / "out" / "sweep.sqlite"
    assert {p.algorithm for p in points} == {"grover", "classical-random"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"repetition": 3}, "Unknown key 'repetition'"),
        ({"sizes": []}, "'sizes' key"),
        ({"sizes": [64, 1]}, "'sizes' key"),
        ({"sizes": [16, 16]}, "without repeated values"),
        ({"marked": [1, 32]}, "must not exceed the smallest size (16)"),
        ({"repetitions": 0}, "'repetitions' key"),
        ({"seed": -1}, "'seed' key"),
        ({"seed": "x"}, "'seed' key"),
        ({"algorithms": ["grover", "quantum-magic"]}, "registered experiments"),
        ({"algorithms": []}, "'algorithms' key"),
        ({"log2_sizes": [4, 6]}, "exactly one of 'sizes' and 'log2_sizes'"),
        ({"iterations": [0, 1]}, "'iterations' key"),
        ({"backend_options": {"noise": "fake_torino"}}, "'noise' key"),
        ({"backend_options": {"threads": 2}}, "'threads' key"),
        ({"backend": "quantum-cloud-9"}, "registered backends"),
        ({"noise": "fake_torino"}, "needs a circuit backend"),
        ({"workers": 0}, "'workers' key"),
        ({"grid": [{"algorithms": ["grover"], "sizez": [4]}]}, "Unknown key 'sizez'"),
    ],
)
def test_bad_spec_values_name_the_key(tmp_path: Path, change: dict, message: str) -> None:
    with pytest.raises(ProblemError) as info:
        SweepSpec.from_dict(small_spec(tmp_path, **change))
    assert message in str(info.value)


def test_unknown_key_message_lists_the_allowed_ones(tmp_path: Path) -> None:
    with pytest.raises(ProblemError, match=r"allowed keys are \[.*'algorithms'.*'sizes'"):
        SweepSpec.from_dict(small_spec(tmp_path, sizess=[4]))
    with pytest.raises(ProblemError, match="'name' key is missing"):
        SweepSpec.from_dict({"sweep": {"seed": 1, "output": "x"}})
    with pytest.raises(ProblemError, match="Unknown key 'extra' in the top level"):
        SweepSpec.from_dict({"sweep": {}, "extra": {}})


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[sweep\nname = 1\n")
    with pytest.raises(ProblemError, match="broken.toml.*not valid TOML"):
        SweepSpec.from_file(path)


def test_validation_reads_the_experiment_registry_at_run_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = small_spec(tmp_path, algorithms=["late-arrival"])
    with pytest.raises(ProblemError, match="late-arrival"):
        SweepSpec.from_dict(spec)
    monkeypatch.setitem(experiments.EXPERIMENTS, "late-arrival", experiments.EXPERIMENTS["grover"])
    assert {p.algorithm for p in SweepSpec.from_dict(spec).points()} == {"late-arrival"}


def test_grids_override_the_base_keys(tmp_path: Path) -> None:
    spec = SweepSpec.from_dict(
        small_spec(
            tmp_path,
            grid=[
                {"algorithms": ["grover"], "log2_sizes": [10, 40]},
                {"algorithms": ["classical-random"], "repetitions": 2},
            ],
        )
    )
    points = spec.points()
    grover = {(p.num_items, p.num_marked) for p in points if p.algorithm == "grover"}
    assert grover == {(2**10, 1), (2**10, 2), (2**40, 1), (2**40, 2)}
    assert len([p for p in points if p.algorithm == "classical-random"]) == 2 * 2 * 2


def test_point_keys_and_seeds_are_stable() -> None:
    point = Point("grover", 64, 1, 0, "ideal", 11)
    # A literal: changing how keys are derived would orphan every existing store.
    assert point.key == "4b4548134be7dd9edabd6e1ddd19adef"
    # The seed is the compare seed, shared by every algorithm of one (N, M, repetition).
    assert point.seed == point_seed(11, 64, 1, 0)
    expected = int(np.random.SeedSequence([11, 64, 1, 0]).generate_state(1)[0])
    assert point.seed == expected
    classical = Point("classical-random", 64, 1, 0, "ideal", 11)
    assert classical.seed == point.seed and classical.key != point.key
    assert Point("grover", 64, 1, 0, "ideal", 12).key != point.key
    assert Point("grover", 64, 1, 0, "aer", 11, noise="fake_torino").key != point.key


def test_enlarging_the_grid_keeps_existing_keys_and_seeds(tmp_path: Path) -> None:
    small = SweepSpec.from_dict(small_spec(tmp_path)).points()
    large = SweepSpec.from_dict(
        small_spec(tmp_path, sizes=[16, 64, 256], marked=[1, 2, 3], repetitions=8)
    ).points()
    by_key = {p.key: p for p in large}
    for p in small:
        assert by_key[p.key] == p
        assert by_key[p.key].seed == p.seed
