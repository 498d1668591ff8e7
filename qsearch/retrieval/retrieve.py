"""Hybrid retrieval: route a query to buckets, then search each bucket quantumly or classically.

:func:`retrieve` answers one query over a fitted :class:`~qsearch.retrieval.buckets.BucketIndex`:

1. route: compare the query with every bucket (``centroid_comparisons``);
2. build: evaluate the predicate on every item of each probed bucket to decide its marked set
   (``BucketProblem.problem.build_cost``; the classical price of an oracle over classical data);
3. search: find every marked item of each bucket with a quantum algorithm on ``backend``
   (oracle queries + classical verifications), or, with ``backend="classical"``, by scanning
   the bucket (one predicate evaluation per item, counted as ``verify``).

The bill is one :class:`~qsearch.results.QueryCount`: ``oracle`` = coherent oracle
applications, ``verify`` = classical is-marked checks (and merge comparisons), ``build`` =
the routing comparisons plus the predicate evaluations that built the oracles (for
``"minimum"`` also the N_b per threshold oracle it rebuilds); :attr:`Hits.cost` and
:meth:`Hits.format` show those three parts separately. The quantum
search part grows as √N_b per bucket, a scan as N_b (Grover 1996, arXiv:quant-ph/9605043);
``build`` is N_b per bucket either way, so over classical data the quantum pipeline's total
never beats the classical scan: the point the accounting makes visible.

Algorithms (``algorithm=``):

* ``"grover"``: find the M marked items of a bucket one by one with :func:`grover_search`,
  each round on the items not found yet; M is known because the build decided the marked set
  (a bucket with M = 0 costs no oracle query). Σ_{j=1..M} O(√(N/j)) = O(√(NM)) queries.
* ``"exponential"``: the same rounds with BBHT exponential search (Boyer, Brassard, Høyer, Tapp
  1998, arXiv:quant-ph/9605034), which does not use M; the last round (nothing left) runs until
  its budget is spent. Needs ``qsearch.algorithms.exponential``.
* ``"minimum"``: top-k by Dürr–Høyer minimum finding (Dürr & Høyer 1996,
  arXiv:quant-ph/9607014; :func:`qsearch.algorithms.minimum.top_k`) on each bucket's scores,
  then a classical merge of the n_probe·k candidates. It does not use the marked set; its bill
  adds top_k's threshold oracles (N_b per distinct threshold, about ln N_b of them) to the N_b
  score computations, and spends about its whole Dürr–Høyer budget 22.5√(kN_b) + 1.4·k·log₂²N_b.
  Needs ``qsearch.algorithms.minimum``; only for ``k`` without ``threshold``.
* ``"auto"``: the applicable algorithm with the smallest expected bill (:func:`expected_bills`;
  ``Hits.choice`` says why). With today's cost models that is ``"grover"``: it knows M from the
  build, while BBHT's last round spends its whole budget and minimum finding its Dürr–Høyer
  budget plus N_b per threshold.

With ``k`` and ``"grover"`` note what the build did: deciding the marked set (the top k) *is*
the classical answer; the Grover rounds then only re-find it. The bill shows exactly that.
"""

from __future__ import annotations

import importlib
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qsearch._validation import SeedLike, check_int, child_seed, make_rng
from qsearch.algorithms.grover import grover_search
from qsearch.backends.base import Backend, get_backend
from qsearch.complexity import success_probability
from qsearch.exceptions import ProblemError, QSearchWarning
from qsearch.problem import SearchProblem
from qsearch.results import QueryCount, SearchResult
from qsearch.retrieval.buckets import BucketIndex, BucketProblem
from qsearch.retrieval.faiss_compat import warn_low_recall
from qsearch.schedules import bbht_budget, optimal_iterations

ALGORITHMS = ("auto", "grover", "exponential", "minimum")
CLASSICAL = "classical"


@dataclass(frozen=True, eq=False)
class Hits:
    """What :func:`retrieve` found and what it cost.

    Attributes:
        ids: global ids of the hits, best first.
        scores: their scores (cosine similarity, Euclidean or Hamming distance: ``score_name``).
        texts: the hits' texts when the index was fitted with texts, else None.
        queries: the whole bill (see the module docstring).
        centroid_comparisons: routing comparisons (included in ``queries.build``).
        buckets: one row per probed bucket: bucket, rank, size, marked, found (for
            ``"minimum"``: the bucket's top-k candidates before the merge), oracle, verify,
            build (the N_b predicate evaluations), thresholds and threshold_build (minimum
            finding's rebuilt threshold oracles, N_b each; 0 otherwise), algorithm.
        backend: the backend name (``"classical"`` for the classical pipeline).
        algorithm: the algorithm that ran (``"scan"`` for the classical pipeline).
        score_name: what ``scores`` measure.
        complete: True when every marked item of every probed bucket was found.
        choice: why ``"auto"`` chose ``algorithm`` (the expected bills compared), else None.
    """

    ids: np.ndarray
    scores: np.ndarray
    texts: tuple[str, ...] | None
    queries: QueryCount
    centroid_comparisons: int
    buckets: tuple[dict[str, Any], ...] = field(repr=False)
    backend: str = "ideal"
    algorithm: str = "grover"
    score_name: str = "cosine"
    complete: bool = True
    choice: str | None = None

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def cost(self) -> dict[str, int]:
        """The bill broken down: routing, oracle build (N_b predicate evaluations per bucket),
        minimum finding's threshold oracles, oracle, verify, total."""
        rebuilt = sum(int(row["threshold_build"]) for row in self.buckets)
        return {
            "centroid_comparisons": self.centroid_comparisons,
            "build_predicates": self.queries.build - self.centroid_comparisons - rebuilt,
            "threshold_oracles": rebuilt,
            "oracle": self.queries.oracle,
            "verify": self.queries.verify,
            "total": self.queries.total,
        }

    def format(self) -> str:
        """The hits and the bill as ``qsearch retrieve`` prints them."""
        lines = [f"{'rank':>4}  {'id':>7}  {self.score_name:>9}  text"]
        for rank, (item, score) in enumerate(zip(self.ids, self.scores, strict=True), 1):
            text = "" if self.texts is None else self.texts[rank - 1]
            if len(text) > 70:
                text = text[:67] + "..."
            lines.append(f"{rank:>4}  {int(item):>7}  {score:>9.4f}  {text}")
        c = self.cost
        lines.append("")
        lines.append(f"bill ({self.backend}, {self.algorithm}):")
        bill = [
            ("routing (centroid comparisons)", c["centroid_comparisons"]),
            ("oracle build (N_b predicate evaluations)", c["build_predicates"]),
        ]
        if self.algorithm == "minimum":
            thresholds = sum(int(row["thresholds"]) for row in self.buckets)
            bill.append((f"threshold oracles ({thresholds} rebuilt x N_b)", c["threshold_oracles"]))
        bill += [
            ("oracle queries", c["oracle"]),
            ("classical checks", c["verify"]),
            ("total", c["total"]),
        ]
        lines += [f"  {label:<42}{value:>8}" for label, value in bill]
        if self.choice:
            lines.append(f"  {self.choice}")
        if not self.complete:
            lines.append("  (incomplete: a search ran out of attempts before finding every hit)")
        return "\n".join(lines)


# -- exact search -----------------------------------------------------------------------------
#: Chunk width of the two-stage selection in :func:`smallest_k`.
_SELECT_CHUNK = 64


def _sorted_pairs(part: np.ndarray, vals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.lexsort((part, vals), axis=1)
    return np.take_along_axis(part, order, axis=1), np.take_along_axis(vals, order, axis=1)


def smallest_k(d: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Column indices and values of the k smallest entries of each row, ascending (ties: index).

    Two stages, exact. The first ``n − n mod 64`` columns form ``s = n // 64`` strided groups
    (group j = columns j, j + s, j + 2s, ...; their minima are 64 contiguous SIMD-friendly row
    reductions), the remaining columns one more group. The k groups with the smallest minima
    hold every entry below the k-th smallest value T (their k minima are distinct entries, so T
    is at most the largest of them); select among those ≤ 64·k candidates. Rows where ties at T
    could hide an entry outside the candidates are redone with a full selection. The row block
    is read twice (once by the strided minima) instead of an introselect over all n columns.
    """
    b, n = d.shape
    c = _SELECT_CHUNK
    if k >= n:
        part = np.broadcast_to(np.arange(n), d.shape).copy()
        return _sorted_pairs(part, d.copy())
    if n < 8 * c * k:
        top = np.argpartition(d, k - 1, axis=1)[:, :k]
        top_vals = np.take_along_axis(d, top, axis=1)
        threshold = top_vals.max(axis=1, keepdims=True)
        ties = np.flatnonzero(np.count_nonzero(d <= threshold, axis=1) != k)
        return _sorted_pairs(*_lowest_index_ties(d, top, top_vals, threshold, ties, k))
    stride = n // c
    full = stride * c
    mins = d[:, :full].reshape(b, c, stride).min(axis=1)
    tail = n - full
    if tail:
        mins = np.concatenate([mins, d[:, full:].min(axis=1, keepdims=True)], axis=1)
    groups = np.argpartition(mins, k - 1, axis=1)[:, :k]
    strided = groups[:, :, None] + stride * np.arange(c)
    if tail:
        # the tail group (index `stride`) holds columns full .. n-1 instead
        tail_cols = full + np.minimum(np.arange(c), tail - 1)
        strided = np.where((groups == stride)[:, :, None], tail_cols, strided)
    candidates = strided.reshape(b, -1)
    vals = np.take_along_axis(d, candidates, axis=1)
    if tail:
        # a tail group shorter than 64 repeats its last column: keep one copy of each
        repeated = (groups == stride)[:, :, None] & (np.arange(c) >= tail)
        vals[repeated.reshape(b, -1)] = np.inf
    part = np.argpartition(vals, k - 1, axis=1)[:, :k]
    top = np.take_along_axis(candidates, part, axis=1)
    top_vals = np.take_along_axis(vals, part, axis=1)
    threshold = top_vals.max(axis=1, keepdims=True)
    # Exact unless ties: every entry ≤ T lies in the candidates when at most k groups have a
    # minimum ≤ T, and then exactly k candidates ≤ T means no tie at T.
    ties = np.flatnonzero(
        (np.count_nonzero(mins <= threshold, axis=1) > k)
        | (np.count_nonzero(vals <= threshold, axis=1) != k)
    )
    return _sorted_pairs(*_lowest_index_ties(d, top, top_vals, threshold, ties, k))


def _lowest_index_ties(
    d: np.ndarray,
    top: np.ndarray,
    top_vals: np.ndarray,
    threshold: np.ndarray,
    rows: np.ndarray,
    k: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Redo ``rows`` exactly: the k smallest by (value, index) among the entries ≤ threshold."""
    for row in rows:  # rare: several entries equal the k-th value
        cols = np.flatnonzero(d[row] <= threshold[row])
        order = np.lexsort((cols, d[row, cols]))[:k]
        top[row], top_vals[row] = cols[order], d[row, cols[order]]
    return top, top_vals


def exact_knn(
    vectors: Any, queries: Any, k: int, *, metric: str = "cosine"
) -> tuple[np.ndarray, np.ndarray]:
    """Exact k nearest neighbours by brute force (BLAS matrix products, blocked over queries).

    Args:
        vectors: (n, d) items.
        queries: (q, d) queries, or one (d,) query.
        k: neighbours per query, 1 <= k <= n.
        metric: ``"cosine"`` (similarity, descending) or ``"euclidean"`` (distance, ascending).

    Returns:
        (ids, scores), each (q, k), best first; ties broken by lower index.
    """
    from qsearch.retrieval.data.loaders import check_vectors, normalize_rows

    if metric not in ("cosine", "euclidean"):
        raise ProblemError(
            f"The 'metric' argument of exact_knn must be 'cosine' or 'euclidean'; got {metric!r}."
        )
    x = check_vectors(vectors, "vectors", "exact_knn", metric=metric)
    q = check_vectors(queries, "queries", "exact_knn", metric=metric, dim=x.shape[1], allow_1d=True)
    k = check_int(k, "k", "exact_knn", minimum=1)
    if k > len(x):
        raise ProblemError(
            f"The 'k' argument of exact_knn must be <= the number of items ({len(x)}); got {k}."
        )
    cosine = metric == "cosine"
    if cosine:
        x, q = normalize_rows(x), normalize_rows(q)
    else:
        x_norms = np.einsum("ij,ij->i", x, x)
    ids = np.empty((len(q), k), dtype=np.int64)
    scores = np.empty((len(q), k), dtype=np.float64)
    block = max(1, min(len(q), 2**25 // max(len(x), 1)))
    for start in range(0, len(q), block):
        qb = q[start : start + block]
        # smaller is better: −cos, or ‖x‖² − 2q·x (‖q‖² added back for the reported distance)
        d = (-qb if cosine else -2.0 * qb) @ x.T
        if not cosine:
            d += x_norms
        top, top_vals = smallest_k(d, k)
        top_vals = top_vals.astype(np.float64)
        if cosine:
            top_vals = -top_vals
        else:
            top_vals = np.sqrt(np.maximum(top_vals + np.einsum("ij,ij->i", qb, qb)[:, None], 0))
        ids[start : start + len(qb)] = top
        scores[start : start + len(qb)] = top_vals
    return ids, scores


# -- retrieval --------------------------------------------------------------------------------
def _optional(module: str, name: str) -> Any:
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def _grover_rounds(num_items: int, num_marked: int) -> float:
    """Expected oracle queries + checks of :func:`_find_all`'s Grover rounds (closed form)."""
    total = 0.0
    for left in range(num_marked, 0, -1):
        k = 0 if 2 * left > num_items else optimal_iterations(num_items, left)
        total += (k + 1) / float(success_probability(num_items, left, k))
    return total


def expected_bills(
    problems: Sequence[BucketProblem], k: int | None, candidates: Sequence[str]
) -> dict[str, float]:
    """The expected bill (without routing) of each candidate algorithm over ``problems``.

    * ``"grover"``: N_b build + Σ_{j=M..1} (k_j + 1)/sin²((2k_j+1)θ_j), the exact expectation
      of its rounds (k_j the optimal iterates for j marked, θ_j = asin √(j/N_b); k_j = 0 when
      j > N_b/2). A bucket with M = 0 costs its build only.
    * ``"exponential"``: N_b build + the BBHT bound 9/2·√(N_b/j) per found item (Boyer et al.
      1998, Theorem 3) + the last round, which finds nothing and spends about its whole budget
      :func:`qsearch.schedules.bbht_budget` (1/N_b).
    * ``"minimum"``: N_b score computations + N_b per threshold oracle, 1 + k·(H_{N_b} − H_k)
      of them (the expected number of changes of the top-k of a uniformly random order;
      ln N_b + 0.58 for k = 1) + about the whole Dürr–Høyer budget
      :func:`qsearch.algorithms.minimum.durr_hoyer_budget` (N_b, k), which it spends.
    """
    bills = dict.fromkeys(candidates, 0.0)
    for bp in problems:
        n, m = bp.problem.num_items, bp.problem.num_marked
        for name in candidates:
            if name == "grover":
                cost = n + _grover_rounds(n, m)
            elif name == "exponential":
                found = sum(4.5 * math.sqrt(n / j) for j in range(m, 0, -1))
                cost = n + found + bbht_budget(1.0 / n)
            else:
                budget = _optional("qsearch.algorithms.minimum", "durr_hoyer_budget")
                kk = min(int(k or 1), n)
                thresholds = 1 + kk * sum(1.0 / i for i in range(kk + 1, n + 1))
                cost = n + n * thresholds + budget(n, kk)
            bills[name] += cost
    return bills


def _choose(
    problems: Sequence[BucketProblem],
    k: int | None,
    threshold: float | None,
    comparisons: int,
) -> tuple[str, str]:
    """``"auto"``: the applicable algorithm with the smallest expected bill, and why."""
    candidates = ["grover"]
    if _optional("qsearch.algorithms.exponential", "exponential_search") is not None:
        candidates.append("exponential")
    if threshold is None and _optional("qsearch.algorithms.minimum", "top_k") is not None:
        candidates.append("minimum")
    expected = expected_bills(problems, k, candidates)
    bills = {name: comparisons + bill for name, bill in expected.items()}
    chosen = min(bills, key=bills.__getitem__)
    others = ", ".join(f"{name} {bills[name]:,.0f}" for name in bills if name != chosen)
    why = f"auto chose {chosen}: expected bill {bills[chosen]:,.0f}"
    return chosen, why + (f" vs {others} (retrieve.expected_bills)" if others else "")


def _resolve_algorithm(algorithm: str, k: int | None, threshold: float | None) -> str:
    if algorithm not in ALGORITHMS:
        raise ProblemError(
            f"The 'algorithm' argument of retrieve must be one of {list(ALGORITHMS)}; "
            f"got {algorithm!r}."
        )
    has_min = _optional("qsearch.algorithms.minimum", "top_k") is not None
    has_exp = _optional("qsearch.algorithms.exponential", "exponential_search") is not None
    if algorithm == "minimum":
        if threshold is not None:
            raise ProblemError(
                "The 'algorithm' argument of retrieve cannot be 'minimum' with a threshold "
                "(minimum finding ranks scores; use 'grover' or 'exponential')."
            )
        if not has_min:
            raise ProblemError(
                "The 'algorithm' argument of retrieve is 'minimum', but "
                "qsearch.algorithms.minimum.top_k is not available in this installation."
            )
    if algorithm == "exponential" and not has_exp:
        raise ProblemError(
            "The 'algorithm' argument of retrieve is 'exponential', but "
            "qsearch.algorithms.exponential is not available in this installation."
        )
    return algorithm


def _find_all(
    problem: SearchProblem, device: Backend, algorithm: str, rng: np.random.Generator
) -> tuple[list[int], int, int, bool]:
    """Find every marked item of ``problem`` by repeated search without the found ones.

    Returns (found local indices, oracle queries, verifications, complete).
    """
    remaining = set(problem.marked)
    found: list[int] = []
    oracle = verify = 0
    search = None
    if algorithm == "exponential":
        search = _optional("qsearch.algorithms.exponential", "exponential_search")
    while True:
        if algorithm == "grover" and not remaining:
            return found, oracle, verify, True
        sub = SearchProblem(problem.num_items, sorted(remaining))
        if search is not None:
            result: SearchResult = search(sub, device, seed=child_seed(rng))
        else:
            # M > N/2: amplification cannot help; k = 0 is a uniform draw (no oracle query).
            iterations = 0 if 2 * len(remaining) > problem.num_items else None
            result = grover_search(sub, device, iterations=iterations, seed=child_seed(rng))
        oracle += result.queries.oracle
        verify += result.queries.verify
        if result.found is None:
            return found, oracle, verify, not remaining
        found.append(result.found)
        remaining.discard(result.found)


def _top_k_bucket(
    bp: BucketProblem, k: int, device: Backend, higher: bool, rng: np.random.Generator
) -> tuple[list[int], int, int, int, int]:
    """Top-k of one bucket by quantum minimum finding.

    Returns (local indices, oracle queries, reads/comparisons, thresholds, their oracle
    builds): the last is what :func:`qsearch.algorithms.minimum.top_k` bills as ``build`` (N_b
    predicate evaluations per distinct threshold), on top of the N_b distance computations of
    the scores.
    """
    top_k = _optional("qsearch.algorithms.minimum", "top_k")
    values = -bp.scores if higher else bp.scores
    kk = min(k, bp.problem.num_items)
    result = top_k(values, kk, device, seed=child_seed(rng))
    found = [int(i) for i in result.metadata["indices"]]
    thresholds = int(result.metadata["thresholds_built"])
    return found, result.queries.oracle, result.queries.verify, thresholds, result.queries.build


def retrieve(
    index: BucketIndex,
    query: Any,
    *,
    k: int | None = None,
    threshold: float | None = None,
    n_probe: int = 1,
    backend: str | Backend = "ideal",
    algorithm: str = "auto",
    seed: SeedLike = None,
    check_recall: bool = True,
) -> Hits:
    """Answer one query over a fitted BucketIndex; return the hits and the whole bill.

    Args:
        index: a fitted :class:`~qsearch.retrieval.buckets.BucketIndex`.
        query: one query vector (d,) in the index's space.
        k: return the k best items of the probed buckets.
        threshold: return the items passing the threshold (similarity >= t for cosine,
            distance <= t otherwise); with ``k`` too, the k best of them.
        n_probe: buckets to search, nearest first.
        backend: a quantum backend name or instance, or ``"classical"`` for the classical scan
            of the same buckets.
        algorithm: ``"auto"``, ``"grover"``, ``"exponential"`` or ``"minimum"`` (module docstring).
        seed: seeds every quantum search (the classical pipeline is deterministic).
        check_recall: with ``k``, warn when the index's leave-one-out recall@k estimate at this
            ``n_probe`` (:meth:`BucketIndex.expected_recall`, computed once per index and k) is
            below :data:`qsearch.retrieval.faiss_compat.LOW_RECALL`.

    Returns:
        :class:`Hits` with ids, scores, texts and the QueryCount.

    Raises:
        ProblemError: an unfitted index, bad query (NaN/inf, wrong dimension, zero under
            cosine), k > items, n_probe > buckets, no predicate, unknown algorithm.

    Warns:
        QSearchWarning: ``k`` exceeds the items of the probed buckets (fewer hits are
            returned: k was capped), or low expected recall (``check_recall``).

    Example:
        >>> X = np.random.default_rng(0).normal(size=(300, 8))
        >>> index = BucketIndex(4, seed=0).fit(X)
        >>> hits = retrieve(index, X[0], k=3, seed=1)
        >>> int(hits.ids[0])
        0
    """
    # Long by design (~95 lines): one pass of the pipeline (route, build, search, verify,
    # bill) kept in order, so the bill reads top to bottom.
    if not isinstance(index, BucketIndex):
        raise ProblemError(
            f"The 'index' argument of retrieve must be a BucketIndex; got {type(index).__name__}."
        )
    if not index.is_fitted:
        raise ProblemError("The 'index' argument of retrieve must be fitted; call fit(X) first.")
    problems = index.problem_for(query, k=k, threshold=threshold, n_probe=n_probe)
    _, comparisons = index.route(query, n_probe)
    probed = sum(bp.problem.num_items for bp in problems)
    if k is not None and k > probed:
        warnings.warn(
            f"retrieve: k={k} exceeds the {probed} items of the {len(problems)} probed "
            f"bucket(s) (n_probe={n_probe}); k was capped to {probed} hits. Raise n_probe to "
            "search more buckets.",
            QSearchWarning,
            stacklevel=2,
        )
    if check_recall and k is not None:
        warn_low_recall(index, n_probe, k, owner="retrieve", stacklevel=3)
    classical = isinstance(backend, str) and backend == CLASSICAL
    rng = make_rng(seed, "retrieve")
    higher = index.higher_is_better
    rows: list[dict[str, Any]] = []
    found_ids: list[np.ndarray] = []
    found_scores: list[np.ndarray] = []
    found_rows: list[np.ndarray] = []
    oracle = verify = build = 0
    complete = True
    why = None
    if classical:
        name, chosen = CLASSICAL, "scan"
    else:
        chosen = _resolve_algorithm(algorithm, k, threshold)
        if chosen == "auto":
            chosen, why = _choose(problems, k, threshold, comparisons)
        device = get_backend(backend)
        name = getattr(device, "name", type(device).__name__)
    for bp in problems:
        size = bp.problem.num_items
        thresholds = rebuilt = 0
        if classical:
            local, b_oracle, b_verify, b_build, ok = list(bp.problem.marked), 0, size, 0, True
        elif chosen == "minimum":
            local, b_oracle, b_verify, thresholds, rebuilt = _top_k_bucket(
                bp, int(k or 1), device, higher, rng
            )
            b_build, ok = bp.problem.build_cost, True
        else:
            local, b_oracle, b_verify, ok = _find_all(bp.problem, device, chosen, rng)
            b_build = bp.problem.build_cost
        complete &= ok
        oracle, verify = oracle + b_oracle, verify + b_verify
        build += b_build + rebuilt
        local_arr = np.asarray(sorted(local), dtype=np.int64)
        found_ids.append(bp.ids[local_arr])
        found_scores.append(bp.scores[local_arr])
        found_rows.append(index.members_[bp.bucket][local_arr])
        rows.append(
            {
                "bucket": bp.bucket,
                "rank": bp.rank,
                "size": size,
                "marked": bp.problem.num_marked,
                "found": len(local),
                "oracle": b_oracle,
                "verify": b_verify,
                "build": b_build,
                "thresholds": thresholds,
                "threshold_build": rebuilt,
                "algorithm": chosen,
            }
        )
    ids = np.concatenate(found_ids)
    scores = np.concatenate(found_scores)
    item_rows = np.concatenate(found_rows)
    order = np.lexsort((ids, -scores if higher else scores))
    if k is not None:
        if chosen == "minimum":
            verify += len(order)  # the classical merge compares the candidates' scores
        order = order[:k]
    ids, scores, item_rows = ids[order], scores[order], item_rows[order]
    texts = None if index.texts_ is None else tuple(index.texts_[r] for r in item_rows)
    return Hits(
        ids=ids,
        scores=scores,
        texts=texts,
        queries=QueryCount(oracle=oracle, verify=verify, build=build + comparisons),
        centroid_comparisons=comparisons,
        buckets=tuple(rows),
        backend=name,
        algorithm=chosen,
        score_name=index.score_name,
        complete=complete,
        choice=why,
    )
