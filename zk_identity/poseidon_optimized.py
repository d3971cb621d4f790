"""Rewrite a Poseidon instance into the cheaper equivalent form of the Poseidon paper, Appendix B.

Two exact algebraic rewrites of the partial rounds (where only cell 0 goes through the S-box):

1. Round constants. In a partial round, constants added to cells 1..t-1 commute with the S-box, so
   they can be pushed through the MDS matrix into the next round: M(x + c) = Mx + Mc. After pushing
   them forward, every partial round adds a single scalar to cell 0, and the accumulated vector is
   added to the constants of the first full round after the partial rounds.

2. Sparse matrices. Write M = M' M'' with M' = diag(1, M_hat) (M_hat = M[1:, 1:]) and
   M'' = [[M00, M[0, 1:]], [M_hat^-1 M[1:, 0], I]]. M' leaves cell 0 alone and never mixes it into
   the other cells, so it commutes with the next partial round's S-box and scalar constant and can be
   folded into that round's matrix (M M'), which is factored again. Every partial round but the last
   then costs 2t - 1 multiplications instead of t^2.

Equality with the textbook permutation is tested for every width (tests/zk_identity/test_poseidon.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from .field import SNARK_SCALAR_FIELD
from .poseidon_params import poseidon_params

P = SNARK_SCALAR_FIELD

Matrix = tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class SparseRound:
    """A partial round after the rewrite: x0 += constant; x0 = x0^5; then the sparse mix
    new0 = first_row . x,  new_i = x_i + column[i-1] * x0 (using the old x0)."""

    constant: int
    first_row: tuple[int, ...]
    column: tuple[int, ...]


@dataclass(frozen=True)
class OptimizedParams:
    """Poseidon in the Appendix B form; see the module docstring."""

    width: int
    mds: Matrix
    first_full: tuple[tuple[int, ...], ...]  # constants of the first R_F/2 full rounds
    sparse_rounds: tuple[SparseRound, ...]  # all partial rounds but the last
    last_partial_constant: int
    last_partial_mds: Matrix  # dense matrix of the last partial round
    last_full: tuple[tuple[int, ...], ...]  # constants of the last R_F/2 full rounds (first one adjusted)


def _mat_vec(m: Matrix, v: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(sum(a * b for a, b in zip(row, v, strict=True)) % P for row in m)


def _mat_mul(a: Matrix, b: Matrix) -> Matrix:
    columns = list(zip(*b, strict=True))
    return tuple(tuple(sum(x * y for x, y in zip(row, col, strict=True)) % P for col in columns) for row in a)


def _solve(m: Matrix, v: tuple[int, ...]) -> tuple[int, ...]:
    """x with m x = v over GF(r), by Gauss-Jordan elimination; m must be invertible."""
    n = len(m)
    rows = [[*row, rhs] for row, rhs in zip(m, v, strict=True)]
    for col in range(n):
        pivot = next(r for r in range(col, n) if rows[r][col] != 0)
        rows[col], rows[pivot] = rows[pivot], rows[col]
        inv = pow(rows[col][col], -1, P)
        rows[col] = [x * inv % P for x in rows[col]]
        for r in range(n):
            if r != col and rows[r][col]:
                factor = rows[r][col]
                rows[r] = [(x - factor * y) % P for x, y in zip(rows[r], rows[col], strict=True)]
    return tuple(row[n] for row in rows)


def _factor(m: Matrix) -> tuple[Matrix, SparseRound]:
    """Split m = M' M'' (module docstring); returns M' and M'' as a SparseRound (constant 0)."""
    hat = tuple(row[1:] for row in m[1:])
    column = _solve(hat, tuple(row[0] for row in m[1:]))
    width = len(m)
    outer = tuple(
        tuple(1 if i == j == 0 else (0 if i == 0 or j == 0 else hat[i - 1][j - 1]) for j in range(width))
        for i in range(width)
    )
    return outer, SparseRound(0, m[0], column)


@cache
def optimized_params(width: int) -> OptimizedParams:
    """The Appendix B form of `poseidon_params(width)`; raises ValueError for an unsupported width."""
    params = poseidon_params(width)
    half, partial = params.full_rounds // 2, params.partial_rounds
    constants = params.round_constants
    mds = params.mds

    # 1. Push the cell-1..t-1 constants of the partial rounds forward.
    scalars: list[int] = []
    carry = (0,) * width
    for r in range(half, half + partial):
        total = tuple((c + k) % P for c, k in zip(constants[r], carry, strict=True))
        scalars.append(total[0])
        carry = _mat_vec(mds, (0, *total[1:]))
    after = tuple((c + k) % P for c, k in zip(constants[half + partial], carry, strict=True))
    last_full = (after, *constants[half + partial + 1 :])

    # 2. Factor each partial round's matrix; its M' moves into the next round's matrix.
    sparse: list[SparseRound] = []
    current = mds
    for scalar in scalars[:-1]:
        outer, inner = _factor(current)
        sparse.append(SparseRound(scalar, inner.first_row, inner.column))
        current = _mat_mul(mds, outer)
    return OptimizedParams(
        width=width,
        mds=mds,
        first_full=constants[:half],
        sparse_rounds=tuple(sparse),
        last_partial_constant=scalars[-1],
        last_partial_mds=current,
        last_full=last_full,
    )
