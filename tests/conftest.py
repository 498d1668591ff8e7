"""Shared fixtures. Statistical assertions use explicit binomial bounds with fixed seeds."""

from __future__ import annotations

import math

import pytest

from qsearch.backends.ideal import IdealBackend


def _binomial_bound(shots: int, p: float, sigmas: float = 5.0) -> float:
    """Half-width of the sigmas·σ band of a Binomial(shots, p) count (+1 for discreteness)."""
    return sigmas * math.sqrt(shots * p * (1 - p)) + 1.0


@pytest.fixture(scope="session")
def binomial_bound():  # type: ignore[no-untyped-def]
    """The 5σ binomial half-width function, as a fixture (tests/ is not an importable package)."""
    return _binomial_bound


@pytest.fixture(scope="session")
def ideal() -> IdealBackend:
    return IdealBackend()


@pytest.fixture(scope="session")
def statevector() -> IdealBackend:
    return IdealBackend("statevector")


@pytest.fixture(scope="session")
def aer():  # type: ignore[no-untyped-def]
    from qsearch.backends.aer import AerBackend

    return AerBackend(threads=1)
