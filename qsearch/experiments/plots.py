"""Figures from sweep tables (matplotlib, Agg; no pyplot state is touched).

* :func:`queries_figure`: mean queries vs N on log-log axes with CI bands, the closed form
  dashed, and the fitted exponent with its bootstrap CI in the legend.
* :func:`success_figure`: single-run success probability of Grover vs iterations k with Wilson
  intervals and the closed form sin²((2k+1)θ), sin²θ = M/N (Boyer, Brassard, Høyer, Tapp 1998,
  arXiv:quant-ph/9605034).
* :func:`noise_figure`: noisy vs ideal: single-run success and mean queries vs N per noise
  setting, next to the ideal closed forms.
* :func:`plot_sweep`: all figures that the data of a store supports, written as PNG and/or SVG.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from qsearch.exceptions import ProblemError
from qsearch.experiments.analysis import (
    NO_NOISE,
    SERIES,
    fit_scaling,
    load_table,
    series_label,
    success_by_iterations,
    summarize,
    wilson_interval,
)
from qsearch.schedules import optimal_iterations

FORMATS = ("png", "svg")


def _closed_form_curve(num_items: int, num_marked: int, k: np.ndarray) -> np.ndarray:
    theta = math.asin(math.sqrt(num_marked / num_items))
    return np.sin((2 * k + 1) * theta) ** 2


def queries_figure(summary: pd.DataFrame, fits: pd.DataFrame | None = None) -> Figure:
    """Mean queries vs N per series (log-log), CI bands, closed form dashed, slopes in the legend.

    Args:
        summary: :func:`qsearch.experiments.analysis.summarize` output.
        fits: :func:`qsearch.experiments.analysis.fit_scaling` output (slopes shown when given).
    """
    fig = Figure(figsize=(7.5, 4.8))
    ax = fig.add_subplot()
    data = summary.dropna(subset=["mean_queries"])
    backends = data["backend"].nunique() if not data.empty else 1
    fit_index = {}
    if fits is not None and not fits.empty:
        fit_index = {tuple(row[c] for c in SERIES): row for _, row in fits.iterrows()}
    for keys, group in data.groupby(list(SERIES), sort=True):
        group = group.sort_values("num_items")
        first = group.iloc[0]
        label = series_label(first, backends=backends)
        fit = fit_index.get(tuple(keys))
        if fit is not None:
            label += (
                f" (slope {fit['slope']:.2f} [{fit['slope_low']:.2f}, {fit['slope_high']:.2f}])"
            )
        line = ax.plot(group["num_items"], group["mean_queries"], marker="o", label=label)[0]
        ax.fill_between(
            group["num_items"],
            group["ci_low"].clip(lower=1e-9),
            group["ci_high"],
            color=line.get_color(),
            alpha=0.2,
            linewidth=0,
        )
        expected = group.dropna(subset=["expected_queries"])
        if len(expected) and first["noise"] == NO_NOISE:
            ax.plot(
                expected["num_items"],
                expected["expected_queries"],
                linestyle="--",
                linewidth=1,
                color=line.get_color(),
                label="_closed form",
            )
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("N (items)")
    ax.set_ylabel("mean queries (oracle + verification)")
    ax.set_title("Queries to find a marked item (bands: 95% CI; dashed: closed form)")
    ax.grid(True, which="both", alpha=0.3)
    if len(data):
        ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


def success_figure(success: pd.DataFrame, *, max_series: int = 8) -> Figure:
    """Single-run success probability vs iterations k, with the closed form drawn.

    Args:
        success: :func:`qsearch.experiments.analysis.success_by_iterations` output.
        max_series: most (backend, noise, N, M) series drawn; those measured at the most
            distinct k (then the smallest N) are kept, so k-sweeps win over single k* points.
    """
    fig = Figure(figsize=(7.5, 4.8))
    ax = fig.add_subplot()
    backends = success["backend"].nunique() if not success.empty else 1
    columns = ["backend", "noise", "num_items", "num_marked"]
    groups = sorted(
        success.groupby(columns, sort=True),
        key=lambda item: (-item[1]["iterations"].nunique(), item[0][2], item[0]),
    )[:max_series]
    for (backend, noise, n, m), group in sorted(groups, key=lambda item: item[0]):
        group = group.sort_values("iterations")
        parts = [f"N={n}", f"M={m}"]
        if backends > 1:
            parts.insert(0, str(backend))
        if noise != NO_NOISE:
            parts.append(f"noise={noise}")
        container = ax.errorbar(
            group["iterations"],
            group["rate"],
            yerr=[group["rate"] - group["ci_low"], group["ci_high"] - group["rate"]],
            fmt="o",
            capsize=3,
            label=", ".join(parts),
        )
        color = container.lines[0].get_color()
        k_max = max(int(group["iterations"].max()), optimal_iterations(int(n), int(m))) + 1
        k = np.linspace(0, k_max, 400)
        ax.plot(
            k,
            _closed_form_curve(int(n), int(m), k),
            color=color,
            linewidth=1,
            alpha=0.8,
            label=f"sin²((2k+1)θ), N={n}, M={m}",
        )
    ax.set_xlabel("Grover iterations k")
    ax.set_ylabel("P(single run finds a marked item)")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title("Success probability vs iterations (points: 95% Wilson CI; lines: closed form)")
    ax.grid(True, alpha=0.3)
    if not success.empty:
        ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


def _noise_settings(table: pd.DataFrame) -> pd.DataFrame:
    rows = table[
        (table["status"] == "ok") & (table["algorithm"] == "grover") & table["iterations"].isna()
    ]
    return rows


def has_noise_comparison(table: pd.DataFrame) -> bool:
    """True when Grover ran under more than one (backend, noise) setting."""
    if table.empty:
        return False
    rows = _noise_settings(table)
    return len(rows[["backend", "noise"]].drop_duplicates()) > 1


def noise_figure(table: pd.DataFrame) -> Figure:
    """Noisy vs ideal Grover: single-run success and mean queries vs N per (backend, noise).

    The queries panel also draws the other (classical) methods of the table, so the size where
    noisy Grover stops paying off (the crossover) is visible.

    Args:
        table: :func:`qsearch.experiments.analysis.load_table` output with Grover points under at
        least
            two settings (e.g. ``noise = ["none", "fake_torino"]``).
    """
    rows = _noise_settings(table)
    if rows.empty:
        raise ProblemError("noise_figure needs stored Grover points; the table has none.")
    fig = Figure(figsize=(11, 4.5))
    left, right = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    summary = summarize(rows)
    for (backend, noise, m), group in rows.groupby(["backend", "noise", "num_marked"], sort=True):
        label = f"{backend}, noise={noise}, M={m}"
        stats = []
        for n, g in group.groupby("num_items", sort=True):
            first = g[g["first_shots"] == 1]
            hits = int(first["first_success"].astype(bool).sum())
            lower, upper = wilson_interval(hits, len(first))
            stats.append((int(n), hits / max(len(first), 1), lower, upper))
        sizes, rate, low, high = (np.array(v, dtype=float) for v in zip(*stats, strict=True))
        container = left.errorbar(
            sizes, rate, yerr=[rate - low, high - rate], fmt="o-", capsize=3, label=label
        )
        color = container.lines[0].get_color()
        cell = summary[
            (summary["backend"] == backend)
            & (summary["noise"] == noise)
            & (summary["num_marked"] == m)
        ].sort_values("num_items")
        right.plot(cell["num_items"], cell["mean_queries"], "o-", color=color, label=label)
        right.fill_between(
            cell["num_items"], cell["ci_low"], cell["ci_high"], color=color, alpha=0.2, lw=0
        )
    searches = (table["status"] == "ok") & table["iterations"].isna()
    others = summarize(table[searches & (table["algorithm"] != "grover")]).dropna(
        subset=["mean_queries"]
    )
    for (_, backend, _, m), cell in others.groupby(list(SERIES), sort=True):
        if m not in set(rows["num_marked"]):
            continue
        cell = cell.sort_values("num_items")
        right.plot(
            cell["num_items"],
            cell["mean_queries"],
            "s:",
            color="dimgray",
            label=series_label(cell.iloc[0], backends=2 if backend != "ideal" else 1),
        )
    for m in sorted(rows["num_marked"].unique()):
        sizes = np.array(sorted(rows["num_items"].unique()))
        ideal = [
            _closed_form_curve(int(n), int(m), np.array(optimal_iterations(int(n), int(m))))
            for n in sizes
        ]
        left.plot(sizes, ideal, "k--", linewidth=1, label=f"ideal sin²((2k*+1)θ), M={m}")
        ideal_q = summary[(summary["num_marked"] == m)].groupby("num_items")["expected_queries"]
        expected = ideal_q.first()
        right.plot(expected.index, expected.to_numpy(), "k--", lw=1, label=f"ideal (k*+1)/p, M={m}")
    left.set_xscale("log", base=2)
    left.set_ylim(-0.02, 1.02)
    left.set_xlabel("N (items)")
    left.set_ylabel("P(single run at k* finds a marked item)")
    left.set_title("Noisy vs ideal: success per run")
    right.set_xscale("log", base=2)
    right.set_yscale("log")
    right.set_xlabel("N (items)")
    right.set_ylabel("mean queries (oracle + verification)")
    right.set_title("Noisy vs ideal: queries to success")
    for ax in (left, right):
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


def save_figure(fig: Figure, path: str | os.PathLike[str]) -> Path:
    """Write ``fig`` (format from the suffix) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    return path


def plot_sweep(
    source: Any,
    out_dir: str | os.PathLike[str],
    *,
    formats: Sequence[str] = ("png",),
    seed: int = 0,
) -> list[Path]:
    """Write every figure the stored points support; returns the written paths.

    ``queries.*`` when some series has points, ``success_vs_iterations.*`` when Grover ran with
    single shots, ``noisy_vs_ideal.*`` when Grover ran under several (backend, noise) settings.

    Args:
        source: anything :func:`qsearch.experiments.analysis.load_table` accepts.
        out_dir: directory for the files.
        formats: ``"png"`` and/or ``"svg"``.
        seed: seeds the bootstrap of the fitted slopes.
    """
    formats = tuple(formats)
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ProblemError(
            f"The 'formats' argument of plot_sweep must hold values of {list(FORMATS)}; "
            f"got {list(formats)}."
        )
    table = load_table(source, include_errors=True)
    out = Path(out_dir)
    figures: list[tuple[str, Figure]] = []
    if table.empty:
        return []
    summary = summarize(table)
    if summary["mean_queries"].notna().any():
        figures.append(("queries", queries_figure(summary, fit_scaling(table, seed=seed))))
    success = success_by_iterations(table)
    if not success.empty:
        figures.append(("success_vs_iterations", success_figure(success)))
    if has_noise_comparison(table):
        figures.append(("noisy_vs_ideal", noise_figure(table)))
    paths = []
    for name, fig in figures:
        for fmt in formats:
            paths.append(save_figure(fig, out / f"{name}.{fmt}"))
    return paths


__all__ = [
    "has_noise_comparison",
    "noise_figure",
    "plot_sweep",
    "queries_figure",
    "save_figure",
    "success_figure",
]
