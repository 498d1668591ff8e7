"""What every search shares: the verify step and the SearchResult tail.

A measured item is only an answer once a classical check says it is marked (Grover 1996,
arXiv:quant-ph/9605043), so every circuit run goes through :meth:`Tally.record`: it bills the
run's oracle queries, checks the measured items and keeps the attempt. :func:`search_result`
builds the SearchResult every algorithm returns (backend name, seed record, wall time);
:func:`tally_result` is that tail for a search over one SearchProblem; on a device or a noisy
simulator it records the circuit that ran (``metadata["circuit"]``, from the backend's optional
``circuit_metadata``: transpiled depth, two-qubit gates, qubits, lowering, noise source).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qsearch._validation import SeedLike, child_seed, seed_record
from qsearch.backends.base import backend_name, circuit_metadata
from qsearch.problem import SearchProblem, SearchProgram
from qsearch.results import Attempt, Counts, QueryCount, SearchResult


def verify_counts(problem: SearchProblem, counts: Mapping[int, int]) -> tuple[int | None, int]:
    """Check measured items classically, most frequent first, until one is marked.

    Returns (the first marked item or None, the number of classical checks made). Each distinct
    outcome is checked once.
    """
    checks = 0
    for item, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        checks += 1
        if problem.is_marked(item):
            return item, checks
    return None, checks


@dataclass
class Tally:
    """What a search has spent and found so far (oracle queries, checks, attempts)."""

    found: int | None = None
    oracle: int = 0
    verify: int = 0
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def search(self) -> int:
        """oracle + verify: the search queries spent so far."""
        return self.oracle + self.verify

    def record(self, problem: SearchProblem, iterations: int, shots: int, counts: Counts) -> bool:
        """Bill one run (iterations × shots oracle queries), verify its items; True if found."""
        self.attempts.append(Attempt(iterations, shots, counts))
        self.oracle += iterations * shots
        self.found, checks = verify_counts(problem, counts)
        self.verify += checks
        return self.found is not None


def repeat_until_verified(
    problem: SearchProblem,
    run_once: Callable[[int], Counts],
    iterations: int,
    shots: int,
    rng: np.random.Generator,
    max_attempts: int,
) -> Tally:
    """Run ``run_once(seed)`` until a measured item verifies as marked or the budget is spent."""
    tally = Tally()
    for _ in range(max_attempts):
        if tally.record(problem, iterations, shots, run_once(child_seed(rng))):
            break
    return tally


def search_result(
    method: str,
    backend: object,
    seed: SeedLike,
    started: float,
    *,
    found: int | None,
    queries: QueryCount,
    attempts: list[Attempt] | tuple[Attempt, ...] = (),
    metadata: dict[str, Any],
) -> SearchResult:
    """The SearchResult of a finished search; adds ``metadata["wall_time_s"]`` since ``started``
    (a ``time.perf_counter()`` reading)."""
    metadata["wall_time_s"] = time.perf_counter() - started
    return SearchResult(
        method=method,
        backend=backend_name(backend),
        found=found,
        queries=queries,
        attempts=tuple(attempts),
        seed=seed_record(seed),
        metadata=metadata,
    )


def tally_result(
    method: str,
    problem: SearchProblem,
    backend: object,
    seed: SeedLike,
    started: float,
    tally: Tally,
    *,
    program: SearchProgram | None = None,
    **metadata: Any,
) -> SearchResult:
    """The SearchResult of a search over ``problem`` billed by ``tally`` (plus the problem's
    build cost); metadata starts with N, M and the marked mass.

    ``program``: the deepest program run (default: ``SearchProgram(problem, k)`` for the largest
    k of the attempts); its :func:`~qsearch.backends.base.circuit_metadata`, when the backend
    reports one, goes to ``metadata["circuit"]``.
    """
    queries = QueryCount(tally.oracle, tally.verify, problem.build_cost)
    reports = callable(getattr(backend, "circuit_metadata", None))  # the optional method
    if reports and program is None and tally.attempts:
        program = SearchProgram(problem, max(a.iterations for a in tally.attempts))
    circuit = circuit_metadata(backend, program) if reports and program is not None else None
    if circuit is not None:
        metadata["circuit"] = circuit
    return search_result(
        method,
        backend,
        seed,
        started,
        found=tally.found,
        queries=queries,
        attempts=tally.attempts,
        metadata={
            "num_items": problem.num_items,
            "num_marked": problem.num_marked,
            "marked_mass": problem.marked_mass,
            **metadata,
        },
    )
