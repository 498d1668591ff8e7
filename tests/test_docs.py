"""The docs site holds: the getting-started commands run, the guides' code runs, the nav is whole.

Getting started opens with the README's two fresh-machine commands (checked verbatim here)::

    python3 -m venv .venv && . .venv/bin/activate && pip install . && qsearch compare
    python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[dev]' && pytest

Every command of the page's bash blocks is split on ``&&`` and handled by kind, against the
package under test rather than in new virtual environments:

* ``qsearch ...`` runs for real, as ``python -m qsearch ...`` with this interpreter in a
  temporary directory. The bare ``qsearch compare`` (100 trials per size up to N = 2^16) runs as
  ``qsearch compare --sizes 16,64 --trials 5``: the same code path at a size a test affords.
* The environment steps (``python3 -m venv``, activating it, ``pip install``) are not repeated:
  installing the dependency set into a fresh venv takes minutes and the package index, and
  ``.ci/run`` does exactly that on every run (it installs ``.[dev]`` for the suite, and installs
  the built wheel into a fresh venv and runs ``qsearch compare`` from it). Here they are checked
  to be those known steps, and every extra a ``pip install`` names must exist in pyproject.toml.
* ``pytest`` is this suite; running it from inside would recurse.

Any other command on the page fails this test until it is handled here.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

try:  # Python >= 3.11
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
GETTING_STARTED = DOCS / "getting-started.md"
SMALL_COMPARE = ["--sizes", "16,64", "--trials", "5"]


def _blocks(path: Path, language: str) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.S | re.M)


def _commands(block: str) -> list[list[str]]:
    """Each shell command of a block as argv; lines are joined by ``&&`` or newlines."""
    commands: list[list[str]] = []
    for line in block.splitlines():
        current: list[str] = []
        for token in shlex.split(line, comments=True):
            if token == "&&":
                commands.append(current)
                current = []
            else:
                current.append(token)
        if current:
            commands.append(current)
    return commands


def _extras() -> set[str]:
    with open(ROOT / "pyproject.toml", "rb") as file:
        return set(tomllib.load(file)["project"]["optional-dependencies"])


def _check_environment_step(argv: list[str]) -> None:
    if argv[:3] == ["python3", "-m", "venv"] and len(argv) == 4:
        return
    if argv[0] in {".", "source"} and len(argv) == 2 and argv[1].endswith("/bin/activate"):
        return
    if argv[:2] == ["pip", "install"]:
        targets = [arg for arg in argv[2:] if arg != "-e"]
        assert targets, f"'pip install' without a target: {argv}"
        for target in targets:
            match = re.fullmatch(r"\.(?:\[([\w,-]+)\])?", target)
            assert match, f"getting started installs {target!r}; expected '.' or '.[extras]'"
            unknown = set(filter(None, (match.group(1) or "").split(","))) - _extras()
            assert not unknown, f"'pip install {target}' names extras missing from pyproject"
        return
    pytest.fail(f"getting-started command {shlex.join(argv)!r} is not handled by this test")


def _run_qsearch(argv: list[str], cwd: Path) -> str:
    args = argv[1:]
    if args[:1] == ["compare"]:
        if "--sizes" not in args:
            args = [*args, *SMALL_COMPARE]
        if "--out" not in args:
            args = [*args, "--out", "results/compare"]
    completed = subprocess.run(
        [sys.executable, "-m", "qsearch", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, (
        f"{shlex.join(['qsearch', *args])} exited {completed.returncode}:\n{completed.stderr}"
    )
    assert completed.stdout.strip(), f"{shlex.join(['qsearch', *args])} printed nothing"
    if args[:1] == ["compare"]:
        out = cwd / args[args.index("--out") + 1]
        assert (out / "results.csv").is_file() and (out / "summary.csv").is_file()
        assert "fitted scaling" in completed.stdout
    return completed.stdout


def test_getting_started_opens_with_the_readme_commands() -> None:
    readme = _blocks(ROOT / "README.md", "bash")[:2]
    page = _blocks(GETTING_STARTED, "bash")[:2]
    assert page == readme, "docs/getting-started.md must open with the README's two commands"


def test_getting_started_commands_run(tmp_path: Path) -> None:
    commands = [argv for block in _blocks(GETTING_STARTED, "bash") for argv in _commands(block)]
    ran = []
    for argv in commands:
        if argv[0] == "qsearch":
            _run_qsearch(argv, tmp_path)
            ran.append(argv)
        elif argv[0] != "pytest":
            _check_environment_step(argv)
    assert any(argv[:2] == ["qsearch", "compare"] for argv in ran)


def _python_blocks() -> list[object]:
    blocks = []
    for page in sorted(DOCS.rglob("*.md")):
        name = str(page.relative_to(DOCS))
        for i, block in enumerate(_blocks(page, "python")):
            blocks.append(pytest.param(name, i, block, id=f"{name}[{i}]"))
    return blocks


@pytest.mark.parametrize(("page", "index", "code"), _python_blocks())
def test_docs_python_blocks_run(
    page: str, index: int, code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each python block runs as written, from a directory that has the repo's benchmarks/."""
    (tmp_path / "benchmarks").symlink_to(ROOT / "benchmarks")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, f"docs/{page}[{index}]", "exec"), {"__name__": "docs_example"})


def _nav_files(entries: object) -> list[str]:
    if isinstance(entries, str):
        return [entries]
    if isinstance(entries, list):
        return [path for entry in entries for path in _nav_files(entry)]
    if isinstance(entries, dict):
        return [path for value in entries.values() for path in _nav_files(value)]
    raise AssertionError(f"unexpected nav entry {entries!r}")


def test_mkdocs_nav_files_exist() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    files = _nav_files(config["nav"])
    missing = [path for path in files if not (DOCS / path).is_file()]
    assert not missing, f"mkdocs.yml nav names files missing from docs/: {missing}"
    for required in ("getting-started.md", "design.md", "honest-bill.md", "reference/index.md"):
        assert required in files
    pages = {str(page.relative_to(DOCS)) for page in DOCS.rglob("*.md")}
    assert pages <= set(files), f"pages left out of the nav: {sorted(pages - set(files))}"


def test_snippet_includes_exist() -> None:
    for page in DOCS.rglob("*.md"):
        for target in re.findall(r'^--8<-- "([^"]+)"', page.read_text(encoding="utf-8"), re.M):
            assert (ROOT / target).is_file(), f"{page.name} includes missing {target}"


def test_reference_lists_the_public_namespace() -> None:
    """Every public name has a row (whose link ``mkdocs build --strict`` resolves)."""
    import qsearch

    page = (DOCS / "reference" / "index.md").read_text(encoding="utf-8")
    missing = [
        name for name in qsearch.__all__ if name != "__version__" and f"`qs.{name}`" not in page
    ]
    assert not missing, f"docs/reference/index.md lacks rows for {missing}"
