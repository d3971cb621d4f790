"""Membership checks for BN254 points in proofs and keys: on-curve tests and G2's subgroup test.

G1: y^2 = x^3 + 3 over F_p, cofactor 1, so on-curve means in-subgroup (EIP-196).
G2: y^2 = x^3 + 3/(9+i) over F_p^2 = F_p[i]/(i^2+1) (EIP-197's twist). Its cofactor is not 1,
so a point must also satisfy [r]Q = O. Points are affine, coordinates as snarkjs writes them
(F_p^2 elements as [c0, c1] = c0 + c1*i). The scalar multiplication uses plain Python integers
in Jacobian coordinates because py_ecc's class-based arithmetic takes ~28 ms per check, which is
more than the whole fast verify may cost; test_verify checks it agrees with py_ecc. When the native
extension is built, `g2_in_subgroup` runs [r]Q in C instead (~0.2 ms against ~5-8 ms holding the GIL:
a server checks three key points and one proof point per request); the Python loop stays as the
reference and the fallback, and tests/security holds the two to agreement.
"""

from __future__ import annotations

from . import bn254_native
from .errors import PointError
from .field import BN254_BASE_FIELD as P
from .field import SNARK_SCALAR_FIELD as R  # the group order

Fp2 = tuple[int, int]
G2Affine = tuple[Fp2, Fp2]


def _mul(a: Fp2, b: Fp2) -> Fp2:
    t0, t1 = a[0] * b[0], a[1] * b[1]
    return (t0 - t1) % P, ((a[0] + a[1]) * (b[0] + b[1]) - t0 - t1) % P


def _sqr(a: Fp2) -> Fp2:
    return (a[0] + a[1]) * (a[0] - a[1]) % P, 2 * a[0] * a[1] % P


def _sub(a: Fp2, b: Fp2) -> Fp2:
    return (a[0] - b[0]) % P, (a[1] - b[1]) % P


def _add(a: Fp2, b: Fp2) -> Fp2:
    return (a[0] + b[0]) % P, (a[1] + b[1]) % P


def _inv(a: Fp2) -> Fp2:
    norm_inv = pow(a[0] * a[0] + a[1] * a[1], -1, P)
    return a[0] * norm_inv % P, -a[1] * norm_inv % P


# b' = 3 / (9 + i), the twist's constant (EIP-197).
TWIST_B: Fp2 = _mul((3, 0), _inv((9, 1)))
_ZERO: Fp2 = (0, 0)


def g1_on_curve(x: int, y: int) -> bool:
    """True iff (x, y) with coordinates in [0, p) lies on y^2 = x^3 + 3."""
    return 0 <= x < P and 0 <= y < P and (y * y - x * x * x - 3) % P == 0


def g2_on_curve(q: G2Affine) -> bool:
    """True iff the affine point lies on the twist y^2 = x^3 + b' with canonical coordinates."""
    (x, y) = q
    if not all(0 <= c < P for c in (*x, *y)):
        return False
    return _sub(_sqr(y), _add(_mul(_sqr(x), x), TWIST_B)) == _ZERO


def _double(pt: tuple[Fp2, Fp2, Fp2]) -> tuple[Fp2, Fp2, Fp2]:
    # Jacobian doubling for a = 0 (dbl-2009-l).
    x, y, z = pt
    a = _sqr(x)
    b = _sqr(y)
    c = _sqr(b)
    d = _sub(_sqr(_add(x, b)), _add(a, c))
    d = _add(d, d)
    e = _add(_add(a, a), a)
    f = _sqr(e)
    x3 = _sub(f, _add(d, d))
    c8 = _add(c, c)
    c8 = _add(c8, c8)
    c8 = _add(c8, c8)
    y3 = _sub(_mul(e, _sub(d, x3)), c8)
    yz = _mul(y, z)
    return x3, y3, _add(yz, yz)


def _add_affine(pt: tuple[Fp2, Fp2, Fp2], q: G2Affine) -> tuple[Fp2, Fp2, Fp2] | None:
    # Mixed Jacobian + affine addition (madd-2007-bl); None means the point at infinity.
    x1, y1, z1 = pt
    x2, y2 = q
    z1z1 = _sqr(z1)
    u2 = _mul(x2, z1z1)
    s2 = _mul(_mul(y2, z1), z1z1)
    h = _sub(u2, x1)
    r = _sub(s2, y1)
    if h == _ZERO:
        return _double(pt) if r == _ZERO else None
    hh = _sqr(h)
    i = _add(hh, hh)
    i = _add(i, i)
    j = _mul(h, i)
    r = _add(r, r)
    v = _mul(x1, i)
    x3 = _sub(_sub(_sqr(r), j), _add(v, v))
    y1j = _mul(y1, j)
    y3 = _sub(_mul(r, _sub(v, x3)), _add(y1j, y1j))
    z3 = _sub(_sqr(_add(z1, h)), _add(z1z1, hh))
    return x3, y3, z3


def g2_in_subgroup(q: G2Affine) -> bool:
    """True iff [r]Q is the point at infinity (Q on the twist, not infinity): natively when built."""
    if bn254_native.AVAILABLE:
        return bn254_native.g2_mul(q, R) is None
    return g2_in_subgroup_py(q)


def g2_in_subgroup_py(q: G2Affine) -> bool:
    """The pure-Python [r]Q == O test (the reference; Q on the twist, not infinity)."""
    acc: tuple[Fp2, Fp2, Fp2] | None = (q[0], q[1], (1, 0))
    bits = bin(R)[3:]  # double-and-add over the bits of r below the top one
    for position, bit in enumerate(bits):
        assert acc is not None
        acc = _double(acc)
        if acc[2] == _ZERO:
            return False  # [k]Q = O for some 0 < k < r: Q has small order
        if bit == "1":
            acc = _add_affine(acc, q)
            if acc is None:
                return position == len(bits) - 1  # O exactly at k = r, or too early
    return False  # r is odd, so the loop ends with an addition


def check_g1(x: int, y: int, what: str) -> tuple[int, int]:
    """Return (x, y) if it is a finite G1 point; raise PointError otherwise."""
    if not g1_on_curve(x, y):
        raise PointError(f"{what} is not a point of BN254 G1 (not on y^2 = x^3 + 3 or not reduced)")
    return x, y


def check_g2(q: G2Affine, what: str) -> G2Affine:
    """Return Q if it is a finite point of the order-r subgroup G2; raise PointError otherwise."""
    if not g2_on_curve(q):
        raise PointError(f"{what} is not on the BN254 G2 twist (or a coordinate is not reduced)")
    if not g2_in_subgroup(q):
        raise PointError(f"{what} is on the twist but not in the prime-order subgroup G2")
    return q
