"""Whether IBM Quantum credentials are present, without reading a token out or connecting.

qiskit-ibm-runtime finds credentials in two places: the ``QISKIT_IBM_TOKEN`` environment
variable (with ``QISKIT_IBM_INSTANCE`` / ``QISKIT_IBM_CHANNEL``) and the accounts saved with
``QiskitRuntimeService.save_account`` (``~/.qiskit/qiskit-ibm.json``). A named account is looked
up on disk only; otherwise the environment comes first (the runtime's own precedence, see
``qiskit_ibm_runtime.accounts.AccountManager.get``). :func:`ibm_credentials_source` reports which
source applies so that a script or a notebook can decide whether to contact IBM at all, and fall
back to an offline device snapshot otherwise. It never connects, and never returns, logs or prints
a token: only the name of the source.
"""

from __future__ import annotations

import os

from qsearch.exceptions import ProblemError

#: The environment variable qiskit-ibm-runtime reads the token from.
TOKEN_VARIABLE = "QISKIT_IBM_TOKEN"


def ibm_credentials_source(
    account: str | None = None, *, filename: str | os.PathLike[str] | None = None
) -> str | None:
    """Where qiskit-ibm-runtime would find IBM Quantum credentials, or None if nowhere.

    Args:
        account: the name of a saved account to look for; None accepts any source.
        filename: the saved-accounts file (default: the runtime's own,
            ``~/.qiskit/qiskit-ibm.json``).

    Returns:
        ``"environment variable QISKIT_IBM_TOKEN"``, ``"saved account '<name>'"`` (or
        ``"saved accounts 'a', 'b'"``: which one the runtime picks is its own precedence), or
        None when no credentials are found, qiskit-ibm-runtime is not installed, or the accounts
        file cannot be read (the runtime could not use it either).

    Raises:
        ProblemError: ``account`` is not a non-empty string.

    Example:
        >>> source = ibm_credentials_source()
        >>> source is None or isinstance(source, str)
        True
    """
    if account is not None and (not isinstance(account, str) or not account.strip()):
        raise ProblemError(
            "The 'account' argument of ibm_credentials_source must be the name of a saved IBM "
            f"Quantum account (a non-empty string) or None; got {account!r}."
        )
    if account is None and os.environ.get(TOKEN_VARIABLE, "").strip():
        return f"environment variable {TOKEN_VARIABLE}"
    try:
        from qiskit_ibm_runtime import QiskitRuntimeService
    except ImportError:
        return None
    kwargs: dict[str, str] = {}
    if filename is not None:
        kwargs["filename"] = os.fspath(filename)
    if account is not None:
        kwargs["name"] = account
    try:
        saved = QiskitRuntimeService.saved_accounts(**kwargs)
    except (ValueError, OSError, TypeError):  # an unreadable file: the runtime cannot use it
        return None
    if not saved:
        return None
    names = sorted(saved)
    if len(names) == 1:
        return f"saved account {names[0]!r}"
    return "saved accounts " + ", ".join(repr(name) for name in names)
