"""Python-int access to the native BN254 extension `zk_identity._bn254` (C, built at install time).

Points are affine tuples as py_ecc writes them in plain ints: G1 `(x, y)`, G2 `((x0, x1), (y0, y1))`
for x = x0 + x1*u, and `None` for the point at infinity. Scalars and field elements are ints.
`AVAILABLE` is False when the extension did not build or import (then every function raises
ProverError and `zk_identity.prover` falls back to the node worker); `IMPORT_ERROR` says why.
The native code's constants are checked against py_ecc when this module loads.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from py_ecc.optimized_bn128 import curve_order, field_modulus

from .errors import ProverError

try:
    from . import _bn254  # type: ignore[attr-defined]
except ImportError as e:  # the C compiler was missing at install time, or an incompatible build
    _bn254 = None
    IMPORT_ERROR: str | None = f"{type(e).__name__}: {e}"
else:
    IMPORT_ERROR = None

AVAILABLE = _bn254 is not None
Q = field_modulus  # BN254 base field modulus (EIP-196)
R = curve_order  # BN254 group order = the scalar field of the circuits
MONTGOMERY_R = 2**256  # ffjavascript's (and our) Montgomery radix for 4x64-bit limbs
NQR_R = 5  # smallest quadratic non-residue mod r: ffjavascript's roots of unity are powers of it

G1Point = tuple[int, int] | None
G2Point = tuple[tuple[int, int], tuple[int, int]] | None


def _ext():
    if _bn254 is None:
        raise ProverError(f"the native BN254 extension is not available ({IMPORT_ERROR}); reinstall with gcc")
    return _bn254


def default_threads() -> int:
    """The CPUs this process may run on (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _le(x: int) -> bytes:
    return x.to_bytes(32, "little")


def _int(b: bytes) -> int:
    return int.from_bytes(b, "little")


def _coordinate(c: int, montgomery: bool) -> bytes:
    if not 0 <= c < Q:
        raise ValueError(f"a coordinate is not below the field modulus: {c}")
    return _le(c * MONTGOMERY_R % Q if montgomery else c)


def g1_bytes(p: G1Point, montgomery: bool = False) -> bytes:
    """64 bytes x || y (little-endian; Montgomery form as in a zkey when asked); zeros for infinity."""
    if p is None:
        return bytes(64)
    return _coordinate(p[0], montgomery) + _coordinate(p[1], montgomery)


def g2_bytes(p: G2Point, montgomery: bool = False) -> bytes:
    """128 bytes x0 || x1 || y0 || y1 (Montgomery form when asked); zeros for infinity."""
    if p is None:
        return bytes(128)
    return b"".join(_coordinate(c, montgomery) for c in (*p[0], *p[1]))


def g1_from_bytes(b: bytes) -> G1Point:
    """Inverse of g1_bytes for standard form."""
    x, y = _int(b[:32]), _int(b[32:64])
    return None if x == y == 0 else (x, y)


def g2_from_bytes(b: bytes) -> G2Point:
    """Inverse of g2_bytes for standard form."""
    c = [_int(b[i : i + 32]) for i in range(0, 128, 32)]
    return None if not any(c) else ((c[0], c[1]), (c[2], c[3]))


def fq_mul(a: int, b: int) -> int:
    """a*b mod q via Montgomery multiplication (a, b < q)."""
    return _int(_ext().fq_mul(_le(a), _le(b)))


def fq_inv(a: int) -> int:
    """a^-1 mod q (0 maps to 0)."""
    return _int(_ext().fq_inv(_le(a)))


def fr_mul(a: int, b: int) -> int:
    """a*b mod r (a, b < r)."""
    return _int(_ext().fr_mul(_le(a), _le(b)))


def fr_inv(a: int) -> int:
    """a^-1 mod r (0 maps to 0)."""
    return _int(_ext().fr_inv(_le(a)))


def g1_add(p: G1Point, q: G1Point, mixed: bool = False) -> G1Point:
    """p + q in G1 (Jacobian + Jacobian, or Jacobian + affine when `mixed`)."""
    op = _ext().g1_add_mixed if mixed else _ext().g1_add
    return g1_from_bytes(op(g1_bytes(p), g1_bytes(q)))


def g1_double(p: G1Point) -> G1Point:
    """2p in G1."""
    return g1_from_bytes(_ext().g1_double(g1_bytes(p)))


def g1_mul(p: G1Point, k: int) -> G1Point:
    """k*p in G1 for 0 <= k < 2^256."""
    return g1_from_bytes(_ext().g1_mul(g1_bytes(p), _le(k)))


def g2_add(p: G2Point, q: G2Point, mixed: bool = False) -> G2Point:
    """p + q in G2."""
    op = _ext().g2_add_mixed if mixed else _ext().g2_add
    return g2_from_bytes(op(g2_bytes(p), g2_bytes(q)))


def g2_double(p: G2Point) -> G2Point:
    """2p in G2."""
    return g2_from_bytes(_ext().g2_double(g2_bytes(p)))


def g2_mul(p: G2Point, k: int) -> G2Point:
    """k*p in G2 for 0 <= k < 2^256."""
    return g2_from_bytes(_ext().g2_mul(g2_bytes(p), _le(k)))


def msm_g1(points: Sequence[G1Point], scalars: Sequence[int], threads: int | None = None) -> G1Point:
    """sum k_i P_i in G1 (Pippenger, scalars < r) through the prover's own code path."""
    bases = b"".join(g1_bytes(p, montgomery=True) for p in points)
    ks = b"".join(_le(k) for k in scalars)
    return g1_from_bytes(_ext().msm(1, bases, ks, threads or default_threads()))


def msm_g2(points: Sequence[G2Point], scalars: Sequence[int], threads: int | None = None) -> G2Point:
    """sum k_i P_i in G2."""
    bases = b"".join(g2_bytes(p, montgomery=True) for p in points)
    ks = b"".join(_le(k) for k in scalars)
    return g2_from_bytes(_ext().msm(2, bases, ks, threads or default_threads()))


def fr_ntt(values: Sequence[int], inverse: bool = False) -> list[int]:
    """The radix-2 NTT over Fr of 2^k values (natural order both ways), or its inverse."""
    out = _ext().fr_ntt(b"".join(_le(v) for v in values), inverse)
    return [_int(out[i : i + 32]) for i in range(0, len(out), 32)]


def fr_root_of_unity(log_n: int) -> int:
    """The primitive 2^log_n-th root of unity the prover uses (ffjavascript's Fr.w[log_n])."""
    return _int(_ext().fr_root_of_unity(log_n))


def pairing_product_is_one(pairs: Sequence[tuple[G1Point, G2Point]]) -> bool:
    """True iff prod e(P_i, Q_i) = 1 (optimal ate, EIP-197); at most 16 pairs.

    Points must be on their curves (checked: ValueError) and each Q_i in the order-r subgroup of
    G2 (the caller's check, as EIP-197's precompile requires).
    """
    g1s = b"".join(g1_bytes(p) for p, _ in pairs)
    g2s = b"".join(g2_bytes(q) for _, q in pairs)
    return bool(_ext().pairing_is_one(g1s, g2s))


def pairing_coefficients(p: G1Point, q: G2Point) -> list[int]:
    """e(P, Q) as the 12 Fq coefficients of the tower Fq2[v]/(v^3 - (9+u))[w]/(w^2 - v),
    ordered (v^0 w^0).c0, .c1, (v^1 w^0).c0, ... (v^2 w^1).c1 (for tests against py_ecc)."""
    raw = _ext().pairing(g1_bytes(p), g2_bytes(q))
    return [_int(raw[i : i + 32]) for i in range(0, len(raw), 32)]


def _self_check() -> None:
    """Assert the compiled constants agree with py_ecc's curve (run once at import)."""
    assert fq_mul(Q - 1, Q - 1) == 1 and fr_mul(R - 1, R - 1) == 1
    assert fq_mul(fq_inv(7), 7) == 1 and fr_mul(fr_inv(7), 7) == 1
    assert fr_root_of_unity(28) == pow(NQR_R, (R - 1) >> 28, R)
    assert g1_mul((1, 2), R) is None  # the generator has order r
    assert g1_mul((1, 2), 2) == g1_double((1, 2))


if AVAILABLE:
    _self_check()
