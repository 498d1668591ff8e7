"""The README's code runs as written, and every value its comments promise is what the code
returns and what an independent, hand-computed reference gives (a README that rots is worse
than none)."""

from __future__ import annotations

import ast
import math
import re
from pathlib import Path
from typing import Any

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"

# Hand computations (no qsearch): N = 1000 items, M = 2 marked, sin θ = √(M/N).
_THETA = math.asin(math.sqrt(2 / 1000))
_K = math.floor(math.pi / (4 * _THETA))  # Boyer, Brassard, Høyer, Tapp 1998: ⌊π/(4θ)⌋
_P = math.sin((2 * _K + 1) * _THETA) ** 2


def _starts(prefix: str) -> Any:
    return lambda value: f"{value}".startswith(prefix)


def _grover_result(value: Any) -> bool:
    found, queries = value
    return found in (17, 503) and (queries.oracle, queries.verify, queries.build) == (_K, 1, 0)


#: README line (code part) -> (its comment, check of the value against the hand computation).
EXPECTED: dict[str, tuple[str, Any]] = {
    "problem.num_qubits, problem.num_marked": (
        "(10, 2)",
        lambda v: v == (math.ceil(math.log2(1000)), 2),
    ),
    "k = qs.optimal_iterations(1000, 2)": ("17", lambda v: v == _K),
    "qs.success_probability(1000, 2, k)": ("0.99997...", lambda v: abs(v - _P) < 1e-12),
    "result.found, result.queries": (
        "17 or 503, QueryCount(oracle=17, verify=1, build=0)",
        _grover_result,
    ),
    "classical.queries.verify": ("predicate evaluations spent", lambda v: 1 <= v <= 1000),
    "qs.grover_search(short, seed=0).queries.build": ("4", lambda v: v == 4),  # len(words)
    "ideal.probabilities([qs.SearchProgram(problem, k)])[0][17]": (
        "0.49998...",
        lambda v: abs(v - _P / 2) < 1e-12,  # two marked items share p equally
    ),
}


def test_hand_computed_values_read_as_the_readme_says() -> None:
    assert _K == 17 and f"{_P}".startswith("0.99997") and f"{_P / 2}".startswith("0.49998")
    assert math.ceil(math.log2(1000)) == 10


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_python_blocks_run_and_their_comments_hold() -> None:
    blocks = _python_blocks()
    assert blocks, "README.md has no python example"
    checked = set()
    for block in blocks:
        namespace: dict[str, Any] = {}
        lines = block.splitlines()
        for statement in ast.parse(block).body:
            code = ast.get_source_segment(block, statement) or ""
            exec(compile(ast.Module([statement], []), str(README), "exec"), namespace)
            line = lines[statement.end_lineno - 1]
            if "  # " not in line or line.lstrip().startswith("#"):
                continue
            comment = line.split("  # ", 1)[1].strip()
            assert code in EXPECTED, f"README comment without a reference value: {line!r}"
            promised, check = EXPECTED[code]
            assert comment == promised, f"README comment changed: {line!r}"
            target = statement.targets[0] if isinstance(statement, ast.Assign) else None
            value = (
                namespace[target.id]
                if isinstance(target, ast.Name)
                else eval(code, namespace)  # an expression statement: its value
            )
            assert check(value), f"{code} gave {value!r}; the README says {comment!r}"
            if promised[0].isdigit() and promised.endswith("..."):
                assert _starts(promised[:-3])(value), (code, value)
            checked.add(code)
    assert checked == set(EXPECTED), f"README lost commented lines: {set(EXPECTED) - checked}"


def test_readme_opens_with_the_two_commands() -> None:
    commands = re.findall(r"```bash\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    assert "qsearch compare" in commands[0]
    assert "pip install -e '.[dev]'" in commands[1] and commands[1].strip().endswith("pytest")


def test_readme_compare_block_is_what_compare_prints() -> None:
    """The table rows and slopes in the README are those of ``qsearch compare``'s defaults."""
    from qsearch.experiments.registry import expected_queries

    text = README.read_text(encoding="utf-8")
    block = text.split("## What `qsearch compare` prints", 1)[1].split("```\n", 2)[1]
    assert block.startswith("qsearch compare: algorithm=grover backend=ideal noise=none M=1")
    header = next(ln for ln in block.splitlines() if ln.startswith("algorithm")).split()
    assert header[:7] == ["algorithm", "N", "oracle", "verify", "build", "total", "95%"]
    grover = next(ln for ln in block.splitlines() if ln.startswith("grover ") and "[" in ln)
    n, oracle, verify, build, total = grover.split()[1:6]
    theta = math.asin(1 / math.sqrt(int(n)))
    k = math.floor(math.pi / (4 * theta))
    assert int(n) == 65536 and float(oracle) == k and float(verify) == 1 and float(build) == 0
    assert float(total) == pytest.approx(round(expected_queries("grover", int(n), 1), 1))
    # The exact-expectation slope printed for Grover: the hand-computed closed form's fit.
    sizes = [16, 64, 256, 1024, 4096, 16384, 65536]
    values = []
    for size in sizes:
        t = math.asin(1 / math.sqrt(size))
        kk = math.floor(math.pi / (4 * t))
        values.append((kk + 1) / math.sin((2 * kk + 1) * t) ** 2)
    xs, ys = [math.log(s) for s in sizes], [math.log(v) for v in values]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((a - mx) * (b - my) for a, b in zip(xs, ys, strict=True)) / sum(
        (a - mx) ** 2 for a in xs
    )
    fits = block.split("fitted scaling", 1)[1].splitlines()
    (fit,) = [ln.split() for ln in fits if ln.strip().startswith("grover ")]
    assert fit[-1] == f"{slope:.3f}"  # the "exact expectation" column
