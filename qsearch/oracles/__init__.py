"""Coherent oracles over classical data, their exact logical counts, physical estimates and the
wall-clock crossover against a classical scan (design notes: docs/oracles.md).

Room L1: imports only base modules (problem, results, exceptions, _validation, schedules,
complexity) and :mod:`qsearch.translate`; never backends (other than base), retrieval,
experiments or cli. Heavy modules (qiskit, qdk, matplotlib) load inside functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qsearch._lazy import lazy_getattr

_EXPORTS: dict[str, str] = {
    "HammingOracle": "qsearch.oracles.hamming:HammingOracle",
    "LOADERS": "qsearch.oracles.counts:LOADERS",
    "LogicalCounts": "qsearch.oracles.counts:LogicalCounts",
    "CrossoverResult": "qsearch.oracles.crossover:CrossoverResult",
    "OracleBill": "qsearch.oracles.hamming:OracleBill",
    "PhysicalEstimate": "qsearch.oracles.physical:PhysicalEstimate",
    "QUBIT_MODELS": "qsearch.oracles.physical:QUBIT_MODELS",
    "break_even": "qsearch.oracles.crossover:break_even",
    "crossover": "qsearch.oracles.crossover:crossover",
    "estimate_physical": "qsearch.oracles.physical:estimate_physical",
    "measure_classical_rate": "qsearch.oracles.crossover:measure_classical_rate",
    "binary_codes": "qsearch.oracles.codes:binary_codes",
    "marked_set_counts": "qsearch.oracles.counts:marked_set_counts",
    "oracle_bill": "qsearch.oracles.hamming:oracle_bill",
    "pack_codes": "qsearch.oracles.codes:pack_codes",
    "search_counts": "qsearch.oracles.counts:search_counts",
    "simulate_basis": "qsearch.oracles.simulate:simulate_basis",
}

__all__ = [
    "LOADERS",
    "QUBIT_MODELS",
    "CrossoverResult",
    "HammingOracle",
    "LogicalCounts",
    "OracleBill",
    "PhysicalEstimate",
    "binary_codes",
    "break_even",
    "crossover",
    "estimate_physical",
    "marked_set_counts",
    "measure_classical_rate",
    "oracle_bill",
    "pack_codes",
    "search_counts",
    "simulate_basis",
]


__getattr__ = lazy_getattr("qsearch.oracles", _EXPORTS, globals())


if TYPE_CHECKING:
    from qsearch.oracles.codes import binary_codes, pack_codes
    from qsearch.oracles.counts import LOADERS, LogicalCounts, marked_set_counts, search_counts
    from qsearch.oracles.crossover import (
        CrossoverResult,
        break_even,
        crossover,
        measure_classical_rate,
    )
    from qsearch.oracles.hamming import HammingOracle, OracleBill, oracle_bill
    from qsearch.oracles.physical import QUBIT_MODELS, PhysicalEstimate, estimate_physical
    from qsearch.oracles.simulate import simulate_basis
