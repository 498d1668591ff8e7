"""Read a user's vectors from disk, and check vectors at every public boundary.

:func:`load_vectors` reads ``.npy``, ``.npz``, ``.parquet`` and ``.csv`` files into a float32
matrix; :func:`check_vectors` is the one validation every entry point that takes vectors uses
(2-D, numeric, finite, non-empty, and non-zero rows where cosine needs a direction).
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from qsearch.exceptions import ProblemError

#: File suffixes :func:`load_vectors` reads.
SUFFIXES = (".npy", ".npz", ".parquet", ".csv")
#: Keys tried, in order, when an .npz file holds more than one array.
NPZ_KEYS = ("vectors", "embeddings", "X", "data")


def check_vectors(
    vectors: Any,
    name: str,
    owner: str,
    *,
    metric: str | None = None,
    dim: int | None = None,
    allow_1d: bool = False,
) -> np.ndarray:
    """Return ``vectors`` as a C-contiguous float32 matrix, or raise ProblemError naming it.

    Args:
        vectors: array-like of shape (n, d) (or (d,) when ``allow_1d``; returned as (1, d)).
        name: the argument named in error messages.
        owner: the function named in error messages.
        metric: ``"cosine"`` additionally rejects zero rows (they have no direction).
        dim: required number of columns (the index's dimension).
        allow_1d: accept a single vector.
    """
    try:
        array = np.asarray(vectors)
    except (TypeError, ValueError) as exc:
        raise ProblemError(
            f"The {name!r} argument of {owner} must be a numeric array; got "
            f"{type(vectors).__name__} ({exc})."
        ) from None
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise ProblemError(
            f"The {name!r} argument of {owner} must be a numeric array; got dtype {array.dtype}."
        )
    if np.issubdtype(array.dtype, np.complexfloating):
        raise ProblemError(
            f"The {name!r} argument of {owner} must be real; got dtype {array.dtype}."
        )
    if allow_1d and array.ndim == 1:
        array = array[None, :]
    if array.ndim != 2:
        shape = "(d,) or (n, d)" if allow_1d else "(n, d)"
        raise ProblemError(
            f"The {name!r} argument of {owner} must have shape {shape}; got shape {array.shape}."
        )
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ProblemError(
            f"The {name!r} argument of {owner} must not be empty; got shape {array.shape}."
        )
    array = np.ascontiguousarray(array, dtype=np.float32)
    # One pass: a NaN or infinity makes its row's squared norm non-finite; a zero row has 0.
    # (Both are confirmed on the flagged rows only: float32 overflow or underflow of the
    # squares must not be mistaken for them.)
    squares = np.einsum("ij,ij->i", array, array)
    if not np.isfinite(squares).all():
        suspects = np.flatnonzero(~np.isfinite(squares))
        bad = suspects[~np.isfinite(array[suspects]).all(axis=1)]
        if bad.size:
            raise ProblemError(
                f"The {name!r} argument of {owner} must be finite; got NaN or infinity in row "
                f"{int(bad[0])}."
            )
    if dim is not None and array.shape[1] != dim:
        raise ProblemError(
            f"The {name!r} argument of {owner} must have {dim} columns (the index dimension); "
            f"got {array.shape[1]}."
        )
    if metric == "cosine" and not squares.all():
        suspects = np.flatnonzero(squares == 0)
        zero = suspects[~np.any(array[suspects] != 0, axis=1)]
        if zero.size:
            raise ProblemError(
                f"The {name!r} argument of {owner} must not hold zero vectors under the cosine "
                f"metric (they have no direction); row {int(zero[0])} is zero."
            )
    return array


def normalize_rows(array: np.ndarray) -> np.ndarray:
    """Rows divided by their Euclidean norm (rows must be non-zero; see :func:`check_vectors`)."""
    norms = np.sqrt(np.einsum("ij,ij->i", array, array, dtype=np.float64))[:, None]
    if array.dtype == np.float32 and array.flags.c_contiguous and np.all(np.abs(norms - 1) < 1e-6):
        return array  # already unit rows: no copy
    return np.ascontiguousarray(array / norms, dtype=np.float32)


def _fail(path: Path, problem: str) -> ProblemError:
    return ProblemError(
        f"The 'path' argument of load_vectors: cannot read {str(path)!r}: {problem}"
    )


def _read_npz(path: Path) -> np.ndarray:
    with np.load(path, allow_pickle=False) as archive:
        keys = list(archive.keys())
        if not keys:
            raise _fail(path, "the .npz archive holds no arrays.")
        key = next((k for k in NPZ_KEYS if k in keys), keys[0] if len(keys) == 1 else None)
        if key is None:
            raise _fail(
                path,
                f"the .npz archive holds {keys}; name the vectors one of {list(NPZ_KEYS)}.",
            )
        return archive[key]


def _read_parquet(path: Path) -> np.ndarray:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        pq = None
    if pq is not None:
        table = pq.read_table(path)
        columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
        names = table.column_names
    else:
        try:
            import pandas as pd

            frame = pd.read_parquet(path)
        except ImportError as exc:
            raise ProblemError(
                f"The 'path' argument of load_vectors: reading {str(path)!r} needs pyarrow "
                f"(pip install pyarrow); {exc}"
            ) from None
        columns = [frame[c].tolist() for c in frame.columns]
        names = [str(c) for c in frame.columns]
    if not columns:
        raise _fail(path, "the parquet file has no columns.")
    # One list-valued column (the usual embedding layout) or one numeric column per dimension.
    list_columns = [i for i, col in enumerate(columns) if col and isinstance(col[0], (list, tuple))]
    if list_columns:
        index = next((i for i in list_columns if names[i] in NPZ_KEYS), list_columns[0])
        rows = columns[index]
        lengths = {len(row) for row in rows if row is not None}
        if None in rows or len(lengths) != 1:
            raise _fail(path, f"column {names[index]!r} holds rows of different lengths or nulls.")
        return np.asarray(rows, dtype=np.float64)
    return np.column_stack([np.asarray(col, dtype=np.float64) for col in columns])


def _read_csv(path: Path) -> np.ndarray:
    with path.open("r", encoding="utf-8") as handle:
        first = handle.readline()
    if not first.strip():
        raise _fail(path, "the file is empty.")
    delimiter = "\t" if "\t" in first and "," not in first else ","
    try:
        [float(cell) for cell in first.strip().split(delimiter)]
        skip = 0
    except ValueError:
        skip = 1  # a header line
    try:
        data = np.loadtxt(path, delimiter=delimiter, skiprows=skip, dtype=np.float64, ndmin=2)
    except ValueError as exc:
        raise _fail(path, f"not a numeric table ({exc}).") from None
    return data


def load_vectors(path: str | os.PathLike[str]) -> np.ndarray:
    """Read vectors (one row per item) from ``.npy``, ``.npz``, ``.parquet`` or ``.csv``.

    * ``.npy``: a 2-D array.
    * ``.npz``: the array named ``vectors`` (or ``embeddings``, ``X``, ``data``), or the only one.
    * ``.parquet``: one list-valued column (preferring one named as above), or one numeric column
      per dimension; read with pyarrow, else pandas.
    * ``.csv``: numeric columns, comma- or tab-separated, with an optional header line.

    Returns:
        float32 array of shape (n, d), finite and non-empty.

    Raises:
        ProblemError: the file is missing, unreadable, of an unknown type or malformed; the
            message names the file and the problem.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise ProblemError(
            f"The 'path' argument of load_vectors must be a file path; got {path!r}."
        )
    file = Path(path)
    suffix = file.suffix.lower()
    if suffix not in SUFFIXES:
        raise ProblemError(
            f"The 'path' argument of load_vectors must end in one of {list(SUFFIXES)}; "
            f"got {str(file)!r}."
        )
    if not file.is_file():
        raise _fail(file, "no such file.")
    try:
        if suffix == ".npy":
            data = np.load(file, allow_pickle=False)
        elif suffix == ".npz":
            data = _read_npz(file)
        elif suffix == ".parquet":
            data = _read_parquet(file)
        else:
            data = _read_csv(file)
    except ProblemError:
        raise
    except (OSError, ValueError, TypeError, EOFError, zipfile.BadZipFile) as exc:
        raise _fail(file, f"{type(exc).__name__}: {exc}") from None
    except Exception as exc:  # pyarrow's own errors (ArrowInvalid, ...) share no base
        raise _fail(file, f"{type(exc).__name__}: {exc}") from None
    try:
        return check_vectors(data, "path", "load_vectors")
    except ProblemError as exc:
        problem = str(exc).replace("The 'path' argument of load_vectors ", "the vectors ")
        raise _fail(file, problem) from None
