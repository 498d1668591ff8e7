"""Datasets and vector files: ``names()``, ``load(name)``, ``load_vectors(path)``.

Built-in sets ship inside the package (qsearch/retrieval/data/files/), so nothing is downloaded at
run
time; see :mod:`qsearch.retrieval.data.datasets` for their sources and licences.
"""

from qsearch.retrieval.data.datasets import Dataset, load, names
from qsearch.retrieval.data.loaders import check_vectors, load_vectors

__all__ = ["Dataset", "check_vectors", "load", "load_vectors", "names"]
