"""ibm_credentials_source: finds the runtime's credential sources, never leaks a token."""

from __future__ import annotations

from pathlib import Path

import pytest

from qsearch.backends.ibm.credentials import TOKEN_VARIABLE, ibm_credentials_source
from qsearch.exceptions import ProblemError

pytest.importorskip("qiskit_ibm_runtime")

FAKE_TOKEN = "t0k3n" * 9
INSTANCE = "crn:v1:bluemix:public:quantum-computing:us-east:a/abc123:def456::"


def _save(path: Path, name: str, *, default: bool = False) -> None:
    from qiskit_ibm_runtime import QiskitRuntimeService

    QiskitRuntimeService.save_account(
        token=FAKE_TOKEN,
        channel="ibm_quantum_platform",
        instance=INSTANCE,
        filename=str(path),
        name=name,
        set_as_default=default,
    )


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TOKEN_VARIABLE, raising=False)


def test_nothing_found_without_env_or_file(no_env: None, tmp_path: Path) -> None:
    assert ibm_credentials_source(filename=tmp_path / "missing.json") is None


def test_environment_token_is_reported_by_name_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(TOKEN_VARIABLE, FAKE_TOKEN)
    source = ibm_credentials_source(filename=tmp_path / "missing.json")
    assert source == f"environment variable {TOKEN_VARIABLE}"
    assert FAKE_TOKEN not in source


def test_blank_environment_token_is_no_credential(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(TOKEN_VARIABLE, "  ")
    assert ibm_credentials_source(filename=tmp_path / "missing.json") is None


def test_saved_account_is_found(no_env: None, tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    _save(path, "course")
    source = ibm_credentials_source(filename=path)
    assert source == "saved account 'course'"
    assert FAKE_TOKEN not in source


def test_several_saved_accounts_are_listed(no_env: None, tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    _save(path, "z-second")
    _save(path, "a-first", default=True)
    assert ibm_credentials_source(filename=path) == "saved accounts 'a-first', 'z-second'"


def test_named_account_is_looked_up_on_disk_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "accounts.json"
    _save(path, "course")
    monkeypatch.setenv(TOKEN_VARIABLE, FAKE_TOKEN)
    assert ibm_credentials_source("course", filename=path) == "saved account 'course'"
    assert ibm_credentials_source("other", filename=path) is None


def test_unreadable_accounts_file_is_no_credential(no_env: None, tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    path.write_text("{not json", encoding="utf-8")
    assert ibm_credentials_source(filename=path) is None


@pytest.mark.parametrize("bad", ["", "   ", 3])
def test_bad_account_argument(bad: object) -> None:
    with pytest.raises(ProblemError, match="'account' argument of ibm_credentials_source"):
        ibm_credentials_source(bad)  # type: ignore[arg-type]
