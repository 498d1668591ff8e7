"""``qsearch sweep run|status|plot|export SPEC``: declarative sweeps from a TOML spec.

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

from qsearch.cli._args import add_command, arg
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
    print(
        f"{spec.name}: {counts['stored']} of {counts['total']} points stored, "
        f"{counts['failed']} failed, {counts['missing']} missing"
        + (f", {counts['extra']} stored rows outside the grid" if counts["extra"] else "")
        + f" (store: {spec.store_path})"
    )
    return 0


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


def register_cli(subparsers: Any) -> None:
    """Add ``sweep run|status|plot|export`` to the ``qsearch`` command."""
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
        (_SPEC,),
        help="how many points are stored, failed, missing",
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
