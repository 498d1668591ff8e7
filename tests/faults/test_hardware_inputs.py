"""Hardware inputs that must be refused before anything is built (issue 14.1).

``qsearch submit --num-items 2**40`` used to transpile ~823k iterates until the kernel killed it
at 24 GB; ``2**20`` was still transpiling after 60 s. Each case runs the real command in a
subprocess under an address-space limit and a timeout: a regression fails fast instead of
taking the machine down.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("qiskit_ibm_runtime")

from qsearch import SearchProblem, SearchProgram
from qsearch.backends.resources import screen_size
from qsearch.exceptions import UnsupportedProgramError

ROOT = Path(__file__).resolve().parents[2]
MEMORY_LIMIT = 3 * 2**30  # bytes of address space: qiskit + the runtime import in ~1.5 GiB
TIME_LIMIT_S = 120


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _submit(
    tmp_path: Path, num_items: int, *extra: str, device: str = "fake_torino"
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QSEARCH_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    command = ["submit", "--device", device, "--num-items", str(num_items), "--marked", "1"]
    return subprocess.run(
        [sys.executable, "-m", "qsearch", *command, "--shots", "1000", *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=TIME_LIMIT_S,
        preexec_fn=_limit_memory,
        check=False,
    )


def test_submit_refuses_2_to_the_40_items_in_bounded_time_and_memory(tmp_path: Path) -> None:
    done = _submit(tmp_path, 2**40)
    assert done.returncode == 2, done.stderr
    assert "823,549" not in done.stderr  # k is named via the gate bound, not silently built
    assert "64,236,822 two-qubit gates" in done.stderr
    assert "--allow-noise-dominated" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "jobs.sqlite").exists()


def test_submit_refuses_2_to_the_20_items_by_the_gate_budget_too(tmp_path: Path) -> None:
    done = _submit(tmp_path, 2**20, "--allow-noise-dominated")
    assert done.returncode == 2, done.stderr
    assert "at least 30,552 two-qubit gates, over the budget of 20,000" in done.stderr
    assert "--max-two-qubit-gates" in done.stderr


def test_submit_refuses_more_qubits_than_the_device_has(tmp_path: Path) -> None:
    done = _submit(tmp_path, 2**6, "--iterations", "1", device="fake_manila")
    assert done.returncode == 2, done.stderr
    assert "needs 6 qubits" in done.stderr and "has 5" in done.stderr


def test_noise_dominated_programs_are_refused_with_the_numbers() -> None:
    program = SearchProgram(SearchProblem(2**14, [1]), 100)  # 2,600 CZ at least
    with pytest.raises(UnsupportedProgramError) as info:
        screen_size([program], "fake_torino", shots=1000)
    message = str(info.value)
    assert "indistinguishable from noise" in message and "2,600 two-qubit gates" in message
    assert "6.1e-05 from random guessing" in message or "6.104e-05" in message
    allowed = screen_size([program], "fake_torino", shots=1000, allow_noise_dominated=True)
    assert allowed["programs"][0]["two_qubit_lower_bound"] == 2600


def test_runnable_programs_pass_and_the_bound_is_below_the_transpiled_count() -> None:
    from qsearch.backends.resources import resources

    program = SearchProgram(SearchProblem(16, [3]), 3)
    screened = screen_size([program], "fake_torino", shots=1000)["programs"][0]
    report = resources(program, "fake_torino")
    assert screened["two_qubit_lower_bound"] == 3 * 2 * 3
    assert screened["two_qubit_lower_bound"] <= report["two_qubit_gates"]
    assert screened["success_upper_bound"] >= report["estimated_success"]
