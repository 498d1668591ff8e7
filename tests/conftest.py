"""Shared fixtures. Statistical assertions use explicit binomial bounds with fixed seeds."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from qsearch.backends.ideal import IdealBackend
from qsearch.testing import binomial_bound as _binomial_bound

# CI explores the same hypothesis examples every run (a red build is reproducible); locally,
# hypothesis keeps searching for new counterexamples.
settings.register_profile("ci", derandomize=True, database=None)
settings.load_profile("ci" if os.environ.get("CI") else "default")


@pytest.fixture(scope="session")
def binomial_bound():  # type: ignore[no-untyped-def]
    """The 5σ binomial half-width (``qsearch.testing.binomial_bound``) as a fixture."""
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
