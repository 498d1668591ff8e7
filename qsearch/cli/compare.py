"""``qsearch compare``: quantum vs classical query complexity, as a resumable sweep preset.

The experiment is :mod:`qsearch.experiments.compare`; this module parses the flags, runs the
preset (:func:`qsearch.experiments.compare.compare_spec` through
:func:`qsearch.experiments.runner.sweep`), prints the report and writes the files.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from qsearch.cli._args import add_command, arg, comma_ints

#: ``qsearch compare --algorithm`` values (the keys of ``registry.COMPARISONS``; a test checks
#: they agree, so that building the parser does not import the algorithms).
COMPARISON_NAMES = ("count", "exponential", "fixed-point", "grover", "minimum")

DESCRIPTION = (
    "``qsearch compare`` draws, for each size N and trial t, one random problem with M marked "
    "items (the same instance for every algorithm of that trial), solves it with the quantum "
    "algorithm and its classical counterparts, and reports the mean number of queries (oracle + "
    "classical verifications) with a 95% Student-t interval, the success rate, the closed-form "
    "expectation where one exists, and the fitted log-log slope of mean queries vs N with a "
    "bootstrap CI (≈ 0.5 for Grover, ≈ 1.0 for classical sampling)."
)


def _parse_option(text: str) -> tuple[str, Any]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"--option must look like KEY=VALUE; got {text!r}")
    for cast in (int, float):
        try:
            return key, cast(value)
        except ValueError:
            pass
    return key, value


def _run(args: argparse.Namespace) -> int:
    from qsearch.experiments import compare
    from qsearch.experiments.runner import sweep

    options = dict(args.option or [])
    threads = options.pop("threads", None)  # an execution setting, not part of a point
    circuit = args.backend != "ideal"
    sizes = args.sizes or list(
        compare.DEFAULT_SIZES_CIRCUIT if circuit else compare.DEFAULT_SIZES_IDEAL
    )
    trials = args.trials or (20 if circuit else 100)
    spec = compare.compare_spec(
        sizes,
        marked=args.marked,
        trials=trials,
        backend=args.backend,
        seed=args.seed,
        algorithm=args.algorithm,
        noise=args.noise,
        backend_options=options,
        output=args.out,
    )
    report = sweep(spec, workers=args.workers, threads=threads)
    comparison = compare.comparison_from_sweep(spec, seed=args.seed)
    print(
        f"qsearch compare: algorithm={args.algorithm} backend={args.backend}"
        + (f" noise={args.noise}" if args.noise else "")
        + f" M={args.marked} "
        f"trials={trials} seed={args.seed} ({report.summary()})"
    )
    print(compare.format_report(comparison))
    out = Path(args.out)
    comparison.rows.to_csv(out / "results.csv", index=False)
    comparison.summary.to_csv(out / "summary.csv", index=False)
    png = compare.plot_comparison(comparison, out / "queries.png")
    print(f"\nwrote {out / 'results.csv'}, {out / 'summary.csv'} and {png}")
    print(f"(rerunning resumes from {report.store_path}; a larger grid runs only new points)")
    return 1 if report.failed else (130 if report.interrupted else 0)


def register_cli(subparsers: Any) -> None:
    """Add ``compare`` to the ``qsearch`` command."""
    arguments = (
        arg("--sizes", type=comma_ints("--sizes", "16,64,256"), help="comma-separated N values"),
        arg("--marked", type=int, default=1, help="marked items M (default 1)"),
        arg(
            "--trials", type=int, help="random problems per size (default 100 ideal, 20 otherwise)"
        ),
        arg("--backend", default="ideal", help="backend name (default ideal)"),
        arg("--noise", help="device noise model for circuit backends, e.g. fake_torino"),
        arg(
            "--option",
            type=_parse_option,
            action="append",
            metavar="KEY=VALUE",
            help="backend option, repeatable (e.g. --option method=matrix_product_state)",
        ),
        arg("--algorithm", default="grover", help=f"one of {sorted(COMPARISON_NAMES)}"),
        arg("--seed", type=int, default=7, help="root seed (default 7)"),
        arg("--out", default="results/compare", help="output directory"),
        arg("--workers", type=int, help="local worker processes (default: the available cores)"),
    )
    add_command(
        subparsers,
        "compare",
        _run,
        arguments,
        help="quantum vs classical query complexity on random problems",
        description=DESCRIPTION,
    )
