"""The house rules of docs/design.md, checked: rooms, arrows pointing down, no import cycles.

Every ``import`` of a qsearch module counts, at any depth (an import inside a function is still
an arrow), except those under ``if TYPE_CHECKING:``, which never run.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "qsearch"

#: Rooms from the bottom up. A module may import its own room and any room on a lower level;
#: rooms on one level may import each other as long as no cycle forms.
LEVELS: tuple[tuple[str, ...], ...] = (
    (
        "qsearch.exceptions",
        "qsearch._validation",
        "qsearch._versions",
        "qsearch._lazy",
        "qsearch.problem",
        "qsearch.results",
        "qsearch.complexity",
        "qsearch.schedules",
        "qsearch.backends.base",
    ),
    ("qsearch.algorithms", "qsearch.classical", "qsearch.translate", "qsearch.oracles"),
    ("qsearch.backends", "qsearch.testing"),
    ("qsearch.retrieval",),
    ("qsearch.experiments",),
    ("qsearch.cli", "qsearch.__main__", "qsearch"),
)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def room_of(module: str) -> tuple[int, str]:
    """(level, room) of a module: the longest room name that is the module or a parent of it."""
    best: tuple[int, str] | None = None
    for level, rooms in enumerate(LEVELS):
        for room in rooms:
            if (module == room or module.startswith(room + ".")) and (
                best is None or len(room) > len(best[1])
            ):
                best = (level, room)
    assert best is not None, f"{module} is in no room of tests/test_layout.py LEVELS"
    return best


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(module: str) -> set[str]:
    """The qsearch modules ``module`` imports anywhere in its body (TYPE_CHECKING excluded)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "qsearch")
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if base.split(".")[0] == "qsearch":
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    found.add(sub if sub in MODULES else base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    found.discard(module)
    return {name for name in found if name in MODULES}


GRAPH = {module: imports_of(module) for module in MODULES}


def test_every_module_is_in_a_room() -> None:
    assert len(MODULES) > 40 and "qsearch.problem" in MODULES, f"no package at {PACKAGE}"
    for module in MODULES:
        room_of(module)


def test_arrows_point_down() -> None:
    upward = []
    for module, targets in GRAPH.items():
        level, room = room_of(module)
        for target in sorted(targets):
            target_level = room_of(target)[0]
            if target_level > level:
                upward.append(
                    f"{module} ({room}, level {level}) -> {target} (level {target_level})"
                )
    assert not upward, "imports pointing up the layers:\n" + "\n".join(upward)


def test_no_import_cycles() -> None:
    """Depth-first search for a back edge; the message shows the cycle."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        stack.append(module)
        for target in sorted(GRAPH[module]):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[module] = 2
        return None

    for module in sorted(MODULES):
        if module not in state and (cycle := visit(module)):
            pytest.fail("import cycle: " + " -> ".join(cycle))


def test_checker_sees_function_level_imports_and_cycles() -> None:
    """The checker itself: a function-level import is an arrow; a two-module cycle is found."""
    source = "def f():\n    from qsearch.experiments import compare\n"
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    assert found == {"qsearch.experiments"}
    assert room_of("qsearch.experiments.compare") == (4, "qsearch.experiments")
    assert room_of("qsearch.backends.base")[0] == 0 and room_of("qsearch.backends.aer")[0] == 2


def test_only_the_cli_room_uses_argparse() -> None:
    users = sorted(
        module
        for module, path in MODULES.items()
        if room_of(module)[1] != "qsearch.cli"
        and any(
            (isinstance(n, ast.Import) and any(a.name == "argparse" for a in n.names))
            or (isinstance(n, ast.ImportFrom) and n.module == "argparse")
            for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        )
    )
    assert not users, f"argparse outside qsearch/cli/: {users}"


HEAVY = ("pandas", "matplotlib", "scipy.stats", "sklearn", "qiskit", "pennylane")


@pytest.mark.parametrize(
    "code",
    [
        "import qsearch",
        "import qsearch; qsearch.SearchProblem(8, [3]); qsearch.optimal_iterations(8, 1)",
        "from qsearch.cli import build_parser; build_parser()",
    ],
)
def test_a_fast_start_imports_no_heavy_package(code: str) -> None:
    probe = f"{code}\nimport sys\nprint(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]", f"{code!r} imported {out.strip()}"


def test_python_m_qsearch_and_version() -> None:
    import qsearch

    out = subprocess.run(
        [sys.executable, "-m", "qsearch", "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == f"qsearch {qsearch.__version__}"
