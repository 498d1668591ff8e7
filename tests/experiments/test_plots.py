"""Figures from sweep stores: what is drawn (series, bands, slopes, closed forms) and the files."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from qsearch.cli import main
from qsearch.exceptions import ProblemError
from qsearch.experiments.analysis import fit_scaling, load_table, success_by_iterations, summarize
from qsearch.experiments.compare import Comparison, run_comparison
from qsearch.experiments.plots import (
    ALGORITHM_COLORS,
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
        (label,) = [lab for lab in labels if lab.startswith(algorithm + " (slope")]
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


# --- Figures a reader can trust (issue 13, items 6 and 10) ---------------------------------


def _texts(fig: Figure) -> str:
    parts = [t.get_text() for t in fig.texts]
    if fig._suptitle is not None:
        parts.append(fig._suptitle.get_text())
    for ax in fig.axes:
        parts += [ax.get_title(), ax.get_ylabel()]
        legend = ax.get_legend()
        if legend is not None:
            parts += [t.get_text() for t in legend.get_texts()]
    return "\n".join(parts)


def _legend_clear_of_axes(fig: Figure) -> bool:
    FigureCanvasAgg(fig).draw()
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is not None and legend.get_window_extent(renderer).overlaps(
            ax.get_window_extent(renderer)
        ):
            return False
    return True


@pytest.fixture(scope="module")
def minimum_comparison() -> Comparison:
    return run_comparison([16, 64, 256], algorithm="minimum", trials=4, seed=2, progress=False)


def test_minimum_figure_plots_the_total_and_says_nothing_false(
    minimum_comparison: Comparison,
) -> None:
    summary = minimum_comparison.summary
    fits = fit_scaling(minimum_comparison.rows, n_bootstrap=50)
    fig = queries_figure(summary, fits, setting="backend=ideal noise=none")
    text = _texts(fig)
    assert "minimum of N values" in text and "marked item" not in text
    assert "M=" not in text  # minimum finding has no marked set
    assert "backend=ideal noise=none" in text
    assert "build" in fig.axes[0].get_ylabel()
    ax = fig.axes[0]
    # The only closed form drawn is the classical N reads; quantum minimum finding has none.
    (dashed,) = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert list(dashed.get_ydata()) == [16.0, 64.0, 256.0]
    assert to_hex(dashed.get_color()) == to_hex(ALGORITHM_COLORS["classical-minimum"])
    assert "dashed: closed form" in text
    without = summary[summary["algorithm"] == "minimum"]
    assert "closed form" not in _texts(queries_figure(without))  # none drawn: none claimed
    # The quantum curve is the whole bill: oracle + verify + build of every trial.
    rows = minimum_comparison.rows
    quantum = rows[rows["algorithm"] == "minimum"]
    total = quantum["oracle_queries"] + quantum["verify_queries"] + quantum["build_queries"]
    by_size = total.groupby(quantum["num_items"]).mean()
    (line,) = [ln for ln in ax.get_lines() if ln.get_label().startswith("minimum")]
    assert np.allclose(line.get_ydata(), by_size.to_numpy())
    assert (by_size.to_numpy() > quantum.groupby("num_items")["queries"].mean().to_numpy()).all()
    # With the build, minimum finding does not beat reading the N values at these sizes.
    (classical,) = [ln for ln in ax.get_lines() if ln.get_label().startswith("classical-min")]
    assert (np.asarray(line.get_ydata()) > np.asarray(classical.get_ydata())).all()
    assert _legend_clear_of_axes(fig)


def test_query_part_figure_is_labelled_as_leaving_the_build_out(
    minimum_comparison: Comparison,
) -> None:
    fig = queries_figure(minimum_comparison.summary, cost="query")
    assert "build not included" in fig.axes[0].get_ylabel()
    assert "build not included" in _texts(fig)
    with pytest.raises(ProblemError, match="'cost' argument of queries_figure"):
        queries_figure(minimum_comparison.summary, cost="oracle")


def test_each_algorithm_keeps_its_colour_in_every_figure(spec_path: Path) -> None:
    table = load_table(spec_path)
    figures = [
        queries_figure(summarize(table[table["backend"] == "ideal"])),
        noise_figure(table),
    ]
    for fig in figures:
        for ax in fig.axes:
            for line in ax.get_lines():
                label = line.get_label()
                for algorithm in ("classical-random", "grover"):
                    if label.startswith(algorithm + " ") or label.startswith(algorithm + ","):
                        assert to_hex(line.get_color()) == to_hex(ALGORITHM_COLORS[algorithm])
    grover_lines = [
        line
        for fig in figures
        for ax in fig.axes
        for line in ax.get_lines()
        if line.get_label().startswith(("grover", "ideal, noise", "aer, noise"))
    ]
    assert grover_lines and {to_hex(line.get_color()) for line in grover_lines} == {
        to_hex(ALGORITHM_COLORS["grover"])
    }


def test_every_figure_names_backend_and_noise_and_keeps_legends_off_the_data(
    spec_path: Path,
) -> None:
    table = load_table(spec_path)
    figures = {
        "queries": queries_figure(summarize(table)),
        "success": success_figure(success_by_iterations(table)),
        "noise": noise_figure(table),
    }
    for name, fig in figures.items():
        text = _texts(fig)
        assert "backend=ideal noise=none" in text, name
        assert "backend=aer noise=none" in text, name
    for name in ("queries", "success"):
        assert _legend_clear_of_axes(figures[name]), name


def test_no_success_figure_without_an_iterations_axis(tmp_path: Path) -> None:
    spec = {
        "sweep": {
            "name": "no-k",
            "algorithms": ["grover", "classical-random"],
            "sizes": [16, 64],
            "repetitions": 3,
            "seed": 1,
            "output": str(tmp_path / "out"),
        }
    }
    sweep(spec, workers=1)
    paths = plot_sweep(tmp_path / "out", tmp_path / "plots", formats=("pdf",))
    assert [p.name for p in paths] == ["queries.pdf"]
    assert paths[0].read_bytes().startswith(b"%PDF")
