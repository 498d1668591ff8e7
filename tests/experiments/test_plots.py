"""Figures from sweep stores: what is drawn (series, bands, slopes, closed forms) and the files."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from matplotlib.collections import PolyCollection

from qsearch.cli import main
from qsearch.exceptions import ProblemError
from qsearch.experiments.analysis import fit_scaling, load_table, success_by_iterations, summarize
from qsearch.experiments.plots import (
    has_noise_comparison,
    noise_figure,
    plot_sweep,
    queries_figure,
    success_figure,
)
from qsearch.experiments.runner import sweep
from qsearch.schedules import optimal_iterations

SPEC = """
[sweep]
name = "plots"
seed = 4
output = "{output}"
repetitions = 30
marked = 1
threads = 1

[[sweep.grid]]
algorithms = ["grover", "classical-random"]
sizes = [16, 64, 256]

[[sweep.grid]]
algorithms = ["grover"]
sizes = [16]
iterations = [0, 1, 2, 3, 4, 5]

[[sweep.grid]]
algorithms = ["grover"]
backend = "aer"
sizes = [4, 8]
repetitions = 4
"""


@pytest.fixture(scope="module")
def spec_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("plots")
    path = root / "spec.toml"
    path.write_text(SPEC.format(output=root / "out"))
    report = sweep(path, workers=1)
    assert report.failed == 0
    return path


def test_queries_figure_draws_bands_closed_forms_and_slopes(spec_path: Path) -> None:
    table = load_table(spec_path)
    table = table[table["backend"] == "ideal"]
    summary = summarize(table)
    fits = fit_scaling(table, n_bootstrap=200)
    fig = queries_figure(summary, fits)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(labels) == 2
    for algorithm in ("grover", "classical-random"):
        fit = fits[fits["algorithm"] == algorithm].iloc[0]
        (label,) = [lab for lab in labels if lab.startswith(algorithm + ",")]
        assert (
            f"slope {fit['slope']:.2f} [{fit['slope_low']:.2f}, {fit['slope_high']:.2f}]" in label
        )
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 2
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    grover_expected = summary[summary["algorithm"] == "grover"]["expected_queries"].to_numpy()
    assert any(np.allclose(line.get_ydata(), grover_expected) for line in dashed)


def test_success_figure_draws_the_closed_form(spec_path: Path) -> None:
    curve = success_by_iterations(load_table(spec_path))
    fig = success_figure(curve[(curve["backend"] == "ideal") & (curve["num_items"] == 16)])
    ax = fig.axes[0]
    (closed,) = [line for line in ax.get_lines() if line.get_label().startswith("sin²")]
    k = np.asarray(closed.get_xdata())
    theta = math.asin(math.sqrt(1 / 16))
    assert np.allclose(closed.get_ydata(), np.sin((2 * k + 1) * theta) ** 2)
    assert k.max() >= 5 and k.min() == 0
    # The measured points: one per k in the grid (the fixed-k runs plus the k* runs).
    ks = sorted(curve[(curve["backend"] == "ideal") & (curve["num_items"] == 16)]["iterations"])
    assert ks == sorted({0, 1, 2, 3, 4, 5, optimal_iterations(16, 1)})


def test_noise_figure_compares_settings(spec_path: Path) -> None:
    table = load_table(spec_path)
    assert has_noise_comparison(table)  # ideal and aer
    fig = noise_figure(table)
    left, right = fig.axes
    labels = [t.get_text() for t in left.get_legend().get_texts()]
    assert any(lab.startswith("ideal, noise=none") for lab in labels)
    assert any(lab.startswith("aer, noise=none") for lab in labels)
    assert any("ideal sin²" in lab for lab in labels)
    assert right.get_yscale() == "log"
    assert not has_noise_comparison(table[table["backend"] == "ideal"])
    with pytest.raises(ProblemError, match="needs stored Grover points"):
        noise_figure(table[table["algorithm"] == "classical-random"])


def test_plot_sweep_writes_png_and_svg(spec_path: Path, tmp_path: Path) -> None:
    paths = plot_sweep(spec_path, tmp_path, formats=("png", "svg"))
    names = sorted(p.name for p in paths)
    assert names == sorted(
        f"{stem}.{fmt}"
        for stem in ("queries", "success_vs_iterations", "noisy_vs_ideal")
        for fmt in ("png", "svg")
    )
    for path in paths:
        head = path.read_bytes()[:200]
        assert head.startswith(b"\x89PNG") if path.suffix == ".png" else b"<svg" in head
    with pytest.raises(ProblemError, match="'formats' argument"):
        plot_sweep(spec_path, tmp_path, formats=("jpg",))


def test_cli_plot(spec_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sweep", "plot", str(spec_path)]) == 0
    out = capsys.readouterr().out
    assert "queries.png" in out and "success_vs_iterations.png" in out
    assert (spec_path.parent / "out" / "plots" / "queries.png").stat().st_size > 10_000
