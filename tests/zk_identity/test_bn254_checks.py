"""zk_identity.bn254_checks against py_ecc, without proofs: on-curve and subgroup membership of G1 and
G2 points, the reduced-coordinate rule at p - 1 / p, the twist constant, and the refusals' words.

The points come from py_ecc (generators and their multiples) or are built here on the twist outside
G2 (a square root in F_p^2); every expected answer is py_ecc's, never ours. Both subgroup paths run:
`g2_in_subgroup` (native when built) and the pure-Python reference `g2_in_subgroup_py`.
"""

from __future__ import annotations

import pytest
from py_ecc.fields import optimized_bn128_FQ2 as FQ2
from py_ecc.optimized_bn128 import G1, G2, b2, curve_order, field_modulus, is_inf, multiply, neg, normalize

from zk_identity import PointError, bn254_native
from zk_identity.bn254_checks import (
    TWIST_B,
    P,
    R,
    _add_affine,
    _double,
    _inv,
    _mul,
    check_g1,
    check_g2,
    g1_on_curve,
    g2_in_subgroup,
    g2_in_subgroup_py,
    g2_on_curve,
)

SUBGROUP_CHECKS = [g2_in_subgroup, g2_in_subgroup_py]


def _g1(k: int) -> tuple[int, int]:
    x, y = normalize(multiply(G1, k))
    return int(x), int(y)


def _affine2(point) -> tuple[tuple[int, int], tuple[int, int]]:
    x, y = normalize(point)
    return (int(x.coeffs[0]), int(x.coeffs[1])), (int(y.coeffs[0]), int(y.coeffs[1]))


def _g2(k: int) -> tuple[tuple[int, int], tuple[int, int]]:
    return _affine2(multiply(G2, k))


def _sqrt(a: FQ2) -> FQ2 | None:
    """A square root in F_p^2 for p = 3 mod 4 (Adj & Rodríguez-Henríquez, Alg. 9), or None."""
    a1 = a ** ((P - 3) // 4)
    alpha = a1 * a1 * a
    y = FQ2([0, 1]) * a1 * a if alpha == FQ2([P - 1, 0]) else (FQ2.one() + alpha) ** ((P - 1) // 2) * a1 * a
    return y if y * y == a else None


def _twist_point(x: tuple[int, int]) -> tuple[tuple[int, int], tuple[int, int]] | None:
    y = _sqrt(FQ2(list(x)) ** 3 + b2)
    return None if y is None else (x, (int(y.coeffs[0]), int(y.coeffs[1])))


def _twist_point_with_real_x() -> tuple[tuple[int, int], tuple[int, int]]:
    """A twist point whose x has imaginary part 0 (so that part can be written as p)."""
    for k in range(1, 200):
        found = _twist_point((k, 0))
        if found is not None:
            return found
    raise AssertionError("no twist point with a real x below 200")


def _projective(point):
    return FQ2(list(point[0])), FQ2(list(point[1])), FQ2.one()


def _off_subgroup() -> tuple[tuple[int, int], tuple[int, int]]:
    for k in range(1, 200):
        found = _twist_point((k, 1))
        if found is not None and not is_inf(multiply(_projective(found), R)):
            return found
    raise AssertionError("no twist point outside G2 found")


def _small_order() -> tuple[tuple[int, int], tuple[int, int]]:
    """[r]Q for Q outside G2: a point whose order divides the cofactor (so [k]T = O for some k < r)."""
    q = _off_subgroup()
    return _affine2(multiply(_projective(q), R))


def test_the_constants_are_py_eccs() -> None:
    assert (field_modulus, curve_order) == (P, R)
    assert tuple(int(c) for c in b2.coeffs) == TWIST_B  # 3 / (9 + i), EIP-197


@pytest.mark.parametrize("k", [1, 2, 7, R - 1, 2**200 + 12345])
def test_g1_multiples_are_on_the_curve_and_accepted(k: int) -> None:
    x, y = _g1(k)
    assert g1_on_curve(x, y) and g1_on_curve(x, P - y)  # the point and its negation
    assert check_g1(x, y, "A") == (x, y)


@pytest.mark.parametrize(
    "change",
    [
        lambda x, y: (x, y + 1),
        lambda x, y: (x + 1, y),
        lambda x, y: (x + P, y),  # the same point, coordinate not reduced
        lambda x, y: (x, y + P),
        lambda x, y: (x - P, y),
        lambda x, y: (x, y - P),
    ],
)
def test_g1_points_off_the_curve_or_not_reduced_are_refused(change) -> None:
    x, y = change(*_g1(5))
    assert not g1_on_curve(x, y)
    with pytest.raises(PointError, match=r"^the proof's A is not a point of BN254 G1 \(not on y\^2"):
        check_g1(x, y, "the proof's A")


@pytest.mark.parametrize("k", [1, 2, 3, 12345, R - 1])
@pytest.mark.parametrize("in_subgroup", SUBGROUP_CHECKS)
def test_g2_multiples_are_on_the_twist_and_in_the_subgroup(k: int, in_subgroup) -> None:
    point = _g2(k)
    assert g2_on_curve(point) and in_subgroup(point)
    assert check_g2(point, "delta") == point


@pytest.mark.parametrize("in_subgroup", SUBGROUP_CHECKS)
def test_twist_points_outside_g2_are_refused_also_of_small_order(in_subgroup) -> None:
    for point in (_off_subgroup(), _small_order()):
        assert g2_on_curve(point)
        assert not in_subgroup(point)
    assert in_subgroup(_affine2(neg(G2)))


def test_check_g2_names_the_subgroup_when_only_the_subgroup_test_fails() -> None:
    words = r"^vk_delta_2 is on the twist but not in the prime-order subgroup G2$"
    with pytest.raises(PointError, match=words):
        check_g2(_off_subgroup(), "vk_delta_2")


@pytest.mark.parametrize("position", range(4))
@pytest.mark.parametrize("shift", [P, -P])
def test_g2_coordinates_must_be_reduced(position: int, shift: int) -> None:
    (x0, x1), (y0, y1) = _g2(9)
    coords = [x0, x1, y0, y1]
    coords[position] += shift  # the same point mod p
    point = ((coords[0], coords[1]), (coords[2], coords[3]))
    assert not g2_on_curve(point)
    words = r"^B is not on the BN254 G2 twist \(or a coordinate is not reduced\)$"
    with pytest.raises(PointError, match=words):
        check_g2(point, "B")


def test_a_zero_coordinate_is_reduced_and_p_in_its_place_is_not() -> None:
    (x0, x1), y = _twist_point_with_real_x()
    assert x1 == 0 and g2_on_curve(((x0, 0), y))  # 0 is a reduced coordinate
    assert not g2_on_curve(((x0, P), y))  # p is not, though it is 0 mod p


@pytest.mark.parametrize("position", range(4))
def test_g2_points_off_the_twist_are_refused(position: int) -> None:
    (x0, x1), (y0, y1) = _g2(11)
    coords = [x0, x1, y0, y1]
    coords[position] = (coords[position] + 1) % P
    point = ((coords[0], coords[1]), (coords[2], coords[3]))
    assert not g2_on_curve(point)
    with pytest.raises(PointError, match="not on the BN254 G2 twist"):
        check_g2(point, "B")


COFACTOR = 2 * P - R  # the twist has r * (2p - r) points (BN curves); 10069 divides the cofactor


def test_a_twist_point_of_order_10069_is_refused_by_both_paths() -> None:
    """[k]T reaches O (or T itself) long before k = r: the reference loop must answer False there."""
    assert COFACTOR % 10069 == 0
    q = _off_subgroup()
    t = multiply(_projective(q), R * (COFACTOR // 10069))
    assert not is_inf(t) and is_inf(multiply(t, 10069))  # its order is exactly the prime 10069
    point = _affine2(t)
    assert g2_on_curve(point)
    assert not g2_in_subgroup_py(point)
    assert not g2_in_subgroup(point)
    with pytest.raises(PointError, match="not in the prime-order subgroup"):
        check_g2(point, "T")


def test_without_the_native_extension_the_subgroup_check_falls_back_to_python(monkeypatch) -> None:
    monkeypatch.setattr(bn254_native, "AVAILABLE", False)
    assert g2_in_subgroup(_g2(5)) and not g2_in_subgroup(_off_subgroup())


# The cofactor's prime factors (2p - r = their product; checked below, so a wrong list fails here).
COFACTOR_PRIMES = [
    10069,
    5864401,
    1875725156269,
    197620364512881247228717050342013327560683201906968909,
]


def _of_order(order: int):
    """A twist point of exactly `order` (a divisor of r * (2p - r)), made with py_ecc from one outside G2."""
    assert (R * COFACTOR) % order == 0
    t = multiply(_projective(_off_subgroup()), R * COFACTOR // order)
    assert not is_inf(t) and is_inf(multiply(t, order))
    return t


def test_the_cofactor_primes_multiply_to_the_cofactor() -> None:
    product = 1
    for q in COFACTOR_PRIMES:
        assert pow(2, q - 1, q) == 1  # a Fermat witness that each is (probably) prime
        product *= q
    assert product == COFACTOR


@pytest.mark.parametrize(
    "order",
    [*COFACTOR_PRIMES, 10069 * 5864401, COFACTOR, 10069 * R],
    ids=["10069", "5864401", "1875725156269", "big-prime", "10069x5864401", "cofactor", "10069r"],
)
@pytest.mark.parametrize("in_subgroup", SUBGROUP_CHECKS)
def test_a_twist_point_of_every_order_outside_r_is_refused(order: int, in_subgroup) -> None:
    """Each prime-order component of the cofactor, products of them, and an order-10069r point."""
    point = _affine2(_of_order(order))
    assert g2_on_curve(point)
    assert not in_subgroup(point)


def _jacobian(point, scale: tuple[int, int]):
    """The same point in Jacobian coordinates with z = scale != 1: (x z^2, y z^3, z)."""
    (x, y), z = point, scale
    z2 = _mul(z, z)
    return _mul(x, z2), _mul(y, _mul(z2, z)), z


def _to_affine(jac):
    x, y, z = jac
    z_inv = _inv(z)
    z_inv2 = _mul(z_inv, z_inv)
    return _mul(x, z_inv2), _mul(y, _mul(z_inv2, z_inv))


@pytest.mark.parametrize("scale", [(1, 0), (7, 3)])
def test_the_mixed_addition_law_and_its_special_cases_match_py_ecc(scale) -> None:
    """Q + R, Q + Q (the doubling case) and Q + (-Q) = O, with the Jacobian side at z = 1 and z != 1.

    The subgroup loop never meets Q + Q on a twist point (for every order d dividing r(2p - r), no
    prefix k of r's bits has d | 2k - 1 before the loop ends), so this case is tested on the law itself.
    """
    q, other = _g2(5), _g2(12)
    assert _to_affine(_add_affine(_jacobian(other, scale), q)) == _g2(17)
    assert _to_affine(_add_affine(_jacobian(q, scale), q)) == _g2(10)
    assert _to_affine(_double(_jacobian(q, scale))) == _g2(10)
    assert _add_affine(_jacobian(_affine2(neg(multiply(G2, 5))), scale), q) is None
