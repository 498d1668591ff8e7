"""The wall-clock crossover: a Grover search with a coherent oracle against a classical scan.

Quantum time at size N = (state preparation +) k(N) Grover iterations × the estimator's time
for one iteration (oracle + diffusion) at the code distance the whole search needs, plus one
classical check of the measured item; k(N) = ⌊π/(4θ)⌋ with sin²θ = M/N. Classical time = N /
rate, the rate measured in the same run on this machine (NumPy popcount of XORed packed codes)
unless given. The crossover N* is where the curves meet (log-log interpolation between grid
points).

Babbush, McClean, Newman, Gidney, Boixo, Neven 2021 (PRX Quantum 2, 010103, arXiv:2011.04149)
frame the same question generically: a quantum algorithm making M calls of time t_Q against a
classical one making M^d calls of time t_C breaks even at M* = (t_Q/t_C)^{1/(d−1)} calls, after
T* = M*·t_Q = (t_Q^d / t_C)^{1/(d−1)}; past it the speed-up grows as (T/T*)^{d−1}
(:func:`break_even`). With QROM, t_Q itself grows as N, so the quantum total grows as N^1.5 and
there is no N*.
"""

from __future__ import annotations

import itertools
import math
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from qsearch._validation import SeedLike, check_int, make_rng
from qsearch.exceptions import ProblemError, UnsupportedProgramError
from qsearch.oracles.counts import (
    QRAM_ASSUMPTION,
    LogicalCounts,
    check_loader,
    diffusion_counts,
    grover_iterations,
    hamming_counts,
)
from qsearch.oracles.physical import check_model, run_estimator

#: Default grid: N = 2^10, 2^11, …, 2^60.
DEFAULT_SIZES = tuple(2**e for e in range(10, 61))


def break_even(t_quantum: float, t_classical: float, degree: float = 2.0) -> tuple[float, float]:
    """Babbush et al. 2021, Eq. (1): calls M* and time T* at which M·t_Q = M^d·t_C.

    Returns (M*, T*) with M* = (t_Q/t_C)^{1/(d−1)} and T* = M*·t_Q.
    """
    for name, value in (("t_quantum", t_quantum), ("t_classical", t_classical)):
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
            raise ProblemError(f"The {name!r} argument of break_even must be > 0; got {value!r}.")
    if not (isinstance(degree, (int, float)) and degree > 1):
        raise ProblemError(f"The 'degree' argument of break_even must be > 1; got {degree!r}.")
    calls = (t_quantum / t_classical) ** (1.0 / (degree - 1.0))
    return calls, calls * t_quantum


def speedup_after(runtime: float, break_even_time: float, degree: float = 2.0) -> float:
    """Classical time / quantum time for a problem the quantum side solves in ``runtime``:
    (T/T*)^{d−1} (Babbush et al. 2021)."""
    return (runtime / break_even_time) ** (degree - 1.0)


def measure_classical_rate(
    bits: int,
    threshold: int | None = None,
    *,
    items: int = 2**22,
    cores: int | None = None,
    seed: SeedLike = 0,
    repeats: int = 3,
) -> dict[str, float]:
    """Items/s of a classical scan: popcount(code XOR query) <= threshold over packed codes.

    Measured on this machine (best of ``repeats``) with one thread and with ``cores`` threads
    (NumPy releases the GIL; default: all cores). Returns ``single_core``, ``all_cores`` and
    ``cores``.
    """
    bits = check_int(bits, "bits", "measure_classical_rate", minimum=1)
    if bits > 64:
        raise ProblemError(
            f"The 'bits' argument of measure_classical_rate must be <= 64; got {bits}."
        )
    t = bits // 4 if threshold is None else threshold
    if cores is None:
        cores = os.cpu_count() or 1
    else:
        cores = check_int(cores, "cores", "measure_classical_rate", minimum=1)
    rng = make_rng(seed, "measure_classical_rate")
    codes = rng.integers(0, 2**bits, size=items, dtype=np.uint64, endpoint=False)
    query = np.uint64(rng.integers(0, 2**bits, dtype=np.uint64))

    def scan(chunk: np.ndarray) -> int:
        return int(np.count_nonzero(np.bitwise_count(chunk ^ query) <= t))

    def best(fn: Any) -> float:
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return min(times)

    single = best(lambda: scan(codes))
    chunks = np.array_split(codes, cores)
    with ThreadPoolExecutor(cores) as pool:
        parallel = best(lambda: sum(pool.map(scan, chunks)))
    return {"single_core": items / single, "all_cores": items / parallel, "cores": float(cores)}


@dataclass(frozen=True)
class CrossoverResult:
    """Quantum against classical wall-clock over N, with every assumption.

    Attributes:
        crossover_items: N* (interpolated), or None when quantum never wins on the grid.
        crossover_seconds: the common wall-clock at N*, or None.
        reason: why there is no crossover (or where it is).
        table: one dict per N (``items``, ``iterations``, ``toffoli_per_call``,
            ``code_distance``, ``logical_cycle_s``, ``iteration_s``, ``quantum_s``,
            ``classical_s``, ``estimate``).
        assumptions: qubit model, code, error budget, factories, classical rate, cores, loader.
    """

    crossover_items: float | None
    crossover_seconds: float | None
    reason: str
    table: list[dict[str, Any]]
    assumptions: dict[str, Any] = field(default_factory=dict)

    def assumptions_text(self) -> str:
        return "\n".join(f"  {key}: {value}" for key, value in self.assumptions.items())

    def __str__(self) -> str:
        return f"{self.reason}\nAssumptions:\n{self.assumptions_text()}"

    def write(self, out_dir: str | Path) -> dict[str, Path]:
        """Write ``crossover.csv``, ``crossover.png`` and ``assumptions.txt`` into ``out_dir``."""
        import csv

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        csv_path, png_path, text_path = (
            out / "crossover.csv",
            out / "crossover.png",
            out / "assumptions.txt",
        )
        with csv_path.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(self.table[0]))
            writer.writeheader()
            writer.writerows(self.table)
        text_path.write_text(str(self) + "\n")
        self.plot(png_path)
        return {"csv": csv_path, "png": png_path, "assumptions": text_path}

    def plot(self, path: str | Path | None = None, ax: Any = None) -> Any:
        """Log-log plot of both curves with N* marked; saved to ``path`` when given."""
        import matplotlib

        if ax is None and path is not None:
            matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        own = ax is None
        if own:
            _, ax = plt.subplots(figsize=(7, 4.5))
        n = [row["items"] for row in self.table]
        ax.loglog(n, [row["quantum_s"] for row in self.table], label="quantum (Grover)")
        ax.loglog(n, [row["classical_s"] for row in self.table], label="classical scan")
        if self.crossover_items is not None:
            ax.axvline(self.crossover_items, color="k", ls="--", lw=1)
            ax.annotate(
                f"N* ≈ 2^{math.log2(self.crossover_items):.1f}",
                (self.crossover_items, self.crossover_seconds),
                textcoords="offset points",
                xytext=(6, -14),
            )
        a = self.assumptions
        loader = "qram (ASSUMED hardware)" if a["loader"] == "qram" else a["loader"]
        ax.set_title(f"{loader}, b={a['bits']}, {a['qubit_model']} + {a['qec_scheme']}")
        ax.set_xlabel("items N")
        ax.set_ylabel("wall-clock (s)")
        ax.legend()
        if path is not None:
            ax.figure.savefig(path, dpi=120, bbox_inches="tight")
            if own:
                plt.close(ax.figure)
        return ax


def crossover(
    *,
    loader: str,
    bits: int,
    threshold: int | None = None,
    classical_rate: float | None = None,
    qubit_model: str = "qubit_gate_ns_e3",
    qec_scheme: str | None = None,
    error_budget: float = 1e-3,
    sizes: Any = None,
    marked: int = 1,
    cores: int | None = None,
    seed: SeedLike = 0,
) -> CrossoverResult:
    """Quantum vs classical wall-clock for N in ``sizes`` (default 2^10 … 2^60).

    Args:
        loader: ``"qrom"``, ``"select-swap"`` or ``"qram"`` (a hardware ASSUMPTION).
        bits: code width b (1..64).
        threshold: Hamming threshold (default b // 4).
        classical_rate: items/s of the classical scan; default: measured now on all cores.
        qubit_model: the resource estimator's qubit model.
        qec_scheme: the resource estimator's error-correction scheme.
        error_budget: the resource estimator's total error budget.
        sizes: increasing item counts (each >= 4).
        marked: M, the marked items the search looks for (1: the hardest case).
        cores: threads for the measured classical rate (default: all).
        seed: seeds the classical-rate measurement's data.

    Raises:
        ProblemError: for an unknown loader or model, or bad sizes, bits or rate.
        BackendUnavailableError: without the ``[ft]`` extra.
    """
    owner = "crossover"
    loader = check_loader(loader, owner)
    bits = check_int(bits, "bits", owner, minimum=1)
    if bits > 64:
        raise ProblemError(f"The 'bits' argument of {owner} must be <= 64; got {bits}.")
    threshold = (
        bits // 4 if threshold is None else check_int(threshold, "threshold", owner, minimum=0)
    )
    if threshold > bits:
        raise ProblemError(
            f"The 'threshold' argument of {owner} must be <= bits ({bits}); got {threshold}."
        )
    qubit_model, qec_scheme = check_model(qubit_model, qec_scheme, owner)
    marked = check_int(marked, "marked", owner, minimum=1)
    grid = _check_sizes(DEFAULT_SIZES if sizes is None else sizes, marked, owner)
    measured = None
    if classical_rate is None:
        measured = measure_classical_rate(bits, threshold, cores=cores, seed=seed)
        rate = measured["all_cores"]
    else:
        rate = float(classical_rate) if isinstance(classical_rate, (int, float)) else float("nan")
        if not (math.isfinite(rate) and rate > 0):
            raise ProblemError(
                f"The 'classical_rate' argument of {owner} must be a positive number of items/s; "
                f"got {classical_rate!r}."
            )
    table = [
        _row(n, bits, threshold, loader, marked, rate, qubit_model, qec_scheme, error_budget)
        for n in grid
    ]
    _extrapolate(table, rate)
    n_star, t_star, reason = _find_crossover(table, loader)
    assumptions = {
        "loader": loader,
        "bits": bits,
        "threshold": threshold,
        "marked": marked,
        "qubit_model": qubit_model,
        "qec_scheme": qec_scheme,
        "error_budget": error_budget,
        "t_factories": "as many as the estimator needs to never stall the algorithm",
        "quantum_time": "k=floor(pi/(4 theta)) iterations x (oracle + diffusion), + 1 check",
        "classical_time": "N / classical_rate (a full scan)",
        "classical_rate_items_per_s": f"{rate:.4g}"
        + (" (given)" if measured is None else " (measured now, all cores)"),
        "classical_rate_single_core": None
        if measured is None
        else f"{measured['single_core']:.4g}",
        "cores": None if measured is None else int(measured["cores"]),
        "table_ones": "N*b/2 one bits (random codes); query weight b/2 (Cliffords only)",
    }
    if loader == "qram":
        assumptions["qram"] = QRAM_ASSUMPTION
    return CrossoverResult(n_star, t_star, reason, table, assumptions)


def _check_sizes(sizes: Any, marked: int, owner: str) -> list[int]:
    try:
        grid = [int(n) for n in sizes]
    except (TypeError, ValueError):
        raise ProblemError(
            f"The 'sizes' argument of {owner} must be a sequence of ints; got {sizes!r}."
        ) from None
    if not grid or any(n < max(4, 2 * marked) for n in grid) or grid != sorted(set(grid)):
        raise ProblemError(
            f"The 'sizes' argument of {owner} must be increasing ints >= max(4, 2*marked); "
            f"got {sizes!r}."
        )
    if grid[-1] > 2**60:
        raise ProblemError(f"The 'sizes' argument of {owner} must be <= 2**60; got {grid[-1]}.")
    return grid


def _row(
    n: int,
    bits: int,
    threshold: int,
    loader: str,
    marked: int,
    rate: float,
    qubit_model: str,
    qec_scheme: str,
    error_budget: float,
) -> dict[str, Any]:
    per_call = hamming_counts(n, bits, threshold, loader)
    iteration: LogicalCounts = per_call + diffusion_counts(n)
    k = max(1, grover_iterations(n, marked))
    row: dict[str, Any] = {
        "items": n,
        "iterations": k,
        "toffoli_per_call": per_call.toffoli,
        "qubits": per_call.qubits,
        "routing_qubits": per_call.routing_qubits,
    }
    try:
        estimate = run_estimator(
            iteration,
            qubit_model=qubit_model,
            qec_scheme=qec_scheme,
            error_budget=error_budget,
            repetitions=k,
        )
    except UnsupportedProgramError:
        row.update(code_distance=None, logical_cycle_s=None, iteration_s=None, quantum_s=None)
        row.update(classical_s=n / rate, estimate="pending")
        row["_depth"] = _psspc_depth(iteration)
        return row
    iteration_s = estimate.runtime_seconds / k
    row.update(
        code_distance=estimate.code_distance,
        logical_cycle_s=estimate.logical_cycle_seconds,
        iteration_s=iteration_s,
        quantum_s=estimate.runtime_seconds + 1.0 / rate,
        classical_s=n / rate,
        estimate="estimator",
    )
    return row


def _psspc_depth(counts: LogicalCounts) -> float:
    """The estimator's PSSPC logical depth for counts without rotations: measurements and
    3 cycles per AND or CCZ (Beverland et al. 2022, Sec. IV)."""
    return float(
        counts.and_uncompute + 3 * (counts.and_compute + counts.generic) + counts.rotations
    )


def _extrapolate(table: list[dict[str, Any]], rate: float) -> None:
    """Rows past the estimator's 64-bit range: hold the last code distance and cycle time
    (a lower bound on the quantum time, since the distance only grows with N)."""
    last = None
    for row in table:
        if row["estimate"] == "estimator":
            last = row
            continue
        depth = row.pop("_depth")
        if last is None:
            continue
        row["code_distance"] = last["code_distance"]
        row["logical_cycle_s"] = last["logical_cycle_s"]
        row["iteration_s"] = depth * last["logical_cycle_s"]
        row["quantum_s"] = row["iterations"] * row["iteration_s"] + 1.0 / rate
        row["estimate"] = (
            f"extrapolated (estimator range exceeded; d held at {last['code_distance']})"
        )
    for row in table:
        row.pop("_depth", None)


def _find_crossover(
    table: list[dict[str, Any]], loader: str
) -> tuple[float | None, float | None, str]:
    rows = [r for r in table if r["quantum_s"] is not None]
    for left, right in itertools.pairwise(rows):
        if left["quantum_s"] > left["classical_s"] and right["quantum_s"] <= right["classical_s"]:
            # log-log interpolation of the gap g = log q − log c between the bracketing sizes
            g0 = math.log(left["quantum_s"] / left["classical_s"])
            g1 = math.log(right["quantum_s"] / right["classical_s"])
            x0, x1 = math.log(left["items"]), math.log(right["items"])
            x = x0 + (x1 - x0) * g0 / (g0 - g1)
            c0, c1 = math.log(left["classical_s"]), math.log(right["classical_s"])
            seconds = math.exp(c0 + (c1 - c0) * (x - x0) / (x1 - x0))
            return (
                math.exp(x),
                seconds,
                (
                    f"{_assumed(loader)}Quantum search overtakes the classical scan at N* ≈ "
                    f"2^{x / math.log(2):.1f} after ≈ {seconds:.3g} s ({seconds / 86400:.3g} days)."
                ),
            )
    if rows and rows[0]["quantum_s"] <= rows[0]["classical_s"]:
        return (
            float(rows[0]["items"]),
            rows[0]["quantum_s"],
            (f"Quantum is already faster at the smallest N = {rows[0]['items']}."),
        )
    slope = _slope(rows)
    why = {
        "qrom": "QROM reads all N items per call, so the quantum total grows as N^1.5",
        "select-swap": "select-swap costs O(sqrt(N b)) Toffolis per call, so the quantum total "
        "grows about as fast as the scan (~N sqrt(b)) with a far larger constant",
        "qram": "even with O(log N) QRAM reads the per-call constant is too large on this grid",
    }[loader]
    held = any(r["estimate"].startswith("extrapolated") for r in rows)
    note = (
        " Rows past the estimator's range hold the code distance (a lower bound)." if held else ""
    )
    top = math.log2(table[-1]["items"])
    reason = (
        f"{_assumed(loader)}No crossover up to N = 2^{top:.0f}: {why} (fitted slope of quantum "
        f"time vs N at the top of the grid: {slope:.2f}; classical: 1.00).{note}"
    )
    return None, None, reason


def _assumed(loader: str) -> str:
    return "[ASSUMPTION: bucket-brigade QRAM hardware] " if loader == "qram" else ""


def _slope(rows: list[dict[str, Any]]) -> float:
    if len(rows) < 2:
        return float("nan")
    a, b = rows[-2], rows[-1]
    return math.log(b["quantum_s"] / a["quantum_s"]) / math.log(b["items"] / a["items"])
