"""The runtime adapter: connection, instances, the sampler and its options, statuses, errors."""

from __future__ import annotations

import traceback

import pytest

pytest.importorskip("qiskit_ibm_runtime")

from qsearch.backends.ibm import runtime
from qsearch.backends.ibm.backend import IBMBackend
from qsearch.backends.ibm.runtime import (
    check_instance,
    connect_service,
    job_message,
    normalize_status,
    safe_error_text,
    sampler_class,
    sampler_options,
)
from qsearch.exceptions import BackendError, ProblemError

FAKE_TOKEN = "qsearchFAKEtoken0123456789abcdefghijklmnopqrstuvwxyzABCDEF"


def test_sampler_is_the_executor_sampler_of_runtime_0_50_plus() -> None:
    from qiskit_ibm_runtime.executor_sampler import Sampler

    assert sampler_class() is Sampler


@pytest.mark.parametrize(
    "instance",
    ["hub/group/project", "crn:v1:bluemix", " padded", "two words", "", 42],
)
def test_malformed_instances(instance: object) -> None:
    with pytest.raises(ProblemError, match="'instance' argument"):
        check_instance(instance)


def test_well_formed_instances_pass() -> None:
    crn = "crn:v1:bluemix:public:quantum-computing:us-east:a/abc123:def-456::"
    assert check_instance(crn) == crn
    assert check_instance("my-instance") == "my-instance"
    assert check_instance(None) is None


def test_absent_credentials_say_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("QISKIT_IBM_TOKEN", "QISKIT_IBM_INSTANCE", "QISKIT_IBM_CHANNEL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(BackendError, match="no saved account named 'qsearch-no-such-account'"):
        connect_service(account="qsearch-no-such-account")
    with pytest.raises(ProblemError, match="'channel' argument"):
        connect_service(channel="ibm_quantum")


class _LeakyError(Exception):
    """An error whose message echoes the request, token included (as HTTP errors may)."""


def test_a_failing_connection_never_shows_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QISKIT_IBM_TOKEN", FAKE_TOKEN)

    class RefusingService:
        def __init__(self, **kwargs: object) -> None:
            import os

            raise _LeakyError(f"401 Unauthorized: apikey={os.environ['QISKIT_IBM_TOKEN']}")

    monkeypatch.setattr(runtime, "_service_class", lambda: RefusingService)
    with pytest.raises(BackendError) as info:
        IBMBackend("ibm_torino", instance="my-instance")
    error = info.value
    with pytest.raises(BackendError) as direct:
        connect_service(instance="my-instance")
    assert str(direct.value) == str(error)  # the backend connects through the adapter
    assert "invalid token or unreachable service" in str(error)
    assert "Next step" in str(error)
    shown = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    for text in (str(error), repr(error), shown):
        assert FAKE_TOKEN not in text


def test_status_normalisation() -> None:
    from qiskit.providers import JobStatus

    assert normalize_status(JobStatus.DONE) == "DONE"
    assert normalize_status(JobStatus.ERROR) == "ERROR"
    assert normalize_status("done") == "DONE"
    assert normalize_status("JobStatus.QUEUED") == "QUEUED"
    assert normalize_status("COMPLETED") == "DONE"
    assert normalize_status("Cancelled") == "CANCELLED"


def test_sampler_options_are_validated_by_the_runtime_model() -> None:
    options = sampler_options({}, twirling=True, dynamical_decoupling="XY4", shots=300, tags=["t"])
    assert options.twirling.enable_gates and options.twirling.enable_measure
    assert options.twirling.num_randomizations * options.twirling.shots_per_randomization == 300
    assert options.dynamical_decoupling.sequence_type == "XY4"
    assert list(options.environment.job_tags) == ["t"]
    with pytest.raises(ProblemError, match="invalid sampler option"):
        sampler_options({"no_such_option": 1})
    assert runtime.sampler_name() == f"{sampler_class().__module__}.{sampler_class().__name__}"


def test_error_text_shown_to_users_has_no_token() -> None:
    error = RuntimeError(f"403 Forbidden for apikey={FAKE_TOKEN} at /jobs")
    text = safe_error_text(error)
    assert FAKE_TOKEN not in text and "<redacted>" in text and text.startswith("403 Forbidden")
    assert len(safe_error_text(RuntimeError("x" * 1000))) <= 300


def test_job_messages_are_best_effort() -> None:
    class Job:
        def __init__(self, message: object) -> None:
            self.message = message

        def error_message(self) -> object:
            if isinstance(self.message, Exception):
                raise self.message
            return self.message

    assert job_message(Job("Error code 1305"), "ERROR") == "Error code 1305"
    assert job_message(Job(None), "CANCELLED") == "cancelled on the service"
    assert job_message(Job(None), "ERROR") == "no message"
    assert "ValueError" in job_message(Job(ValueError("boom")), "ERROR")
    assert job_message(object(), "ERROR") == "no message"


def test_timeouts_are_recognised() -> None:
    from qiskit.providers import JobTimeoutError
    from qiskit_ibm_runtime.exceptions import RuntimeJobTimeoutError

    assert runtime.is_timeout(RuntimeJobTimeoutError("late"))
    assert runtime.is_timeout(JobTimeoutError("late")) and runtime.is_timeout(TimeoutError())
    assert not runtime.is_timeout(RuntimeError("broken"))
