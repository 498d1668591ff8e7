"""Bad inputs to backends, counting and retrieval: a clear ProblemError or a stated warning."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

from qsearch.algorithms.counting import count_marked
from qsearch.backends.base import get_backend
from qsearch.exceptions import ProblemError, QSearchWarning
from qsearch.problem import SearchProblem
from qsearch.retrieval.buckets import BucketIndex
from qsearch.retrieval.retrieve import retrieve


def test_unknown_backend_option_names_backend_option_and_accepted_ones() -> None:
    with pytest.raises(ProblemError, match=r"'ideal' backend has no option 'bogus_kw'.*'method'"):
        get_backend("ideal", bogus_kw=1)
    assert get_backend("ideal", method="closed_form").name.startswith("ideal")


@pytest.mark.parametrize("epsilon", ["0.1", True, None, [0.1]])
def test_count_marked_rejects_non_numbers(epsilon: object) -> None:
    with pytest.raises(ProblemError, match=r"'epsilon' argument of count_marked must be a number"):
        count_marked(SearchProblem(16, [1]), epsilon=epsilon)  # type: ignore[arg-type]


# -- retrieve: k beyond the probed items, n_probe too low ------------------------------------
@pytest.fixture(scope="module")
def index() -> BucketIndex:
    x = np.random.default_rng(3).standard_normal((600, 16))
    return BucketIndex(6, metric="cosine", max_bucket_qubits=8, seed=1).fit(x)


def test_k_beyond_the_probed_items_warns_that_k_was_capped(index: BucketIndex) -> None:
    query = index.vectors_[0]
    probed = sum(bp.problem.num_items for bp in index.problem_for(query, k=1, n_probe=1))
    with pytest.warns(QSearchWarning, match=rf"k=500 exceeds the {probed} items.*capped"):
        hits = retrieve(index, query, k=500, backend="classical", check_recall=False)
    assert len(hits) == probed


def test_low_expected_recall_warns_with_the_n_probe_that_helps() -> None:
    x = np.random.default_rng(0).standard_normal((800, 32))  # no cluster structure
    index = BucketIndex(32, max_bucket_qubits=8, seed=0).fit(x)
    assert index.expected_recall(1, 10) < 0.5
    with pytest.warns(QSearchWarning, match=r"retrieve: n_probe=1 of 32 buckets.*n_probe=\d+"):
        retrieve(index, x[0], k=10, backend="classical")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        retrieve(index, x[0], k=10, backend="classical", check_recall=False)  # opt out
        retrieve(index, x[0], k=10, n_probe=32, backend="classical")  # every bucket: exact


def test_cli_says_k_was_capped_and_the_expected_recall(capsys: pytest.CaptureFixture) -> None:
    from qsearch.cli import main

    argv = ["retrieve", "--dataset", "digits", "--query", "3", "--k", "100000"]
    assert main([*argv, "--backend", "classical"]) == 0
    out = capsys.readouterr().out
    hits = [line for line in out.splitlines() if re.match(r"\s+\d+\s+\d+\s+[\d.]+\s+label", line)]
    assert 0 < len(hits) < 100000
    assert re.search(rf"warning: --k 100000 was capped: {len(hits)} hits shown", out)
    assert re.search(r"expected recall@\d+ at n_probe=1: \d\.\d\d", out)
