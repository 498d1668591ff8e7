"""The runtime adapter: everything qsearch asks of qiskit-ibm-runtime's API, in one place.

Connection (:func:`connect_service`, :func:`check_instance`), the sampler and its options model
(:func:`sampler_class`, :func:`sampler_options`, :func:`run_sampler`), job statuses and results
(:func:`normalize_status`, :data:`FINAL_STATUSES`, :func:`counts_from_result`,
:func:`job_message`, :func:`is_timeout`) and error text that is safe to show
(:func:`safe_error_text`). The ``ibm`` backend (:mod:`qsearch.backends.ibm.backend`) and the job
store (:mod:`qsearch.backends.ibm.jobs`) both build on it; it imports neither.

Sampler: qiskit-ibm-runtime 0.50 deprecated ``SamplerV2`` in favour of
``qiskit_ibm_runtime.executor_sampler.Sampler``; :func:`sampler_class` returns the new one where
it exists and ``SamplerV2`` otherwise, and deprecation warnings raised inside our calls are
silenced by :func:`quiet_runtime` (they concern the runtime's internals, not the user's code).

Credentials: only qiskit-ibm-runtime's mechanisms: a saved account (``account=`` is its *name*),
or the ``QISKIT_IBM_TOKEN`` / ``QISKIT_IBM_INSTANCE`` / ``QISKIT_IBM_CHANNEL`` environment
variables, which the runtime reads itself. qsearch never accepts, stores, logs or prints a token:
connection errors carry the exception type and the next step, never the underlying message.

qiskit-ibm-runtime is imported inside the functions, so the job store opens without it.
"""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from qsearch._validation import check_int
from qsearch.exceptions import BackendError, ProblemError
from qsearch.results import Counts

CHANNELS = ("ibm_quantum_platform", "ibm_cloud")
DD_SEQUENCES = ("XX", "XpXm", "XY4")
#: Status strings after which a job never changes.
FINAL_STATUSES = ("DONE", "ERROR", "CANCELLED")
#: What to do when the service cannot be reached (no token or service detail in it).
CONNECTION_HINT = (
    "invalid token or unreachable service. Next step: check the saved account "
    "(QiskitRuntimeService.saved_accounts()) or the QISKIT_IBM_TOKEN / QISKIT_IBM_INSTANCE / "
    "QISKIT_IBM_CHANNEL environment variables, check that the IBM Quantum service is reachable "
    "from this machine, then retry."
)
_CRN = re.compile(r"^crn:v1:[^:\s]*:[^:\s]*:[^:\s]*:[^:\s]*:[^:\s]*:[^:\s]+::?$")


@contextlib.contextmanager
def quiet_runtime() -> Iterator[None]:
    """Silence the runtime's deprecation and future warnings inside our own calls."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        yield


def safe_error_text(exc: BaseException) -> str:
    """An exception message with anything token-like removed (long opaque strings)."""
    text = str(exc)[:300]
    return re.sub(r"[A-Za-z0-9_\-]{32,}", "<redacted>", text)


# -- connection ----------------------------------------------------------------------------


def check_instance(instance: Any, owner: str = "IBMBackend") -> str | None:
    """Validate an instance: a CRN (``crn:v1:...``) or an instance name; None passes."""
    if instance is None:
        return None
    if not isinstance(instance, str) or not instance.strip() or instance != instance.strip():
        raise ProblemError(
            f"The 'instance' argument of {owner} must be an instance CRN or name without "
            f"surrounding spaces; got {instance!r}."
        )
    if instance.startswith("crn:"):
        if not _CRN.match(instance):
            raise ProblemError(
                f"The 'instance' argument of {owner} is a malformed CRN; expected "
                "'crn:v1:bluemix:public:quantum-computing:<region>:a/<account>:<id>::'; got "
                f"{instance!r}."
            )
        return instance
    if "/" in instance:
        raise ProblemError(
            f"The 'instance' argument of {owner} looks like a hub/group/project of the retired "
            "IBM Quantum channel; use the instance CRN or name from the IBM Quantum Platform "
            f"dashboard; got {instance!r}."
        )
    if re.search(r"\s", instance):
        raise ProblemError(
            f"The 'instance' argument of {owner} must not contain whitespace; got {instance!r}."
        )
    return instance


def connect_service(
    account: str | None = None, instance: str | None = None, channel: str | None = None
) -> Any:
    """A ``QiskitRuntimeService`` from a saved account name or the QISKIT_IBM_* variables.

    Raises:
        ProblemError: malformed ``instance`` or ``channel``.
        BackendError: no credentials, or the connection failed (invalid token or unreachable
            service); the message says what to do next and never contains a token.
    """
    if account is not None and (not isinstance(account, str) or not account):
        raise ProblemError(
            "The 'account' argument must be the name of a saved IBM Quantum account; "
            f"got {account!r}."
        )
    instance = check_instance(instance, "connect_service")
    if channel is not None and channel not in CHANNELS:
        raise ProblemError(
            f"The 'channel' argument of connect_service must be one of {list(CHANNELS)}; "
            f"got {channel!r}."
        )
    from qiskit_ibm_runtime.accounts import AccountNotFoundError

    kwargs: dict[str, Any] = {}
    if account is not None:
        kwargs["name"] = account
    if instance is not None:
        kwargs["instance"] = instance
    if channel is not None:
        kwargs["channel"] = channel
    try:
        with quiet_runtime():
            return _service_class()(**kwargs)
    except AccountNotFoundError:
        where = f"no saved account named {account!r}" if account else "no credentials found"
        raise BackendError(
            f"Could not connect to IBM Quantum: {where}. Next step: save an account once with "
            "QiskitRuntimeService.save_account(...) (then pass its name as account=), or set "
            "QISKIT_IBM_TOKEN and QISKIT_IBM_INSTANCE. qsearch never takes a token argument."
        ) from None
    except Exception as exc:  # the message may echo request details; report the type only
        raise BackendError(
            f"Could not connect to IBM Quantum ({type(exc).__name__}): {CONNECTION_HINT}"
        ) from None


def _service_class() -> type:
    from qiskit_ibm_runtime import QiskitRuntimeService

    return QiskitRuntimeService


# -- the sampler and its options -----------------------------------------------------------


def sampler_class() -> type:
    """The runtime sampler: ``executor_sampler.Sampler`` (0.50+) or ``SamplerV2`` before it."""
    try:
        from qiskit_ibm_runtime.executor_sampler import Sampler
    except ImportError:
        with quiet_runtime():
            from qiskit_ibm_runtime import SamplerV2 as Sampler
    return Sampler


def sampler_name() -> str:
    """The sampler's dotted name, as recorded with every run."""
    sampler = sampler_class()
    return f"{sampler.__module__}.{sampler.__name__}"


def options_model(sampler: type) -> type:
    """The options class the sampler validates against (new executor model or legacy one)."""
    try:
        from qiskit_ibm_runtime.executor_sampler import Sampler as ExecutorSampler
        from qiskit_ibm_runtime.options_models.sampler import SamplerOptions
    except ImportError:  # pragma: no cover - runtime < 0.50
        ExecutorSampler = None
    if ExecutorSampler is not None and issubclass(sampler, ExecutorSampler):
        return SamplerOptions
    from qiskit_ibm_runtime.options import SamplerOptions as LegacyOptions  # pragma: no cover

    return LegacyOptions  # pragma: no cover


def check_sampler_settings(
    twirling: Any,
    dynamical_decoupling: Any,
    max_execution_time: Any,
    options: Any,
    owner: str,
) -> tuple[str | bool, int | None]:
    """Validate the sampler settings of ``owner``; returns (DD sequence or False, time cap).

    ``dynamical_decoupling=True`` means ``"XX"``. The ``options`` dict itself is validated by
    the runtime's model in :func:`sampler_options`.
    """
    if not isinstance(twirling, bool):
        raise ProblemError(f"The 'twirling' argument of {owner} must be a bool; got {twirling!r}.")
    if dynamical_decoupling is True:
        dynamical_decoupling = "XX"
    if dynamical_decoupling is not False and dynamical_decoupling not in DD_SEQUENCES:
        raise ProblemError(
            f"The 'dynamical_decoupling' argument of {owner} must be False, True or one of "
            f"{list(DD_SEQUENCES)}; got {dynamical_decoupling!r}."
        )
    if max_execution_time is not None:
        max_execution_time = check_int(max_execution_time, "max_execution_time", owner, minimum=1)
    if options is not None and not isinstance(options, Mapping):
        raise ProblemError(
            f"The 'options' argument of {owner} must be a dict of sampler options; "
            f"got {type(options).__name__}."
        )
    return dynamical_decoupling, max_execution_time


def sampler_options(
    extra: Mapping[str, Any],
    *,
    twirling: bool = False,
    dynamical_decoupling: str | bool = False,
    max_execution_time: int | None = None,
    tags: Sequence[str] = (),
    seed_simulator: int | None = None,
    shots: int | None = None,
) -> Any:
    """The sampler's options object, validated by the runtime's own model.

    Args:
        extra: further options as a nested dict (``IBMBackend(options=...)``).
        twirling: Pauli twirling of gates and measurements; with ``shots`` and no twirling
            options in ``extra``, randomizations × shots each is exactly ``shots``.
        dynamical_decoupling: False or a sequence name in :data:`DD_SEQUENCES`.
        max_execution_time: QPU-time cap in seconds per job.
        tags: job tags.
        seed_simulator: simulator seed (local mode).
        shots: shots per circuit (used to split twirled shots).

    Raises:
        ProblemError: ``extra`` holds an option the model rejects.
    """
    try:
        with quiet_runtime():
            options = options_model(sampler_class())(**extra)
            if twirling:
                options.twirling.enable_gates = True
                options.twirling.enable_measure = True
                if shots is not None and "twirling" not in extra:
                    rounds = max(r for r in range(1, 33) if shots % r == 0)
                    options.twirling.num_randomizations = rounds
                    options.twirling.shots_per_randomization = shots // rounds
            if dynamical_decoupling:
                options.dynamical_decoupling.enable = True
                options.dynamical_decoupling.sequence_type = dynamical_decoupling
            if max_execution_time is not None:
                options.max_execution_time = max_execution_time
            if tags:
                options.environment.job_tags = list(tags)
            if seed_simulator is not None:
                options.simulator.seed_simulator = seed_simulator
    except (TypeError, ValueError, AttributeError) as exc:
        raise ProblemError(
            f"The 'options' argument of IBMBackend holds an invalid sampler option: {exc}"
        ) from None
    return options


def run_sampler(mode: Any, circuits: Sequence[Any], *, shots: int, options: Any) -> Any:
    """Submit ISA ``circuits`` to the sampler in ``mode``; returns the runtime job.

    Raises:
        BackendError: the sampler rejected the job (the message is token-free).
    """
    try:
        with quiet_runtime():
            sampler = sampler_class()(mode=mode, options=options)
            return sampler.run(list(circuits), shots=shots)
    except (ProblemError, BackendError):
        raise
    except Exception as exc:
        raise BackendError(
            f"The IBM sampler rejected the job ({type(exc).__name__}: {safe_error_text(exc)})."
        ) from None


# -- jobs ------------------------------------------------------------------------------------


def normalize_status(status: Any) -> str:
    """Job status as an upper-case string: cloud jobs report str, local ones a JobStatus enum."""
    name = getattr(status, "name", status)
    text = str(name).strip().upper()
    if "." in text:  # "JobStatus.DONE"
        text = text.rsplit(".", 1)[-1]
    return {"COMPLETED": "DONE", "FAILED": "ERROR", "CANCELED": "CANCELLED"}.get(text, text)


def counts_from_result(result: Any, num_circuits: int) -> list[Counts]:
    """Counts keyed by item index from a sampler ``PrimitiveResult`` (one entry per circuit)."""
    from qsearch.translate.qiskit import counts_by_index

    return [
        counts_by_index(result[index].join_data().get_counts()) for index in range(num_circuits)
    ]


def job_message(job: Any, status: str) -> str:
    """The service's message for a failed or cancelled job (best effort, never raises)."""
    message = None
    getter = getattr(job, "error_message", None)
    if callable(getter):
        try:
            message = getter()
        except Exception as exc:  # the message is best effort; the status is what counts
            message = f"(could not read the service's message: {type(exc).__name__})"
    if not message:
        message = "cancelled on the service" if status == "CANCELLED" else "no message"
    return str(message)


def is_timeout(exc: BaseException) -> bool:
    """True when ``exc`` is the runtime's (or qiskit's) wait-for-result timeout."""
    from qiskit.providers import JobTimeoutError

    return isinstance(exc, (JobTimeoutError, TimeoutError))
