"""Solutions to the exercises of 03_search_over_embeddings.ipynb.

Run with ``python notebooks/solutions/03_search_over_embeddings.py``; each function prints
its answer and asserts it (checked in CI by tests/test_notebooks_meta.py).
"""

from __future__ import annotations

import math

import numpy as np

from qsearch.retrieval.buckets import BucketIndex
from qsearch.complexity import fit_power_law
from qsearch.retrieval.data import load
from qsearch.retrieval.retrieve import exact_knn, retrieve

QUERY_ID = 123
THRESHOLD = 0.6
K = 5
SEED = 1


def _split() -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    data = load("stdlib-docstrings")
    keep = np.setdiff1d(np.arange(len(data)), [QUERY_ID])
    texts = [data.texts[i] for i in keep]
    return data.vectors[QUERY_ID], data.vectors[keep], data.ids[keep], texts


def exercise_1() -> dict[int, float]:
    """More probes: recall@K rises (more candidate buckets), and so does every line of the
    bill that scans buckets: the classical scan and the quantum oracle build both grow with
    the probed items Σ N_b. Routing stays one comparison per bucket; the quantum search
    queries grow too (one search per probed bucket)."""
    query, vectors, ids, texts = _split()
    index = BucketIndex(16, max_bucket_qubits=9, seed=SEED).fit(vectors, ids=ids, texts=texts)
    truth = set(ids[exact_knn(vectors, query, K)[0][0]])
    recalls, builds = {}, {}
    for n_probe in (1, 2, 4):
        quantum = retrieve(index, query, k=K, n_probe=n_probe, algorithm="minimum", seed=SEED)
        classical = retrieve(index, query, k=K, n_probe=n_probe, backend="classical")
        recalls[n_probe] = len(truth & set(quantum.ids)) / K
        builds[n_probe] = quantum.cost["build_predicates"]
        assert classical.cost["verify"] == sum(row["size"] for row in classical.buckets)
        print(
            f"n_probe = {n_probe}: recall@{K} {recalls[n_probe]:.2f}; quantum bill "
            f"{quantum.cost}; classical bill {classical.cost}"
        )
    assert recalls[4] >= recalls[1]
    assert builds[1] < builds[2] < builds[4]
    return recalls


def exercise_2() -> dict[str, float]:
    """LSH buckets: the predicate is a Hamming distance between 64-bit sign codes; h bits
    correspond to an estimated cosine cos(π·h/64), so h = 16 is about cosine 0.71. Hash buckets
    are less balanced than k-means ones, and the hits are approximate (the Hamming distance
    estimates the angle), but the bill has the same shape: routing + N_b build + √ search."""
    query, vectors, ids, texts = _split()
    lsh = BucketIndex(16, method="lsh", n_bits=64, max_bucket_qubits=12, seed=SEED)
    lsh.fit(vectors, ids=ids, texts=texts)
    hits = retrieve(lsh, query, threshold=16, algorithm="grover", seed=SEED)
    sizes = np.asarray(lsh.bucket_sizes_)
    assert lsh.score_name == "hamming"
    assert hits.complete and np.all(hits.scores <= 16)
    assert hits.cost["build_predicates"] == hits.buckets[0]["size"]
    print(f"LSH bucket sizes: min {sizes.min()}, median {int(np.median(sizes))}, max {sizes.max()}")
    print(hits.format())
    return {"hits": len(hits), "build": hits.cost["build_predicates"]}


def exercise_3() -> dict[str, float]:
    """Coherent oracle with c = 100: the quantum step costs c·S(N_b) with S(N_b) ≈ C·N_b^s
    (fitted: s ≈ 0.47, C ≈ 1), the scan N_b. They cross at N_b = (c·C)^(1/(1−s)), about
    5·10³ items: more than this dataset's 3999 items, so no bucket of this dataset is large
    enough for the quantum search step to pay off even with a free oracle."""
    _, vectors, ids, _ = _split()
    rng = np.random.default_rng(SEED)
    rows = rng.choice(len(vectors), size=20, replace=False)
    samples = {}
    for nb in (4, 16, 64, 256):
        cap = max(1, math.ceil(2 * len(vectors) / nb) - 1).bit_length()
        index = BucketIndex(nb, max_bucket_qubits=cap, seed=SEED).fit(vectors, ids=ids)
        search, size = [], []
        for row in rows:
            h = retrieve(index, vectors[row], k=1, algorithm="grover", seed=int(row))
            search.append(h.queries.search)
            size.append(h.cost["build_predicates"])
        samples[round(float(np.mean(size)))] = np.asarray(search, dtype=float)
    fit = fit_power_law(samples, seed=SEED)
    crossover = (100 * math.exp(fit.intercept)) ** (1 / (1 - fit.slope))
    assert 0.4 < fit.slope < 0.6
    assert crossover > len(vectors)
    print(
        f"search ≈ {math.exp(fit.intercept):.2f}·N_b^{fit.slope:.2f}; with c = 100 the "
        f"quantum step beats the scan above N_b ≈ {crossover:,.0f} (dataset: {len(vectors)})"
    )
    return {"slope": fit.slope, "crossover": crossover}


if __name__ == "__main__":
    for exercise in (exercise_1, exercise_2, exercise_3):
        print(f"--- {exercise.__name__}")
        exercise()
