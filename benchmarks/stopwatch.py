"""The one timing rule of the benchmarks: the best of ``repeats`` runs (optionally after a
warm-up), which filters out the other core's noise better than a mean on a shared machine."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def best_time(fn: Callable[[], Any], repeats: int = 5, *, warm_up: bool = False) -> float:
    """Seconds of the fastest of ``repeats`` calls of ``fn`` (after one untimed call if
    ``warm_up``: library loading, caches, transpilation)."""
    if warm_up:
        fn()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)
