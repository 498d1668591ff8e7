"""The ``qsearch`` command. Each subcommand lives with the module that implements it.

A module in ``COMMAND_MODULES`` defines ``register_cli(subparsers)``, which adds its parser(s)
and sets ``func`` (taking the parsed namespace, returning an exit code).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from qsearch import __version__
from qsearch.exceptions import QSearchError

COMMAND_MODULES = (
    "qsearch.cli.compare",
    "qsearch.cli.jobs",
    "qsearch.cli.resources",
    "qsearch.cli.circuits",
    "qsearch.cli.retrieval",
    "qsearch.cli.sweep",
    "qsearch.cli.crossover",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qsearch",
        description="Quantum versus classical search, measured on the same bill.",
    )
    parser.add_argument("--version", action="version", version=f"qsearch {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register_cli(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except QSearchError as exc:
        print(f"qsearch: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (e.g. `qsearch compare | head`): not an error. Point stdout at
        # devnull so the interpreter's final flush does not raise again (Python docs recipe).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("qsearch: interrupted; results written so far are kept.", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
