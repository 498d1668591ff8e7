"""Notebook runs (nbmake) use a ``python3`` kernel that is *this* interpreter.

A user-level kernelspec named ``python3`` (``~/.local/share/jupyter/kernels``) may point at
another Python that lacks qsearch. Before any notebook runs, a private kernelspec directory
whose ``python3`` launches ``sys.executable`` is put first on ``JUPYTER_PATH``, which
jupyter_client searches before every other location.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any


def install_kernelspec(root: Path) -> Path:
    """Write ``root/kernels/python3/kernel.json`` launching ipykernel on ``sys.executable``."""
    spec = root / "kernels" / "python3"
    spec.mkdir(parents=True, exist_ok=True)
    kernel = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "metadata": {"debugger": False},
    }
    (spec / "kernel.json").write_text(json.dumps(kernel, indent=1), encoding="utf-8")
    return spec


def pytest_configure(config: Any) -> None:
    del config
    root = Path(tempfile.mkdtemp(prefix="qsearch-kernels-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    install_kernelspec(root)
    previous = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(root), previous) if p)
    os.environ.setdefault("MPLBACKEND", "Agg")
