"""Shared argparse pieces of the ``qsearch`` command groups (argparse lives only in cli/)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

#: One argument: the flags (or positional name) and the keyword options of ``add_argument``.
Argument = tuple[tuple[str, ...], dict[str, Any]]


def arg(*flags: str, **options: Any) -> Argument:
    """An argument for :func:`add_command`, spelled like ``parser.add_argument``."""
    return flags, options


def add_command(
    subparsers: Any,
    name: str,
    func: Callable[[argparse.Namespace], int] | None,
    arguments: tuple[Argument, ...] = (),
    **parser_options: Any,
) -> argparse.ArgumentParser:
    """Add subcommand ``name`` with ``arguments``; ``func(args)`` runs it (the exit code).

    ``func`` None: a command group, whose actions are added to the returned parser.
    """
    parser: argparse.ArgumentParser = subparsers.add_parser(name, **parser_options)
    for flags, options in arguments:
        parser.add_argument(*flags, **options)
    if func is not None:
        parser.set_defaults(func=func)
    return parser


def comma_ints(flag: str, example: str) -> Callable[[str], list[int]]:
    """A ``type=`` parser for ``flag``: comma-separated integers like ``example``."""

    def parse(text: str) -> list[int]:
        try:
            return [int(part) for part in text.split(",") if part.strip()]
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{flag} must be comma-separated integers like {example}; got {text!r}"
            ) from None

    return parse


def print_json(document: Any) -> None:
    """Print ``document`` as JSON (``--format json``): NaN/inf become null, NumPy scalars and
    paths plain values, so any JSON reader can load it."""
    import json
    import math
    from pathlib import Path

    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k): clean(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [clean(v) for v in value]
        if isinstance(value, Path):
            return str(value)
        if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # NumPy scalar
            value = value.item()
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return value

    print(json.dumps(clean(document), indent=2, sort_keys=True, allow_nan=False))


def table_records(frame: Any) -> list[dict[str, Any]]:
    """A pandas DataFrame as a list of row dicts (for :func:`print_json`)."""
    return [dict(row) for row in frame.to_dict(orient="records")]
