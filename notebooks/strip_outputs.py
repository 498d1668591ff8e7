"""Strip outputs from the coursework notebooks so that git holds sources only.

Usage (from the repository root)::

    python notebooks/strip_outputs.py            # strip every notebooks/*.ipynb in place
    python notebooks/strip_outputs.py a.ipynb    # strip the given notebooks
    python notebooks/strip_outputs.py --check    # exit 1 if any notebook still has outputs

Stripping clears each code cell's outputs and execution count, drops per-cell execution
metadata (timings, ``collapsed``, ``scrolled``; tags are kept), and keeps only the
``kernelspec`` and ``language_info.name`` of the notebook metadata, with the kernel set to
``python3`` (the kernel CI runs them with; see notebooks/README.md).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
#: Cell metadata kept when stripping (everything else is editor or execution state).
KEPT_CELL_METADATA = ("tags",)


def strip(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return ``nb`` with outputs, execution counts and editor metadata removed (in place)."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata = {k: v for k, v in cell.metadata.items() if k in KEPT_CELL_METADATA}
    nb.metadata = nbformat.from_dict(
        {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}}
    )
    return nb


def is_stripped(nb: nbformat.NotebookNode) -> bool:
    """True when stripping would not change ``nb``."""
    before = nbformat.writes(nb)
    return nbformat.writes(strip(nbformat.reads(before, as_version=4))) == before


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "paths", nargs="*", type=Path, help="notebooks (default: notebooks/*.ipynb)"
    )
    parser.add_argument("--check", action="store_true", help="only report unstripped notebooks")
    args = parser.parse_args(argv)
    paths = args.paths or sorted(HERE.glob("*.ipynb"))
    dirty = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if is_stripped(nb):
            continue
        dirty.append(path)
        if not args.check:
            nbformat.write(strip(nb), path)
            print(f"stripped {path}")
    if args.check and dirty:
        for path in dirty:
            print(f"{path}: has outputs or editor metadata; run python notebooks/strip_outputs.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
