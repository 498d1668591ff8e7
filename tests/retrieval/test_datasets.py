"""Built-in datasets, vector files and the embed() entry point."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from qsearch.exceptions import BackendUnavailableError, ProblemError
from qsearch.retrieval.data import Dataset, load, load_vectors, names

HAS_ST = importlib.util.find_spec("sentence_transformers") is not None
HAS_PARQUET = any(importlib.util.find_spec(m) is not None for m in ("pyarrow", "fastparquet"))


def test_names_lists_both_builtin_sets() -> None:
    assert names() == ["digits", "stdlib-docstrings"]


def test_digits_is_the_uci_set() -> None:
    data = load("digits")
    assert isinstance(data, Dataset)
    assert data.vectors.shape == (1797, 64) and data.vectors.dtype == np.float32
    assert data.metric == "euclidean"
    assert data.vectors.min() == 0 and data.vectors.max() == 16
    # 10 classes, each with 174..183 images (the counts of the UCI test set)
    counts = np.bincount(data.labels)
    assert len(counts) == 10 and counts.min() >= 174 and counts.max() <= 183
    np.testing.assert_array_equal(data.ids, np.arange(1797))
    assert not data.vectors.flags.writeable


def test_text_set_holds_minilm_vectors_and_texts() -> None:
    data = load("stdlib-docstrings")
    assert data.vectors.shape == (4000, 384)
    assert data.texts is not None and len(data.texts) == 4000
    assert len(set(data.texts)) == 4000
    norms = np.linalg.norm(data.vectors, axis=1)
    np.testing.assert_allclose(norms, 1.0, atol=2e-3)  # unit norm up to float16 rounding
    assert data.metric == "cosine"
    # the embedding is semantic: a text's nearest other text is far closer than a random pair
    sims = data.vectors[:200] @ data.vectors.T
    sims[np.arange(200), np.arange(200)] = -1
    assert np.median(sims.max(axis=1)) > 0.6 > 0.1 > np.median(sims)


def test_shipped_files_are_small() -> None:
    files = Path(load.__code__.co_filename).parent / "files"
    assert sum(f.stat().st_size for f in files.glob("*.npz")) < 4_000_000
    assert (files / "README.md").read_text().count("PSF License") >= 1


def test_unknown_dataset_lists_the_known_ones() -> None:
    with pytest.raises(ProblemError, match=r"'name'.*\['digits', 'stdlib-docstrings'\].*'nope'"):
        load("nope")
    with pytest.raises(ProblemError, match="'name'"):
        load(3)  # type: ignore[arg-type]


# -- load_vectors -------------------------------------------------------------------------------
@pytest.fixture
def matrix() -> np.ndarray:
    return np.arange(12, dtype=np.float64).reshape(4, 3) / 7


def test_npy_and_npz_round_trip(tmp_path: Path, matrix: np.ndarray) -> None:
    np.save(tmp_path / "v.npy", matrix)
    np.testing.assert_allclose(load_vectors(tmp_path / "v.npy"), matrix, rtol=1e-6)
    np.savez(tmp_path / "one.npz", anything=matrix)
    np.testing.assert_allclose(load_vectors(tmp_path / "one.npz"), matrix, rtol=1e-6)
    np.savez(tmp_path / "two.npz", ids=np.arange(4), vectors=matrix)
    np.testing.assert_allclose(load_vectors(str(tmp_path / "two.npz")), matrix, rtol=1e-6)
    assert load_vectors(tmp_path / "v.npy").dtype == np.float32


def test_csv_with_and_without_header(tmp_path: Path, matrix: np.ndarray) -> None:
    np.savetxt(tmp_path / "plain.csv", matrix, delimiter=",")
    np.testing.assert_allclose(load_vectors(tmp_path / "plain.csv"), matrix, rtol=1e-6)
    np.savetxt(tmp_path / "head.csv", matrix, delimiter=",", header="a,b,c", comments="")
    np.testing.assert_allclose(load_vectors(tmp_path / "head.csv"), matrix, rtol=1e-6)


@pytest.mark.skipif(not HAS_PARQUET, reason="needs pyarrow (the [ann] extra)")
def test_parquet_list_column_and_wide_columns(tmp_path: Path, matrix: np.ndarray) -> None:
    import pandas as pd

    pd.DataFrame({"id": range(4), "embedding": list(matrix)}).to_parquet(tmp_path / "l.parquet")
    np.testing.assert_allclose(load_vectors(tmp_path / "l.parquet"), matrix, rtol=1e-6)
    pd.DataFrame(matrix, columns=["x", "y", "z"]).to_parquet(tmp_path / "w.parquet")
    np.testing.assert_allclose(load_vectors(tmp_path / "w.parquet"), matrix, rtol=1e-6)


def test_load_accepts_a_vector_file(tmp_path: Path, matrix: np.ndarray) -> None:
    np.save(tmp_path / "mine.npy", matrix + 1)
    data = load(str(tmp_path / "mine.npy"))
    assert data.name == "mine.npy" and data.vectors.shape == (4, 3) and data.texts is None


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("v.txt", b"1,2", r"must end in one of"),
        ("missing.npy", None, r"missing\.npy.*no such file"),
        ("bad.npy", b"not numpy at all", r"bad\.npy"),
        ("bad.npz", b"PK broken zip", r"bad\.npz"),
        ("words.csv", b"a,b\nx,y\n", r"words\.csv.*not a numeric table"),
        ("empty.csv", b"", r"empty\.csv.*empty"),
        ("ragged.csv", b"1,2,3\n4,5\n", r"ragged\.csv"),
        ("nan.csv", b"1,2\nnan,3\n", r"nan\.csv.*finite.*row 1"),
    ],
)
def test_bad_files_name_the_file_and_the_problem(
    tmp_path: Path, name: str, content: bytes | None, match: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ProblemError, match=match):
        load_vectors(path)


def test_npz_with_several_unnamed_arrays_says_which_names_work(tmp_path: Path) -> None:
    np.savez(tmp_path / "many.npz", a=np.ones((2, 2)), b=np.ones((2, 2)))
    with pytest.raises(ProblemError, match=r"many\.npz.*\['a', 'b'\].*vectors"):
        load_vectors(tmp_path / "many.npz")


def test_one_dimensional_and_object_arrays_are_rejected(tmp_path: Path) -> None:
    np.save(tmp_path / "flat.npy", np.ones(5))
    with pytest.raises(ProblemError, match=r"flat\.npy.*shape \(n, d\); got shape \(5,\)"):
        load_vectors(tmp_path / "flat.npy")
    np.save(tmp_path / "empty.npy", np.ones((0, 3)))
    with pytest.raises(ProblemError, match=r"empty\.npy.*must not be empty"):
        load_vectors(tmp_path / "empty.npy")


# -- embed --------
@pytest.mark.skipif(HAS_ST, reason="checks the message shown without the [embed] extra")
def test_embed_without_the_extra_names_the_install() -> None:
    from qsearch.retrieval.embed import embed

    with pytest.raises(BackendUnavailableError, match=r"qsearch\[embed\]"):
        embed(["hello"])


def test_embed_rejects_bad_texts_before_loading_a_model() -> None:
    from qsearch.retrieval.embed import embed

    with pytest.raises(ProblemError, match="'texts'.*at least one"):
        embed([])
    with pytest.raises(ProblemError, match="'texts'.*strings; got int at position 1"):
        embed(["ok", 3])  # type: ignore[list-item]


@pytest.mark.skipif(not HAS_ST, reason="needs the [embed] extra")
def test_embed_reproduces_the_shipped_vectors() -> None:
    from qsearch.retrieval.embed import embed

    data = load("stdlib-docstrings")
    vectors = embed(list(data.texts[:8]))
    assert vectors.shape == (8, 384)
    np.testing.assert_allclose(vectors, data.vectors[:8], atol=3e-3)
