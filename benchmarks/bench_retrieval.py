"""Speed of the retrieval layer, as ratios measured in one run on this machine.

1. Exact brute-force k-NN (:func:`qsearch.retrieval.retrieve.exact_knn`, BLAS blocks + argpartition)
   versus FAISS ``IndexFlatL2`` / ``IndexFlatIP`` on the same 100k × 384 float32 vectors and the
   same queries; target: within 1.5× of FAISS flat. Both use every core (FAISS via OpenMP,
   NumPy via its BLAS; ``--threads`` limits both); each timing is the best of ``--repeat``
   rounds in which the two run alternately (the machine is shared: see :func:`interleaved`).
   For cosine both get the same unit-norm vectors (exact_knn then skips its normalisation;
   its input checks, one pass over the items, stay in its time).
2. ``BucketIndex.fit`` on 100k × 384 (k-means with √n buckets, and LSH); target: seconds.

The vectors are a Gaussian mixture (1000 centres), so neighbours are structured as in real
embeddings. Results also check that exact_knn returns the same neighbours as FAISS.

    python benchmarks/bench_retrieval.py [--n 100000] [--dim 384] [--queries 1000]
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from qsearch.retrieval.buckets import BucketIndex
from qsearch.retrieval.retrieve import exact_knn


def interleaved(fns: list[Callable[[], Any]], repeat: int) -> list[tuple[float, Any]]:
    """Best wall time of each function over ``repeat`` rounds, run alternately.

    Alternating the contenders inside each round exposes them to the same background load
    (the machine is shared), so the ratio of the best times is stable where single runs are not.
    """
    best = [math.inf] * len(fns)
    outs: list[Any] = [None] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            started = time.perf_counter()
            outs[i] = fn()
            best[i] = min(best[i], time.perf_counter() - started)
    return list(zip(best, outs, strict=True))


def thread_limit(threads: int | None) -> Any:
    """Limit BLAS and OpenMP threads (threadpoolctl when installed), or do nothing."""
    if threads is None:
        return contextlib.nullcontext()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        print("threadpoolctl not installed: --threads ignored for NumPy's BLAS")
        return contextlib.nullcontext()
    return threadpool_limits(limits=threads)


def mixture(n: int, dim: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((1000, dim)).astype(np.float32)
    x = centres[rng.integers(0, 1000, n)] + 0.5 * rng.standard_normal((n, dim), dtype=np.float32)
    return x


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None, help="BLAS/OpenMP threads")
    args = parser.parse_args()

    x = mixture(args.n, args.dim, seed=0)
    q = mixture(args.queries, args.dim, seed=1)
    unit_x = x / np.linalg.norm(x, axis=1, keepdims=True)
    unit_q = q / np.linalg.norm(q, axis=1, keepdims=True)
    print(
        f"{args.n} x {args.dim} float32, {args.queries} queries, k={args.k}, {os.cpu_count()} cores"
    )

    try:
        import faiss
    except ImportError:
        faiss = None
        print("faiss not installed (pip install 'qsearch[ann]'): no ratio")

    if faiss is not None and args.threads is not None:
        faiss.omp_set_num_threads(args.threads)
    with thread_limit(args.threads):
        for metric in ("euclidean", "cosine"):
            xs, qs = (x, q) if metric == "euclidean" else (unit_x, unit_q)
            ours = lambda m=metric, xx=xs, qq=qs: exact_knn(xx, qq, args.k, metric=m)  # noqa: E731
            if faiss is None:
                ((t_ours, (ids, _)),) = interleaved([ours], args.repeat)
                print(f"exact_knn ({metric:>9}): {t_ours:7.3f} s")
                continue
            index = (
                faiss.IndexFlatL2(args.dim)
                if metric == "euclidean"
                else faiss.IndexFlatIP(args.dim)
            )
            index.add(xs)
            theirs = lambda i=index, qq=qs: i.search(qq, args.k)  # noqa: E731
            (t_ours, (ids, _)), (t_faiss, (_, f_ids)) = interleaved([ours, theirs], args.repeat)
            agree = np.mean(
                [len(set(a) & set(b)) / args.k for a, b in zip(ids, f_ids, strict=True)]
            )
            print(
                f"exact_knn ({metric:>9}): {t_ours:7.3f} s   faiss flat: {t_faiss:7.3f} s   "
                f"ratio ours/faiss = {t_ours / t_faiss:5.2f}   (target <= 1.5; neighbour "
                f"agreement {agree:.4f})"
            )

    nlist = round(math.sqrt(args.n))
    qubits = max(1, math.ceil(2 * args.n / nlist) - 1).bit_length()
    configs = (
        ("kmeans", nlist, qubits),
        ("kmeans", nlist, qubits - 1),  # a binding capacity: 2^(q-1) < 2·n/nlist
        ("lsh", 2 ** round(math.log2(nlist)), (args.n - 1).bit_length()),
    )
    for method, n_buckets, cap in configs:
        index = BucketIndex(n_buckets, method=method, max_bucket_qubits=cap, seed=0)
        started = time.perf_counter()
        index.fit(x)
        elapsed = time.perf_counter() - started
        sizes = index.bucket_sizes_
        print(
            f"BucketIndex.fit {method:>6}: {elapsed:6.2f} s   {index.n_buckets_} buckets, "
            f"sizes {sizes.min()}..{sizes.max()} (cap 2^{cap} = {2**cap})"
        )
        if faiss is not None and method == "kmeans" and cap == qubits:
            quantizer = faiss.IndexFlatIP(args.dim)
            ivf = faiss.IndexIVFFlat(quantizer, args.dim, n_buckets, faiss.METRIC_INNER_PRODUCT)
            xs = x / np.linalg.norm(x, axis=1, keepdims=True)
            started = time.perf_counter()
            ivf.train(xs)
            ivf.add(xs)
            f_elapsed = time.perf_counter() - started
            print(
                f"  faiss IVF-Flat train+add: {f_elapsed:6.2f} s   ratio ours/faiss = "
                f"{elapsed / f_elapsed:5.2f} (ours also enforces the bucket capacity)"
            )


if __name__ == "__main__":
    main()
