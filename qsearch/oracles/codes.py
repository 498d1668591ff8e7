"""Binary codes of embeddings: SimHash sign bits, and their validation and packing.

SimHash (Charikar 2002, "Similarity estimation techniques from rounding algorithms"): bit k of
an item's code is the sign of its projection on the k-th random Gaussian direction, so the
Hamming distance between two codes estimates the angle between the vectors
(P[bits differ] = angle/π).
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from qsearch._validation import SeedLike, check_int, finite_array, make_rng
from qsearch.exceptions import ProblemError

#: Widest code accepted as packed integers (one uint64 per item).
MAX_PACKED_BITS = 64


def binary_codes(vectors: Any, bits: int, seed: SeedLike = None) -> np.ndarray:
    """SimHash codes: an (N, bits) uint8 array of the signs of ``bits`` random projections.

    Args:
        vectors: an (N, d) array of embeddings.
        bits: code width b >= 1.
        seed: seeds the Gaussian projection directions.
    """
    bits = check_int(bits, "bits", "binary_codes", minimum=1)
    x = finite_array(vectors, "vectors", "binary_codes", ndim=2)
    rng = make_rng(seed, "binary_codes")
    directions = rng.standard_normal((x.shape[1], bits))
    return (x @ directions > 0).astype(np.uint8)


def check_codes(codes: Any, num_bits: int | None, owner: str) -> np.ndarray:
    """Return ``codes`` as an (N, b) uint8 array of 0/1 (accepts packed integers with num_bits)."""
    try:
        array = np.asarray(codes)
    except (TypeError, ValueError):
        array = np.asarray([], dtype=object)
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.bool_)
    ):
        raise ProblemError(
            f"The 'codes' argument of {owner} must be an (N, b) array of 0/1 or a 1-D array of "
            f"bit-packed non-negative ints; got dtype {array.dtype}."
        )
    if array.ndim == 1:
        if num_bits is None:
            raise ProblemError(
                f"The 'num_bits' argument of {owner} is required with bit-packed codes (a 1-D "
                f"array); got None."
            )
        b = check_int(num_bits, "num_bits", owner, minimum=1)
        if b > MAX_PACKED_BITS:
            raise ProblemError(
                f"The 'num_bits' argument of {owner} must be <= {MAX_PACKED_BITS} for packed "
                f"codes; got {b}."
            )
        if array.size and (int(array.min()) < 0 or int(array.max()) >= 2**b):
            bad = array[(array < 0) | (array >= 2**b)][0]
            raise ProblemError(
                f"The 'codes' argument of {owner} must hold packed ints in [0, 2**{b}); "
                f"got {int(bad)}."
            )
        values = array.astype(np.uint64)
        shifts = np.arange(b, dtype=np.uint64)
        array = ((values[:, None] >> shifts) & np.uint64(1)).astype(np.uint8)
    elif array.ndim == 2:
        if (
            num_bits is not None
            and check_int(num_bits, "num_bits", owner, minimum=1) != (array.shape[1])
        ):
            raise ProblemError(
                f"The 'num_bits' argument of {owner} must equal the codes' width "
                f"{array.shape[1]}; got {num_bits}."
            )
        if array.size and not np.all((array == 0) | (array == 1)):
            bad = array[(array != 0) & (array != 1)][0]
            raise ProblemError(
                f"The 'codes' argument of {owner} must hold only 0/1; got {bad.item()!r}."
            )
        array = array.astype(np.uint8)
    else:
        raise ProblemError(
            f"The 'codes' argument of {owner} must be 2-D (N, b) or 1-D packed; got shape "
            f"{array.shape}."
        )
    if array.shape[0] < 2:
        raise ProblemError(
            f"The 'codes' argument of {owner} must hold N >= 2 items; got {array.shape[0]}."
        )
    if array.shape[1] < 1:
        raise ProblemError(f"The 'codes' argument of {owner} must have b >= 1 bits; got 0.")
    array.setflags(write=False)
    return array


def check_query(query: Any, num_bits: int, owner: str) -> np.ndarray:
    """Return ``query`` as a length-b uint8 array of 0/1 (accepts a packed int)."""
    if isinstance(query, numbers.Integral) and not isinstance(query, bool):
        value = int(query)
        if not 0 <= value < 2**num_bits:
            raise ProblemError(
                f"The 'query' argument of {owner} must be a packed int in [0, 2**{num_bits}); "
                f"got {value}."
            )
        return np.array([(value >> k) & 1 for k in range(num_bits)], dtype=np.uint8)
    array = np.asarray(query)
    if array.shape != (num_bits,):
        raise ProblemError(
            f"The 'query' argument of {owner} must have {num_bits} bits (the codes' width); "
            f"got shape {array.shape}."
        )
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.bool_)) or (
        not np.all((array == 0) | (array == 1))
    ):
        raise ProblemError(f"The 'query' argument of {owner} must hold only 0/1; got {query!r}.")
    return array.astype(np.uint8)


def pack_codes(codes: Any) -> np.ndarray:
    """Pack an (N, b) 0/1 array (b <= 64) into N uint64 words, bit k of item i = codes[i, k]."""
    array = check_codes(codes, None, "pack_codes")
    if array.shape[1] > MAX_PACKED_BITS:
        raise ProblemError(
            f"The 'codes' argument of pack_codes must have at most {MAX_PACKED_BITS} bits to "
            f"pack; got {array.shape[1]}."
        )
    weights = np.uint64(1) << np.arange(array.shape[1], dtype=np.uint64)
    return (array.astype(np.uint64) * weights).sum(axis=1, dtype=np.uint64)
