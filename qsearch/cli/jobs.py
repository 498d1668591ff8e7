"""``qsearch submit``, ``qsearch jobs list|status`` and ``qsearch collect``: the IBM job store.

Submit a Grover program to an IBM device (or a ``fake_*`` snapshot, offline), walk away, and
collect the counts later; the guarantees (run record before submission, job id right after,
atomic and idempotent collection) are those of :mod:`qsearch.backends.ibm.jobs`. Credentials come
only from a saved account or the ``QISKIT_IBM_*`` variables: there is no token flag, and nothing
printed here contains one. qiskit and qiskit-ibm-runtime load inside the command functions, so
``qsearch --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from qsearch.cli._args import comma_ints, print_json

if TYPE_CHECKING:
    from qsearch.backends.ibm.jobs import RunRecord


def _connect(args: argparse.Namespace) -> Any:
    from qsearch.backends.ibm import runtime

    return runtime.connect_service(
        getattr(args, "account", None),
        getattr(args, "instance", None),
        getattr(args, "channel", None),
    )


def confirm(prompt: str, *, assume_yes: bool, action: str = "submit to real hardware") -> None:
    """Ask on the terminal; refuse clearly when nobody can answer.

    Raises:
        ProblemError: stdin is not interactive (and ``assume_yes`` is False), or the answer
            was not yes.
    """
    from qsearch.exceptions import ProblemError

    if assume_yes:
        return
    if sys.stdin is None or not sys.stdin.isatty():
        raise ProblemError(
            f"Refusing to {action} without confirmation: stdin is not a terminal. "
            "Pass --yes to confirm non-interactively."
        )
    answer = input(f"{prompt} [y/N] ").strip().lower()
    if answer not in ("y", "yes"):
        raise ProblemError(f"Did not {action}: the answer was not 'yes'.")


def _cmd_submit(args: argparse.Namespace) -> int:
    from qsearch.backends.base import get_backend
    from qsearch.backends.ibm.devices import is_fake_device
    from qsearch.backends.ibm.jobs import JobStore, submit_run
    from qsearch.backends.resources import screen_size
    from qsearch.problem import SearchProblem, SearchProgram
    from qsearch.schedules import optimal_iterations

    problem = SearchProblem(args.num_items, args.marked)
    ks = args.iterations
    if ks is None:
        ks = [optimal_iterations(problem.num_items, problem.num_marked)]
    programs = [SearchProgram(problem, k) for k in ks]
    local = is_fake_device(args.device)
    backend: Any = get_backend(  # BackendUnavailableError names the extra when missing
        "ibm",
        device=args.device,
        account=args.account,
        instance=args.instance,
        channel=args.channel,
        mode=args.mode,
        optimization_level=args.optimization_level,
        seed_transpiler=args.seed_transpiler,
        decomposition=args.decomposition,
        twirling=args.twirling,
        dynamical_decoupling=args.dd or False,
        max_execution_time=args.max_execution_time,
        service=None if local else _connect(args),
    )
    shots = backend.check_shots(args.shots)
    screen_size(  # refuse before building: qubits, noise-dominated success, gate budget
        programs,
        backend.device,
        shots=shots,
        max_two_qubit_gates=args.max_two_qubit_gates or None,
        allow_noise_dominated=args.allow_noise_dominated,
    )
    if local and args.mode != "job":
        print(
            f"qsearch: warning: --mode {args.mode} has no effect on the offline snapshot "
            f"{args.device!r} (local mode runs each job synchronously in this process).",
            file=sys.stderr,
        )
    circuits = [backend.isa_circuit(p) for p in programs]
    if args.dry_run:
        return _dry_run(backend, programs, circuits, shots)
    if not local:
        seconds = backend.estimate_qpu_seconds(circuits, shots)
        print(
            f"About to submit to {args.device} (real hardware): {len(circuits)} circuit(s) × "
            f"{shots} shots, estimated QPU time {seconds:.1f} s"
            + (f" (cap: {args.max_execution_time} s)" if args.max_execution_time else "")
            + "."
        )
        confirm("Submit?", assume_yes=args.yes)
    store = JobStore(args.store)
    try:
        run_id = submit_run(store, backend, programs, shots=shots, seed=args.seed)
    finally:
        backend.close()  # a batch/session accepts no more jobs; submitted ones still run
    record = store.get(run_id)
    print(f"run {run_id}: {record.status} on {record.device} (job {record.job_ids[-1]})")
    if record.counts is not None:
        _print_counts(record)
    else:
        print(f"collect later with: qsearch collect {run_id}")
    return 0


def _dry_run(backend: Any, programs: list[Any], circuits: list[Any], shots: int) -> int:
    """Print what ``submit`` would send (the installed runtime's sampler has no dry run, so the
    numbers come from the ISA circuits and the device's timings); submit nothing."""
    from qsearch.backends.ibm.devices import active_qubits
    from qsearch.translate.lowering import two_qubit_count

    print(f"dry run on {backend.device_name}: nothing submitted, nothing stored")
    for program, circuit in zip(programs, circuits, strict=True):
        print(
            f"  k={program.iterations}: {backend.decomposition_of(program)}, depth "
            f"{circuit.depth()}, {two_qubit_count(circuit)} two-qubit gates, "
            f"{len(active_qubits([circuit]))} physical qubits"
        )
    seconds = backend.estimate_qpu_seconds(circuits, shots)
    print(f"{len(circuits)} circuit(s) × {shots} shots; estimated QPU time {seconds:.1f} s")
    return 0


def _print_counts(record: RunRecord) -> None:
    for program, counts in zip(record.programs, record.counts or [], strict=False):
        shots = sum(counts.values())
        hits = sum(c for item, c in counts.items() if program.problem.is_marked(item))
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
        print(
            f"  k={program.iterations}: success {hits}/{shots} = {hits / shots:.3f}; "
            f"top items {top}"
        )


def _cmd_list(args: argparse.Namespace) -> int:
    from qsearch.backends.ibm.jobs import JobStore

    store = JobStore(args.store)
    runs = store.runs()
    if args.format == "json":
        print_json([_summary(run) for run in runs])
        return 1 if any(run.corrupt for run in runs) else 0
    if not runs:
        print(f"no runs in {store.path}")
        return 0
    print(f"{'run':<12}  {'created':<25}  {'device':<16}  {'status':<10}  jobs")
    corrupt = 0
    for run in runs:
        status = "CORRUPT" if run.corrupt else run.status
        corrupt += bool(run.corrupt)
        jobs = ",".join(run.job_ids) or "-"
        note = f"  ({run.corrupt})" if run.corrupt else ""
        print(f"{run.run_id:<12}  {run.created:<25}  {run.device:<16}  {status:<10}  {jobs}{note}")
    if corrupt:
        print(
            f"qsearch: {corrupt} corrupt run(s) in {store.path}; kept as is for inspection.",
            file=sys.stderr,
        )
        return 1
    return 0


def _summary(record: RunRecord) -> dict[str, Any]:
    """A run as JSON (``--format json``): status, jobs, shots, seed, counts when collected."""
    return {
        "run_id": record.run_id,
        "created": record.created,
        "device": record.device,
        "local": record.local,
        "status": "CORRUPT" if record.corrupt else record.status,
        "message": record.corrupt or record.message,
        "job_ids": list(record.job_ids),
        "shots": record.shots,
        "seed": record.seed,
        "counts": record.counts,
    }


def _describe(record: RunRecord) -> None:
    print(f"run {record.run_id} on {record.device}: {record.status}")
    if record.message:
        print(f"  message: {record.message}")
    print(f"  jobs: {', '.join(record.job_ids) or 'none recorded'}")
    print(f"  shots: {record.shots}; seed: {record.seed}")


def _cmd_status(args: argparse.Namespace) -> int:
    from qsearch.backends.ibm.jobs import JobStore, refresh_run

    store = JobStore(args.store)
    record = store.get(args.run)
    if not record.local and record.counts is None:
        record = refresh_run(store, record.run_id, service=_connect(args))
    if args.format == "json":
        print_json(_summary(record))
    else:
        _describe(record)
    return 0


def _cmd_collect(args: argparse.Namespace) -> int:
    from qsearch.backends.ibm.jobs import JobStore, collect_run

    store = JobStore(args.store)
    record = store.get(args.run)
    if record.counts is None:
        if args.resubmit_failed and not record.local:
            confirm(
                f"Resubmit run {record.run_id} to {record.device} if it failed?",
                assume_yes=args.yes,
            )
        service = None if record.local else _connect(args)
        record = collect_run(
            store,
            record.run_id,
            service=service,
            wait=args.wait,
            resubmit_failed=args.resubmit_failed,
            backend_factory=lambda stored: _backend_from_record(stored, service),
        )
    _describe(record)
    if record.counts is not None:
        _print_counts(record)
        return 0
    if record.status in ("ERROR", "CANCELLED", "ABANDONED"):
        if "--resubmit-failed" not in (record.message or ""):
            print(f"  next: qsearch collect {record.run_id} --resubmit-failed")
        return 1
    print(
        f"  not finished; collect later with: qsearch collect {record.run_id} --wait SECONDS"
        + ("" if record.job_ids else " (or --resubmit-failed to submit it again)")
    )
    return 3


def _cmd_cancel(args: argparse.Namespace) -> int:
    from qsearch.backends.ibm.jobs import JobStore, cancel_run

    store = JobStore(args.store)
    record = store.get(args.run)
    if record.counts is None and record.status not in ("ERROR", "CANCELLED"):
        confirm(
            f"Cancel run {record.run_id} on {record.device}?",
            assume_yes=args.yes,
            action=f"cancel run {record.run_id}",
        )
    service = None if record.local else _connect(args)
    record = cancel_run(store, record.run_id, service=service)
    if args.format == "json":
        print_json(_summary(record))
    else:
        _describe(record)
    return 0


def _backend_from_record(record: RunRecord, service: Any) -> Any:
    from qsearch.backends.ibm.backend import IBMBackend

    return IBMBackend.from_record(record, service)


def _add_service_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--account", help="name of a saved qiskit-ibm-runtime account")
    parser.add_argument("--instance", help="instance CRN or name (overrides the account's)")
    parser.add_argument("--channel", choices=["ibm_quantum_platform", "ibm_cloud"])
    parser.add_argument(
        "--store", help="job store file (default: $QSEARCH_HOME/jobs.sqlite, ~/.qsearch)"
    )


def _add_submit(subparsers: Any) -> None:
    """The ``submit`` parser (its many flags are the runtime's options, one line each)."""
    submit = subparsers.add_parser(
        "submit",
        help="run a Grover program on an IBM device (or a fake_* snapshot) via the job store",
        description="Record the run, submit it, and store the job id (credentials come only "
        "from a saved account or QISKIT_IBM_* variables; there is no token flag).",
    )
    submit.add_argument("--device", required=True, help="e.g. ibm_torino or fake_torino")
    submit.add_argument("--num-items", type=int, required=True)
    submit.add_argument("--marked", type=comma_ints("--marked", "3,5"), required=True)
    submit.add_argument(
        "--iterations",
        type=comma_ints("--iterations", "0,1,2"),
        help="k values, e.g. 0,1,2 (default: the ideal optimum)",
    )
    submit.add_argument("--shots", type=int, default=1000)
    submit.add_argument("--seed", type=int, default=None)
    submit.add_argument("--mode", choices=["job", "batch", "session"], default="job")
    submit.add_argument("--optimization-level", type=int, default=2)
    submit.add_argument("--seed-transpiler", type=int, default=1234)
    submit.add_argument(
        "--decomposition",
        default="auto",
        choices=["auto", "mcphase", "mcx", "mcx-1-ancilla", "mcx-ancillas"],
        help="lowering of multi-controlled phases (auto: the shallowest ISA circuit)",
    )
    submit.add_argument("--twirling", action="store_true", help="Pauli twirling")
    submit.add_argument(
        "--dd", nargs="?", const="XX", choices=["XX", "XpXm", "XY4"], help="dynamical decoupling"
    )
    submit.add_argument("--max-execution-time", type=int, help="QPU-time cap in seconds")
    submit.add_argument(
        "--max-two-qubit-gates",
        type=int,
        default=20_000,
        help="refuse programs needing more two-qubit gates than this (a lower bound per "
        "circuit, checked before building anything; 0: no budget; default 20000)",
    )
    submit.add_argument(
        "--allow-noise-dominated",
        action="store_true",
        help="submit even when the estimated success is indistinguishable from noise",
    )
    submit.add_argument(
        "--dry-run",
        action="store_true",
        help="print the circuits, shots and estimated QPU time; submit and store nothing",
    )
    submit.add_argument("--yes", action="store_true", help="skip the confirmation prompt")
    _add_service_arguments(submit)
    submit.set_defaults(func=_cmd_submit)


def register_cli(subparsers: Any) -> None:
    """Add ``submit``, ``jobs list|status|cancel`` and ``collect`` to the ``qsearch`` command."""
    _add_submit(subparsers)

    jobs = subparsers.add_parser("jobs", help="list runs or show one run's status")
    jobs_sub = jobs.add_subparsers(dest="jobs_command", metavar="{list,status,cancel}")
    listing = jobs_sub.add_parser("list", help="every run in the job store")
    listing.add_argument("--store", help="job store file")
    listing.add_argument("--format", choices=["table", "json"], default="table")
    listing.set_defaults(func=_cmd_list)
    for name, func, help_text in (
        ("status", _cmd_status, "one run's status (asks the service)"),
        ("cancel", _cmd_cancel, "cancel a run's job (asks first; --yes skips)"),
    ):
        action = jobs_sub.add_parser(name, help=help_text)
        action.add_argument("run", help="run id (or a unique prefix)")
        action.add_argument("--format", choices=["text", "json"], default="text")
        if name == "cancel":
            action.add_argument("--yes", action="store_true", help="skip the confirmation prompt")
        _add_service_arguments(action)
        action.set_defaults(func=func)
    jobs.set_defaults(func=lambda args: (jobs.print_help(), 2)[1])

    collect = subparsers.add_parser(
        "collect", help="fetch a run's results into the job store (idempotent)"
    )
    collect.add_argument("run", help="run id (or a unique prefix)")
    collect.add_argument(
        "--wait", type=float, default=0.0, help="seconds to wait for an unfinished job"
    )
    collect.add_argument(
        "--resubmit-failed",
        action="store_true",
        help="resubmit the stored circuits of a failed, cancelled or never-submitted run",
    )
    collect.add_argument("--yes", action="store_true", help="skip the confirmation prompt")
    _add_service_arguments(collect)
    collect.set_defaults(func=_cmd_collect)
