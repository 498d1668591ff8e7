"""``qsearch export-circuits``: regenerate the OpenQASM 3 reference circuits of ``circuits/``."""

from __future__ import annotations

import argparse
from typing import Any

from qsearch.cli._args import add_command, arg


def _cmd_export(args: argparse.Namespace) -> int:
    from qsearch.experiments.reference_circuits import export_circuits

    paths = export_circuits(args.out)
    print(f"wrote {len(paths)} files to {args.out}")
    return 0


def register_cli(subparsers: Any) -> None:
    """Add ``export-circuits`` to the ``qsearch`` command."""
    add_command(
        subparsers,
        "export-circuits",
        _cmd_export,
        (arg("--out", default="circuits", help="output directory (default: circuits)"),),
        help="regenerate the OpenQASM 3 reference circuits and circuits/manifest.json",
    )
