"""Figures from sweep tables (matplotlib, Agg; no pyplot state is touched).

* :func:`queries_figure`: mean total cost (or, labelled, the query part) vs N on log-log axes
  with CI bands, the closed form dashed where one is drawn, and the fitted exponent with its
  bootstrap CI in the legend.
* :func:`success_figure`: single-run success probability of Grover vs iterations k with Wilson
  intervals and the closed form sin²((2k+1)θ), sin²θ = M/N (Boyer, Brassard, Høyer, Tapp 1998,
  arXiv:quant-ph/9605034).
* :func:`noise_figure`: noisy vs ideal: single-run success and mean queries vs N per noise
  setting, next to the ideal closed forms.
* :func:`plot_sweep`: all figures that the data of a store supports, as PNG, SVG and/or PDF.

Every figure names its backend(s) and noise model(s), keeps its legend off the data (right of
the axes), and draws each algorithm in its colour of :data:`ALGORITHM_COLORS` in every figure.
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
    IGNORES_MARKED,
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

FORMATS = ("png", "svg", "pdf")

#: One colour per algorithm in every figure (quantum: cool colours, classical: warm and greys).
ALGORITHM_COLORS = {
    "grover": "tab:blue",
    "exponential": "tab:purple",
    "fixed-point": "tab:cyan",
    "minimum": "navy",
    "count": "teal",
    "classical-random": "tab:orange",
    "classical-random-replace": "tab:red",
    "classical-linear": "tab:brown",
    "classical-minimum": "tab:gray",
    "classical-count": "tab:olive",
}
_MARKERS = ("o", "^", "s", "D", "v", "P")


def algorithm_color(algorithm: str) -> str:
    """The colour of ``algorithm`` in every figure (black for an unregistered name)."""
    return ALGORITHM_COLORS.get(str(algorithm), "black")


def setting_text(table: pd.DataFrame) -> str:
    """``backend=… noise=…`` for each (backend, noise) pair of a table or summary."""
    if table.empty:
        return ""
    pairs = table[["backend", "noise"]].drop_duplicates().itertuples(index=False)
    return "; ".join(f"backend={b} noise={n}" for b, n in sorted(pairs))


def _goal(algorithms: set[str]) -> str:
    if algorithms & {"minimum", "classical-minimum"}:
        return "to find the minimum of N values"
    if algorithms & {"count", "classical-count"}:
        return "to count the marked items exactly"
    return "to find a marked item"


def _legend_outside(ax: Any) -> None:
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)


def _closed_form_curve(num_items: int, num_marked: int, k: np.ndarray) -> np.ndarray:
    theta = math.asin(math.sqrt(num_marked / num_items))
    return np.sin((2 * k + 1) * theta) ** 2


def queries_figure(
    summary: pd.DataFrame,
    fits: pd.DataFrame | None = None,
    *,
    cost: str = "total",
    setting: str = "",
) -> Figure:
    """Mean cost vs N per series (log-log), CI bands, closed forms dashed, slopes in the legend.

    Args:
        summary: :func:`qsearch.experiments.analysis.summarize` output.
        fits: :func:`qsearch.experiments.analysis.fit_scaling` output (slopes shown when given;
            fit the same ``cost``).
        cost: ``"total"`` (oracle + verify + build, the default) or ``"query"`` (oracle +
            verify, labelled as leaving the build out).
        setting: where the points ran (default: the backends and noise models of ``summary``).
    """
    if cost not in ("total", "query"):
        raise ProblemError(
            f"The 'cost' argument of queries_figure must be 'total' or 'query'; got {cost!r}."
        )
    mean, low, high = (
        ("mean_total", "total_ci_low", "total_ci_high")
        if cost == "total"
        else ("mean_queries", "ci_low", "ci_high")
    )
    fig = Figure(figsize=(10, 4.8), layout="constrained")
    ax = fig.add_subplot()
    data = summary.dropna(subset=[mean])
    backends = data["backend"].nunique() if not data.empty else 1
    several_m = data["num_marked"].nunique() > 1 if not data.empty else False
    fit_index = {}
    if fits is not None and not fits.empty:
        fit_index = {tuple(row[c] for c in SERIES): row for _, row in fits.iterrows()}
    drawn_closed_form = False
    used: dict[str, int] = {}
    for keys, group in data.groupby(list(SERIES), sort=True):
        group = group.sort_values("num_items")
        first = group.iloc[0]
        label = series_label(first, backends=backends, show_marked=several_m)
        fit = fit_index.get(tuple(keys))
        if fit is not None and math.isfinite(fit["slope"]):
            label += (
                f" (slope {fit['slope']:.2f} [{fit['slope_low']:.2f}, {fit['slope_high']:.2f}])"
            )
        color = algorithm_color(first["algorithm"])
        marker = _MARKERS[used.get(color, 0) % len(_MARKERS)]
        used[color] = used.get(color, 0) + 1
        ax.plot(group["num_items"], group[mean], marker=marker, color=color, label=label)
        ax.fill_between(
            group["num_items"],
            group[low].clip(lower=1e-9),
            group[high],
            color=color,
            alpha=0.2,
            linewidth=0,
        )
        expected = group.dropna(subset=["expected_queries"])
        # The closed forms are of oracle + verify: they are the total only without a build.
        comparable = cost == "query" or bool((group["mean_build"] == 0).all())
        if len(expected) and first["noise"] == NO_NOISE and comparable:
            drawn_closed_form = True
            ax.plot(
                expected["num_items"],
                expected["expected_queries"],
                linestyle="--",
                linewidth=1,
                color=color,
                label="_closed form",
            )
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("N (items)")
    ax.set_ylabel(
        "mean total cost (oracle + verify + build)"
        if cost == "total"
        else "mean queries (oracle + verify; build not included)"
    )
    algorithms = set(data["algorithm"].astype(str)) if not data.empty else set()
    what = "Total cost" if cost == "total" else "Queries (build not included)"
    details = [setting or setting_text(data), "bands: 95% CI"]
    if drawn_closed_form:
        details.append("dashed: closed form")
    if not several_m and not data.empty and not algorithms <= IGNORES_MARKED:
        details.append(f"M={int(data['num_marked'].iloc[0])}")
    fig.suptitle(f"{what} {_goal(algorithms)}")
    ax.set_title(" · ".join(d for d in details if d), fontsize="small")
    ax.grid(True, which="both", alpha=0.3)
    if len(data):
        _legend_outside(ax)
    return fig


def success_figure(success: pd.DataFrame, *, max_series: int = 8) -> Figure:
    """Single-run success probability vs iterations k, with the closed form drawn.

    Args:
        success: :func:`qsearch.experiments.analysis.success_by_iterations` output.
        max_series: most (backend, noise, N, M) series drawn; those measured at the most
            distinct k (then the smallest N) are kept, so k-sweeps win over single k* points.
    """
    fig = Figure(figsize=(10, 4.8), layout="constrained")
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
    fig.suptitle("Grover: success probability of one run vs iterations k")
    ax.set_title(
        " · ".join(
            d for d in (setting_text(success), "points: 95% Wilson CI", "lines: closed form") if d
        ),
        fontsize="small",
    )
    ax.grid(True, alpha=0.3)
    if not success.empty:
        _legend_outside(ax)
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
    # Long by design (~90 lines): two panels sharing series, colours and limits; split, they
    # would pass a dozen arguments back and forth.
    rows = _noise_settings(table)
    if rows.empty:
        raise ProblemError("noise_figure needs stored Grover points; the table has none.")
    fig = Figure(figsize=(13, 5), layout="constrained")
    left, right = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    summary = summarize(rows)
    grover = algorithm_color("grover")
    settings = rows.groupby(["backend", "noise", "num_marked"], sort=True)
    for index, ((backend, noise, m), group) in enumerate(settings):
        label = f"{backend}, noise={noise}, M={m}"
        marker, style = _MARKERS[index % len(_MARKERS)], ("-", "-.", ":")[index % 3]
        stats = []
        for n, g in group.groupby("num_items", sort=True):
            first = g[g["first_shots"] == 1]
            hits = int(first["first_success"].astype(bool).sum())
            lower, upper = wilson_interval(hits, len(first))
            stats.append((int(n), hits / max(len(first), 1), lower, upper))
        sizes, rate, low, high = (np.array(v, dtype=float) for v in zip(*stats, strict=True))
        left.errorbar(
            sizes,
            rate,
            yerr=[rate - low, high - rate],
            marker=marker,
            linestyle=style,
            color=grover,
            capsize=3,
            label=label,
        )
        cell = summary[
            (summary["backend"] == backend)
            & (summary["noise"] == noise)
            & (summary["num_marked"] == m)
        ].sort_values("num_items")
        right.plot(
            cell["num_items"],
            cell["mean_total"],
            marker=marker,
            linestyle=style,
            color=grover,
            label=label,
        )
        right.fill_between(
            cell["num_items"],
            cell["total_ci_low"],
            cell["total_ci_high"],
            color=grover,
            alpha=0.15,
            lw=0,
        )
    searches = (table["status"] == "ok") & table["iterations"].isna()
    others = summarize(table[searches & (table["algorithm"] != "grover")]).dropna(
        subset=["mean_total"]
    )
    for (_, backend, _, m), cell in others.groupby(list(SERIES), sort=True):
        if m not in set(rows["num_marked"]):
            continue
        cell = cell.sort_values("num_items")
        right.plot(
            cell["num_items"],
            cell["mean_total"],
            "s:",
            color=algorithm_color(cell.iloc[0]["algorithm"]),
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
    right.set_ylabel("mean total cost (oracle + verify + build)")
    right.set_title("Noisy vs ideal: total cost to success")
    fig.suptitle(
        f"Grover under {setting_text(rows)} (bars, bands: 95% CI; dashed: ideal closed form)"
    )
    for ax in (left, right):
        ax.grid(True, which="both", alpha=0.3)
    left.legend(fontsize="small", loc="lower left")
    _legend_outside(right)
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

    ``queries.*`` (the total cost, build included) when some series has points,
    ``success_vs_iterations.*`` when the sweep has an iterations axis (fixed-k Grover points),
    ``noisy_vs_ideal.*`` when Grover ran under several (backend, noise) settings.

    Args:
        source: anything :func:`qsearch.experiments.analysis.load_table` accepts.
        out_dir: directory for the files.
        formats: any of ``"png"``, ``"svg"``, ``"pdf"``.
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
    if summary["mean_total"].notna().any():
        figures.append(("queries", queries_figure(summary, fit_scaling(table, seed=seed))))
    success = success_by_iterations(table)
    if not success.empty and table["iterations"].notna().any():
        figures.append(("success_vs_iterations", success_figure(success)))
    if has_noise_comparison(table):
        figures.append(("noisy_vs_ideal", noise_figure(table)))
    paths = []
    for name, fig in figures:
        for fmt in formats:
            paths.append(save_figure(fig, out / f"{name}.{fmt}"))
    return paths


__all__ = [
    "ALGORITHM_COLORS",
    "FORMATS",
    "algorithm_color",
    "has_noise_comparison",
    "noise_figure",
    "plot_sweep",
    "queries_figure",
    "save_figure",
    "setting_text",
    "success_figure",
]
