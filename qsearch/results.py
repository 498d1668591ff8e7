"""What a search spent and what it found: QueryCount, Attempt, SearchResult.

All three are frozen; ``QueryCount`` adds, and ``SearchResult.to_dict`` gives the tidy row that
tables and sweeps store (``SearchResult.from_dict`` reads it back, also after a JSON round trip).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from qsearch._validation import check_int

Counts = dict[int, int]


@dataclass(frozen=True)
class QueryCount:
    """The bill of a search, in predicate evaluations.

    Attributes:
        oracle: coherent oracle applications, Σ iterations × shots over all circuit runs.
        verify: classical is-marked checks (for classical strategies: every predicate evaluation).
        build: classical predicate evaluations spent building the oracle over classical data.
    """

    oracle: int = 0
    verify: int = 0
    build: int = 0

    def __post_init__(self) -> None:
        for name in ("oracle", "verify", "build"):
            object.__setattr__(
                self, name, check_int(getattr(self, name), name, "QueryCount", minimum=0)
            )

    @property
    def total(self) -> int:
        """oracle + verify + build: every predicate evaluation, quantum or classical."""
        return self.oracle + self.verify + self.build

    @property
    def search(self) -> int:
        """oracle + verify: the query-model cost, leaving out the oracle's construction."""
        return self.oracle + self.verify

    def __add__(self, other: QueryCount) -> QueryCount:
        if not isinstance(other, QueryCount):
            return NotImplemented
        return QueryCount(
            self.oracle + other.oracle, self.verify + other.verify, self.build + other.build
        )


@dataclass(frozen=True)
class Attempt:
    """One circuit run: ``shots`` measurements after ``iterations`` Grover iterates.

    ``counts`` is keyed by item index (never by bitstring).
    """

    iterations: int
    shots: int
    counts: Mapping[int, int]

    def __post_init__(self) -> None:
        object.__setattr__(self, "counts", {int(k): int(v) for k, v in self.counts.items()})

    def to_dict(self) -> dict[str, Any]:
        return {"iterations": self.iterations, "shots": self.shots, "counts": dict(self.counts)}

    @classmethod
    def from_dict(cls, row: Mapping[str, Any]) -> Attempt:
        return cls(int(row["iterations"]), int(row["shots"]), dict(row["counts"]))


@dataclass(frozen=True)
class SearchResult:
    """The outcome of one search, quantum or classical.

    Attributes:
        method: e.g. ``"grover"``, ``"classical-random"``.
        backend: backend name (``"classical"`` for classical strategies).
        found: a verified marked index, or None; never an unverified measurement.
        queries: the QueryCount spent.
        attempts: circuit runs in order (empty for classical strategies).
        seed: the seed the caller passed (int) or None.
        metadata: JSON-friendly extras (job ids, circuit depth, two-qubit gates, wall time);
            not part of equality, so a seeded rerun compares equal.
    """

    method: str
    backend: str
    found: int | None
    queries: QueryCount
    attempts: tuple[Attempt, ...] = ()
    seed: int | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "attempts", tuple(self.attempts))
        object.__setattr__(self, "metadata", dict(self.metadata))

    @property
    def success(self) -> bool:
        """True when a marked item was found (and verified)."""
        return self.found is not None

    def to_dict(self) -> dict[str, Any]:
        """A flat row (plus the nested attempts and metadata) that :meth:`from_dict` reads back."""
        return {
            "method": self.method,
            "backend": self.backend,
            "found": self.found,
            "success": self.success,
            "oracle_queries": self.queries.oracle,
            "verify_queries": self.queries.verify,
            "build_queries": self.queries.build,
            "total_queries": self.queries.total,
            "num_attempts": len(self.attempts),
            "seed": self.seed,
            "attempts": [attempt.to_dict() for attempt in self.attempts],
            "metadata": dict(self.metadata),
        }

    @classmethod
    def from_dict(cls, row: Mapping[str, Any]) -> SearchResult:
        return cls(
            method=str(row["method"]),
            backend=str(row["backend"]),
            found=None if row["found"] is None else int(row["found"]),
            queries=QueryCount(
                int(row["oracle_queries"]), int(row["verify_queries"]), int(row["build_queries"])
            ),
            attempts=tuple(Attempt.from_dict(a) for a in row.get("attempts", ())),
            seed=None if row.get("seed") is None else int(row["seed"]),
            metadata=dict(row.get("metadata", {})),
        )
