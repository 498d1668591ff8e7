"""Recall versus cost: qsearch's bucketed retrieval against exact search, FAISS and HNSW.

:func:`evaluate_retrieval` holds out ``n_queries`` items of a dataset as queries, indexes the
rest, and reports for every method the mean recall@k against exact brute force (Jégou et al.'s
recall, as in FAISS's ``contrib/evaluation.py``: |found ∩ true top-k| / k) and the mean work per
query:

* exact brute force and FAISS flat: N distance computations;
* qsearch IVF (k-means) and LSH, classical pipeline: routing comparisons + a scan of the probed
  buckets; quantum pipeline (same buckets): routing + oracle build (N_b per bucket) + oracle
  queries + classical checks (routing and build in separate columns);
* FAISS IVF-Flat with the same nlist / nprobe: nlist + the probed lists' sizes;
* HNSW (Malkov & Yashunin 2016, arXiv:1603.09320) through hnswlib (recall; hnswlib does not
  count distance computations) and FAISS's IndexHNSWFlat (recall and ``hnsw_stats.ndis``).

FAISS and hnswlib are optional (the ``[ann]`` extra); their rows are left out when missing.

A second experiment measures how the cost scales with the bucket size N_b: for several bucket
counts, k = 1 queries on one probed bucket; the fitted log-log slopes of the search queries
(oracle + checks) and of the build cost versus mean N_b (≈ 0.5 and 1.0) are the honest
conclusion: the oracle queries shrink as √N, the build cost does not.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from qsearch._validation import SeedLike, check_int, child_seed, make_rng, seed_record
from qsearch.backends.base import Backend
from qsearch.complexity import PowerLawFit, fit_power_law
from qsearch.exceptions import ProblemError
from qsearch.retrieval.buckets import BucketIndex
from qsearch.retrieval.data.datasets import Dataset, load
from qsearch.retrieval.data.loaders import check_vectors, normalize_rows
from qsearch.retrieval.retrieve import exact_knn, retrieve

COLUMNS = (
    "method",
    "recall",
    "distance_computations",
    "oracle_queries",
    "verify_queries",
    "routing_queries",
    "build_queries",
    "total_queries",
    "wall_ms_per_query",
)


@dataclass(frozen=True)
class RetrievalEvaluation:
    """What :func:`evaluate_retrieval` measured.

    Attributes:
        table: one row per method (columns :data:`COLUMNS`): mean recall@k, mean distance
            computations per query (classical methods; NaN where not exposed), and for qsearch
            pipelines the mean oracle / verify / routing (centroid comparisons) / build
            (predicate evaluations that build the oracles) / total queries per query.
        scaling: per bucket count: mean bucket size, mean search queries and build per query.
        fits: ``"search"`` and ``"build"`` power-law fits versus mean bucket size (or empty).
        params: dataset, k, n_buckets, n_probe, n_queries, backend, seed.
        conclusion: the honest summary, in words and numbers.
    """

    table: pd.DataFrame
    scaling: pd.DataFrame
    fits: dict[str, PowerLawFit]
    params: dict[str, Any]
    conclusion: str = field(default="")

    def format(self) -> str:
        """The table, the scaling fit and the conclusion, as ``qsearch evaluate`` prints them."""
        p = self.params
        lines = [
            f"dataset {p['dataset']}: {p['num_items']} items, {p['n_queries']} held-out queries, "
            f"k={p['k']}, nlist={p['n_buckets']}, nprobe={p['n_probe']}, backend={p['backend']}",
            "",
            f"{'method':<30}{'recall@k':>9}{'dist.comp':>11}{'oracle':>9}{'verify':>9}"
            f"{'routing':>9}{'build':>9}{'total':>9}{'ms/q':>8}",
        ]

        def cell(value: float, width: int) -> str:
            return f"{'-':>{width}}" if math.isnan(value) else f"{value:>{width}.1f}"

        for row in self.table.itertuples(index=False):
            lines.append(
                f"{row.method:<30}{row.recall:>9.3f}{cell(row.distance_computations, 11)}"
                f"{cell(row.oracle_queries, 9)}{cell(row.verify_queries, 9)}"
                f"{cell(row.routing_queries, 9)}{cell(row.build_queries, 9)}"
                f"{cell(row.total_queries, 9)}"
                f"{row.wall_ms_per_query:>8.2f}"
            )
        if len(self.scaling):
            lines += ["", "scaling with bucket size N_b (k=1, one probed bucket):"]
            lines.append(f"{'buckets':>9}{'mean N_b':>10}{'search q.':>11}{'build':>9}")
            for row in self.scaling.itertuples(index=False):
                lines.append(
                    f"{row.n_buckets:>9}{row.mean_bucket_size:>10.1f}"
                    f"{row.search_queries:>11.1f}{row.build_queries:>9.1f}"
                )
        lines += ["", self.conclusion]
        return "\n".join(lines)

    def to_csv(self, path: str | Path) -> Path:
        """Write the table (and the scaling rows, method ``scaling``) as one CSV file."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        scaling = self.scaling.assign(method="scaling")
        pd.concat([self.table, scaling], ignore_index=True).to_csv(path, index=False)
        return path

    def plot(self, path: str | Path) -> Path:
        """Recall versus work per query (log x), and the scaling of search and build vs N_b."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
        ax = axes[0]
        markers = "osD^vP*Xh<>"
        for i, row in enumerate(self.table.itertuples(index=False)):
            work = row.total_queries
            if math.isnan(work):
                work = row.distance_computations
            if math.isnan(work):
                continue
            ax.scatter(work, row.recall, s=45, marker=markers[i % len(markers)], label=row.method)
        ax.legend(fontsize=7, loc="lower right")
        ax.set_xscale("log")
        ax.set_xlabel("work per query (distance computations, or total queries)")
        ax.set_ylabel(f"recall@{self.params['k']}")
        ax.set_title(f"{self.params['dataset']}: recall vs cost")
        ax.grid(True, which="both", alpha=0.3)
        ax = axes[1]
        if len(self.scaling):
            size = self.scaling["mean_bucket_size"]
            for column, label in (
                ("search_queries", "oracle + checks"),
                ("build_queries", "build"),
            ):
                fit = self.fits.get("search" if column == "search_queries" else "build")
                suffix = "" if fit is None else f" (slope {fit.slope:.2f})"
                ax.plot(size, self.scaling[column], marker="o", label=label + suffix)
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.legend()
        ax.set_xlabel("mean bucket size N_b")
        ax.set_ylabel("queries per query")
        ax.set_title("quantum pipeline: search ∝ √N_b, build ∝ N_b")
        ax.grid(True, which="both", alpha=0.3)
        fig.tight_layout()
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=120)
        plt.close(fig)
        return path


def as_dataset(dataset: Any, owner: str) -> Dataset:
    """A Dataset from a name, a Dataset, or an (n, d) array (cosine metric)."""
    if isinstance(dataset, Dataset):
        return dataset
    if isinstance(dataset, str):
        return load(dataset)
    vectors = check_vectors(dataset, "dataset", owner)
    return Dataset(
        name="array",
        vectors=vectors,
        ids=np.arange(len(vectors), dtype=np.int64),
        metric="cosine",
    )


def split_queries(
    data: Dataset, n_queries: int, rng: np.random.Generator, owner: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(indexed vectors, held-out query vectors, indexed ids); normalised under cosine."""
    vectors = check_vectors(data.vectors, "dataset", owner, metric=data.metric)
    if data.metric == "cosine":
        vectors = normalize_rows(vectors)
    held = np.sort(rng.choice(len(data), size=n_queries, replace=False))
    keep = np.setdiff1d(np.arange(len(data)), held)
    return vectors[keep], vectors[held], data.ids[keep]


def recall_of(found: np.ndarray, truth: np.ndarray) -> float:
    """The share of the true neighbours ``truth`` that ``found`` contains (recall@k)."""
    return len(set(found.tolist()) & set(truth.tolist())) / len(truth)


def _row(method: str, recall: float, dist: float = math.nan, **q: float) -> dict[str, Any]:
    return {
        "method": method,
        "recall": recall,
        "distance_computations": dist,
        "oracle_queries": q.get("oracle", math.nan),
        "verify_queries": q.get("verify", math.nan),
        "routing_queries": q.get("routing", math.nan),
        "build_queries": q.get("build", math.nan),
        "total_queries": q.get("total", math.nan),
        "wall_ms_per_query": q.get("ms", math.nan),
    }


def _qsearch_rows(
    index: BucketIndex,
    label: str,
    queries: np.ndarray,
    truth: np.ndarray,
    k: int,
    n_probe: int,
    backend: str | Backend,
    algorithm: str,
    rng: np.random.Generator,
) -> list[dict[str, Any]]:
    rows = []
    for pipeline in ("classical", backend):
        recalls, bills = [], []
        started = time.perf_counter()
        for q, t in zip(queries, truth, strict=True):
            hits = retrieve(
                index,
                q,
                k=k,
                n_probe=n_probe,
                backend=pipeline,
                algorithm=algorithm,
                seed=child_seed(rng),
                check_recall=False,  # the recall is measured here
            )
            recalls.append(recall_of(hits.ids, t))
            bills.append((hits.queries, hits.centroid_comparisons))
        ms = 1e3 * (time.perf_counter() - started) / len(queries)
        oracle = float(np.mean([b.oracle for b, _ in bills]))
        verify = float(np.mean([b.verify for b, _ in bills]))
        routing = float(np.mean([r for _, r in bills]))
        build = float(np.mean([b.build - r for b, r in bills]))
        name = "classical" if pipeline == "classical" else getattr(pipeline, "name", pipeline)
        dist = verify + routing if pipeline == "classical" else math.nan
        rows.append(
            _row(
                f"qsearch {label} [{name}]",
                float(np.mean(recalls)),
                dist,
                oracle=oracle,
                verify=verify,
                routing=routing,
                build=build,
                total=oracle + verify + routing + build,
                ms=ms,
            )
        )
    return rows


def _faiss_rows(
    items: np.ndarray,
    queries: np.ndarray,
    truth: np.ndarray,
    k: int,
    cosine: bool,
    n_buckets: int,
    n_probe: int,
    seed: int,
) -> list[dict[str, Any]]:
    try:
        import faiss
    except ImportError:
        return []
    faiss.omp_set_num_threads(1)
    d = items.shape[1]
    n = len(items)
    rows = []
    flat = faiss.IndexFlatIP(d) if cosine else faiss.IndexFlatL2(d)
    flat.add(items)
    started = time.perf_counter()
    _, found = flat.search(queries, k)
    ms = 1e3 * (time.perf_counter() - started) / len(queries)
    recall = float(np.mean([recall_of(f, t) for f, t in zip(found, truth, strict=True)]))
    rows.append(_row("faiss flat", recall, float(n), ms=ms))
    quantizer = faiss.IndexFlatIP(d) if cosine else faiss.IndexFlatL2(d)
    metric = faiss.METRIC_INNER_PRODUCT if cosine else faiss.METRIC_L2
    ivf = faiss.IndexIVFFlat(quantizer, d, n_buckets, metric)
    ivf.cp.seed = seed
    ivf.train(items)
    ivf.add(items)
    ivf.nprobe = n_probe
    started = time.perf_counter()
    _, found = ivf.search(queries, k)
    ms = 1e3 * (time.perf_counter() - started) / len(queries)
    _, lists = quantizer.search(queries, n_probe)
    sizes = np.array([ivf.invlists.list_size(int(i)) for i in range(n_buckets)])
    dist = float(n_buckets + sizes[lists].sum(axis=1).mean())
    recall = float(np.mean([recall_of(f, t) for f, t in zip(found, truth, strict=True)]))
    rows.append(_row(f"faiss IVF-Flat (nprobe={n_probe})", recall, dist, ms=ms))
    hnsw = faiss.IndexHNSWFlat(d, 16, metric)
    hnsw.hnsw.efConstruction = 100
    hnsw.add(items)
    hnsw.hnsw.efSearch = max(2 * k, 32)
    faiss.cvar.hnsw_stats.reset()
    started = time.perf_counter()
    _, found = hnsw.search(queries, k)
    ms = 1e3 * (time.perf_counter() - started) / len(queries)
    dist = float(faiss.cvar.hnsw_stats.ndis) / len(queries)
    recall = float(np.mean([recall_of(f, t) for f, t in zip(found, truth, strict=True)]))
    rows.append(_row(f"faiss HNSW (M=16, ef={max(2 * k, 32)})", recall, dist, ms=ms))
    return rows


def _hnswlib_rows(
    items: np.ndarray, queries: np.ndarray, truth: np.ndarray, k: int, cosine: bool, seed: int
) -> list[dict[str, Any]]:
    try:
        import hnswlib
    except ImportError:
        return []
    index = hnswlib.Index(space="ip" if cosine else "l2", dim=items.shape[1])
    index.init_index(max_elements=len(items), ef_construction=100, M=16, random_seed=seed)
    index.set_num_threads(1)
    index.add_items(items, np.arange(len(items)))
    ef = max(2 * k, 32)
    index.set_ef(ef)
    started = time.perf_counter()
    found, _ = index.knn_query(queries, k=k)
    ms = 1e3 * (time.perf_counter() - started) / len(queries)
    recall = float(np.mean([recall_of(f, t) for f, t in zip(found, truth, strict=True)]))
    return [_row(f"hnswlib HNSW (M=16, ef={ef})", recall, math.nan, ms=ms)]


def _scaling(
    items: np.ndarray,
    queries: np.ndarray,
    metric: str,
    bucket_counts: Sequence[int],
    backend: str | Backend,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, dict[str, PowerLawFit]]:
    rows = []
    samples_search: dict[int, np.ndarray] = {}
    samples_build: dict[int, np.ndarray] = {}
    for nb in bucket_counts:
        if nb > len(items):
            continue
        cap = max(1, math.ceil(2 * len(items) / nb) - 1).bit_length()
        index = BucketIndex(nb, metric=metric, max_bucket_qubits=cap, seed=child_seed(rng))
        index.fit(items)
        search, build = [], []
        for q in queries:
            hits = retrieve(
                index,
                q,
                k=1,
                backend=backend,
                algorithm="grover",
                seed=child_seed(rng),
                check_recall=False,
            )
            search.append(hits.queries.search)
            build.append(hits.queries.build - hits.centroid_comparisons)
        mean_size = float(np.mean(build))
        rows.append(
            {
                "n_buckets": nb,
                "mean_bucket_size": mean_size,
                "search_queries": float(np.mean(search)),
                "build_queries": mean_size,
            }
        )
        key = max(1, round(mean_size))
        samples_search[key] = np.asarray(search, dtype=float)
        samples_build[key] = np.asarray(build, dtype=float)
    fits: dict[str, PowerLawFit] = {}
    if len(samples_search) >= 2:
        fits["search"] = fit_power_law(samples_search, seed=0)
        fits["build"] = fit_power_law(samples_build, seed=0)
    return pd.DataFrame(rows), fits


def evaluate_retrieval(
    dataset: str | Dataset | np.ndarray,
    *,
    k: int = 10,
    n_buckets: int | None = None,
    n_probe: int = 4,
    n_queries: int = 50,
    backend: str | Backend = "ideal",
    algorithm: str = "grover",
    include_lsh: bool = True,
    include_ann: bool = True,
    scaling_buckets: Sequence[int] | None = (2, 8, 32, 128),
    seed: SeedLike = 0,
) -> RetrievalEvaluation:
    """Recall@k and cost per query of every method on held-out queries of one dataset.

    Args:
        dataset: a built-in name, a :class:`~qsearch.retrieval.data.Dataset`, or an (n, d) array.
        k: neighbours per query.
        n_buckets: nlist for qsearch IVF and FAISS IVF-Flat (default ≈ √n); LSH uses the
            nearest power of two.
        n_probe: buckets searched per query (FAISS nprobe).
        n_queries: items held out as queries (the index holds the rest).
        backend: quantum backend of the qsearch quantum pipeline.
        algorithm: the :func:`qsearch.retrieve` algorithm of the quantum pipeline.
        include_lsh: add the LSH rows.
        include_ann: add FAISS / hnswlib rows when installed.
        scaling_buckets: bucket counts of the scaling experiment (None or () to skip).
        seed: seeds the split, the indexes and the quantum searches.

    Returns:
        :class:`RetrievalEvaluation` (``format()``, ``to_csv()``, ``plot()``).
    """
    data = as_dataset(dataset, "evaluate_retrieval")
    n_all = len(data)
    k = check_int(k, "k", "evaluate_retrieval", minimum=1)
    n_queries = check_int(n_queries, "n_queries", "evaluate_retrieval", minimum=1)
    if n_queries >= n_all:
        raise ProblemError(
            f"The 'n_queries' argument of evaluate_retrieval must be below the number of items "
            f"({n_all}); got {n_queries}."
        )
    n_items = n_all - n_queries
    if k > n_items:
        raise ProblemError(
            f"The 'k' argument of evaluate_retrieval must be <= the indexed items ({n_items}); "
            f"got {k}."
        )
    if n_buckets is None:
        n_buckets = max(1, round(math.sqrt(n_items)))
    n_buckets = check_int(n_buckets, "n_buckets", "evaluate_retrieval", minimum=1)
    if n_buckets > n_items:
        raise ProblemError(
            f"The 'n_buckets' argument of evaluate_retrieval must be <= the indexed items "
            f"({n_items}); got {n_buckets}."
        )
    n_probe = check_int(n_probe, "n_probe", "evaluate_retrieval", minimum=1)
    if n_probe > n_buckets:
        raise ProblemError(
            f"The 'n_probe' argument of evaluate_retrieval must be <= n_buckets ({n_buckets}); "
            f"got {n_probe}."
        )
    rng = make_rng(seed, "evaluate_retrieval")
    int_seed = child_seed(rng) % 2**31
    metric = data.metric
    cosine = metric == "cosine"
    items, queries, item_ids = split_queries(data, n_queries, rng, "evaluate_retrieval")

    rows: list[dict[str, Any]] = []
    started = time.perf_counter()
    truth_local, _ = exact_knn(items, queries, k, metric=metric)
    ms = 1e3 * (time.perf_counter() - started) / n_queries
    truth = item_ids[truth_local]
    rows.append(_row("exact brute force", 1.0, float(n_items), ms=ms))

    cap = max(1, math.ceil(2 * n_items / n_buckets) - 1).bit_length()
    ivf = BucketIndex(n_buckets, metric=metric, max_bucket_qubits=cap, seed=int_seed)
    ivf.fit(items, ids=item_ids)
    rows += _qsearch_rows(ivf, "IVF k-means", queries, truth, k, n_probe, backend, algorithm, rng)
    if include_lsh:
        lsh_buckets = 2 ** max(0, round(math.log2(n_buckets)))
        lsh_cap = max(cap, (n_items - 1).bit_length())
        lsh = BucketIndex(
            lsh_buckets, method="lsh", metric=metric, max_bucket_qubits=lsh_cap, seed=int_seed
        ).fit(items, ids=item_ids)
        probe = min(n_probe, lsh.n_buckets_)
        rows += _qsearch_rows(lsh, "LSH", queries, truth, k, probe, backend, algorithm, rng)
    if include_ann:
        truth_pos = truth_local
        rows += _faiss_rows(items, queries, truth_pos, k, cosine, n_buckets, n_probe, int_seed)
        rows += _hnswlib_rows(items, queries, truth_pos, k, cosine, int_seed)
    table = pd.DataFrame.from_records(rows, columns=list(COLUMNS))

    scaling, fits = (
        _scaling(items, queries, metric, scaling_buckets, backend, rng)
        if scaling_buckets
        else (pd.DataFrame(), {})
    )
    params = {
        "dataset": data.name,
        "num_items": n_items,
        "k": k,
        "n_buckets": n_buckets,
        "n_probe": n_probe,
        "n_queries": n_queries,
        "backend": getattr(backend, "name", backend),
        "algorithm": algorithm,
        "seed": seed_record(seed),
    }
    return RetrievalEvaluation(table, scaling, fits, params, _conclusion(table, fits))


def _conclusion(table: pd.DataFrame, fits: dict[str, PowerLawFit]) -> str:
    lines = ["Conclusion:"]
    quantum = table[table["method"].str.startswith("qsearch IVF") & table["oracle_queries"].gt(0)]
    classical = table[
        table["method"].str.startswith("qsearch IVF") & table["method"].str.endswith("[classical]")
    ]
    if len(quantum) and len(classical):
        qr, cr = quantum.iloc[0], classical.iloc[0]
        lines.append(
            f"  On the same buckets the quantum pipeline spends {qr.oracle_queries:.0f} oracle "
            f"queries + {qr.verify_queries:.0f} checks per query where the classical scan spends "
            f"{cr.verify_queries:.0f} distance computations, but building the oracles costs "
            f"{qr.build_queries:.0f} predicate evaluations (both pipelines also spend "
            f"{qr.routing_queries:.0f} routing comparisons): total {qr.total_queries:.0f} vs "
            f"{cr.total_queries:.0f}."
        )
    if "search" in fits:
        s, b = fits["search"], fits["build"]
        lines.append(
            f"  The search cost grows as √N_b, slower than a scan's N_b: ∝ N_b^{s.slope:.2f} "
            f"[{s.slope_low:.2f}, {s.slope_high:.2f}]; the build cost grows as the scan does: "
            f"∝ N_b^{b.slope:.2f}."
        )
    else:
        lines.append(
            "  The search cost grows as √N_b per bucket, slower than a scan's N_b; the build "
            "cost grows as N_b, like the scan."
        )
    lines.append(
        "  Over classical data the build pass reads every probed item, so quantum search cannot "
        "beat the classical scan end to end; the advantage exists only when the oracle is given "
        "(computed coherently, not loaded from a table)."
    )
    return "\n".join(lines)
