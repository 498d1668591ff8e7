"""``qsearch retrieve``, ``qsearch evaluate`` and ``qsearch align``.

* ``retrieve --dataset NAME --query "text or index" --k 5 --backend ideal``: the hits and the
  cost bill of one query (a text query is embedded with all-MiniLM-L6-v2: the ``[embed]``
  extra; an integer is the id of a dataset item, which is left out of its own hits).
* ``evaluate --dataset NAME``: the recall/cost table of :func:`qsearch.retrieval.evaluation.
  evaluate_retrieval`, plus CSV and PNG files, and the recall-vs-n_probe curve
  (:func:`qsearch.retrieval.probe_curve.recall_vs_n_probe`, ``NAME_n_probe.csv/.png``).
* ``align --dataset NAME``: mutual k-NN alignment, CKA and cross-space recall
  (:func:`qsearch.retrieval.alignment.alignment_experiment`).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from qsearch.exceptions import ProblemError, QSearchWarning
from qsearch.retrieval.buckets import BucketIndex
from qsearch.retrieval.data.datasets import Dataset, load
from qsearch.retrieval.retrieve import ALGORITHMS, retrieve


def _default_buckets(n: int) -> int:
    return max(1, round(math.sqrt(n)))


def _capacity_qubits(n: int, n_buckets: int) -> int:
    """Qubits for buckets up to twice the mean size (at least enough for n / n_buckets)."""
    return max(1, math.ceil(2 * n / n_buckets) - 1).bit_length()


def query_vector(data: Dataset, query: str) -> tuple[np.ndarray, int | None, str]:
    """The query vector for ``--query``: an item id, or a text embedded like the dataset.

    Returns (vector, the item id or None, a description to print).
    """
    text = query.strip()
    if text.lstrip("-").isdigit():
        item = int(text)
        if not 0 <= item < len(data):
            raise ProblemError(
                f"The '--query' option must be an item id in [0, {len(data)}) or a text; "
                f"got {item}."
            )
        label = data.texts[item] if data.texts is not None else f"item {item}"
        if data.labels is not None and data.texts is None:
            label += f" (label {data.labels[item]})"
        return data.vectors[item], item, label
    if data.texts is None:
        raise ProblemError(
            f"The '--query' option of dataset {data.name!r} must be an item id (the dataset has "
            f"no texts to embed a query against); got {query!r}."
        )
    from qsearch.retrieval.embed import embed

    return embed(text)[0], None, text


def _run_retrieve(args: argparse.Namespace) -> int:
    data = load(args.dataset)
    vector, item, label = query_vector(data, args.query)
    n_buckets = args.n_buckets or _default_buckets(len(data))
    if args.method == "lsh" and args.n_buckets is None:
        n_buckets = 2 ** max(0, round(math.log2(n_buckets)))
    qubits = args.max_bucket_qubits or _capacity_qubits(len(data), n_buckets)
    if args.method == "lsh" and args.max_bucket_qubits is None:
        qubits = max(qubits, (len(data) - 1).bit_length())
    texts = None
    if data.texts is None and data.labels is not None:
        texts = tuple(f"label {label}" for label in data.labels)
    index = BucketIndex(
        n_buckets, method=args.method, metric=data.metric, max_bucket_qubits=qubits, seed=args.seed
    ).fit(data, texts=texts)
    k = args.k
    if k is not None and item is not None:
        k += 1  # room for the query item itself, dropped below
    k = None if k is None else min(k, len(data))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", QSearchWarning)
        hits = retrieve(
            index,
            vector,
            k=k,
            threshold=args.threshold,
            n_probe=args.n_probe,
            backend=args.backend,
            algorithm=args.algorithm,
            seed=args.seed,
        )
    notes = [
        str(w.message).removeprefix("retrieve: ")
        for w in caught
        if issubclass(w.category, QSearchWarning) and "k was capped" not in str(w.message)
    ]
    if item is not None:
        keep = hits.ids != item
        if args.k is not None:
            keep &= np.cumsum(keep) <= args.k
        texts = None if hits.texts is None else tuple(np.asarray(hits.texts, object)[keep])
        hits = dataclasses.replace(hits, ids=hits.ids[keep], scores=hits.scores[keep], texts=texts)
    if args.k is not None and len(hits) < args.k and args.threshold is None:
        probed = sum(row["size"] for row in hits.buckets)
        notes.insert(
            0,
            f"--k {args.k} was capped: {len(hits)} hits shown, all the other items of the "
            f"{probed} in the n_probe={args.n_probe} probed bucket(s) (the dataset has "
            f"{len(data)}); raise --n-probe to search more.",
        )
    print(f"query: {label}")
    print(
        f"index: {data.name}, {len(data)} items, {index.n_buckets_} {args.method} buckets "
        f"(<= 2^{qubits}), n_probe={args.n_probe}"
    )
    if k is not None:
        print(_recall_line(index, args.n_probe, args.k or k))
    print()
    print(hits.format())
    for note in notes:
        print(f"warning: {note}")
    return 0


def _recall_line(index: BucketIndex, n_probe: int, k: int) -> str:
    """The index's leave-one-out recall@k estimate at n_probe, and the n_probe reaching 90%."""
    k = min(k, len(index) - 1)
    recall = index.expected_recall(n_probe, k)
    line = f"expected recall@{k} at n_probe={n_probe}: {recall:.2f} (leave-one-out estimate"
    if recall < 0.9 and n_probe < index.n_buckets_:
        curve = [index.expected_recall(p, k) for p in range(1, index.n_buckets_ + 1)]
        better = next(p for p, r in enumerate(curve, 1) if r >= 0.9 or p == len(curve))
        line += f"; n_probe={better}: {curve[better - 1]:.2f}"
    return line + ")"


def _run_evaluate(args: argparse.Namespace) -> int:
    from qsearch.retrieval.evaluation import evaluate_retrieval

    result = evaluate_retrieval(
        args.dataset,
        k=args.k,
        n_buckets=args.n_buckets,
        n_probe=args.n_probe,
        n_queries=args.queries,
        backend=args.backend,
        algorithm=args.algorithm,
        include_ann=not args.no_ann,
        seed=args.seed,
    )
    print(result.format())
    out = Path(args.out)
    stem = Path(args.dataset).stem if "." in args.dataset else args.dataset
    csv = result.to_csv(out / f"{stem}.csv")
    png = result.plot(out / f"{stem}.png")
    print(f"\nwrote {csv} and {png}")
    if not args.no_probe_curve:
        from qsearch.retrieval.probe_curve import recall_vs_n_probe, write_probe_curve

        curve = recall_vs_n_probe(
            args.dataset,
            k=args.k,
            n_buckets=args.n_buckets,
            n_queries=args.queries,
            include_faiss=not args.no_ann,
            seed=args.seed,
        )
        print(f"\nrecall@{args.k} vs n_probe (qsearch IVF, exact scan of the probed buckets):")
        print(curve.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        files = write_probe_curve(
            curve, out / f"{stem}_n_probe.csv", out / f"{stem}_n_probe.png", title=stem
        )
        print(f"\nwrote {files[0]} and {files[1]}")
    return 0


def _run_align(args: argparse.Namespace) -> int:
    from qsearch.retrieval.alignment import alignment_experiment

    report = alignment_experiment(
        args.dataset,
        k=args.k,
        n_buckets=args.n_buckets,
        n_probe=args.n_probe,
        n_queries=args.queries,
        seed=args.seed,
    )
    print(report.format())
    return 0


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1; got {text!r}")
    return value


def register_cli(subparsers: Any) -> None:
    """Add ``retrieve``, ``evaluate`` and ``align`` to the ``qsearch`` command."""
    p = subparsers.add_parser(
        "retrieve",
        help="hybrid retrieval over a dataset: hits and the cost bill",
        description="Route a query to buckets, search them (quantum or classical), print the "
        "hits and every query spent.",
    )
    p.add_argument("--dataset", required=True, help="built-in name or a vector file")
    p.add_argument("--query", required=True, help="an item id, or a text (needs [embed])")
    p.add_argument("--k", type=_positive, default=None, help="number of hits (default 5)")
    p.add_argument("--threshold", type=float, default=None, help="similarity/distance threshold")
    p.add_argument("--n-buckets", type=_positive, default=None, help="buckets (default √n)")
    p.add_argument("--n-probe", type=_positive, default=1, help="buckets probed (default 1)")
    p.add_argument("--method", choices=("kmeans", "lsh"), default="kmeans")
    p.add_argument("--max-bucket-qubits", type=_positive, default=None)
    p.add_argument("--backend", default="ideal", help="ideal, aer, ... or classical")
    p.add_argument("--algorithm", choices=ALGORITHMS, default="auto")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=_run_retrieve_defaults)

    e = subparsers.add_parser(
        "evaluate",
        help="recall vs cost table: qsearch buckets, exact, FAISS, HNSW",
        description="Recall@k and work per query of every method; writes CSV and PNG.",
    )
    e.add_argument("--dataset", required=True, help="built-in name or a vector file")
    e.add_argument("--k", type=_positive, default=10)
    e.add_argument("--n-buckets", type=_positive, default=None, help="nlist (default √n)")
    e.add_argument("--n-probe", type=_positive, default=4, help="nprobe (default 4)")
    e.add_argument("--queries", type=_positive, default=50, help="held-out queries (default 50)")
    e.add_argument("--backend", default="ideal")
    e.add_argument("--algorithm", choices=ALGORITHMS, default="grover")
    e.add_argument("--no-ann", action="store_true", help="skip FAISS and hnswlib")
    e.add_argument("--seed", type=int, default=0)
    e.add_argument("--out", default="results/evaluate", help="output directory")
    e.add_argument("--no-probe-curve", action="store_true", help="skip the recall-vs-n_probe curve")
    e.set_defaults(func=_run_evaluate)

    a = subparsers.add_parser(
        "align",
        help="representation alignment (mutual k-NN, CKA) and cross-space recall",
        description="Mutual k-NN alignment (Huh et al. 2024) between the dataset's embedding "
        "and a second representation, and whether buckets from one serve queries of the other.",
    )
    a.add_argument("--dataset", required=True, help="built-in name")
    a.add_argument("--k", type=_positive, default=10)
    a.add_argument("--n-buckets", type=_positive, default=None)
    a.add_argument("--n-probe", type=_positive, default=4)
    a.add_argument("--queries", type=_positive, default=100)
    a.add_argument("--seed", type=int, default=0)
    a.set_defaults(func=_run_align)


def _run_retrieve_defaults(args: argparse.Namespace) -> int:
    if args.k is None and args.threshold is None:
        args.k = 5
    return _run_retrieve(args)
