"""``qsearch crossover``: quantum vs classical wall-clock for a Hamming-oracle search.

``qsearch crossover --loader qrom|select-swap|qram --bits B [--classical-rate R] --out DIR``
writes ``crossover.csv``, ``crossover.png`` and ``assumptions.txt`` into DIR and prints N*
(or why there is none) with every assumption (:func:`qsearch.oracles.crossover.crossover`).
"""

from __future__ import annotations

import argparse
from typing import Any

from qsearch.oracles.counts import LOADERS as LOADER_CHOICES
from qsearch.oracles.physical import QUBIT_MODELS as MODEL_CHOICES


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number; got {text!r}")
    return value


def register_cli(subparsers: Any) -> None:
    """Add ``crossover`` to the ``qsearch`` command."""
    p = subparsers.add_parser(
        "crossover",
        help="wall-clock crossover: fault-tolerant Grover with a coherent oracle vs a scan",
        description="Quantum wall-clock (expected oracle calls x per-call time from the Azure "
        "Resource Estimator, plus diffusion and verification) against a classical scan (N / "
        "rate, rate measured now unless given) for N = 2^10 .. 2^60.",
    )
    p.add_argument("--loader", required=True, choices=LOADER_CHOICES)
    p.add_argument("--bits", required=True, type=int, help="code width b (1..64)")
    p.add_argument("--threshold", type=int, default=None, help="Hamming threshold (default b/4)")
    p.add_argument(
        "--classical-rate",
        type=_positive_float,
        default=None,
        help="classical items/s (default: measured now with NumPy on all cores)",
    )
    p.add_argument("--qubit-model", default="qubit_gate_ns_e3", choices=MODEL_CHOICES)
    p.add_argument("--qec-scheme", default=None, choices=("surface_code", "floquet_code"))
    p.add_argument("--error-budget", type=float, default=1e-3)
    p.add_argument("--marked", type=int, default=1, help="marked items M (default 1)")
    p.add_argument("--out", required=True, help="output directory")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from qsearch.oracles.crossover import crossover

    result = crossover(
        loader=args.loader,
        bits=args.bits,
        threshold=args.threshold,
        classical_rate=args.classical_rate,
        qubit_model=args.qubit_model,
        qec_scheme=args.qec_scheme,
        error_budget=args.error_budget,
        marked=args.marked,
    )
    paths = result.write(args.out)
    print(result)
    for kind, path in paths.items():
        print(f"wrote {kind}: {path}")
    return 0
