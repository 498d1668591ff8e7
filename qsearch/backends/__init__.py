"""Backends: where SearchPrograms run. See :mod:`qsearch.backends.base` for the contract."""

from qsearch.backends.base import Backend, available_backends, get_backend, register_backend

__all__ = ["Backend", "available_backends", "get_backend", "register_backend"]
