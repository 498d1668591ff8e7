"""``qsearch compare``: quantum vs classical query complexity, as a resumable sweep preset.

The experiment is :mod:`qsearch.experiments.compare`; this module parses the flags, runs the
preset (:func:`qsearch.experiments.compare.compare_spec` through
:func:`qsearch.experiments.runner.sweep`), prints the report and writes the files.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from qsearch.cli._args import add_command, arg, comma_ints, print_json, table_records

#: ``qsearch compare --algorithm`` values (the keys of ``registry.COMPARISONS``; a test checks
#: they agree, so that building the parser does not import the algorithms).
COMPARISON_NAMES = ("count", "exponential", "fixed-point", "grover", "minimum")

DESCRIPTION = (
    "``qsearch compare`` draws, for each size N and trial t, one random problem with M marked "
    "items (the same instance for every algorithm of that trial), solves it with the quantum "
    "algorithm and its classical counterparts, and reports the whole bill (oracle queries, "
    "classical verifications, oracle build, total) with a 95% Student-t interval on the total, "
    "the success rate, the closed-form expectation where one exists, and the fitted log-log "
    "slope of the mean total vs N with a bootstrap CI (≈ 0.5 for Grover, ≈ 1.0 for classical "
    "sampling) beside the slopes of the query part, the oracle alone and the exact expectation."
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


def _check_output(out: Path) -> None:
    """Refuse, before any point runs, an output directory that cannot be written."""
    from qsearch._validation import check_writable_dir

    check_writable_dir(out, "'--out' directory", "qsearch compare")


def _check_inputs(args: argparse.Namespace, circuit: bool) -> tuple[list[int], int]:
    from qsearch.exceptions import ProblemError

    if args.sizes is None:
        from qsearch.experiments import compare

        sizes = list(compare.DEFAULT_SIZES_CIRCUIT if circuit else compare.DEFAULT_SIZES_IDEAL)
    elif len(set(args.sizes)) < 2:
        raise ProblemError(
            "The '--sizes' option of qsearch compare must list at least 2 distinct sizes (a "
            f"slope needs >= 2 sizes); got {args.sizes}."
        )
    else:
        sizes = args.sizes
    trials = (20 if circuit else 100) if args.trials is None else args.trials
    if trials < 2:
        raise ProblemError(
            "The '--trials' option of qsearch compare must be an int >= 2 (a confidence "
            f"interval needs 2 trials per size); got {trials}."
        )
    return sizes, trials


def _run(args: argparse.Namespace) -> int:
    from qsearch.exceptions import ProblemError
    from qsearch.experiments import compare
    from qsearch.experiments.analysis import load_table
    from qsearch.experiments.runner import sweep

    options = dict(args.option or [])
    threads = options.pop("threads", None)  # an execution setting, not part of a point
    sizes, trials = _check_inputs(args, circuit=args.backend != "ideal")
    formats = [f for f in args.format.split(",") if f]
    if not formats or any(f not in ("png", "svg", "pdf", "json") for f in formats):
        raise ProblemError(
            f"The '--format' option of qsearch compare must be png, svg, pdf, json or a comma "
            f"list of them; got {args.format!r}."
        )
    as_json = "json" in formats
    formats = [f for f in formats if f != "json"] or ["png"]
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
    # Build the backend once, and try the output directory, before any point runs.
    setting = compare.check_backend(args.backend, noise=args.noise, options=options)
    out = Path(args.out)
    _check_output(out)
    report = sweep(spec, workers=args.workers, progress=False if as_json else None, threads=threads)
    header = (
        f"qsearch compare: algorithm={args.algorithm} {setting} M={args.marked} "
        f"trials={trials} seed={args.seed} ({report.summary()})"
    )
    for line in compare.failure_lines(load_table(spec, include_errors=True)):
        print(line, file=sys.stderr)
    comparison = compare.comparison_from_sweep(spec, seed=args.seed, setting=setting)
    comparison.rows.to_csv(out / "results.csv", index=False)
    comparison.summary.to_csv(out / "summary.csv", index=False)
    figures = [compare.plot_comparison(comparison, out / f"queries.{fmt}") for fmt in formats]
    files = [out / "results.csv", out / "summary.csv", *figures]
    if as_json:
        print_json(
            {
                "header": header,
                "setting": setting,
                "summary": table_records(comparison.summary),
                "slopes": table_records(comparison.slopes),
                "files": files,
                "store": report.store_path,
            }
        )
    else:
        print(header)
        print(compare.format_report(comparison))
        names = ", ".join(str(f) for f in figures)
        print(f"\nwrote {out / 'results.csv'}, {out / 'summary.csv'} and {names}")
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
        arg(
            "--format",
            default="png",
            help="figure format png, svg or pdf, and json to print JSON instead of the table; a "
            "comma list, e.g. png,pdf or json (default png)",
        ),
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
