"""Partition vectors into buckets small enough for a quantum index register.

:class:`BucketIndex` is an inverted-file (IVF) index in FAISS's vocabulary (Jégou, Douze, Schmid
2011, "Product quantization for nearest neighbor search"): ``fit`` splits the items into buckets,
a query is routed to its ``n_probe`` nearest buckets, and each probed bucket becomes one
:class:`~qsearch.problem.SearchProblem` whose marked items are the bucket's members that satisfy
the query's predicate. Two partitions:

* ``method="kmeans"``: Lloyd's k-means (Lloyd 1982) in NumPy, spherical (unit-norm centroids,
  dot-product assignment) under the cosine metric. Training runs on a sample of at most 128
  points per centroid (FAISS samples 256); the final assignment covers every point.
  **Balance**: no bucket exceeds C = 2^max_bucket_qubits items. The final assignment is
  capacity-constrained: every pending point proposes to its nearest centroid that still has
  room; a centroid with more proposals than room keeps the ones nearest to it and the rest stay
  pending; repeat (each round fills at least one centroid, so at most ``n_buckets`` rounds).
  Centroids are then recomputed as their members' means, so routing uses the buckets as they
  are.
* ``method="lsh"``: random-hyperplane LSH (Charikar 2002): an item's code is the sign pattern
  of ``n_bits`` random projections (through the data mean under the Euclidean metric); the
  bucket is the first log2(n_buckets) bits, probed in order of Hamming distance to the query's
  prefix (multi-probe), and the predicate inside a bucket is the Hamming distance between the
  full codes (the cosine of the angle is estimated by cos(π·hamming/n_bits)). A hash bucket
  larger than C is split into consecutive chunks of at most C items.

Cost accounting (what :func:`qsearch.retrieve` bills): routing a query costs one comparison per
bucket (``route``); deciding the marked set of a bucket of size N_b costs N_b predicate
evaluations, the ``build_cost`` of its SearchProblem: the classical work of loading classical
data into an oracle, which no quantum speed-up removes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from qsearch._validation import SeedLike, check_int, make_rng
from qsearch.exceptions import ProblemError
from qsearch.problem import SearchProblem

METHODS = ("kmeans", "lsh")
METRICS = ("cosine", "euclidean")
#: Training points per centroid (FAISS samples at most 256; 128 halves the fit time).
TRAIN_POINTS_PER_CENTROID = 128
_CHUNK = 8192


@dataclass(frozen=True, eq=False)
class BucketProblem:
    """One probed bucket as a search problem, with the map back to global ids.

    Attributes:
        problem: the SearchProblem over the bucket's items; local index i is item ``ids[i]``;
            ``problem.build_cost`` = the predicate evaluations that decided the marked set.
        bucket: the bucket's index in the fitted index.
        rank: probe order (0 = the bucket nearest the query).
        ids: global ids of the bucket's items, in local-index order.
        scores: the predicate's score of every item (cosine similarity, Euclidean distance or
            Hamming distance, see :attr:`BucketIndex.score_name`).
    """

    problem: SearchProblem
    bucket: int
    rank: int
    ids: np.ndarray = field(repr=False)
    scores: np.ndarray = field(repr=False)

    def global_ids(self, local: Sequence[int] | np.ndarray) -> np.ndarray:
        """Map bucket-local indices to global ids."""
        return self.ids[np.asarray(local, dtype=np.int64)]


def _sq_norms(x: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", x, x)


def _nearest(
    x: np.ndarray, centroids: np.ndarray, spherical: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Index of and squared distance (or 1 − cos) to the nearest centroid, in row chunks."""
    labels = np.empty(len(x), dtype=np.int64)
    dist = np.empty(len(x), dtype=np.float32)
    c_norms = None if spherical else _sq_norms(centroids)
    for start in range(0, len(x), _CHUNK):
        block = x[start : start + _CHUNK]
        d = block @ centroids.T
        if spherical:
            d = 1.0 - d
        else:
            d *= -2.0
            d += c_norms
        best = np.argmin(d, axis=1)
        labels[start : start + len(block)] = best
        value = d[np.arange(len(block)), best]
        if not spherical:
            value = value + _sq_norms(block)
        dist[start : start + len(block)] = value
    return labels, dist


def _means(x: np.ndarray, labels: np.ndarray, k: int, spherical: bool) -> np.ndarray:
    """Per-label means (a sparse one-hot matrix product: O(n·d), no n×k dense matrix)."""
    from scipy.sparse import csr_matrix

    n = len(x)
    onehot = csr_matrix((np.ones(n, dtype=np.float32), (labels, np.arange(n))), shape=(k, n))
    sums = np.asarray(onehot @ x, dtype=np.float64)
    counts = np.bincount(labels, minlength=k).astype(np.float64)
    means = sums / np.maximum(counts, 1)[:, None]
    if spherical:
        norms = np.linalg.norm(means, axis=1, keepdims=True)
        means = np.where(norms > 0, means / np.where(norms > 0, norms, 1), means)
    return means.astype(np.float32)


def kmeans(
    x: np.ndarray,
    k: int,
    *,
    n_iter: int = 20,
    spherical: bool = False,
    seed: SeedLike = None,
) -> np.ndarray:
    """Lloyd's k-means on float32 rows; returns the (k, d) centroids.

    Initialisation: k distinct random rows. An emptied cluster is re-seeded with the point
    farthest from its centroid. Spherical mode keeps centroids at unit norm (cosine k-means,
    Dhillon & Modha 2001).
    """
    rng = make_rng(seed, "kmeans")
    centroids = x[rng.choice(len(x), size=k, replace=False)].copy()
    previous = None
    for _ in range(n_iter):
        labels, dist = _nearest(x, centroids, spherical)
        counts = np.bincount(labels, minlength=k)
        centroids = _means(x, labels, k, spherical)
        empty = np.flatnonzero(counts == 0)
        if empty.size:
            far = np.argsort(dist)[::-1][: empty.size]
            centroids[empty] = x[far]
        if previous is not None and np.array_equal(previous, labels):
            break
        previous = labels
    return centroids


def capacity_assign(
    x: np.ndarray, centroids: np.ndarray, capacity: int, *, spherical: bool = False
) -> np.ndarray:
    """Assign every row to a centroid so that no centroid receives more than ``capacity`` rows.

    Each round, every pending row proposes to its nearest centroid with room left; a centroid
    keeps the proposals nearest to it up to its room. Needs ``len(x) <= k·capacity``.
    """
    n, k = len(x), len(centroids)
    labels = np.full(n, -1, dtype=np.int64)
    room = np.full(k, capacity, dtype=np.int64)
    pending = np.arange(n)
    while pending.size:
        open_ = np.flatnonzero(room > 0)
        choice, dist = _nearest(x[pending], centroids[open_], spherical)
        choice = open_[choice]
        order = np.lexsort((dist, choice))
        sorted_choice = choice[order]
        starts = np.flatnonzero(np.r_[True, sorted_choice[1:] != sorted_choice[:-1]])
        group_start = np.repeat(starts, np.diff(np.r_[starts, len(order)]))
        rank = np.arange(len(order)) - group_start
        accept = rank < room[sorted_choice]
        accepted = pending[order[accept]]
        labels[accepted] = sorted_choice[accept]
        room -= np.bincount(sorted_choice[accept], minlength=k)
        pending = np.sort(pending[order[~accept]])
    return labels


class BucketIndex:
    """IVF buckets (k-means or LSH) whose every bucket fits a 2^max_bucket_qubits register.

    Args:
        n_buckets: number of buckets (``nlist``); a power of two for LSH.
        method: ``"kmeans"`` or ``"lsh"``.
        metric: ``"cosine"`` (rows are normalised; zero rows are rejected) or ``"euclidean"``.
        max_bucket_qubits: no bucket holds more than 2^max_bucket_qubits items.
        n_bits: LSH code length for the Hamming predicate (>= log2(n_buckets)).
        n_iter: Lloyd iterations (k-means).
        seed: seeds the k-means initialisation / training sample and the LSH hyperplanes.

    Fitted attributes: ``centroids_`` (n, d) bucket means (unit norm under cosine),
    ``assignments_`` (bucket of every row), ``bucket_sizes_``, ``ids_``, ``texts_`` (or None),
    ``vectors_`` (the stored, normalised rows), and for LSH ``codes_`` (packed item codes) and
    ``bucket_codes_`` (each bucket's prefix code). After fitting, ``n_buckets_`` can exceed
    ``n_buckets`` only for LSH, when oversized hash buckets were split.

    Example:
        >>> X = np.random.default_rng(0).normal(size=(500, 16))
        >>> index = BucketIndex(8, seed=1).fit(X)
        >>> [bp.problem.num_marked for bp in index.problem_for(X[0], k=3)]
        [3]
    """

    def __init__(
        self,
        n_buckets: int,
        *,
        method: str = "kmeans",
        metric: str = "cosine",
        max_bucket_qubits: int = 10,
        n_bits: int = 64,
        n_iter: int = 15,
        seed: SeedLike = None,
    ) -> None:
        self.n_buckets = check_int(n_buckets, "n_buckets", "BucketIndex", minimum=1)
        if method not in METHODS:
            raise ProblemError(
                f"The 'method' argument of BucketIndex must be one of {list(METHODS)}; "
                f"got {method!r}."
            )
        if metric not in METRICS:
            raise ProblemError(
                f"The 'metric' argument of BucketIndex must be one of {list(METRICS)}; "
                f"got {metric!r}."
            )
        self.method = method
        self.metric = metric
        self.max_bucket_qubits = check_int(
            max_bucket_qubits, "max_bucket_qubits", "BucketIndex", minimum=0
        )
        if self.max_bucket_qubits > 30:
            raise ProblemError(
                "The 'max_bucket_qubits' argument of BucketIndex must be <= 30; "
                f"got {self.max_bucket_qubits}."
            )
        self.n_iter = check_int(n_iter, "n_iter", "BucketIndex", minimum=1)
        self.n_bits = check_int(n_bits, "n_bits", "BucketIndex", minimum=1)
        if method == "lsh":
            if self.n_buckets & (self.n_buckets - 1):
                raise ProblemError(
                    "The 'n_buckets' argument of BucketIndex must be a power of two for "
                    f"method='lsh' (buckets are code prefixes); got {self.n_buckets}."
                )
            if self.n_bits < self.prefix_bits:
                raise ProblemError(
                    f"The 'n_bits' argument of BucketIndex must be >= log2(n_buckets) = "
                    f"{self.prefix_bits}; got {self.n_bits}."
                )
        make_rng(seed, "BucketIndex")  # validate now, use in fit
        self.seed = seed

    def __repr__(self) -> str:
        return (
            f"BucketIndex({self.n_buckets}, method={self.method!r}, metric={self.metric!r}, "
            f"max_bucket_qubits={self.max_bucket_qubits})"
        )

    # -- properties -------------------------------------------------------------------------
    @property
    def capacity(self) -> int:
        """2^max_bucket_qubits, the most items a bucket may hold."""
        return 2**self.max_bucket_qubits

    @property
    def prefix_bits(self) -> int:
        """LSH bits that choose the bucket: log2(n_buckets)."""
        return (self.n_buckets - 1).bit_length()

    @property
    def score_name(self) -> str:
        """What ``scores`` hold: ``"cosine"``, ``"euclidean"`` or ``"hamming"``."""
        return "hamming" if self.method == "lsh" else self.metric

    @property
    def higher_is_better(self) -> bool:
        """True for cosine similarity; False for the distances."""
        return self.score_name == "cosine"

    @property
    def is_fitted(self) -> bool:
        return hasattr(self, "centroids_")

    def __len__(self) -> int:
        self._check_fitted("len")
        return int(self.vectors_.shape[0])

    # -- fitting ----------------------------------------------------------------------------
    def fit(
        self,
        X: Any,
        *,
        ids: Sequence[int] | np.ndarray | None = None,
        texts: Sequence[str] | None = None,
    ) -> BucketIndex:
        """Partition the rows of ``X`` (an (n, d) array or a
        :class:`~qsearch.retrieval.data.Dataset`).

        Args:
            X: vectors, or a Dataset (its vectors, ids and texts are used).
            ids: global id of each row (default 0..n-1).
            texts: optional text of each row, returned by :func:`qsearch.retrieve`.

        Returns:
            self.

        Raises:
            ProblemError: NaN/inf, zero rows under cosine, empty X, n_buckets > n, or more
                items than n_buckets · 2^max_bucket_qubits (k-means cannot then respect the
                capacity).
        """
        from qsearch.retrieval.data.datasets import Dataset
        from qsearch.retrieval.data.loaders import check_vectors, normalize_rows

        if isinstance(X, Dataset):
            ids = X.ids if ids is None else ids
            texts = X.texts if texts is None else texts
            X = X.vectors
        x = check_vectors(X, "X", "BucketIndex.fit", metric=self.metric)
        n = len(x)
        if self.n_buckets > n:
            raise ProblemError(
                f"The 'n_buckets' argument of BucketIndex must be <= the number of items "
                f"({n}); got {self.n_buckets}."
            )
        if self.method == "kmeans" and n > self.n_buckets * self.capacity:
            need = math.ceil(n / self.n_buckets)
            raise ProblemError(
                f"BucketIndex.fit: {n} items do not fit in {self.n_buckets} buckets of at most "
                f"2^{self.max_bucket_qubits} = {self.capacity}; raise n_buckets to >= "
                f"{math.ceil(n / self.capacity)} or max_bucket_qubits to >= "
                f"{(need - 1).bit_length()}."
            )
        self.ids_ = self._check_ids(ids, n)
        self.texts_ = self._check_texts(texts, n)
        x = normalize_rows(x) if self.metric == "cosine" else x
        if np.may_share_memory(x, X):
            x = x.copy()  # the index keeps its own rows: later edits of X must not change it
        x.setflags(write=False)
        self.vectors_ = x
        rng = make_rng(self.seed, "BucketIndex.fit")
        if self.method == "kmeans":
            self._fit_kmeans(x, rng)
        else:
            self._fit_lsh(x, rng)
        self._index_members()
        return self

    def _index_members(self) -> None:
        """Bucket sizes and member rows from ``assignments_`` (after fit or load)."""
        self.bucket_sizes_ = np.bincount(self.assignments_, minlength=len(self.centroids_))
        order = np.argsort(self.assignments_, kind="stable")
        bounds = np.r_[0, np.cumsum(self.bucket_sizes_)]
        self.members_ = [order[bounds[b] : bounds[b + 1]] for b in range(len(self.centroids_))]
        self.n_buckets_ = len(self.centroids_)
        self._recall_curves: dict[int, np.ndarray] = {}  # k -> recall at n_probe = 1, 2, ...

    def _fit_kmeans(self, x: np.ndarray, rng: np.random.Generator) -> None:
        spherical = self.metric == "cosine"
        k = self.n_buckets
        train = x
        if len(x) > TRAIN_POINTS_PER_CENTROID * k:
            train = x[np.sort(rng.choice(len(x), TRAIN_POINTS_PER_CENTROID * k, replace=False))]
        centroids = kmeans(train, k, n_iter=self.n_iter, spherical=spherical, seed=rng)
        labels = capacity_assign(x, centroids, self.capacity, spherical=spherical)
        # Centroids of the buckets as assigned (an emptied centroid keeps its trained value).
        counts = np.bincount(labels, minlength=k)
        means = _means(x, labels, k, spherical)
        self.centroids_ = np.where(counts[:, None] > 0, means, centroids).astype(np.float32)
        self.assignments_ = labels

    def _fit_lsh(self, x: np.ndarray, rng: np.random.Generator) -> None:
        self.offset_ = (
            np.zeros(x.shape[1], np.float32)
            if self.metric == "cosine"
            else x.mean(axis=0).astype(np.float32)
        )
        self.hyperplanes_ = rng.standard_normal((x.shape[1], self.n_bits)).astype(np.float32)
        bits = self._bits(x)
        self.codes_ = np.packbits(bits, axis=1)
        prefix = self._prefix(bits)
        labels = np.empty(len(x), dtype=np.int64)
        bucket_codes: list[int] = []
        for code in np.unique(prefix):
            rows = np.flatnonzero(prefix == code)
            for start in range(0, len(rows), self.capacity):
                labels[rows[start : start + self.capacity]] = len(bucket_codes)
                bucket_codes.append(int(code))
        self.bucket_codes_ = np.asarray(bucket_codes, dtype=np.int64)
        self.assignments_ = labels
        self.centroids_ = _means(x, labels, len(bucket_codes), self.metric == "cosine")

    def _bits(self, x: np.ndarray) -> np.ndarray:
        return (x - self.offset_) @ self.hyperplanes_ > 0

    def _prefix(self, bits: np.ndarray) -> np.ndarray:
        weights = 1 << np.arange(self.prefix_bits - 1, -1, -1, dtype=np.int64)
        return bits[:, : self.prefix_bits].astype(np.int64) @ weights

    @staticmethod
    def _check_ids(ids: Any, n: int) -> np.ndarray:
        if ids is None:
            return np.arange(n, dtype=np.int64)
        array = np.asarray(ids)
        if array.shape != (n,) or not np.issubdtype(array.dtype, np.integer):
            raise ProblemError(
                f"The 'ids' argument of BucketIndex.fit must be {n} integers (one per row); "
                f"got shape {array.shape} of dtype {array.dtype}."
            )
        if len(np.unique(array)) != n:
            raise ProblemError("The 'ids' argument of BucketIndex.fit must not repeat an id.")
        return array.astype(np.int64)

    @staticmethod
    def _check_texts(texts: Any, n: int) -> tuple[str, ...] | None:
        if texts is None:
            return None
        items = tuple(texts)
        if len(items) != n or not all(isinstance(t, str) for t in items):
            raise ProblemError(
                f"The 'texts' argument of BucketIndex.fit must be {n} strings (one per row); "
                f"got {len(items)} items."
            )
        return items

    def _check_fitted(self, what: str) -> None:
        if not self.is_fitted:
            raise ProblemError(f"BucketIndex.{what} needs a fitted index; call fit(X) first.")

    # -- queries ----------------------------------------------------------------------------
    def prepare_query(self, query: Any, owner: str = "BucketIndex.problem_for") -> np.ndarray:
        """Validate one query vector and bring it into the index's space (normalised if cosine)."""
        from qsearch.retrieval.data.loaders import check_vectors, normalize_rows

        self._check_fitted("problem_for")
        q = check_vectors(
            query, "query", owner, metric=self.metric, dim=self.vectors_.shape[1], allow_1d=True
        )
        if len(q) != 1:
            raise ProblemError(
                f"The 'query' argument of {owner} must be one vector; got {len(q)} rows."
            )
        return normalize_rows(q)[0] if self.metric == "cosine" else q[0]

    def route(self, query: Any, n_probe: int = 1) -> tuple[np.ndarray, int]:
        """The ``n_probe`` buckets nearest the query, nearest first, and the comparisons spent.

        k-means: one distance per centroid. LSH: one Hamming distance per bucket prefix (the
        query's n_bits projections are counted as one comparison each as well).
        """
        q = self.prepare_query(query, "BucketIndex.route")
        n_probe = self._check_probe(n_probe, "BucketIndex.route")
        if self.method == "kmeans":
            if self.metric == "cosine":
                d = 1.0 - self.centroids_ @ q
            else:
                d = _sq_norms(self.centroids_ - q)
            comparisons = self.n_buckets_
        else:
            prefix = int(self._prefix(self._bits(q[None, :]))[0])
            d = np.array([int(v).bit_count() for v in (self.bucket_codes_ ^ prefix)])
            comparisons = self.n_buckets_ + self.n_bits
        order = np.lexsort((np.arange(len(d)), d))[:n_probe]
        return order, comparisons

    def _check_probe(self, n_probe: Any, owner: str) -> int:
        n_probe = check_int(n_probe, "n_probe", owner, minimum=1)
        if n_probe > self.n_buckets_:
            raise ProblemError(
                f"The 'n_probe' argument of {owner} must be <= the number of buckets "
                f"({self.n_buckets_}); got {n_probe}."
            )
        return n_probe

    def scores(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The predicate score of ``rows`` for a prepared query (see :attr:`score_name`)."""
        if self.method == "lsh":
            q_code = np.packbits(self._bits(query[None, :]), axis=1)
            diff = np.unpackbits(self.codes_[rows] ^ q_code, axis=1)
            return diff.sum(axis=1).astype(np.float64)
        vectors = self.vectors_[rows]
        if self.metric == "cosine":
            return (vectors @ query).astype(np.float64)
        return np.sqrt(np.maximum(_sq_norms(vectors - query), 0.0)).astype(np.float64)

    def problem_for(
        self,
        query: Any,
        *,
        threshold: float | None = None,
        k: int | None = None,
        n_probe: int = 1,
    ) -> list[BucketProblem]:
        """One :class:`BucketProblem` per probed bucket, nearest bucket first.

        Marked items are the probed items that satisfy the predicate:

        * ``threshold``: cosine similarity >= threshold, Euclidean distance <= threshold, or
          (LSH) Hamming distance <= threshold bits;
        * ``k``: the k best-scoring items among all probed items (ties broken by lower id);
        * both: the items passing the threshold, of which at most the k best.

        Each problem's ``build_cost`` is its bucket size: one predicate evaluation per item.

        Raises:
            ProblemError: neither k nor threshold, k > items, n_probe > buckets, a query with
                NaN/inf, of the wrong dimension, or zero under cosine.
        """
        q = self.prepare_query(query)
        if k is None and threshold is None:
            raise ProblemError(
                "BucketIndex.problem_for needs a predicate: pass k=<int> and/or threshold=<float>."
            )
        if k is not None:
            k = check_int(k, "k", "BucketIndex.problem_for", minimum=1)
            if k > len(self):
                raise ProblemError(
                    f"The 'k' argument of BucketIndex.problem_for must be <= the number of "
                    f"items ({len(self)}); got {k}."
                )
        if threshold is not None:
            threshold = self._check_threshold(threshold)
        buckets, _ = self.route(q, n_probe)
        rows = [self.members_[b] for b in buckets]
        scores = [self.scores(q, r) for r in rows]
        masks = []
        for s in scores:
            if threshold is None:
                masks.append(np.ones(len(s), dtype=bool))
            elif self.higher_is_better:
                masks.append(s >= threshold)
            else:
                masks.append(s <= threshold)
        if k is not None:
            all_scores = np.concatenate(scores)
            all_ids = np.concatenate([self.ids_[r] for r in rows])
            passing = np.concatenate(masks)
            key = -all_scores if self.higher_is_better else all_scores
            order = np.lexsort((all_ids, key))
            order = order[passing[order]][:k]
            keep = np.zeros(len(all_scores), dtype=bool)
            keep[order] = True
            bounds = np.cumsum([0, *[len(s) for s in scores]])
            masks = [keep[bounds[i] : bounds[i + 1]] for i in range(len(scores))]
        problems = []
        for rank, (b, r, s, m) in enumerate(zip(buckets, rows, scores, masks, strict=True)):
            problem = SearchProblem(len(r), np.flatnonzero(m), build_cost=len(r))
            problems.append(BucketProblem(problem, int(b), rank, self.ids_[r], s))
        return problems

    # -- FAISS habits (implemented in qsearch.retrieval.faiss_compat) ---------------------------
    def search(
        self, queries: Any, k: int, *, n_probe: int = 1, warn: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """FAISS-style batch k-NN: ``(distances, ids)``, each (nq, k), nearest first.

        The probed buckets are scanned exactly; distances are squared Euclidean (2 − 2·cos under
        the cosine metric); −1 / ``inf`` pad rows with fewer than k items; a QSearchWarning when
        the expected recall at ``n_probe`` is poor. See
        :func:`qsearch.retrieval.faiss_compat.search`.
        """
        from qsearch.retrieval.faiss_compat import search

        return search(self, queries, k, n_probe=n_probe, warn=warn)

    def expected_recall(self, n_probe: int, k: int = 10) -> float:
        """Leave-one-out estimate of recall@k at ``n_probe`` (see
        :func:`qsearch.retrieval.faiss_compat.expected_recall`)."""
        from qsearch.retrieval.faiss_compat import expected_recall

        return expected_recall(self, n_probe, k)

    def save(self, path: str | Path) -> Path:
        """Write the fitted index to ``path`` (a versioned ``.npz``, no pickle); return the path."""
        from qsearch.retrieval.faiss_compat import save_index

        return save_index(self, path)

    @classmethod
    def load(cls, path: str | Path) -> BucketIndex:
        """Read an index written by :meth:`save` (ProblemError for foreign or newer files)."""
        from qsearch.retrieval.faiss_compat import load_index

        index: BucketIndex = load_index(cls, path)
        return index

    def _check_threshold(self, threshold: Any) -> float:
        try:
            value = float(threshold)
        except (TypeError, ValueError):
            value = math.nan
        if self.score_name == "cosine":
            ok, expected = -1.0 <= value <= 1.0, "a cosine similarity in [-1, 1]"
        elif self.score_name == "euclidean":
            ok, expected = 0.0 <= value < math.inf, "a finite distance >= 0"
        else:
            ok, expected = 0 <= value <= self.n_bits, f"a Hamming distance in [0, {self.n_bits}]"
        if not ok:
            raise ProblemError(
                f"The 'threshold' argument of BucketIndex.problem_for must be {expected}; "
                f"got {threshold!r}."
            )
        return value
