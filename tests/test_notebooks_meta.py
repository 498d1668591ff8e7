"""The coursework notebooks are fit for CI and for students.

nbmake executes the notebooks themselves (``pytest`` collects notebooks/ too, see
pyproject.toml). These tests check what execution cannot: outputs stripped in git, one
``parameters`` cell of plain literals, the ``python3`` kernel resolving to this interpreter,
exercises numbered and each one solved in notebooks/solutions/, and that the solutions run.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
SOLUTION_DIR = NOTEBOOK_DIR / "solutions"
NOTEBOOKS = (
    "01_grover_from_scratch",
    "02_quantum_vs_classical_queries",
    "03_search_over_embeddings",
    "04_noise_and_hardware",
    "05_counting_and_minimum",
    "06_what_does_one_oracle_call_cost",
)
#: Solutions that take more than a few seconds (device noise models, deep transpilation).
SLOW_SOLUTIONS = ("04_noise_and_hardware",)
EXERCISE = re.compile(r"^#+\s*Exercise (\d+)\b", re.M)


def _load(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)


def _module(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _python_source(cell: Any) -> str:
    """A code cell's source with IPython magics (``%...``) commented out."""
    return "\n".join(
        "# " + line if line.lstrip().startswith(("%", "!")) else line
        for line in cell.source.splitlines()
    )


def _exercises(nb: nbformat.NotebookNode) -> list[int]:
    numbers: list[int] = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            numbers += [int(n) for n in EXERCISE.findall(cell.source)]
    return numbers


def test_exactly_the_coursework_notebooks_exist() -> None:
    found = sorted(p.stem for p in NOTEBOOK_DIR.glob("*.ipynb"))
    assert found == sorted(NOTEBOOKS)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_is_valid_and_stripped(name: str) -> None:
    nb = _load(name)
    nbformat.validate(nb)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{name} cell {index} has outputs; run strip_outputs.py"
            assert cell.execution_count is None, f"{name} cell {index} has an execution count"
        assert set(cell.metadata) <= {"tags"}, f"{name} cell {index} has editor metadata"
    strip_outputs = _module(NOTEBOOK_DIR / "strip_outputs.py", "strip_outputs")
    assert strip_outputs.is_stripped(nb)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_kernel_is_python3(name: str) -> None:
    nb = _load(name)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.metadata["kernelspec"]["language"] == "python"
    assert nb.metadata["language_info"]["name"] == "python"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_one_parameters_cell_of_literals_first(name: str) -> None:
    nb = _load(name)
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{name}: expected one cell tagged 'parameters', got {len(tagged)}"
    cell = nb.cells[tagged[0]]
    assert cell.cell_type == "code"
    first_code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    assert tagged[0] == first_code, f"{name}: the parameters cell must be the first code cell"
    names = []
    for statement in ast.parse(cell.source).body:
        assert isinstance(statement, ast.Assign), f"{name}: parameters must be assignments"
        target = statement.targets[0]
        assert isinstance(target, ast.Name) and target.id.isupper()
        ast.literal_eval(statement.value)  # plain literals, so papermill can override them
        names.append(target.id)
    assert "SEED" in names, f"{name}: every notebook takes a SEED parameter"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_code_cells_parse_and_plot_inline(name: str) -> None:
    nb = _load(name)
    code = [c for c in nb.cells if c.cell_type == "code"]
    for cell in code:
        ast.parse(_python_source(cell))
    if any("matplotlib" in c.source for c in code):
        assert any("%matplotlib inline" in c.source for c in code)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_exercises_are_marked_and_solved(name: str) -> None:
    numbers = _exercises(_load(name))
    assert len(numbers) >= 2, f"{name}: expected exercises headed 'Exercise N'"
    assert numbers == list(range(1, len(numbers) + 1)), f"{name}: exercises {numbers}"
    solution = SOLUTION_DIR / f"{name}.py"
    assert solution.exists(), f"missing {solution.relative_to(ROOT)}"
    tree = ast.parse(solution.read_text(encoding="utf-8"))
    functions = {f.name for f in tree.body if isinstance(f, ast.FunctionDef)}
    solved = {f"exercise_{n}" for n in numbers}
    assert solved <= functions, f"{name}: unsolved {sorted(solved - functions)}"
    assert {f for f in functions if f.startswith("exercise_")} == solved
    assert f"solutions/{name}.py" in "".join(c.source for c in _load(name).cells)


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=pytest.mark.slow) if n in SLOW_SOLUTIONS else n for n in NOTEBOOKS],
)
def test_solutions_run(name: str) -> None:
    """Each solution asserts its own answer (closed forms, 5σ bounds, fitted slopes)."""
    module = _module(SOLUTION_DIR / f"{name}.py", f"solution_{name}")
    for number in _exercises(_load(name)):
        getattr(module, f"exercise_{number}")()


def test_strip_outputs_strips_and_checks(tmp_path: Path) -> None:
    strip_outputs = _module(NOTEBOOK_DIR / "strip_outputs.py", "strip_outputs")
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("SEED = 1")
    params.metadata["tags"] = ["parameters"]
    run = nbformat.v4.new_code_cell("print(SEED)")
    run.execution_count = 3
    run.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    run.metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00Z"}
    nb.cells = [params, run]
    nb.metadata["kernelspec"] = {"name": "other", "display_name": "Other", "language": "python"}
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)

    assert strip_outputs.main(["--check", str(path)]) == 1
    assert strip_outputs.main([str(path)]) == 0
    assert strip_outputs.main(["--check", str(path)]) == 0
    stripped = nbformat.read(path, as_version=4)
    assert stripped.cells[1].outputs == [] and stripped.cells[1].execution_count is None
    assert stripped.cells[0].metadata == {"tags": ["parameters"]}
    assert dict(stripped.cells[1].metadata) == {}
    assert stripped.metadata["kernelspec"]["name"] == "python3"


def test_python3_kernel_resolves_to_this_interpreter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("ipykernel")
    from jupyter_client.manager import KernelManager

    conftest = _module(NOTEBOOK_DIR / "conftest.py", "notebooks_conftest")
    conftest.install_kernelspec(tmp_path)
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    command = KernelManager(kernel_name="python3").format_kernel_cmd()
    assert Path(command[0]).resolve() == Path(sys.executable).resolve()
    assert command[1:3] == ["-m", "ipykernel_launcher"]


def test_plain_pytest_executes_the_notebooks() -> None:
    tomllib = pytest.importorskip("tomllib")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    options = config["tool"]["pytest"]["ini_options"]
    assert "notebooks" in options["testpaths"]
    assert "--nbmake" in options["addopts"].split()
    assert "--nbmake-kernel=python3" in options["addopts"].split()
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "notebooks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert collected.returncode == 0, collected.stdout + collected.stderr
    for name in NOTEBOOKS:
        assert f"notebooks/{name}.ipynb" in collected.stdout
