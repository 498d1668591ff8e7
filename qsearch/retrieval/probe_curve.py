"""Recall@k of a k-means :class:`~qsearch.retrieval.buckets.BucketIndex` against the number of
probed buckets (``n_probe``), beside FAISS IVF-Flat at the same nlist / nprobe: the curve
``qsearch evaluate`` writes as ``NAME_n_probe.csv`` / ``.png``. The split and index are those of
:func:`qsearch.retrieval.evaluation.evaluate_retrieval` with the same arguments.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from qsearch._validation import SeedLike, check_int, child_seed, make_rng
from qsearch.exceptions import ProblemError
from qsearch.retrieval.buckets import BucketIndex
from qsearch.retrieval.data.datasets import Dataset
from qsearch.retrieval.evaluation import as_dataset, recall_of, split_queries
from qsearch.retrieval.retrieve import exact_knn

PROBE_COLUMNS = (
    "n_probe",
    "recall",
    "expected_recall",
    "items_scanned",
    "distance_computations",
    "faiss_ivf_recall",
)


def recall_vs_n_probe(
    dataset: str | Dataset | np.ndarray,
    *,
    k: int = 10,
    n_buckets: int | None = None,
    n_probes: Sequence[int] | None = None,
    n_queries: int = 50,
    include_faiss: bool = True,
    seed: SeedLike = 0,
) -> pd.DataFrame:
    """Recall@k of the k-means BucketIndex as the number of probed buckets grows.

    The split and index are those of :func:`evaluate_retrieval` with the same arguments (same
    held-out queries, same k-means seed), so its ``n_probe`` row matches that table's classical
    IVF row. Per ``n_probe``: the measured recall of :meth:`BucketIndex.search` against exact
    brute force, the index's own leave-one-out estimate (:meth:`BucketIndex.expected_recall`,
    what the low-``n_probe`` warning uses), the mean items scanned and distance computations
    (nlist + items scanned) per query, and FAISS IVF-Flat's recall at the same nlist / nprobe
    (NaN without faiss).

    Args:
        n_probes: the values to measure (default 1, 2, 4, ... and n_buckets).
        dataset: as for :func:`evaluate_retrieval`.
        k: as for :func:`evaluate_retrieval`.
        n_buckets: as for :func:`evaluate_retrieval`.
        n_queries: as for :func:`evaluate_retrieval`.
        include_faiss: also measure FAISS IVF-Flat (NaN without faiss).
        seed: as for :func:`evaluate_retrieval`.

    Returns:
        A DataFrame with columns :data:`PROBE_COLUMNS`, one row per ``n_probe``.
    """
    data = as_dataset(dataset, "recall_vs_n_probe")
    k = check_int(k, "k", "recall_vs_n_probe", minimum=1)
    n_queries = check_int(n_queries, "n_queries", "recall_vs_n_probe", minimum=1)
    if not n_queries < len(data) or k > len(data) - n_queries:
        raise ProblemError(
            f"recall_vs_n_probe needs n_queries < {len(data)} items and k <= the indexed items; "
            f"got n_queries={n_queries}, k={k}."
        )
    n_items = len(data) - n_queries
    n_buckets = check_int(
        n_buckets if n_buckets is not None else max(1, round(math.sqrt(n_items))),
        "n_buckets",
        "recall_vs_n_probe",
        minimum=1,
    )
    if n_probes is None:
        n_probes = sorted(
            {*(2**j for j in range(n_buckets.bit_length()) if 2**j < n_buckets), n_buckets}
        )
    probes = [check_int(p, "n_probes", "recall_vs_n_probe", minimum=1) for p in n_probes]
    if not probes or max(probes) > n_buckets:
        raise ProblemError(
            f"The 'n_probes' argument of recall_vs_n_probe must hold values in [1, {n_buckets}] "
            f"(n_buckets); got {list(n_probes)}."
        )
    rng = make_rng(seed, "recall_vs_n_probe")
    int_seed = child_seed(rng) % 2**31
    items, queries, item_ids = split_queries(data, n_queries, rng, "recall_vs_n_probe")
    truth_local, _ = exact_knn(items, queries, k, metric=data.metric)
    truth = item_ids[truth_local]
    cap = max(1, math.ceil(2 * n_items / n_buckets) - 1).bit_length()
    ivf = BucketIndex(n_buckets, metric=data.metric, max_bucket_qubits=cap, seed=int_seed)
    ivf.fit(items, ids=item_ids)
    faiss_recall = (
        _faiss_ivf_recalls(items, queries, truth_local, k, data.metric, n_buckets, probes, int_seed)
        if include_faiss
        else {}
    )
    rows = []
    for p in probes:
        _, found = ivf.search(queries, k, n_probe=p, warn=False)
        scanned = float(np.mean([ivf.bucket_sizes_[ivf.route(q, p)[0]].sum() for q in queries]))
        rows.append(
            {
                "n_probe": p,
                "recall": float(
                    np.mean([recall_of(f, t) for f, t in zip(found, truth, strict=True)])
                ),
                "expected_recall": ivf.expected_recall(p, k),
                "items_scanned": scanned,
                "distance_computations": ivf.n_buckets_ + scanned,
                "faiss_ivf_recall": faiss_recall.get(p, math.nan),
            }
        )
    return pd.DataFrame.from_records(rows, columns=list(PROBE_COLUMNS))


def _faiss_ivf_recalls(
    items: np.ndarray,
    queries: np.ndarray,
    truth: np.ndarray,
    k: int,
    metric: str,
    n_buckets: int,
    probes: Sequence[int],
    seed: int,
) -> dict[int, float]:
    """FAISS IVF-Flat recall@k per nprobe (same nlist); {} without faiss."""
    try:
        import faiss
    except ImportError:
        return {}
    faiss.omp_set_num_threads(1)
    cosine = metric == "cosine"
    d = items.shape[1]
    quantizer = faiss.IndexFlatIP(d) if cosine else faiss.IndexFlatL2(d)
    ivf = faiss.IndexIVFFlat(
        quantizer, d, n_buckets, faiss.METRIC_INNER_PRODUCT if cosine else faiss.METRIC_L2
    )
    ivf.cp.seed = seed
    ivf.train(items)
    ivf.add(items)
    recalls = {}
    for p in probes:
        ivf.nprobe = p
        _, found = ivf.search(queries, k)
        recalls[p] = float(np.mean([recall_of(f, t) for f, t in zip(found, truth, strict=True)]))
    return recalls


def write_probe_curve(
    table: pd.DataFrame, csv_path: str | Path, png_path: str | Path, *, title: str = ""
) -> tuple[Path, Path]:
    """Write :func:`recall_vs_n_probe`'s table as CSV and as a recall-vs-n_probe plot."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from qsearch.retrieval.faiss_compat import LOW_RECALL

    csv_path, png_path = Path(csv_path), Path(png_path)
    for path in (csv_path, png_path):
        path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(csv_path, index=False)
    fig, ax = plt.subplots(figsize=(6, 4.2))
    ax.plot(table["n_probe"], table["recall"], marker="o", label="qsearch IVF (measured)")
    ax.plot(
        table["n_probe"],
        table["expected_recall"],
        ls="--",
        marker=".",
        label="leave-one-out estimate",
    )
    if table["faiss_ivf_recall"].notna().any():
        ax.plot(table["n_probe"], table["faiss_ivf_recall"], marker="s", label="FAISS IVF-Flat")
    ax.axhline(LOW_RECALL, color="grey", lw=0.8, ls=":", label=f"warning below {LOW_RECALL:.0%}")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("n_probe (buckets scanned per query)")
    ax.set_ylabel("recall@k")
    ax.set_ylim(0, 1.02)
    ax.set_title(title or "recall vs n_probe")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(png_path, dpi=120)
    plt.close(fig)
    return csv_path, png_path
