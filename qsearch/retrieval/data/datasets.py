"""Built-in datasets, shipped with the package (no download at run time).

* ``digits``: the UCI optical-recognition handwritten digits (Alpaydin & Kaynak 1998), as bundled
  by scikit-learn: 1797 images of 8×8 pixels with values 0..16, one 64-dimensional vector per
  image, label = the digit. Metric: Euclidean.
* ``stdlib-docstrings``: 4000 first lines of docstrings of the Python 3.11 standard library
  (PSF License), embedded with all-MiniLM-L6-v2 (Wang et al. 2020, arXiv:2002.10957; via
  sentence-transformers, Reimers & Gurevych 2019, arXiv:1908.10084): unit-norm 384-dimensional
  vectors stored as float16. Metric: cosine. Label = the qualified name of the documented object.

``benchmarks/build_text_dataset.py`` rebuilt both files; qsearch/retrieval/data/files/README.md
gives the
sources and licences.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qsearch.exceptions import ProblemError
from qsearch.retrieval.data.loaders import load_vectors

FILES = Path(__file__).resolve().parent / "files"


@dataclass(frozen=True, eq=False)
class Dataset:
    """Vectors with their ids, and the texts or labels they came from.

    Attributes:
        name: the dataset's name.
        vectors: float32 array (n, d).
        ids: int64 array (n,), the global id of each row (0..n-1 for built-in sets).
        texts: the text of each row (text datasets), else None.
        labels: a label per row (digit class, qualified name), else None.
        metric: the metric the vectors are meant for (``"cosine"`` or ``"euclidean"``).
        description: one line on the source and licence.
    """

    name: str
    vectors: np.ndarray = field(repr=False)
    ids: np.ndarray = field(repr=False)
    texts: tuple[str, ...] | None = field(default=None, repr=False)
    labels: np.ndarray | None = field(default=None, repr=False)
    metric: str = "cosine"
    description: str = ""

    def __post_init__(self) -> None:
        for array in (self.vectors, self.ids, self.labels):
            if array is not None:
                array.setflags(write=False)

    def __len__(self) -> int:
        return int(self.vectors.shape[0])

    @property
    def dim(self) -> int:
        """The vectors' dimension d."""
        return int(self.vectors.shape[1])


def _digits() -> Dataset:
    with np.load(FILES / "digits.npz", allow_pickle=False) as archive:
        pixels, labels = archive["pixels"], archive["labels"]
    return Dataset(
        name="digits",
        vectors=pixels.astype(np.float32),
        ids=np.arange(len(pixels), dtype=np.int64),
        labels=labels.astype(np.int64),
        metric="euclidean",
        description="UCI handwritten digits, 1797 8x8 images (scikit-learn's copy; CC BY 4.0)",
    )


def _stdlib() -> Dataset:
    with np.load(FILES / "stdlib_minilm.npz", allow_pickle=False) as archive:
        vectors, texts, names_ = archive["vectors"], archive["texts"], archive["names"]
        version = str(archive["python_version"])
    return Dataset(
        name="stdlib-docstrings",
        vectors=vectors.astype(np.float32),
        ids=np.arange(len(vectors), dtype=np.int64),
        texts=tuple(str(t) for t in texts),
        labels=names_,
        metric="cosine",
        description=(
            f"first docstring lines of the Python {version} standard library (PSF License), "
            "all-MiniLM-L6-v2 embeddings (float16)"
        ),
    )


_LOADERS = {"digits": _digits, "stdlib-docstrings": _stdlib}


def names() -> list[str]:
    """The names of the built-in datasets, for :func:`load`."""
    return sorted(_LOADERS)


def load(name: str) -> Dataset:
    """Load a built-in dataset by name (see :func:`names`), or a user's vector file by path.

    Args:
        name: a built-in name, or a path ending in .npy/.npz/.parquet/.csv (read with
            :func:`~qsearch.retrieval.data.loaders.load_vectors`; metric cosine, no texts).

    Raises:
        ProblemError: an unknown name (the message lists the known ones) or a bad file.
    """
    if not isinstance(name, str):
        raise ProblemError(
            f"The 'name' argument of load must be a dataset name (one of {names()}); got {name!r}."
        )
    if name in _LOADERS:
        return _LOADERS[name]()
    if Path(name).suffix.lower() in (".npy", ".npz", ".parquet", ".csv"):
        vectors = load_vectors(name)
        return Dataset(
            name=Path(name).name,
            vectors=vectors,
            ids=np.arange(len(vectors), dtype=np.int64),
            metric="cosine",
            description=f"user vectors from {name}",
        )
    raise ProblemError(
        f"The 'name' argument of load must be one of {names()} or a path to a "
        f".npy/.npz/.parquet/.csv file; got {name!r}."
    )
