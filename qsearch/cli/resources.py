"""``qsearch resources``: :func:`qsearch.backends.resources.resources` on the command line.

The program comes from ``--num-items``/``--marked``/``--iterations`` (default: the ideal k);
with ``--device`` the counts are those of the ISA circuit that device runs (the lowering the
``ibm`` and noisy ``aer`` backends use). qiskit loads inside the command, so ``qsearch --help``
stays fast.
"""

from __future__ import annotations

import argparse
from typing import Any

from qsearch.cli._args import add_command, arg, comma_ints, print_json


def _cmd_resources(args: argparse.Namespace) -> int:
    from qsearch.backends.resources import resources
    from qsearch.problem import SearchProblem, SearchProgram
    from qsearch.schedules import optimal_iterations

    problem = SearchProblem(args.num_items, args.marked)
    ks = args.iterations or [optimal_iterations(problem.num_items, problem.num_marked)]
    reports = [
        resources(
            SearchProgram(problem, k),
            args.device,
            decomposition=args.decomposition,
            optimization_level=args.optimization_level,
            seed_transpiler=args.seed_transpiler,
        )
        for k in ks
    ]
    if args.format == "json":
        print_json(reports)
        return 0
    keys = [key for key in reports[0] if not isinstance(reports[0][key], dict)]
    width = max(len(key) for key in keys)
    print(f"{'':<{width}}  " + "  ".join(f"k={k:<14}" for k in ks))
    for key in keys:
        print(f"{key:<{width}}  " + "  ".join(_cell(r.get(key)) for r in reports))
    return 0


def _cell(value: Any) -> str:
    return f"{value:<16.4g}" if isinstance(value, float) else f"{value!s:<16}"


def register_cli(subparsers: Any) -> None:
    """Add ``resources`` to the ``qsearch`` command."""
    add_command(
        subparsers,
        "resources",
        _cmd_resources,
        (
            arg("--num-items", type=int, required=True),
            arg("--marked", type=comma_ints("--marked", "3,5"), required=True),
            arg("--iterations", type=comma_ints("--iterations", "0,1,2"), help="k values"),
            arg("--device", help="e.g. fake_torino (default: logical counts only)"),
            arg(
                "--decomposition",
                default="auto",
                choices=["auto", "mcphase", "mcx", "mcx-1-ancilla", "mcx-ancillas"],
            ),
            arg("--optimization-level", type=int, default=2),
            arg("--seed-transpiler", type=int, default=1234),
            arg("--format", choices=["table", "json"], default="table"),
        ),
        help="depth, two-qubit gates, qubits and estimated success of a Grover program",
    )
