"""The native BN254 extension refuses malformed bytes at its own boundary: lengths, alignment, ranges, curves.

The wrappers in zk_identity/bn254_native.py only ever pass well-formed bytes, so these tests call the
extension `_bn254` directly, as any caller could: a coordinate or scalar at the modulus, a point off its
curve, a buffer one byte short or long, an unaligned buffer, a G2 count that does not match the G1 count.
Written for the survivors of the mutation campaign on zk_identity/native (tests/mutation/BASELINE.md, "C:
the native BN254 extension"); each would otherwise read past a buffer or accept what it must refuse.
"""

from __future__ import annotations

import sys

import pytest
from py_ecc.optimized_bn128 import FQ2, G1, G2, b2, multiply, normalize

from zk_identity import bn254_native as nb

pytestmark = pytest.mark.skipif(not nb.AVAILABLE, reason=f"native extension not built: {nb.IMPORT_ERROR}")

Q, R = nb.Q, nb.R
FIELD_OPS = [("fq_mul", Q), ("fr_mul", R)]
INVERSES = [("fq_inv", Q), ("fr_inv", R)]


def _le(x: int) -> bytes:
    return x.to_bytes(32, "little")


def g1(k: int) -> tuple[int, int]:
    x, y = normalize(multiply(G1, k))
    return (x.n, y.n)


def g2(k: int) -> tuple[tuple[int, int], tuple[int, int]]:
    x, y = normalize(multiply(G2, k))
    return (tuple(x.coeffs), tuple(y.coeffs))


def unaligned(data: bytes) -> memoryview:
    """The same bytes at an address one past an 8-byte boundary (a bytes object's data is aligned)."""
    return memoryview(b"\0" + data)[1:]


def mont(c: int) -> bytes:
    """A coordinate in the zkey's Montgomery form, with no range check (c may be >= q on purpose)."""
    return _le(c * nb.MONTGOMERY_R % Q)


# ---- field elements ----


@pytest.mark.parametrize(("name", "modulus"), FIELD_OPS)
@pytest.mark.parametrize(("len_a", "len_b"), [(31, 32), (33, 32), (32, 31), (32, 33), (0, 32)])
def test_a_field_operand_of_the_wrong_length_is_refused(
    name: str, modulus: int, len_a: int, len_b: int
) -> None:
    op = getattr(nb._ext(), name)
    with pytest.raises(ValueError, match="must be 32 bytes"):
        op(b"\1" * len_a, b"\1" * len_b)


@pytest.mark.parametrize(("name", "modulus"), INVERSES)
@pytest.mark.parametrize("length", [0, 31, 33])
def test_an_inverse_of_the_wrong_length_is_refused(name: str, modulus: int, length: int) -> None:
    with pytest.raises(ValueError, match="must be 32 bytes"):
        getattr(nb._ext(), name)(b"\1" * length)


@pytest.mark.parametrize(("name", "modulus"), FIELD_OPS)
def test_each_field_operand_is_checked_against_the_modulus_not_reduced(name: str, modulus: int) -> None:
    op = getattr(nb._ext(), name)
    assert int.from_bytes(op(_le(modulus - 1), _le(modulus - 1)), "little") == 1
    for a, b in ((modulus, 1), (1, modulus), (modulus + 1, 1), (1, 2**256 - 1)):
        with pytest.raises(ValueError, match="below the field modulus"):
            op(_le(a), _le(b))


@pytest.mark.parametrize(("name", "modulus"), INVERSES)
def test_an_inverse_is_checked_against_the_modulus(name: str, modulus: int) -> None:
    inv = getattr(nb._ext(), name)
    assert int.from_bytes(inv(_le(modulus - 1)), "little") == modulus - 1  # -1 is its own inverse
    with pytest.raises(ValueError, match="below the field modulus"):
        inv(_le(modulus))


@pytest.mark.parametrize("name", ["fq_mul", "fr_mul", "g1_add", "g1_add_mixed", "g1_mul", "g2_add"])
def test_a_call_keeps_no_reference_to_its_operands(name: str) -> None:
    """Every buffer taken from an argument is released (a leak would keep the caller's bytes alive)."""
    op = getattr(nb._ext(), name)
    if name.startswith("g1"):
        a = nb.g1_bytes(g1(3))
        b = _le(5) if name == "g1_mul" else nb.g1_bytes(g1(4))
    elif name.startswith("g2"):
        a, b = nb.g2_bytes(g2(3)), nb.g2_bytes(g2(4))
    else:
        a, b = _le(3), _le(5)
    before = (sys.getrefcount(a), sys.getrefcount(b))
    for _ in range(5):
        op(a, b)
    assert (sys.getrefcount(a), sys.getrefcount(b)) == before


# ---- group operations ----


@pytest.mark.parametrize(
    ("group", "size", "point"),
    [("g1", 64, lambda: nb.g1_bytes(g1(7))), ("g2", 128, lambda: nb.g2_bytes(g2(7)))],
)
def test_a_point_of_the_wrong_length_is_refused_in_either_place(group: str, size: int, point) -> None:
    ext, p = nb._ext(), point()
    for short_or_long in (p[:-1], p + b"\0"):
        for name in ("add", "add_mixed"):
            op = getattr(ext, f"{group}_{name}")
            with pytest.raises(ValueError, match=f"must be {size} bytes"):
                op(short_or_long, p)
            with pytest.raises(ValueError, match=f"must be {size} bytes"):
                op(p, short_or_long)
        with pytest.raises(ValueError, match=f"must be {size} bytes"):
            getattr(ext, f"{group}_double")(short_or_long)
        with pytest.raises(ValueError, match=f"must be {size} bytes"):
            getattr(ext, f"{group}_mul")(short_or_long, _le(2))
    for scalar in (_le(2)[:31], _le(2) + b"\0"):
        with pytest.raises(ValueError, match="must be 32 bytes"):
            getattr(ext, f"{group}_mul")(p, scalar)


def test_every_g2_coordinate_is_range_checked() -> None:
    """x.c0, x.c1, y.c0 and y.c1 each refused at q (the loop over the four must reach the last one)."""
    p = nb.g2_bytes(g2(7))
    for k in range(4):
        bad = bytearray(p)
        bad[32 * k : 32 * k + 32] = _le(Q)
        with pytest.raises(ValueError, match="below the field modulus"):
            nb._ext().g2_double(bytes(bad))


def test_both_g1_coordinates_are_range_checked() -> None:
    x, y = g1(7)
    for bad in (_le(x + Q) + _le(y), _le(x) + _le(y + Q), _le(Q) + _le(0)):
        with pytest.raises(ValueError, match="below the field modulus"):
            nb._ext().g1_double(bad)


def _half_on_twist(matching: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """A G2 point (x, y): y^2 equals x^3 + 3/(9+u) in the one component `matching` (0: c0, 1: c1) only."""
    for k in range(1, 100):
        rhs = FQ2([k, 0]) ** 3 + b2
        c0, c1 = (int(c) for c in rhs.coeffs)
        if matching == 0:  # y = (a, 0): y^2 = (a^2, 0), right in c0 when a^2 = c0, wrong in c1 (c1 != 0)
            a = pow(c0, (Q + 1) // 4, Q)  # q = 3 mod 4
            if a * a % Q != c0 or c1 == 0:
                continue
            y = (a, 0)
        else:  # y = (1, b): y^2 = (1 - b^2, 2b), right in c1 for b = c1 / 2, wrong in c0 unless 1 - b^2 = c0
            b = c1 * pow(2, -1, Q) % Q
            if (1 - b * b - c0) % Q == 0:
                continue
            y = (1, b)
        square = FQ2(list(y)) ** 2
        assert (square.coeffs[matching] == rhs.coeffs[matching]) and square != rhs
        return ((k, 0), y)
    raise AssertionError("no x below 100 gives such a point")


@pytest.mark.parametrize("matching", [0, 1], ids=["c0-right", "c1-right"])
def test_a_g2_point_on_the_twist_in_one_component_only_is_refused_everywhere(matching: int) -> None:
    """On the twist means y^2 = x^3 + b' in Fq2: both components, not either (`fq2_eq` is an AND)."""
    point = _half_on_twist(matching)
    ext = nb._ext()
    with pytest.raises(ValueError, match="not on the G2 twist"):
        ext.g2_double(nb.g2_bytes(point))
    with pytest.raises(ValueError, match="not on the G2 twist"):
        ext.pairing_is_one(nb.g1_bytes(g1(1)), nb.g2_bytes(point))
    assert ext.check_points(g2m(1) + nb.g2_bytes(point, montgomery=True), 2) == 1


def test_a_point_with_one_zero_coordinate_is_not_the_point_at_infinity() -> None:
    """Only all-zero bytes mean infinity: (0, y) and (x, 0) are points like others, checked on the curve."""
    ext = nb._ext()
    assert pow(3, (Q - 1) // 2, Q) == Q - 1  # 3 is no square mod q: no G1 point has x = 0 (nor y = 0)
    for off in ((0, 5), (5, 0)):
        with pytest.raises(ValueError, match="not on the G1 curve"):
            ext.g1_double(nb.g1_bytes(off))
        with pytest.raises(ValueError, match="not on the G1 curve"):
            ext.pairing_is_one(nb.g1_bytes(off), nb.g2_bytes(g2(1)))
        assert ext.check_points(g1m(1) + mont(off[0]) + mont(off[1]), 1) == 1
    for off in (((0, 0), (5, 0)), ((5, 0), (0, 0))):
        with pytest.raises(ValueError, match="not on the G2 twist"):
            ext.g2_double(nb.g2_bytes(off))
        assert ext.check_points(nb.g2_bytes(off, montgomery=True), 2) == 0


# ---- check_points (the zkey's sections, Montgomery form) ----


def g1m(k: int) -> bytes:
    return nb.g1_bytes(g1(k), montgomery=True)


def g2m(k: int) -> bytes:
    return nb.g2_bytes(g2(k), montgomery=True)


G1_OFF = mont(1) + mont(3)  # (1, 3): 9 != 1 + 3
G2_OFF = mont(1) + mont(0) + mont(2) + mont(0)


@pytest.mark.parametrize(("group", "point", "off"), [(1, g1m, G1_OFF), (2, g2m, G2_OFF)])
def test_check_points_finds_the_first_point_off_the_curve(group: int, point, off: bytes) -> None:
    check = nb._ext().check_points
    size = len(point(1))
    assert check(b"", group) == -1
    assert check(point(1) + point(2) + bytes(size) + point(3), group) == -1  # (0, 0) is the zkey's infinity
    assert check(off, group) == 0
    assert check(point(1) + off + point(2), group) == 1
    assert check(point(1) + point(2) + point(3) + off, group) == 3
    assert check(off + off + point(1), group) == 0  # the first bad one, not the last
    assert check(point(1) + off + off, group) == 1


@pytest.mark.parametrize(("group", "point", "off"), [(1, g1m, G1_OFF), (2, g2m, G2_OFF)])
def test_check_points_refuses_every_coordinate_at_or_past_q(group: int, point, off: bytes) -> None:
    """A coordinate c + q (c a real coordinate) is the same residue: still refused, at its own index."""
    check = nb._ext().check_points
    good = point(5)
    for k in range(len(good) // 32):
        c = int.from_bytes(good[32 * k : 32 * k + 32], "little")
        for bad_value in (c + Q, Q):
            bad = bytearray(good)
            bad[32 * k : 32 * k + 32] = _le(bad_value)
            assert check(bytes(bad), group) == 0
            assert check(good + good + bytes(bad) + good, group) == 2
            assert check(bytes(bad) + off, group) == 0
            assert check(bytes(bad) + bytes(bad), group) == 0
            assert (
                check(off + bytes(bad), group) == 0
            )  # the first bad point, though the second is out of range


def test_check_points_accepts_a_coordinate_next_to_q() -> None:
    """The range is `< q`: -G1 = (1, q - 2) is judged by the curve alone, and passes."""
    assert nb._ext().check_points(mont(1) + mont(Q - 2), 1) == -1


@pytest.mark.parametrize(
    ("group", "data"),
    [
        (0, b""),
        (3, b""),
        (0, bytes(64)),
        (3, bytes(128)),
        (-1, bytes(64)),
        (1, bytes(65)),
        (1, bytes(96)),
        (2, bytes(64)),
        (2, bytes(192)),
    ],
)
def test_check_points_refuses_another_group_or_a_partial_point(group: int, data: bytes) -> None:
    with pytest.raises(ValueError, match="group must be 1 or 2"):
        nb._ext().check_points(data, group)


def test_check_points_refuses_an_unaligned_buffer() -> None:
    with pytest.raises(ValueError, match="8-byte aligned"):
        nb._ext().check_points(unaligned(g1m(1)), 1)


# ---- multi-scalar multiplication ----


def test_msm_needs_one_scalar_per_point_and_a_group() -> None:
    msm = nb._ext().msm
    bases, k = g1m(1) + g1m(2), _le(1)
    for group, b, s in (
        (1, bases, k),
        (1, bases, k * 3),
        (1, g1m(1)[:-8], k),
        (1, g1m(1)[:-8], b""),  # a partial point and, for the whole points there, the right scalar count
        (1, bases + bytes(8), k * 2),
        (2, bases, k * 2),
        (3, bases, k * 2),
        (0, bases, k * 2),
        (3, g2m(1) + g2m(2), k * 2),  # sized as G2 points, but no group 3
        (0, g2m(1), k),
    ):
        with pytest.raises(ValueError, match="group must be 1 or 2"):
            msm(group, b, s, 1)
    assert nb.g1_from_bytes(msm(1, bases, k * 2, 1)) == g1(3)


def test_msm_refuses_unaligned_bases_or_scalars() -> None:
    msm = nb._ext().msm
    bases, scalars = g1m(1) + g1m(2), _le(1) + _le(1)
    with pytest.raises(ValueError, match="bases must be 8-byte aligned"):
        msm(1, unaligned(bases), scalars, 1)
    with pytest.raises(ValueError, match="scalars must be 8-byte aligned"):
        msm(1, bases, unaligned(scalars), 1)


def test_msm_checks_every_scalar_against_r() -> None:
    points = [g1(1), g1(2), g1(3)]
    assert nb.msm_g1(points, [R - 1, R - 1, R - 1]) == nb.g1_mul(g1(1), R - 6)
    for at in range(3):
        scalars = [1, 1, 1]
        scalars[at] = R
        with pytest.raises(ValueError, match="not below the group order r"):
            nb.msm_g1(points, scalars)


# ---- pairing ----


@pytest.mark.parametrize("name", ["pairing_is_one", "pairing"])
def test_pairing_needs_whole_points_and_as_many_g2_as_g1(name: str) -> None:
    op = getattr(nb._ext(), name)
    p, q = nb.g1_bytes(g1(1)), nb.g2_bytes(g2(1))
    for g1s, g2s in ((p + b"\0", q), (p[:-1], q), (p, b""), (p, q + q), (p + p, q), (p, q[:-1]), (b"", q)):
        with pytest.raises(ValueError, match="up to 16 G1 points"):
            op(g1s, g2s)


def test_pairing_range_checks_every_coordinate_of_every_pair() -> None:
    op = nb._ext().pairing_is_one
    p, q = nb.g1_bytes(g1(1)), nb.g2_bytes(g2(1))
    for k in range(2):
        bad = bytearray(p)
        bad[32 * k : 32 * k + 32] = _le(Q)
        with pytest.raises(ValueError, match="below the field modulus"):
            op(p + bytes(bad), q + q)
    for k in range(4):
        bad = bytearray(q)
        bad[32 * k : 32 * k + 32] = _le(Q)
        with pytest.raises(ValueError, match="below the field modulus"):
            op(p + p, q + bytes(bad))
