"""Versions of the packages that shape a result, recorded with every stored run and sweep."""

from __future__ import annotations

import platform
from importlib import metadata

DISTRIBUTIONS = ("qsearch", "qiskit", "qiskit-aer", "qiskit-ibm-runtime", "pennylane", "numpy")


def package_versions() -> dict[str, str]:
    """Python's version and each installed distribution's, keyed by distribution name.

    Distributions that are not installed are left out (an absent key means "not installed").
    """
    found = {"python": platform.python_version()}
    for name in DISTRIBUTIONS:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found
