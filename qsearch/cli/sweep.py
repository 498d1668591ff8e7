"""``qsearch sweep run|status|summary|plot|export SPEC``: declarative sweeps from a TOML spec.

The spec format, the store and the execution model are described in
:mod:`qsearch.experiments.spec`, :mod:`qsearch.experiments.store` and
:mod:`qsearch.experiments.runner`; this module only parses arguments and prints.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from qsearch.cli._args import add_command, arg, print_json, table_records
from qsearch.exceptions import QSearchWarning


@contextlib.contextmanager
def _store_warnings() -> Iterator[None]:
    """Print the store's warnings (e.g. "the store is damaged ...") as one clean line each."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", QSearchWarning)
        try:
            yield
        finally:
            for warning in caught:
                if issubclass(warning.category, QSearchWarning):
                    print(f"qsearch: warning: {warning.message}", file=sys.stderr)
                else:
                    warnings.showwarning(
                        warning.message, warning.category, warning.filename, warning.lineno
                    )


def _with_store_warnings(
    command: Callable[[argparse.Namespace], int],
) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        with _store_warnings():
            return command(args)

    run.__doc__ = command.__doc__
    return run


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _cmd_run(args: argparse.Namespace) -> int:
    import signal
    import threading

    from qsearch.experiments.runner import SweepInterrupted, connect_dask, sweep
    from qsearch.experiments.spec import SweepSpec

    spec = SweepSpec.from_file(args.spec)
    client = connect_dask(args.dask, timeout=args.dask_timeout) if args.dask else None
    executor = None if client is None else client.get_executor(retries=2, pure=False)
    progress = False if args.no_progress else None
    previous = None
    if threading.current_thread() is threading.main_thread():
        # SIGTERM stops a sweep like Ctrl-C: finished rows are kept, the rerun resumes.
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        report = sweep(
            spec, executor, workers=args.workers, threads=args.threads, progress=progress
        )
    except SweepInterrupted as stop:
        print(stop.report.summary())
        return 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        if client is not None:
            with contextlib.suppress(Exception):
                client.close()
    print(f"{report.summary()} (store: {report.store_path})")
    if report.failed or report.lost:
        return min(125, report.failed + report.lost)
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    from qsearch.experiments.runner import status
    from qsearch.experiments.spec import SweepSpec

    spec = SweepSpec.from_file(args.spec)
    counts = status(spec)
    if args.format == "json":
        print_json({"name": spec.name, "store": spec.store_path, **counts})
        return 0
    print(
        f"{spec.name}: {counts['stored']} of {counts['total']} points stored, "
        f"{counts['failed']} failed, {counts['missing']} missing"
        + (f", {counts['extra']} stored rows outside the grid" if counts["extra"] else "")
        + f" (store: {spec.store_path})"
    )
    return 0


def _cmd_summary(args: argparse.Namespace) -> int:
    """The table and fitted slopes of a stored sweep, as ``qsearch compare`` prints them."""
    from qsearch.experiments.analysis import fit_scaling, load_table, summarize
    from qsearch.experiments.spec import SweepSpec

    spec = SweepSpec.from_file(args.spec)
    table = load_table(spec, include_errors=True)
    summary = summarize(table) if not table.empty else None
    fits = {
        cost: fit_scaling(table, seed=spec.seed, cost=cost) if not table.empty else None
        for cost in ("total_queries", "queries", "oracle_queries")
    }
    if args.format == "json":
        print_json(
            {
                "name": spec.name,
                "store": spec.store_path,
                "summary": [] if summary is None else table_records(summary),
                "slopes": {
                    cost: [] if fit is None else table_records(fit) for cost, fit in fits.items()
                },
            }
        )
        return 0
    if summary is None:
        print(f"{spec.name}: no stored points yet (run: qsearch sweep run {args.spec})")
        return 0
    print(_summary_text(summary, fits))
    return 0


def _summary_text(summary: Any, fits: dict[str, Any]) -> str:
    """One row per (series, N) with the whole bill, then the slopes per series."""
    import math

    def number(value: float, digits: int = 1) -> str:
        return "n/a" if not math.isfinite(value) else f"{value:.{digits}f}"

    lines = [
        f"{'algorithm':<22}{'backend':<14}{'noise':<13}{'M':>4}{'N':>10}{'oracle':>11}"
        f"{'verify':>10}{'build':>11}{'total':>11}{'95% CI (total)':>24}{'success':>9}"
    ]
    for row in summary.itertuples(index=False):
        ci = f"[{number(row.total_ci_low)}, {number(row.total_ci_high)}]"
        failed = f"  ({row.failed} failed)" if row.failed else ""
        lines.append(
            f"{row.algorithm:<22}{row.backend:<14}{row.noise:<13}{row.num_marked:>4}"
            f"{row.num_items:>10}{number(row.mean_oracle):>11}{number(row.mean_verify):>10}"
            f"{number(row.mean_build):>11}{number(row.mean_total):>11}{ci:>24}"
            f"{number(row.success_rate, 2):>9}{failed}"
        )
    total, queries, oracle = (fits[c] for c in ("total_queries", "queries", "oracle_queries"))
    lines += ["", "fitted scaling, mean cost ∝ N^slope (95% bootstrap CI of the total):"]
    keys = ["algorithm", "backend", "noise", "num_marked"]

    def slope_of(frame: Any, series: list[Any]) -> str:
        hit = frame.loc[(frame[keys] == series).all(axis=1), "slope"]
        return number(float(hit.iloc[0]), 3) if len(hit) else "n/a"

    for row in total.itertuples(index=False):
        series = [getattr(row, k) for k in keys]
        lines.append(
            f"  {row.algorithm:<20} {row.backend}/{row.noise} M={row.num_marked}: total "
            f"{row.slope:.3f} [{row.slope_low:.3f}, {row.slope_high:.3f}]  "
            f"query part {slope_of(queries, series)}  oracle only {slope_of(oracle, series)}"
        )
    lines.append(
        "  The interval covers the repetitions' sampling noise only, not the bias of a power law "
        "fitted at small N; it has zero width where every repetition costs the same."
    )
    return "\n".join(lines)


def _cmd_plot(args: argparse.Namespace) -> int:
    from qsearch.experiments.plots import plot_sweep
    from qsearch.experiments.spec import SweepSpec

    spec = SweepSpec.from_file(args.spec)
    out = Path(args.out) if args.out else spec.output / "plots"
    paths = plot_sweep(spec.store_path, out, formats=tuple(args.format.split(",")))
    for path in paths:
        print(f"wrote {path}")
    if not paths:
        print("nothing to plot yet: no stored points")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from qsearch._validation import check_writable_dir
    from qsearch.experiments.analysis import export_table
    from qsearch.experiments.spec import SweepSpec

    spec = SweepSpec.from_file(args.spec)
    path = Path(args.out) if args.out else spec.output / f"points.{args.format}"
    if path.is_dir():
        path = path / f"points.{args.format}"
    check_writable_dir(path.parent, "directory of --out", "qsearch sweep export")
    written = export_table(spec.store_path, path, format=args.format)
    print(f"wrote {written}")
    return 0


_SPEC = arg("spec", help="the TOML spec file")
_TEXT_OR_JSON = arg(
    "--format", choices=("text", "json"), default="text", help="print text (default) or JSON"
)


def register_cli(subparsers: Any) -> None:
    """Add ``sweep run|status|summary|plot|export`` to the ``qsearch`` command."""
    description = (
        "Sweeps over (algorithm, N, M, repetition, backend, noise) grids with a resumable "
        "SQLite store."
    )
    help_text = "run, inspect, plot and export declarative sweeps (TOML specs)"
    parser = add_command(subparsers, "sweep", None, help=help_text, description=description)
    actions = parser.add_subparsers(dest="sweep_command", metavar="ACTION", required=True)
    run_arguments = (
        _SPEC,
        arg("--workers", type=int, help="local worker processes (default: cores)"),
        arg("--threads", type=int, help="Aer OpenMP threads per worker"),
        arg("--dask", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://host:8786"),
        arg("--dask-timeout", type=float, default=10.0, help="seconds to connect"),
        arg("--no-progress", action="store_true", help="no progress bar"),
    )
    add_command(
        actions,
        "run",
        _with_store_warnings(_cmd_run),
        run_arguments,
        help="run the points not stored yet",
    )
    add_command(
        actions,
        "status",
        _with_store_warnings(_cmd_status),
        (_SPEC, _TEXT_OR_JSON),
        help="how many points are stored, failed, missing",
    )
    add_command(
        actions,
        "summary",
        _with_store_warnings(_cmd_summary),
        (_SPEC, _TEXT_OR_JSON),
        help="the table and fitted slopes of the stored points (as compare prints them)",
    )
    plot_arguments = (
        _SPEC,
        arg("--format", default="png", help="png, svg, pdf or a comma list (default png)"),
        arg("--out", help="directory (default <output>/plots)"),
    )
    add_command(actions, "plot", _cmd_plot, plot_arguments, help="write figures (PNG, SVG, PDF)")
    export_arguments = (
        _SPEC,
        arg("--format", choices=("parquet", "csv"), default="csv"),
        arg("--out", help="file (default <output>/points.<format>)"),
    )
    add_command(
        actions,
        "export",
        _with_store_warnings(_cmd_export),
        export_arguments,
        help="write the tidy table as parquet or CSV",
    )
