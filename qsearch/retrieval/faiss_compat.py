"""FAISS habits for :class:`~qsearch.retrieval.buckets.BucketIndex`: batch search, expected
recall, save/load.

* :func:`search` is ``index.search(xq, k)`` of a FAISS IVF-Flat index (Jégou, Douze, Schmid 2011)
  with ``nprobe = n_probe``: ``(D, I)`` of shape (nq, k), squared Euclidean distances ascending
  (``IndexFlatL2``'s convention; under the cosine metric rows and queries are unit vectors, so
  D = 2 − 2·cos), ids −1 and distances ``inf`` where fewer than k items were probed.
* :func:`expected_recall` estimates recall@k at a given ``n_probe`` before any query is run, so
  :func:`search` can warn when ``n_probe`` is too low (FAISS silently returns poor neighbours).
* :func:`save_index` / :func:`load_index`: the fitted index as one ``.npz`` (``numpy.savez``,
  arrays only, read with ``allow_pickle=False``), versioned by :data:`FORMAT_VERSION`.

This module does not import :mod:`qsearch.retrieval.buckets` (the index's methods import it), so
the two never form an import cycle.
"""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from qsearch._validation import check_int
from qsearch.exceptions import ProblemError, QSearchWarning

#: :func:`search` warns when the estimated recall@k at its ``n_probe`` is below this.
LOW_RECALL = 0.5
#: Indexed items used as leave-one-out queries by :func:`expected_recall`.
RECALL_SAMPLE = 256
#: Distances held at once by :func:`recall_curve` (memory independent of the index size).
_RECALL_BLOCK = 2**22
#: Version of the ``.npz`` layout written by :func:`save_index`; :func:`load_index` reads
#: versions up to this one.
FORMAT_VERSION = 1
_KIND = "qsearch.BucketIndex"


def search(
    index: Any, queries: Any, k: int, *, n_probe: int = 1, warn: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """FAISS-style batch k-NN over the probed buckets of a fitted BucketIndex.

    Each query is routed as :meth:`BucketIndex.route` routes it (the same buckets
    :func:`qsearch.retrieve` searches) and the probed buckets are scanned exactly in float64
    (a classical scan; :func:`qsearch.retrieve` is the quantum pipeline and its bill). Ties go to
    the lower id. With ``n_probe = n_buckets_`` the result is exact brute force.

    Args:
        index: a fitted BucketIndex.
        queries: (nq, d) queries, or one (d,) query.
        k: neighbours per query (>= 1; more than the probed items pads with −1 / ``inf``).
        n_probe: buckets probed per query (FAISS ``nprobe``).
        warn: warn when the estimated recall@k (:func:`expected_recall`) is below
            :data:`LOW_RECALL`.

    Returns:
        ``(distances, ids)``: float64 and int64 arrays of shape (nq, k), nearest first.

    Warns:
        QSearchWarning: the expected recall at this ``n_probe`` is poor; the message says
            which ``n_probe`` reaches :data:`LOW_RECALL`.
    """
    from qsearch.retrieval.data.loaders import check_vectors, normalize_rows

    index._check_fitted("search")
    raw = check_vectors(
        queries,
        "queries",
        "BucketIndex.search",
        metric=index.metric,
        dim=index.vectors_.shape[1],
        allow_1d=True,
    )
    k = check_int(k, "k", "BucketIndex.search", minimum=1)
    n_probe = index._check_probe(n_probe, "BucketIndex.search")
    if warn:
        warn_low_recall(index, n_probe, k)
    q = (normalize_rows(raw) if index.metric == "cosine" else raw).astype(np.float64)
    distances = np.full((len(q), k), np.inf)
    ids = np.full((len(q), k), -1, dtype=np.int64)
    for row in range(len(q)):
        buckets, _ = index.route(raw[row], n_probe)
        rows = np.concatenate([index.members_[b] for b in buckets])
        diff = index.vectors_[rows].astype(np.float64) - q[row]
        d = np.einsum("ij,ij->i", diff, diff)
        found = index.ids_[rows]
        best = np.lexsort((found, d))[:k]
        distances[row, : len(best)] = d[best]
        ids[row, : len(best)] = found[best]
    return distances, ids


def expected_recall(index: Any, n_probe: int, k: int = 10) -> float:
    """Estimated recall@k at ``n_probe`` for queries distributed like the indexed items.

    Leave-one-out: a fixed sample (seed 0) of at most :data:`RECALL_SAMPLE` indexed items are
    the queries; each one's true k nearest *other* items are found by brute force (index
    metric), and the estimate is the mean fraction of them that lie in the query's ``n_probe``
    nearest buckets, i.e. the recall of an exact scan of the probed buckets. One
    (sample × n) distance matrix gives every ``n_probe`` at once; the curve is cached per k.
    """
    index._check_fitted("expected_recall")
    n_probe = index._check_probe(n_probe, "BucketIndex.expected_recall")
    k = min(check_int(k, "k", "BucketIndex.expected_recall", minimum=1), len(index) - 1)
    if k < 1:
        return 1.0
    return float(recall_curve(index, k)[n_probe - 1])


def recall_curve(index: Any, k: int) -> np.ndarray:
    """The :func:`expected_recall` estimate for n_probe = 1 .. n_buckets_ (cached per k)."""
    cached = index._recall_curves.get(k)
    if cached is not None:
        return cached
    x = index.vectors_
    rng = np.random.default_rng(0)
    sample = np.sort(rng.choice(len(x), size=min(len(x), RECALL_SAMPLE), replace=False))
    norms = np.einsum("ij,ij->i", x, x, dtype=np.float64)
    xt = x.T.astype(np.float64)
    block = max(1, _RECALL_BLOCK // len(x))  # bounded memory: block × n distances at a time
    neighbours = np.empty((len(sample), k), dtype=np.int64)
    for start in range(0, len(sample), block):
        rows = sample[start : start + block]
        d = norms[None, :] - 2.0 * (x[rows].astype(np.float64) @ xt)
        d[np.arange(len(rows)), rows] = np.inf  # leave the query itself out
        neighbours[start : start + len(rows)] = np.argpartition(d, k - 1, axis=1)[:, :k]
    nb = index.n_buckets_
    hits = np.zeros(nb, dtype=np.float64)
    rank = np.empty(nb, dtype=np.int64)
    for query, row in zip(sample, neighbours, strict=True):
        order, _ = index.route(x[query], nb)
        rank[order] = np.arange(nb)
        hits += np.bincount(rank[index.assignments_[row]], minlength=nb)
    curve = np.cumsum(hits) / (k * len(sample))
    curve.setflags(write=False)
    index._recall_curves[k] = curve
    return curve


def warn_low_recall(
    index: Any, n_probe: int, k: int, *, owner: str = "BucketIndex.search", stacklevel: int = 4
) -> None:
    """Warn (QSearchWarning) when :func:`expected_recall` at ``n_probe`` is below
    :data:`LOW_RECALL`, naming the ``n_probe`` that reaches it; ``owner`` starts the message."""
    if n_probe == index.n_buckets_ or len(index) < 2:
        return
    recall = expected_recall(index, n_probe, k)
    if recall >= LOW_RECALL:
        return
    curve = recall_curve(index, min(k, len(index) - 1))
    enough = int(np.argmax(curve >= LOW_RECALL)) + 1
    warnings.warn(
        f"{owner}: n_probe={n_probe} of {index.n_buckets_} buckets is expected to "
        f"find {recall:.0%} of the true {k} nearest neighbours (leave-one-out estimate on "
        f"{min(len(index), RECALL_SAMPLE)} indexed items); n_probe={enough} is expected to "
        f"reach {LOW_RECALL:.0%}.",
        QSearchWarning,
        stacklevel=stacklevel,
    )


# -- persistence -------------------------------------------------------------------------------
_PARAMS = ("n_buckets", "method", "metric", "max_bucket_qubits", "n_bits", "n_iter")
_FITTED = ("centroids_", "assignments_", "ids_", "vectors_")
_LSH = ("offset_", "hyperplanes_", "codes_", "bucket_codes_")


def save_index(index: Any, path: str | Path) -> Path:
    """Write a fitted BucketIndex to ``path`` (``.npz`` appended if missing); returns the path.

    Stored: the constructor arguments (an int seed; a Generator seed is stored as None), the
    fitted arrays (centroids, assignments, ids, vectors, texts, LSH planes and codes) and
    ``format_version``. Bucket membership is recomputed on load.
    """
    index._check_fitted("save")
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    arrays: dict[str, Any] = {
        "kind": np.array(_KIND),
        "format_version": np.array(FORMAT_VERSION),
        "seed": np.array(index.seed if isinstance(index.seed, int) else -1),
    }
    arrays.update({f"param_{name}": np.array(getattr(index, name)) for name in _PARAMS})
    names = _FITTED + (_LSH if index.method == "lsh" else ())
    arrays.update({name: np.asarray(getattr(index, name)) for name in names})
    if index.texts_ is not None:
        arrays["texts_"] = np.array(index.texts_, dtype=str)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)
    return path


def load_index(cls: type, path: str | Path) -> Any:
    """Read a BucketIndex written by :func:`save_index` (``cls``: the BucketIndex class).

    Raises:
        FileNotFoundError: no file at ``path``.
        ProblemError: not a qsearch index file, written by a newer qsearch (format version
            above :data:`FORMAT_VERSION`), or missing / inconsistent arrays.
    """
    path = Path(path)
    if not path.exists() and path.suffix != ".npz" and path.with_name(path.name + ".npz").exists():
        path = path.with_name(path.name + ".npz")
    try:
        with np.load(path, allow_pickle=False) as data:
            stored = {name: data[name] for name in data.files}
    except FileNotFoundError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise ProblemError(
            f"BucketIndex.load: {str(path)!r} is not a qsearch index file (an .npz written by "
            f"BucketIndex.save): {exc}."
        ) from None
    if str(stored.get("kind", "")) != _KIND:
        raise ProblemError(
            f"BucketIndex.load: {str(path)!r} is not a qsearch index file (no kind={_KIND!r}); "
            f"found arrays {sorted(stored)[:8]}."
        )
    version = int(stored["format_version"])
    if version > FORMAT_VERSION:
        raise ProblemError(
            f"BucketIndex.load: {str(path)!r} has format version {version}, newer than this "
            f"qsearch reads ({FORMAT_VERSION}); upgrade qsearch to load it."
        )
    method = str(stored.get("param_method", ""))
    needed = [f"param_{name}" for name in _PARAMS] + list(_FITTED)
    needed += list(_LSH) if method == "lsh" else []
    missing = [name for name in needed if name not in stored]
    if missing:
        raise ProblemError(f"BucketIndex.load: {str(path)!r} lacks the arrays {missing}.")
    seed = int(stored["seed"])
    params = {name: stored[f"param_{name}"].item() for name in _PARAMS}
    index = cls(params.pop("n_buckets"), **params, seed=None if seed < 0 else seed)
    for name in _FITTED + (_LSH if method == "lsh" else ()):
        value = stored[name]
        if name == "vectors_":
            value.setflags(write=False)  # as fit leaves it: the index owns its rows
        setattr(index, name, value)
    n = len(index.vectors_)
    if len(index.assignments_) != n or len(index.ids_) != n:
        raise ProblemError(
            f"BucketIndex.load: {str(path)!r} is inconsistent: {n} vectors, "
            f"{len(index.assignments_)} assignments, {len(index.ids_)} ids."
        )
    texts = stored.get("texts_")
    index.texts_ = None if texts is None else tuple(str(t) for t in texts)
    index._index_members()
    return index
