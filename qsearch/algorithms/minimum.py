"""Minimum finding and the k smallest values by repeated threshold search.

* :func:`find_minimum`: Dürr & Høyer 1996 (arXiv:quant-ph/9607014). Keep a threshold index y
  (initially uniform); run BBHT exponential search (Boyer, Brassard, Høyer, Tapp 1998,
  arXiv:quant-ph/9605034) for an index whose value is below T[y]; replace y when one is found;
  stop when the budget 22.5√N + 1.4·log₂²N is spent. Theorem 1 of the paper: y then holds the
  minimum with probability at least 1/2 (in practice far more often: see the tests).
* :func:`top_k`: the k smallest in the style of Dürr, Heiligman, Høyer, Mhalla 2004
  (arXiv:quant-ph/0401091, "minimum finding of d elements"): keep a set S of k indices, search
  for an index outside S whose value is below max(S), swap it in; O(√(kN)) queries.

The oracle of each search marks the indices with value strictly below the current threshold
(and, for top-k, not already in S). Over classical data that oracle must be built: deciding which
items are marked costs N predicate evaluations per distinct threshold, reported in
``QueryCount.build`` (``coherent_oracle=True`` models a comparator running coherently on a
quantum-readable copy of the values instead: N evaluations once, to load them). A threshold whose
rounds all draw j = 0 needs no oracle and is not billed.

Ties: the oracle uses strict comparison, so any index holding the minimum value is a correct
answer (once y holds a minimal value nothing is marked); for top-k any k indices whose values are
the k smallest values (as a multiset) are correct.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from qsearch._validation import SeedLike, check_int, child_seed, finite_array, make_rng
from qsearch.algorithms._result import Tally, search_result
from qsearch.backends.base import Backend, ClosedFormAmplification, get_backend, supports
from qsearch.complexity import success_probability
from qsearch.exceptions import ProblemError
from qsearch.problem import SearchProblem, SearchProgram
from qsearch.results import Attempt, QueryCount, SearchResult
from qsearch.schedules import BBHT_LAMBDA, check_lambda

#: Dürr–Høyer's budget constants: 22.5√N + 1.4·log₂²N (Theorem 1).
DH_SQRT_FACTOR = 22.5
DH_LOG_FACTOR = 1.4


def durr_hoyer_budget(num_items: int, k: int = 1) -> int:
    """⌈22.5√(kN) + 1.4·k·log₂²N⌉: Dürr–Høyer's budget for k = 1, scaled by √k and k for top-k.

    For k = 1 this is the bound of Dürr & Høyer's Theorem 1 (success ≥ 1/2). DHHM 2004 prove
    O(√(kN)) for the k smallest without a constant; this generalisation is our choice and is
    tested (success far above 1/2) rather than proved.
    """
    n = check_int(num_items, "num_items", "durr_hoyer_budget", minimum=1)
    k = check_int(k, "k", "durr_hoyer_budget", minimum=1)
    log2 = math.log2(n) if n > 1 else 0.0
    return math.ceil(DH_SQRT_FACTOR * math.sqrt(k * n) + DH_LOG_FACTOR * k * log2**2)


def _check_values(values: Any, owner: str) -> np.ndarray:
    return finite_array(values, "values", owner, ndim=1)


class _ThresholdRounds:
    """One BBHT round of threshold search: j iterates, one measurement, over fixed values.

    On a backend with the ``ClosedFormAmplification`` ability (its outputs are exactly the
    amplified distribution, fixed by the marked probability) no SearchProblem is built, and the
    rounds sample that distribution here rather than through ``sample_amplified``, which would
    need a SearchProblem per threshold (O(N) each): the indices below the threshold
    are kept as an array (refined in place as the threshold only decreases, so only the first
    threshold costs a pass over all N values), the marked count gives sin²((2j+1)θ), and the
    measured item is drawn uniformly within the marked or the unmarked part (the exact
    distribution, by rejection where that part is at least a quarter of its candidates). Every
    other backend runs the SearchProgram of the explicit SearchProblem.
    """

    def __init__(self, values: np.ndarray, backend: Backend) -> None:
        self.values = values
        self.backend = backend
        self.closed_form = supports(backend, ClosedFormAmplification)
        self._threshold: float | None = None
        self._below = np.empty(0, dtype=np.int64)
        self._above: np.ndarray | None = None
        self._problem_key: tuple[float, tuple[int, ...]] | None = None
        self._problem: SearchProblem | None = None

    def problem(self, threshold: float, excluded: Sequence[int]) -> SearchProblem:
        key = (threshold, tuple(sorted(excluded)))
        if self._problem is None or key != self._problem_key:
            marked = np.flatnonzero(self.values < threshold)
            if excluded:
                marked = np.setdiff1d(marked, np.asarray(excluded, dtype=np.int64))
            self._problem = SearchProblem(self.values.size, marked)
            self._problem_key = key
        return self._problem

    def _set_threshold(self, threshold: float) -> None:
        if threshold == self._threshold:
            return
        if self._threshold is not None and threshold < self._threshold:
            self._below = self._below[self.values[self._below] < threshold]
        else:
            self._below = np.flatnonzero(self.values < threshold)
        self._threshold = threshold
        self._above = None

    def run(
        self, threshold: float, excluded: Sequence[int], j: int, rng: np.random.Generator
    ) -> int:
        """The measured outcome; on a circuit backend it may be a padding index >= N (noise
        leaks amplitude onto the 2^n − N padding states when N is not a power of two)."""
        if not self.closed_form:
            program = SearchProgram(self.problem(threshold, excluded), j)
            counts = self.backend.run([program], shots=1, seed=child_seed(rng))[0]
            return int(next(iter(counts)))
        self._set_threshold(threshold)
        values, below, n = self.values, self._below, self.values.size
        inside = {int(i) for i in excluded if values[i] < threshold}  # marked but in S
        num_marked = below.size - len(inside)
        if num_marked == n:
            p_good = 1.0
        elif num_marked == 0:
            p_good = 0.0
        else:
            p_good = float(success_probability(n, num_marked, j))
        if rng.random() < p_good:  # uniform over below \ S (acceptance ≥ 1/(|S| + 1))
            while True:
                item = int(below[rng.integers(0, below.size)])
                if item not in inside:
                    return item
        # uniform over the unmarked part: the items at or above t, plus S ∩ below
        num_above = n - below.size
        if rng.random() * (n - num_marked) < len(inside):
            return sorted(inside)[int(rng.integers(0, len(inside)))]
        if 4 * num_above >= n:
            while True:
                item = int(rng.integers(0, n))
                if values[item] >= threshold:
                    return item
        if self._above is None:
            self._above = np.flatnonzero(values >= threshold)
        return int(self._above[rng.integers(0, self._above.size)])


def _improve(
    rounds: _ThresholdRounds,
    chosen: list[int],
    budget: int,
    lam: float,
    rng: np.random.Generator,
) -> tuple[Tally, int, int]:
    """BBHT rounds below the threshold max T[chosen] until the budget; ``chosen`` improves in
    place. Returns (the bill and attempts, thresholds billed, improvements)."""
    values = rounds.values
    n, k = values.size, len(chosen)
    cap = math.sqrt(n)
    tally = Tally(verify=k)  # reading the values of the initial set
    thresholds_billed = improvements = 0
    billed_current = False
    m = 1.0
    worst = max(chosen, key=lambda i: (values[i], i))
    while k < n:
        j = int(rng.integers(0, math.ceil(m)))
        if tally.search + j + 1 > budget:
            break
        item = rounds.run(float(values[worst]), chosen if k > 1 else (), j, rng)
        tally.oracle += j
        tally.verify += 1  # one comparison with the threshold
        tally.attempts.append(Attempt(j, 1, {item: 1}))
        if j > 0 and not billed_current:
            thresholds_billed += 1
            billed_current = True
        # a padding outcome (item >= N, noise on a circuit backend) is a failed attempt
        if item < n and values[item] < values[worst] and item not in chosen:
            chosen[chosen.index(worst)] = item
            worst = max(chosen, key=lambda i: (values[i], i))
            improvements += 1
            billed_current = False
            m = 1.0
        else:
            m = min(lam * m, cap)
    return tally, thresholds_billed, improvements


def _threshold_search(
    method: str,
    owner: str,
    values: np.ndarray,
    k: int,
    backend: str | Backend,
    lam: float,
    max_queries: int | None,
    coherent_oracle: bool,
    seed: SeedLike,
) -> SearchResult:
    """find_minimum (``method="minimum"``) and top_k (``"top-k"``): see their docstrings."""
    lam = check_lambda(lam, owner)
    n = values.size
    budget = (
        durr_hoyer_budget(n, k)
        if max_queries is None
        else check_int(max_queries, "max_queries", owner, minimum=0)
    )
    backend = get_backend(backend)
    rng = make_rng(seed, owner)
    started = time.perf_counter()
    rounds = _ThresholdRounds(values, backend)
    chosen = [int(i) for i in rng.choice(n, size=k, replace=False)]
    tally, thresholds_billed, improvements = _improve(rounds, chosen, budget, lam, rng)
    # classical data: N evaluations per distinct threshold; coherent: N once, to load the values
    build = (n if thresholds_billed else 0) if coherent_oracle else n * thresholds_billed
    chosen.sort(key=lambda i: (values[i], i))
    metadata: dict[str, Any] = {
        "num_items": n,
        "k": k,
        "lam": lam,
        "max_queries": budget,
        "rounds": len(tally.attempts),
        "improvements": improvements,
        "thresholds_built": thresholds_billed,
        "oracle_model": "coherent" if coherent_oracle else "classical-data",
        "closed_form": rounds.closed_form,
    }
    if method == "minimum":
        metadata["value"] = float(values[chosen[0]])
    else:
        metadata["indices"] = chosen
        metadata["values"] = [float(values[i]) for i in chosen]
    queries = QueryCount(tally.oracle, tally.verify, build)
    return search_result(
        method,
        backend,
        seed,
        started,
        found=chosen[0],
        queries=queries,
        attempts=tally.attempts,
        metadata=metadata,
    )


def find_minimum(
    values: ArrayLike,
    backend: str | Backend = "ideal",
    *,
    lam: float = BBHT_LAMBDA,
    max_queries: int | None = None,
    coherent_oracle: bool = False,
    seed: SeedLike = None,
) -> SearchResult:
    """Dürr–Høyer minimum finding (Dürr & Høyer 1996, arXiv:quant-ph/9607014).

    y ← uniform index; repeat BBHT rounds (j ~ Uniform{0..⌈m⌉−1} iterates of the oracle that
    marks {i : T[i] < T[y]}, one measurement, one classical comparison); on an improvement
    y ← the measured index and m ← 1, else m ← min(λm, √N); stop when the next round would take
    the search queries (oracle + comparisons) above the budget, by default
    22.5√N + 1.4·log₂²N (the paper's Theorem 1: success ≥ 1/2; the paper does not know when the
    minimum is reached, so every run spends about the whole budget).

    Args:
        values: N finite real values (the table T).
        backend: a registered name or a Backend instance.
        lam: BBHT growth factor in (1, 4/3).
        max_queries: search-query budget (oracle + comparisons); default above.
        coherent_oracle: bill the oracle's construction as N once (a coherent comparator on
            loaded values) instead of N per distinct threshold (see the module docstring).
        seed: seeds the initial index, the draws of j and the backend runs.

    Returns:
        SearchResult with method ``"minimum"``; ``found`` is the final index y (the minimum with
        the probability above, ties: any index of the minimal value); ``metadata["value"]`` is
        T[y]. ``found`` is the algorithm's answer, not checked against the true minimum (that
        would take N reads).

    Raises:
        ProblemError: empty or non-finite ``values``, or a bad argument.
    """
    array = _check_values(values, "find_minimum")
    return _threshold_search(
        "minimum", "find_minimum", array, 1, backend, lam, max_queries, coherent_oracle, seed
    )


def top_k(
    values: ArrayLike,
    k: int,
    backend: str | Backend = "ideal",
    *,
    lam: float = BBHT_LAMBDA,
    max_queries: int | None = None,
    coherent_oracle: bool = False,
    seed: SeedLike = None,
) -> SearchResult:
    """The k smallest values (Dürr, Heiligman, Høyer, Mhalla 2004, arXiv:quant-ph/0401091 style).

    S ← k distinct uniform indices (k reads); repeat BBHT rounds of the oracle marking
    {i ∉ S : T[i] < max T[S]}; on an improvement swap the measured index for argmax T[S] and
    reset m ← 1; stop at the budget, by default ⌈22.5√(kN) + 1.4·k·log₂²N⌉ search queries
    (:func:`durr_hoyer_budget`). Classically, selecting the k smallest needs all N values: N
    reads.

    Args:
        values: N finite real values.
        k: 1 <= k <= N.
        backend: a registered name or a Backend instance.
        lam: BBHT growth factor in (1, 4/3).
        max_queries: search-query budget (oracle + reads); default above.
        coherent_oracle: see :func:`find_minimum`.
        seed: seeds the initial set, the draws of j and the backend runs.

    Returns:
        SearchResult with method ``"top-k"``; ``metadata["indices"]`` holds the k indices sorted
        by value (ties by index), ``metadata["values"]`` their values, and ``found`` the first of
        them (the minimum's index).

    Raises:
        ProblemError: empty or non-finite ``values``, k < 1 or k > N.
    """
    array = _check_values(values, "top_k")
    k = check_int(k, "k", "top_k", minimum=1)
    if k > array.size:
        raise ProblemError(
            f"The 'k' argument of top_k must be <= the number of values ({array.size}); got {k}."
        )
    return _threshold_search(
        "top-k", "top_k", array, k, backend, lam, max_queries, coherent_oracle, seed
    )
