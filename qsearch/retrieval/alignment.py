"""Representation alignment, and whether buckets built in one embedding space serve another.

The Platonic Representation Hypothesis (Huh, Cheung, Wang, Isola 2024, arXiv:2405.07987) measures
how alike two representations f, g of the same n items are by the **mutual k-nearest-neighbour
alignment**::

    m_k(f, g) = (1/n) Σ_i |N_k^f(i) ∩ N_k^g(i)| / k

where N_k^f(i) is the set of the k nearest neighbours of item i (itself excluded) under f. It is
1 when the neighbourhoods agree and k/(n − 1) in expectation for unrelated representations.
:func:`cka` is linear centred kernel alignment (Kornblith, Norouzi, Lee, Hinton 2019,
arXiv:1905.00414): ‖BᵀA‖_F² / (‖AᵀA‖_F ‖BᵀB‖_F) on column-centred A, B, invariant to rotations
and isotropic scaling.

:func:`alignment_experiment` compares a dataset's own embedding with a second one (text:
all-MiniLM-L6-v2 versus TF-IDF + LSA from scikit-learn; digits: raw pixels versus a
gradient-orientation histogram) and reports both the alignment and the *cross-space recall*: a
k-means partition built in space A, with bucket centroids recomputed in space B, routes B-space
queries; recall@k against exact B-space neighbours shows whether A's buckets serve B's queries,
next to B's own partition (upper reference) and a random balanced partition (lower reference).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from qsearch._validation import SeedLike, check_int, child_seed, make_rng, seed_record
from qsearch.exceptions import BackendUnavailableError, ProblemError
from qsearch.retrieval.buckets import BucketIndex
from qsearch.retrieval.data.datasets import Dataset
from qsearch.retrieval.data.loaders import check_vectors, normalize_rows
from qsearch.retrieval.retrieve import exact_knn

_BLOCK = 2048


def _check_pair(A: Any, B: Any, owner: str, metric: str) -> tuple[np.ndarray, np.ndarray]:
    if metric not in ("cosine", "euclidean"):
        raise ProblemError(
            f"The 'metric' argument of {owner} must be 'cosine' or 'euclidean'; got {metric!r}."
        )
    a = check_vectors(A, "A", owner, metric=metric)
    b = check_vectors(B, "B", owner, metric=metric)
    if len(a) != len(b):
        raise ProblemError(
            f"The 'B' argument of {owner} must embed the same items as 'A' (same number of rows, "
            f"{len(a)}); got {len(b)} rows."
        )
    return a, b


def knn_indices(X: np.ndarray, k: int, metric: str = "cosine") -> np.ndarray:
    """The k nearest neighbours of every row among the other rows, (n, k), nearest first."""
    x = normalize_rows(X) if metric == "cosine" else X
    norms = None if metric == "cosine" else np.einsum("ij,ij->i", x, x)
    out = np.empty((len(x), k), dtype=np.int64)
    for start in range(0, len(x), _BLOCK):
        block = x[start : start + _BLOCK]
        d = -(block @ x.T)
        if norms is not None:
            d = 2.0 * d + norms
        rows = np.arange(len(block))
        d[rows, start + rows] = np.inf  # exclude the item itself
        part = np.argpartition(d, k - 1, axis=1)[:, :k]
        order = np.argsort(np.take_along_axis(d, part, axis=1), axis=1, kind="stable")
        out[start : start + len(block)] = np.take_along_axis(part, order, axis=1)
    return out


def mutual_knn(A: Any, B: Any, k: int = 10, *, metric: str = "cosine") -> float:
    """Mutual k-NN alignment m_k(A, B) of Huh et al. 2024 (arXiv:2405.07987).

    Args:
        A: (n, d_A) embeddings of n items (row i = item i).
        B: (n, d_B) embeddings of the same n items, in the same order.
        k: neighbourhood size, 1 <= k <= n − 1.
        metric: ``"cosine"`` (rows normalised, as in the paper) or ``"euclidean"``.

    Returns:
        The mean fraction of shared neighbours, in [0, 1]; k/(n − 1) is chance level.

    Example:
        >>> X = np.random.default_rng(0).normal(size=(200, 8))
        >>> mutual_knn(X, 3.0 * X, k=5)
        1.0
    """
    a, b = _check_pair(A, B, "mutual_knn", metric)
    k = check_int(k, "k", "mutual_knn", minimum=1)
    if k > len(a) - 1:
        raise ProblemError(
            f"The 'k' argument of mutual_knn must be <= n - 1 = {len(a) - 1}; got {k}."
        )
    na, nb = knn_indices(a, k, metric), knn_indices(b, k, metric)
    shared = (np.sort(na, axis=1)[:, :, None] == np.sort(nb, axis=1)[:, None, :]).sum(axis=(1, 2))
    return float(shared.mean() / k)


def chance_mutual_knn(n: int, k: int) -> float:
    """E[m_k] for independent uniformly random neighbour sets: k/(n − 1) (hypergeometric mean)."""
    return k / (n - 1)


def cka(A: Any, B: Any) -> float:
    """Linear CKA (Kornblith et al. 2019, arXiv:1905.00414) of two embeddings of the same items.

    CKA = ‖B̃ᵀÃ‖_F² / (‖ÃᵀÃ‖_F ‖B̃ᵀB̃‖_F) with column-centred Ã, B̃; 1 for B = cAQ (Q orthogonal).
    """
    a, b = _check_pair(A, B, "cka", "euclidean")
    a = (a - a.mean(axis=0)).astype(np.float64)
    b = (b - b.mean(axis=0)).astype(np.float64)
    cross = np.linalg.norm(b.T @ a) ** 2
    denom = np.linalg.norm(a.T @ a) * np.linalg.norm(b.T @ b)
    if denom == 0:
        raise ProblemError("cka: an embedding is constant (zero variance after centring).")
    return float(cross / denom)


# -- second representations --------------------------------------------------------------------
def lsa_embedding(
    texts: list[str] | tuple[str, ...], dim: int = 128, *, seed: int = 0
) -> np.ndarray:
    """TF-IDF + truncated SVD (latent semantic analysis; Deerwester et al. 1990) of texts.

    Needs scikit-learn (``pip install 'qsearch[ann]'``).
    """
    try:
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer
    except ImportError:
        raise BackendUnavailableError(
            "The TF-IDF/LSA representation needs scikit-learn; install it with: "
            "pip install 'qsearch[ann]'."
        ) from None
    tfidf = TfidfVectorizer(sublinear_tf=True, min_df=2, stop_words="english").fit_transform(texts)
    dim = min(dim, tfidf.shape[1] - 1)
    reduced = TruncatedSVD(n_components=dim, random_state=seed).fit_transform(tfidf)
    reduced = reduced.astype(np.float32)
    zero = ~np.any(reduced != 0, axis=1)
    reduced[zero, 0] = 1e-6  # a text with no kept term: an arbitrary direction, not a zero row
    return normalize_rows(reduced)


def gradient_histogram(images: np.ndarray, side: int = 8, bins: int = 8) -> np.ndarray:
    """Gradient-orientation histograms (a small HOG, Dalal & Triggs 2005) of square images.

    Each image is split into 2×2 cells; each cell histograms its unsigned gradient orientations
    into ``bins`` bins weighted by magnitude: 4·bins features, L2-normalised.
    """
    imgs: np.ndarray = np.asarray(images, dtype=np.float64).reshape(-1, side, side)
    gy, gx = np.gradient(imgs, axis=(1, 2))
    magnitude = np.hypot(gx, gy)
    angle = np.mod(np.arctan2(gy, gx), np.pi)
    which = np.minimum((angle / np.pi * bins).astype(int), bins - 1)
    half = side // 2
    features = np.zeros((len(imgs), 4, bins))
    for cell, (r, c) in enumerate(((0, 0), (0, half), (half, 0), (half, half))):
        mag = magnitude[:, r : r + half, c : c + half].reshape(len(imgs), -1)
        idx = which[:, r : r + half, c : c + half].reshape(len(imgs), -1)
        for b in range(bins):
            features[:, cell, b] = np.where(idx == b, mag, 0.0).sum(axis=1)
    flat = features.reshape(len(imgs), -1).astype(np.float32)
    flat[~np.any(flat != 0, axis=1), 0] = 1.0
    return normalize_rows(flat)


def second_representation(dataset: Dataset, *, seed: int = 0) -> tuple[str, np.ndarray]:
    """(name, vectors) of the comparison representation of a dataset (see module docstring)."""
    if dataset.texts is not None:
        return "TF-IDF+LSA", lsa_embedding(dataset.texts, seed=seed)
    side = math.isqrt(dataset.dim)
    if side * side == dataset.dim and side % 2 == 0:
        return "gradient histogram", gradient_histogram(dataset.vectors, side=side)
    raise ProblemError(
        f"alignment_experiment: dataset {dataset.name!r} has neither texts nor square images; "
        "pass a second representation with B=."
    )


# -- cross-space recall ------------------------------------------------------------------------
def partition_recall(
    labels: np.ndarray,
    items: np.ndarray,
    queries: np.ndarray,
    truth: np.ndarray,
    k: int,
    n_probe: int,
) -> float:
    """Recall@k of an IVF search in the space of ``items`` over a given partition ``labels``.

    Centroids are the (normalised) means of each bucket's items in this space; each query
    probes its ``n_probe`` nearest centroids and scans them exactly (cosine).
    """
    n_buckets = int(labels.max()) + 1
    sums = np.zeros((n_buckets, items.shape[1]))
    np.add.at(sums, labels, items)
    centroids = normalize_rows(np.where(np.any(sums != 0, axis=1)[:, None], sums, 1.0))
    probes = np.argsort(-(queries @ centroids.T), axis=1, kind="stable")[:, :n_probe]
    recall = 0.0
    for q, probe, t in zip(queries, probes, truth, strict=True):
        rows = np.flatnonzero(np.isin(labels, probe))
        best = rows[np.argsort(-(items[rows] @ q), kind="stable")[:k]]
        recall += len(set(best.tolist()) & set(t.tolist())) / k
    return recall / len(queries)


@dataclass(frozen=True)
class AlignmentReport:
    """Alignment scores and cross-space recall of two representations of one dataset."""

    dataset: str
    space_a: str
    space_b: str
    k: int
    mutual_knn: float
    chance: float
    cka: float
    recall: pd.DataFrame
    params: dict[str, Any]

    def format(self) -> str:
        lines = [
            f"dataset {self.dataset}: {self.space_a} (A) vs {self.space_b} (B), "
            f"{self.params['num_items']} items",
            f"  mutual k-NN alignment (k={self.k}): {self.mutual_knn:.3f}   "
            f"(chance {self.chance:.4f}; 1 = identical neighbourhoods)",
            f"  linear CKA: {self.cka:.3f}",
            "",
            f"cross-space recall@{self.k} (nlist={self.params['n_buckets']}, "
            f"nprobe={self.params['n_probe']}, {self.params['n_queries']} held-out queries):",
            f"  {'queries in':<22}{'buckets from':<22}{'recall':>8}",
        ]
        for row in self.recall.itertuples(index=False):
            lines.append(f"  {row.query_space:<22}{row.partition:<22}{row.recall:>8.3f}")
        return "\n".join(lines)


def alignment_experiment(
    dataset: str | Dataset,
    *,
    B: Any = None,
    k: int = 10,
    n_buckets: int | None = None,
    n_probe: int = 4,
    n_queries: int = 100,
    seed: SeedLike = 0,
) -> AlignmentReport:
    """Alignment (mutual k-NN, CKA) and cross-space recall between a dataset and a 2nd space.

    Args:
        dataset: a built-in name or Dataset (space A = its vectors).
        B: optional second representation (n, d_B); default :func:`second_representation`.
        k: neighbourhood size for the alignment and recall@k.
        n_buckets: k-means buckets (default ≈ √n); n_probe: buckets probed.
        n_queries: held-out items used as queries for the recall.
        seed: seeds the split, the partitions and LSA.
    """
    from qsearch.retrieval.evaluation import as_dataset

    data = as_dataset(dataset, "alignment_experiment")
    rng = make_rng(seed, "alignment_experiment")
    int_seed = child_seed(rng) % 2**31
    a = normalize_rows(
        check_vectors(data.vectors, "dataset", "alignment_experiment", metric="cosine")
    )
    if B is None:
        name_b, b = second_representation(data, seed=int_seed)
    else:
        name_b = "B"
        _, b = _check_pair(a, B, "alignment_experiment", "cosine")
        b = normalize_rows(b)
    name_a = "MiniLM" if data.texts is not None else "pixels" if data.name == "digits" else "A"
    k = check_int(k, "k", "alignment_experiment", minimum=1)
    n_queries = check_int(n_queries, "n_queries", "alignment_experiment", minimum=1)
    n = len(a)
    if n_queries >= n - k:
        raise ProblemError(
            f"The 'n_queries' argument of alignment_experiment must be below n - k = {n - k}; "
            f"got {n_queries}."
        )
    m = mutual_knn(a, b, k)
    c = cka(a, b)
    held = np.sort(rng.choice(n, size=n_queries, replace=False))
    keep = np.setdiff1d(np.arange(n), held)
    n_items = len(keep)
    if n_buckets is None:
        n_buckets = max(1, round(math.sqrt(n_items)))
    n_buckets = check_int(n_buckets, "n_buckets", "alignment_experiment", minimum=1)
    n_probe = check_int(n_probe, "n_probe", "alignment_experiment", minimum=1)
    if n_probe > n_buckets or n_buckets > n_items:
        raise ProblemError(
            f"alignment_experiment needs n_probe <= n_buckets <= {n_items}; got n_probe={n_probe}, "
            f"n_buckets={n_buckets}."
        )
    cap = max(1, math.ceil(2 * n_items / n_buckets) - 1).bit_length()
    spaces = {name_a: a, name_b: b}
    partitions = {
        name: BucketIndex(n_buckets, max_bucket_qubits=cap, seed=int_seed).fit(v[keep]).assignments_
        for name, v in spaces.items()
    }
    partitions["random"] = rng.permutation(np.arange(n_items) % n_buckets)
    rows = []
    for query_space, vectors in spaces.items():
        items, queries = vectors[keep], vectors[held]
        truth, _ = exact_knn(items, queries, k)
        for partition, labels in partitions.items():
            rows.append(
                {
                    "query_space": query_space,
                    "partition": partition,
                    "recall": partition_recall(labels, items, queries, truth, k, n_probe),
                }
            )
    return AlignmentReport(
        dataset=data.name,
        space_a=name_a,
        space_b=name_b,
        k=k,
        mutual_knn=m,
        chance=chance_mutual_knn(n, k),
        cka=c,
        recall=pd.DataFrame(rows),
        params={
            "num_items": n,
            "n_buckets": n_buckets,
            "n_probe": n_probe,
            "n_queries": n_queries,
            "seed": seed_record(seed),
        },
    )
