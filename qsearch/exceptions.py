"""Exception and warning hierarchy of qsearch.

Every error qsearch raises on purpose derives from :class:`QSearchError`, and each one also
derives from the built-in type a user would catch without knowing qsearch (``ValueError`` for bad
input, ``ImportError`` for a missing extra, ``RuntimeError`` for a failed execution).
"""

from __future__ import annotations


class QSearchError(Exception):
    """Base class of every error raised by qsearch."""


class ProblemError(QSearchError, ValueError):
    """An argument describing a problem, program or run is invalid."""


class BackendError(QSearchError, RuntimeError):
    """A backend failed while executing programs (the simulator or the service said no)."""


class BackendUnavailableError(QSearchError, ImportError):
    """A backend's optional dependency is not installed; the message names the extra."""


class UnsupportedProgramError(QSearchError, ValueError):
    """A backend cannot run this program (too many qubits, an unsupported feature, ...)."""


class StoreError(QSearchError, RuntimeError):
    """A sweep result store cannot be used (newer schema, not a sweep store, damaged)."""


class JobStoreError(BackendError):
    """The job store is corrupted, partially written, or lacks a run."""


class QSearchWarning(UserWarning):
    """A warning about a legal but questionable request (e.g. amplification that cannot help)."""
