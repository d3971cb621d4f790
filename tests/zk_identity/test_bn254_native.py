"""The native BN254 arithmetic (zk_identity._bn254) against py_ecc's optimized_bn128.

Every test runs twice where the CPU allows: with the MULX/ADX assembly multiplication and with the
portable C one (`native_mul` fixture), so both implementations are held to the same reference.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from py_ecc.optimized_bn128 import G1, G2, add, double, is_inf, multiply, neg, normalize, pairing

from zk_identity import bn254_native as nb
from zk_identity.errors import ProverError

pytestmark = pytest.mark.skipif(not nb.AVAILABLE, reason=f"native extension not built: {nb.IMPORT_ERROR}")

Q, R = nb.Q, nb.R
MUL_KINDS = ["adx", "portable"]


@pytest.fixture(params=MUL_KINDS, autouse=True)
def native_mul(request: pytest.FixtureRequest):
    """Switch the field multiplication for one test; restore the CPU's choice afterwards."""
    ext = nb._ext()
    if request.param == "adx" and not ext.use_adx(True):
        pytest.skip("this CPU has no BMI2/ADX")
    if request.param == "portable":
        ext.use_adx(False)
    yield request.param
    ext.use_adx(True)


def g1(p) -> nb.G1Point:
    if is_inf(p):
        return None
    x, y = normalize(p)
    return (x.n, y.n)


def g2(p) -> nb.G2Point:
    if is_inf(p):
        return None
    x, y = normalize(p)
    return (tuple(x.coeffs), tuple(y.coeffs))


def g1_ref(k: int):
    return multiply(G1, k)


def g2_ref(k: int):
    return multiply(G2, k)


def naive_msm(points, scalars, zero):
    acc = zero
    for p, k in zip(points, scalars, strict=True):
        acc = add(acc, multiply(p, k))
    return acc


ZERO1 = multiply(G1, 0)
ZERO2 = multiply(G2, 0)


# ---- fields ----


@given(st.integers(0, Q - 1), st.integers(0, Q - 1))
@settings(max_examples=40, deadline=None)
def test_fq_mul_matches_python(a: int, b: int) -> None:
    assert nb.fq_mul(a, b) == a * b % Q


@given(st.integers(0, R - 1), st.integers(0, R - 1))
@settings(max_examples=40, deadline=None)
def test_fr_mul_matches_python(a: int, b: int) -> None:
    assert nb.fr_mul(a, b) == a * b % R


@pytest.mark.parametrize("a", [1, 2, Q - 1, Q - 2, 2**255 % Q, 3**100 % Q])
def test_fq_inverse_and_boundaries(a: int) -> None:
    assert nb.fq_inv(a) == pow(a, -1, Q)
    assert nb.fq_mul(a, Q - 1) == (Q - a) % Q


def test_field_range_is_checked_not_reduced() -> None:
    assert nb.fr_mul(R - 1, 1) == R - 1
    assert nb.fq_inv(0) == 0  # documented: 0 maps to 0
    with pytest.raises(ValueError, match="below the field modulus"):
        nb.fr_mul(R, 1)
    with pytest.raises(ValueError, match="below the field modulus"):
        nb.fq_mul(1, Q)


# ---- groups ----


@pytest.mark.parametrize("seed", range(4))
def test_g1_add_double_mul(seed: int) -> None:
    rnd = random.Random(seed)
    a, b, k = rnd.randrange(1, R), rnd.randrange(1, R), rnd.randrange(R)
    p, q = g1_ref(a), g1_ref(b)
    assert nb.g1_add(g1(p), g1(q)) == g1(add(p, q))
    assert nb.g1_add(g1(p), g1(q), mixed=True) == g1(add(p, q))
    assert nb.g1_double(g1(p)) == g1(double(p))
    assert nb.g1_mul(g1(p), k) == g1(multiply(p, k))


@pytest.mark.parametrize("mixed", [False, True])
def test_g1_special_cases(mixed: bool) -> None:
    p = g1(g1_ref(12345))
    assert nb.g1_add(p, p, mixed=mixed) == nb.g1_double(p)  # P + P falls back to doubling
    assert nb.g1_add(p, g1(neg(g1_ref(12345))), mixed=mixed) is None  # P - P
    assert nb.g1_add(p, None, mixed=mixed) == p
    assert nb.g1_add(None, p, mixed=mixed) == p
    assert nb.g1_double(None) is None
    assert nb.g1_mul(p, 0) is None
    assert nb.g1_mul(p, 1) == p
    assert nb.g1_mul(p, R) is None
    assert nb.g1_mul(p, R - 1) == g1(neg(g1_ref(12345)))


@pytest.mark.parametrize("seed", range(3))
def test_g2_add_double_mul(seed: int) -> None:
    rnd = random.Random(100 + seed)
    a, b, k = rnd.randrange(1, R), rnd.randrange(1, R), rnd.randrange(R)
    p, q = g2_ref(a), g2_ref(b)
    assert nb.g2_add(g2(p), g2(q)) == g2(add(p, q))
    assert nb.g2_add(g2(p), g2(q), mixed=True) == g2(add(p, q))
    assert nb.g2_double(g2(p)) == g2(double(p))
    assert nb.g2_mul(g2(p), k) == g2(multiply(p, k))


def test_g2_special_cases() -> None:
    p = g2(g2_ref(777))
    assert nb.g2_add(p, p) == nb.g2_double(p) == nb.g2_add(p, p, mixed=True)
    assert nb.g2_add(p, g2(neg(g2_ref(777)))) is None
    assert nb.g2_mul(p, R) is None
    assert nb.g2_mul(p, R - 1) == g2(neg(g2_ref(777)))


def test_points_off_the_curve_are_refused() -> None:
    with pytest.raises(ValueError, match="not on the G1 curve"):
        nb.g1_add((1, 3), (1, 2))
    with pytest.raises(ValueError, match="not on the G2 twist"):
        nb.g2_double(((1, 0), (2, 0)))
    with pytest.raises(ValueError, match="below the field modulus"):
        nb.g1_double((Q + 1, 2))


# ---- multi-scalar multiplication ----


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_g1_msm_against_naive_sum(threads: int) -> None:
    rnd = random.Random(7)
    points = [g1_ref(rnd.randrange(1, R)) for _ in range(40)]
    scalars = [rnd.randrange(R) for _ in points]
    scalars[:6] = [0, 1, R - 1, 2, R - 2, 1 << 253]
    points[10] = points[11] = points[12]  # repeated points land in the same buckets
    points[13] = neg(points[14])  # and a point with its negative
    scalars[13] = scalars[14]
    expected = g1(naive_msm(points, scalars, ZERO1))
    assert nb.msm_g1([g1(p) for p in points], scalars, threads) == expected


def test_g1_msm_small_cases() -> None:
    p = g1_ref(99)
    assert nb.msm_g1([], []) is None
    assert nb.msm_g1([g1(p)], [0]) is None
    assert nb.msm_g1([g1(p)], [1]) == g1(p)
    assert nb.msm_g1([g1(p)], [R - 1]) == g1(neg(p))
    assert nb.msm_g1([g1(p), g1(p)], [5, R - 5]) is None
    assert nb.msm_g1([None, g1(p)], [3, 4]) == g1(multiply(p, 4))  # infinity bases are skipped
    with pytest.raises(ValueError, match="below the group order"):
        nb.msm_g1([g1(p)], [R])


@pytest.mark.parametrize("count", [1, 5, 8, 9, 300])
def test_g1_msm_sizes(count: int) -> None:
    # Up to 8 points are summed by Straus, more by Pippenger, whose window widths change with the size;
    # 300 forces many points per bucket.
    rnd = random.Random(count)
    base = [g1_ref(rnd.randrange(1, R)) for _ in range(min(count, 12))]
    points = [base[i % len(base)] for i in range(count)]
    scalars = [rnd.randrange(R) for _ in range(count)]
    folded = [sum(s for i, s in enumerate(scalars) if i % len(base) == j) % R for j in range(len(base))]
    assert nb.msm_g1([g1(p) for p in points], scalars) == g1(naive_msm(base, folded, ZERO1))


def test_g2_msm_against_naive_sum() -> None:
    rnd = random.Random(11)
    points = [g2_ref(rnd.randrange(1, R)) for _ in range(12)]
    scalars = [rnd.randrange(R) for _ in points]
    scalars[:3] = [0, 1, R - 1]
    points[5] = points[6]
    expected = g2(naive_msm(points, scalars, ZERO2))
    assert nb.msm_g2([g2(p) for p in points], scalars, 2) == expected


def test_g2_msm_of_a_few_points_straus_path() -> None:
    rnd = random.Random(12)
    p = g2_ref(rnd.randrange(1, R))
    points = [p, p, neg(p), g2_ref(rnd.randrange(1, R)), g2_ref(3)]
    scalars = [rnd.randrange(R), R - 1, 7, 0, rnd.randrange(R)]
    assert nb.msm_g2([g2(q) for q in points], scalars, 1) == g2(naive_msm(points, scalars, ZERO2))
    assert nb.msm_g2([g2(p), g2(p)], [5, R - 5], 1) is None


# ---- NTT ----


def test_roots_of_unity_are_ffjavascripts() -> None:
    # ffjavascript: w[28] = nqr^t with nqr = 5 the smallest non-residue, w[k-1] = w[k]^2.
    w = pow(5, (R - 1) >> 28, R)
    for k in range(28, -1, -1):
        assert nb.fr_root_of_unity(k) == w
        w = w * w % R
    assert pow(nb.fr_root_of_unity(13), 1 << 12, R) == R - 1  # primitive
    with pytest.raises(ValueError):
        nb.fr_root_of_unity(29)


@pytest.mark.parametrize("log_n", [0, 1, 3, 6])
def test_ntt_is_evaluation_and_round_trips(log_n: int) -> None:
    n = 1 << log_n
    rnd = random.Random(log_n)
    coefficients = [rnd.randrange(R) for _ in range(n)]
    coefficients[0] = R - 1
    w = nb.fr_root_of_unity(log_n)
    evaluations = nb.fr_ntt(coefficients)
    naive = [sum(c * pow(w, i * j, R) for i, c in enumerate(coefficients)) % R for j in range(n)]
    assert evaluations == naive
    assert nb.fr_ntt(evaluations, inverse=True) == coefficients


def test_ntt_refuses_bad_sizes() -> None:
    with pytest.raises(ValueError, match="2\\^k"):
        nb.fr_ntt([1, 2, 3])


# ---- pairing ----


def _to_py_ecc_basis(tower: list[int]) -> list[int]:
    """Our tower coefficients -> py_ecc's Fq[w]/(w^12 - 18 w^6 + 82): v = w^2, u = w^6 - 9."""
    out = [0] * 12
    for n in range(6):
        i, j = n // 3, n % 3  # coefficient of v^j w^i, an Fq2 element x + y u
        x, y, k = tower[2 * n], tower[2 * n + 1], 2 * j + i
        out[k] = (out[k] + x - 9 * y) % Q
        out[k + 6] = (out[k + 6] + y) % Q
    return out


@pytest.mark.slow
@pytest.mark.parametrize(("a", "b"), [(1, 1), (5, 7), (R - 1, 123456789)])
def test_pairing_value_matches_py_ecc(a: int, b: int) -> None:
    p, q = g1_ref(a), g2_ref(b)
    assert _to_py_ecc_basis(nb.pairing_coefficients(g1(p), g2(q))) == list(pairing(q, p).coeffs)


def test_pairing_is_bilinear_and_nondegenerate() -> None:
    rnd = random.Random(5)
    a, b = rnd.randrange(1, R), rnd.randrange(1, R)
    p, q = g1(g1_ref(1)), g2(g2_ref(1))
    # e(aP, bQ) e(-abP, Q) = 1
    assert nb.pairing_product_is_one([(g1(g1_ref(a)), g2(g2_ref(b))), (g1(neg(g1_ref(a * b % R))), q)])
    assert not nb.pairing_product_is_one([(g1(g1_ref(a)), g2(g2_ref(b))), (g1(neg(g1_ref(a * b + 1))), q)])
    assert not nb.pairing_product_is_one([(p, q)])  # non-degenerate
    assert nb.pairing_product_is_one([])
    assert nb.pairing_product_is_one([(None, q), (p, None)])  # e(O, Q) = e(P, O) = 1
    assert nb.pairing_coefficients(p, q) != nb.pairing_coefficients(p, g2(g2_ref(2)))


def test_a_full_product_of_sixteen_pairs_is_exact() -> None:
    """Sixteen pairs through one shared Miller loop (an infinite point among
    them) whose exponents cancel multiply to one, and a change in any single pair breaks it."""
    rnd = random.Random(16)
    a = [rnd.randrange(1, R) for _ in range(14)]
    b = [rnd.randrange(1, R) for _ in range(14)]
    pairs = [(g1(g1_ref(x)), g2(g2_ref(y))) for x, y in zip(a, b, strict=True)]
    total = sum(x * y for x, y in zip(a, b, strict=True)) % R
    pairs.append((g1(neg(g1_ref(total))), g2(g2_ref(1))))
    pairs.insert(7, (None, g2(g2_ref(3))))  # e(O, Q) = 1: skipped
    assert len(pairs) == 16
    assert nb.pairing_product_is_one(pairs)
    for k in (0, 8, 15):
        bent = list(pairs)
        bent[k] = (bent[k][0], g2(g2_ref(rnd.randrange(2, R))))
        assert not nb.pairing_product_is_one(bent)


def test_the_hard_part_of_the_final_exponentiation_is_written_exactly_in_base_p() -> None:
    """d = (p^4 - p^2 + 1)/r = l0 + l1 p + l2 p^2 + p^3 with the coefficients the C code uses."""
    x = 4965661367192848881
    assert 36 * x**4 + 36 * x**3 + 24 * x**2 + 6 * x + 1 == Q
    assert 36 * x**4 + 36 * x**3 + 18 * x**2 + 6 * x + 1 == R
    l0 = -36 * x**3 - 30 * x**2 - 18 * x - 2
    l1 = -36 * x**3 - 18 * x**2 - 12 * x + 1
    l2 = 6 * x**2 + 1
    assert (Q**4 - Q**2 + 1) % R == 0
    assert l0 + l1 * Q + l2 * Q**2 + Q**3 == (Q**4 - Q**2 + 1) // R


def test_pairing_input_limits() -> None:
    p, q = g1(g1_ref(1)), g2(g2_ref(1))
    with pytest.raises(ValueError, match="up to 16"):
        nb.pairing_product_is_one([(p, q)] * 17)
    with pytest.raises(ValueError, match="not on the G2 twist"):
        nb.pairing_product_is_one([(p, ((1, 0), (2, 0)))])


def test_unavailable_extension_raises_prover_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nb, "_bn254", None)
    with pytest.raises(ProverError, match="not available"):
        nb.fq_mul(1, 2)
