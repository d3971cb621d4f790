"""circomlib-compatible Poseidon over BN254's scalar field: 1 to 16 inputs, one field element out.

The permutation runs in the Appendix B form (`poseidon_optimized.py`) on gmpy2 `mpz` values (about
3x faster than CPython ints at this size), with fewer modular reductions than the textbook form:
round constants are added without reducing (the sum stays below 2r), S-box outputs enter the matrix
unreduced, each matrix row is reduced once, and in the sparse partial rounds cells 1..t-1 are only
reduced by the next dense matrix. Every intermediate is an exact integer, so the result is the same.
Width 3 (two inputs: Merkle nodes, commitments) has an unrolled path. Inputs and outputs are Python
ints; `mpz` never leaves this module. Matches poseidon-lite / circomlibjs value for value (tests/zk_identity).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from gmpy2 import mpz

from .field import SNARK_SCALAR_FIELD, require_field_elements
from .poseidon_optimized import optimized_params
from .poseidon_params import MAX_INPUTS, MIN_INPUTS

_P = mpz(SNARK_SCALAR_FIELD)
_ZERO = mpz(0)

Vector = tuple[mpz, ...]


@dataclass(frozen=True)
class _Tables:
    """`OptimizedParams` flattened into mpz tuples for the inner loops."""

    mds: tuple[Vector, ...]
    first_full: tuple[Vector, ...]
    sparse: tuple[Vector, ...]  # (constant, first_row..., column...) per sparse partial round
    last_constant: mpz
    last_mds: tuple[Vector, ...]
    last_full: tuple[Vector, ...]


@cache
def _tables(width: int) -> _Tables:
    o = optimized_params(width)

    def vecs(rows: Sequence[Sequence[int]]) -> tuple[Vector, ...]:
        return tuple(tuple(mpz(x) for x in row) for row in rows)

    sparse = vecs([(r.constant, *r.first_row, *r.column) for r in o.sparse_rounds])
    return _Tables(
        vecs(o.mds),
        vecs(o.first_full),
        sparse,
        mpz(o.last_partial_constant),
        vecs(o.last_partial_mds),
        vecs(o.last_full),
    )


def _full_rounds(s: list[mpz], rounds: tuple[Vector, ...], mds: tuple[Vector, ...]) -> list[mpz]:
    p = _P
    for constants in rounds:
        boxed = []
        for x, c in zip(s, constants, strict=True):
            x += c
            x2 = x * x % p
            boxed.append(x2 * x2 % p * x)
        s = [sum(m * x for m, x in zip(row, boxed, strict=True)) % p for row in mds]
    return s


def _permute_any(state: list[mpz], t: _Tables) -> mpz:
    """Output cell 0 of the permutation for any width (the generic loops)."""
    p = _P
    s = _full_rounds(state, t.first_full, t.mds)
    x0, rest = s[0], s[1:]
    n = len(s)
    for rnd in t.sparse:
        x = x0 + rnd[0]
        x2 = x * x % p
        x = x2 * x2 % p * x % p
        x0 = (rnd[1] * x + sum(m * y for m, y in zip(rnd[2 : n + 1], rest, strict=True))) % p
        rest = [y + w * x for y, w in zip(rest, rnd[n + 1 :], strict=True)]
    x = x0 + t.last_constant
    x2 = x * x % p
    boxed = [x2 * x2 % p * x, *rest]
    s = [sum(m * y for m, y in zip(row, boxed, strict=True)) % p for row in t.last_mds]
    return _full_rounds(s, t.last_full, t.mds)[0]


@cache
def _permute3() -> Callable[[mpz, mpz], mpz]:
    """The width-3 permutation of (0, b, c), unrolled, built once; it returns output cell 0."""
    t = _tables(3)
    p = _P
    (m00, m01, m02), (m10, m11, m12), (m20, m21, m22) = t.mds
    (l00, l01, l02), (l10, l11, l12), (l20, l21, l22) = t.last_mds
    first_full, sparse, last_k, last_full = t.first_full, t.sparse, t.last_constant, t.last_full

    def permute3(b: mpz, c: mpz) -> mpz:
        a = _ZERO
        for c0, c1, c2 in first_full:
            a += c0
            s = a * a % p
            a = s * s % p * a
            b += c1
            s = b * b % p
            b = s * s % p * b
            c += c2
            s = c * c % p
            c = s * s % p * c
            a, b, c = (
                (m00 * a + m01 * b + m02 * c) % p,
                (m10 * a + m11 * b + m12 * c) % p,
                (m20 * a + m21 * b + m22 * c) % p,
            )
        for k, r0, r1, r2, w1, w2 in sparse:
            a += k
            s = a * a % p
            a = s * s % p * a % p
            a, b, c = (r0 * a + r1 * b + r2 * c) % p, b + w1 * a, c + w2 * a
        a += last_k
        s = a * a % p
        a = s * s % p * a
        a, b, c = (
            (l00 * a + l01 * b + l02 * c) % p,
            (l10 * a + l11 * b + l12 * c) % p,
            (l20 * a + l21 * b + l22 * c) % p,
        )
        for c0, c1, c2 in last_full:
            a += c0
            s = a * a % p
            a = s * s % p * a
            b += c1
            s = b * b % p
            b = s * s % p * b
            c += c2
            s = c * c % p
            c = s * s % p * c
            a, b, c = (
                (m00 * a + m01 * b + m02 * c) % p,
                (m10 * a + m11 * b + m12 * c) % p,
                (m20 * a + m21 * b + m22 * c) % p,
            )
        return a

    return permute3


def poseidon2_unchecked(left: int, right: int) -> int:
    """Poseidon of two inputs the caller has already checked to be canonical field elements.

    For hot loops over validated data (Merkle trees); anything else should call `poseidon`.
    """
    return int(_permute3()(mpz(left), mpz(right)))


def poseidon(inputs: Sequence[int]) -> int:
    """Poseidon hash of 1..16 BN254 scalar field elements, as circomlib's `Poseidon(n)` / poseidon-lite.

    Raises TypeError for a non-int input (bools included) and FieldRangeError (a ValueError) for an
    input outside [0, r); ValueError for fewer than 1 or more than 16 inputs.
    """
    values = require_field_elements(inputs)
    if not MIN_INPUTS <= len(values) <= MAX_INPUTS:
        raise ValueError(f"Poseidon takes {MIN_INPUTS} to {MAX_INPUTS} inputs, got {len(values)}")
    if len(values) == 2:
        return int(_permute3()(mpz(values[0]), mpz(values[1])))
    return int(_permute_any([_ZERO, *map(mpz, values)], _tables(len(values) + 1)))
