"""The wall-clock crossover, the break-even formula of Babbush et al. 2021, and the CLI."""

from __future__ import annotations

import csv
import math

import pytest

from qsearch.cli import main
from qsearch.exceptions import ProblemError
from qsearch.oracles.crossover import (
    break_even,
    crossover,
    measure_classical_rate,
    speedup_after,
)

pytest.importorskip("qdk.estimator")

RATE = 1e9  # items/s, fixed so the tests do not depend on this machine's speed


def test_break_even_formula_of_babbush_et_al() -> None:
    """Babbush, McClean, Newman, Gidney, Boixo, Neven, PRX Quantum 2, 010103 (2021), Eq. (1):
    a quantum algorithm making M calls of time t_Q against a classical one making M^d calls of
    time t_C breaks even at T* = (t_Q^d / t_C)^(1/(d-1)), and a run of length T > T* is
    (T/T*)^(d-1) times faster than the classical one.

    Numbers: the paper's full tables were not reachable from this workplace; the figures below
    are those a literature review of the paper states (milomoses.info, "Focus beyond quadratic
    speedups ..."): with a quartic speed-up (d = 4), a one-hour run is 13,824,000 times faster
    than classical. That is exactly (3600 s / 15 s)^3, i.e. the speed-up law above with a
    break-even time of 15 s (the review quotes "14 seconds", which gives 1.7e7 instead).
    """
    assert speedup_after(3600.0, 15.0, degree=4) == pytest.approx(13_824_000, rel=1e-12)
    assert speedup_after(3600.0, 14.0, degree=4) == pytest.approx(17_002_915, rel=1e-6)
    # the generic identities: at T* both sides take T*, and M* calls of t_Q take T*
    for t_q, t_c, d in [(1e-3, 1e-8, 2), (0.17, 3.3e-8, 2), (1e-2, 1e-9, 3), (5e-3, 1e-7, 4)]:
        calls, seconds = break_even(t_q, t_c, d)
        assert seconds == pytest.approx((t_q**d / t_c) ** (1 / (d - 1)), rel=1e-12)
        assert calls * t_q == pytest.approx(calls**d * t_c, rel=1e-9)
        assert speedup_after(seconds, seconds, d) == pytest.approx(1.0)
    # quadratic (d = 2): T* = t_Q^2 / t_C; a 1 ms call against a 10 ns one breaks even after
    # 1e5 calls, i.e. 100 s, and a 100x longer run is 100x faster
    assert break_even(1e-3, 1e-8) == pytest.approx((1e5, 100.0))
    assert speedup_after(1e4, 100.0) == pytest.approx(100.0)
    with pytest.raises(ProblemError, match="'degree' argument of break_even must be > 1"):
        break_even(1.0, 1.0, 1)
    with pytest.raises(ProblemError, match="'t_quantum' argument of break_even must be > 0"):
        break_even(0.0, 1.0)


def test_crossover_reproduces_break_even_from_its_own_per_call_times() -> None:
    """Where the curves cross, Grover's ~π/4·√N calls of t_Q equal N/rate: the crossover from
    the table agrees with Babbush et al.'s T* for the per-call times at N*."""
    result = crossover(loader="qram", bits=16, classical_rate=RATE)
    assert result.crossover_items is not None
    row = min(result.table, key=lambda r: abs(math.log(r["items"] / result.crossover_items)))
    t_q = row["iteration_s"]
    # Grover makes (π/4)√N calls where the scan makes N checks: M calls vs (4M/π)^2 checks
    t_c = (4 / math.pi) ** 2 / RATE
    _, seconds = break_even(t_q, t_c)
    assert seconds == pytest.approx(result.crossover_seconds, rel=0.05)


def test_qrom_never_crosses_and_says_why() -> None:
    result = crossover(loader="qrom", bits=16, classical_rate=RATE)
    assert result.crossover_items is None and result.crossover_seconds is None
    assert "N^1.5" in result.reason
    assert "fitted slope of quantum time vs N at the top of the grid: 1.50" in result.reason
    n = [r["items"] for r in result.table]
    assert n[0] == 2**10 and n[-1] == 2**60 and len(n) == 51
    assert all(r["quantum_s"] > r["classical_s"] for r in result.table)
    # per-call Toffolis grow linearly with N for QROM
    assert result.table[-1]["toffoli_per_call"] > 2**60


def test_qram_crossover_is_labelled_an_assumption_and_majorana_is_faster() -> None:
    gate = crossover(loader="qram", bits=16, classical_rate=RATE)
    maj = crossover(loader="qram", bits=16, classical_rate=RATE, qubit_model="qubit_maj_ns_e6")
    assert maj.assumptions["qec_scheme"] == "floquet_code"
    assert "ASSUMPTION" in gate.assumptions["qram"]
    assert maj.crossover_items < gate.crossover_items
    # at N*, both sides take the same time
    assert gate.crossover_seconds == pytest.approx(gate.crossover_items / RATE, rel=1e-6)


def test_write_and_cli(tmp_path) -> None:
    out = tmp_path / "xo"
    code = main(
        [
            "crossover",
            "--loader",
            "select-swap",
            "--bits",
            "8",
            "--classical-rate",
            "1e9",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    rows = list(csv.DictReader((out / "crossover.csv").open()))
    assert len(rows) == 51 and rows[0]["items"] == "1024"
    assert (out / "crossover.png").stat().st_size > 10_000
    text = (out / "assumptions.txt").read_text()
    assert "qubit_model: qubit_gate_ns_e3" in text and "1e+09 (given)" in text
    assert main(["crossover", "--loader", "qrom", "--bits", "99", "--out", str(out)]) == 2


def test_measured_classical_rate() -> None:
    rate = measure_classical_rate(16, items=2**16, repeats=1, cores=2)
    assert rate["single_core"] > 1e5 and rate["all_cores"] > 1e5 and rate["cores"] == 2


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"loader": "sram", "bits": 8}, r"'loader'.*\['qrom', 'select-swap', 'qram'\]"),
        ({"loader": "qrom", "bits": 8, "qubit_model": "ion"}, r"'qubit_model'.*qubit_maj_ns_e6"),
        ({"loader": "qrom", "bits": 65}, "'bits'.*<= 64; got 65"),
        ({"loader": "qrom", "bits": 8, "threshold": 9}, "'threshold'.*<= bits \\(8\\); got 9"),
        ({"loader": "qrom", "bits": 8, "classical_rate": -1}, "'classical_rate'.*got -1"),
        ({"loader": "qrom", "bits": 8, "sizes": [2**20, 2**10]}, "'sizes'.*increasing"),
    ],
)
def test_bad_input(kwargs: dict, match: str) -> None:
    with pytest.raises(ProblemError, match=match):
        crossover(**kwargs)
