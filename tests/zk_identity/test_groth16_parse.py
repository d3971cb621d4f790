"""zk_identity.groth16_verify without a circuit: the parsers of keys and proofs (every refusal, by its
words) and the pairing equation on a Groth16 instance built here from known scalars.

With alpha, beta, gamma, delta and the IC points as known multiples of the generators, a proof
A = [a]G1, B = [b]G2, C = [c]G1 satisfies e(A, B) = e(alpha, beta) e(vk_x, gamma) e(C, delta) exactly
when a b = alpha beta + (u_0 + sum x_i u_i) gamma + c delta (mod r) (Groth 2016, §3.2): the test solves
for c. That gives valid and invalid proofs in a second instead of a trusted setup and a prover run.
"""

from __future__ import annotations

import copy

import pytest
from py_ecc.optimized_bn128 import G1, G2, multiply, normalize

from zk_identity import FieldRangeError, PointError, ProofFormatError
from zk_identity.bn254_checks import P, R
from zk_identity.groth16_verify import (
    Groth16Proof,
    VerifyingKey,
    check_public,
    pairing_check,
    parse_groth16,
    parse_vkey,
    verify_groth16,
)

ALPHA, BETA, GAMMA, DELTA = 5, 7, 11, 13
U = (17, 19, 23)  # IC_0, IC_1, IC_2: two public inputs


def _g1(k: int) -> list[str]:
    x, y = normalize(multiply(G1, k))
    return [str(int(x)), str(int(y)), "1"]


def _g2(k: int) -> list[list[str]]:
    x, y = normalize(multiply(G2, k))
    return [[str(c) for c in x.coeffs], [str(c) for c in y.coeffs], ["1", "0"]]


def _vkey(u=U) -> dict:
    return {
        "protocol": "groth16",
        "curve": "bn128",
        "nPublic": len(u) - 1,
        "vk_alpha_1": _g1(ALPHA),
        "vk_beta_2": _g2(BETA),
        "vk_gamma_2": _g2(GAMMA),
        "vk_delta_2": _g2(DELTA),
        "IC": [_g1(k) for k in u],
    }


def _proof(public: tuple[int, ...], a: int = 3, b: int = 29, u=U) -> dict:
    vk_x = (u[0] + sum(x * k for x, k in zip(public, u[1:], strict=True))) % R
    c = (a * b - ALPHA * BETA - vk_x * GAMMA) * pow(DELTA, -1, R) % R
    return {"pi_a": _g1(a), "pi_b": _g2(b), "pi_c": _g1(c), "protocol": "groth16"}


PUBLIC = (1234, 5678)


def test_a_valid_instance_verifies_and_any_change_fails() -> None:
    assert verify_groth16(_vkey(), PUBLIC, _proof(PUBLIC)) is True
    assert verify_groth16(_vkey(), (1234, 5679), _proof(PUBLIC)) is False  # another public input
    assert verify_groth16(_vkey(), (1235, 5678), _proof(PUBLIC)) is False
    assert verify_groth16(_vkey(), PUBLIC, _proof(PUBLIC) | {"pi_a": _g1(4)}) is False
    assert verify_groth16(_vkey(), PUBLIC, _proof(PUBLIC) | {"pi_b": _g2(30)}) is False
    assert verify_groth16(_vkey(), PUBLIC, _proof(PUBLIC) | {"pi_c": _g1(2)}) is False
    assert verify_groth16(_vkey() | {"vk_alpha_1": _g1(6)}, PUBLIC, _proof(PUBLIC)) is False
    assert verify_groth16(_vkey() | {"vk_gamma_2": _g2(12)}, PUBLIC, _proof(PUBLIC)) is False


def test_public_inputs_at_zero_and_r_minus_1_verify_as_field_elements() -> None:
    public = (0, R - 1)
    assert verify_groth16(_vkey(), public, _proof(public)) is True
    assert verify_groth16(_vkey(), ["0", str(R - 1)], _proof(public)) is True  # decimal strings too


def test_a_vk_x_at_infinity_is_skipped_as_e_of_o_is_1() -> None:
    """IC_0 + x IC_1 + 0 IC_2 = O for x = -u_0 / u_1: the pairing with gamma drops out, as it must."""
    x = (-U[0]) * pow(U[1], -1, R) % R
    public = (x, 0)
    assert verify_groth16(_vkey(), public, _proof(public)) is True
    key = parse_vkey(_vkey())
    assert pairing_check(key, parse_groth16(_proof(public)), public) is True
    assert pairing_check(key, parse_groth16(_proof(public)), (x, 1)) is False


def test_the_parsed_key_and_proof_hold_the_points() -> None:
    key = parse_vkey(_vkey())
    assert isinstance(key, VerifyingKey) and key.n_public == 2
    assert key.alpha == tuple(int(c) for c in _g1(ALPHA)[:2])
    assert key.beta == tuple(tuple(int(c) for c in pair) for pair in _g2(BETA)[:2])
    assert key.gamma == tuple(tuple(int(c) for c in pair) for pair in _g2(GAMMA)[:2])
    assert key.delta == tuple(tuple(int(c) for c in pair) for pair in _g2(DELTA)[:2])
    assert key.ic == tuple(tuple(int(c) for c in _g1(k)[:2]) for k in U)
    proof = parse_groth16(_proof(PUBLIC))
    assert isinstance(proof, Groth16Proof)
    assert proof.a == tuple(int(c) for c in _g1(3)[:2]) and proof.c[0] > 0
    assert proof.b == tuple(tuple(int(c) for c in pair) for pair in _g2(29)[:2])
    two_coordinates = _vkey() | {"vk_alpha_1": _g1(ALPHA)[:2], "vk_beta_2": _g2(BETA)[:2]}
    assert parse_vkey(two_coordinates) == key  # z may be left out
    assert parse_vkey(_vkey() | {"curve": "bn254"}) == key
    without_count = {k: v for k, v in _vkey().items() if k != "nPublic"}
    assert parse_vkey(without_count) == key


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"protocol": "plonk"}, r"^verification key must be for groth16 on bn128$"),
        ({"curve": "bls12381"}, r"^verification key must be for groth16 on bn128$"),
        ({"nPublic": 3}, r"^verification key: nPublic does not match the number of IC points$"),
        ({"IC": [], "nPublic": -1}, r"^verification key: nPublic does not match"),
        ({"vk_alpha_1": ["1", "2", "2"]}, r"^vkey.vk_alpha_1 must be affine \(z = 1\)$"),
        ({"vk_alpha_1": ["1"]}, r"^vkey.vk_alpha_1 must be \[x, y\] or \[x, y, 1\]$"),
        ({"vk_alpha_1": ["1", "2", "1", "1"]}, r"^vkey.vk_alpha_1 must be \[x, y\] or \[x, y, 1\]$"),
        ({"vk_alpha_1": "1,2"}, r"^vkey.vk_alpha_1 must be \[x, y\] or \[x, y, 1\]$"),
        ({"vk_alpha_1": [1.0, "2"]}, r"^vkey.vk_alpha_1 must be a decimal string$"),
        ({"vk_alpha_1": [True, "2"]}, r"^vkey.vk_alpha_1 must be a decimal string$"),
        ({"vk_alpha_1": ["0x1", "2"]}, r"^vkey.vk_alpha_1 must be a decimal string, got '0x1'$"),
        ({"vk_beta_2": [["1", "0"], ["1", "0"], ["0", "0"]]}, r"^vkey.vk_beta_2 must be affine \(z = 1\)$"),
        ({"vk_beta_2": [["1", "0"]]}, r"^vkey.vk_beta_2 must be \[\[x0, x1\], \[y0, y1\]\] or with \[1, 0\]"),
        ({"vk_gamma_2": "x"}, r"^vkey.vk_gamma_2 must be \[\[x0, x1\], \[y0, y1\]\] or with \[1, 0\]"),
        ({"vk_delta_2": [["1", "0"], ["1"]]}, r"^vkey.vk_delta_2\[1\] must be a pair of decimal strings$"),
        ({"vk_delta_2": [["1", "0"], "12"]}, r"^vkey.vk_delta_2\[1\] must be a pair of decimal strings$"),
        ({"IC": 5}, r"^verification key is missing or has a malformed field: "),
    ],
)
def test_malformed_keys_are_refused_by_name(change: dict, words: str) -> None:
    with pytest.raises(ProofFormatError, match=words):
        parse_vkey(_vkey() | change)


def test_a_key_that_is_not_an_object_or_lacks_a_field_is_refused() -> None:
    with pytest.raises(ProofFormatError, match=r"^verification key must be a JSON object$"):
        parse_vkey([_vkey()])  # type: ignore[arg-type]
    for field in ("vk_alpha_1", "vk_beta_2", "vk_gamma_2", "vk_delta_2", "IC"):
        key = {k: v for k, v in _vkey().items() if k != field}
        with pytest.raises(ProofFormatError, match=rf"^verification key is missing .*'{field}'"):
            parse_vkey(key)


def test_key_points_off_the_curve_name_the_field() -> None:
    bad = copy.deepcopy(_vkey())
    bad["IC"][2][1] = str((int(bad["IC"][2][1]) + 1) % P)
    with pytest.raises(PointError, match=r"^vkey.IC\[2\] is not a point of BN254 G1"):
        parse_vkey(bad)
    bad = copy.deepcopy(_vkey())
    bad["vk_gamma_2"][0][0] = str(int(bad["vk_gamma_2"][0][0]) + P)
    with pytest.raises(PointError, match=r"^vkey.vk_gamma_2 is not on the BN254 G2 twist"):
        parse_vkey(bad)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"pi_a": ["1", "3", "1"]}, r"^proof.pi_a is not a point of BN254 G1"),
        ({"pi_c": ["1", "2", "0"]}, r"^proof.pi_c must be affine \(z = 1\)$"),
        ({"pi_b": [["1", "2"], ["3", "4"]]}, r"^proof.pi_b is not on the BN254 G2 twist"),
        ({"pi_b": [["1", "2"]]}, r"^proof.pi_b must be \[\[x0, x1\], \[y0, y1\]\]"),
    ],
)
def test_malformed_proofs_are_refused_by_name(change: dict, words: str) -> None:
    with pytest.raises((ProofFormatError, PointError), match=words):
        parse_groth16(_proof(PUBLIC) | change)


@pytest.mark.parametrize("field", ["pi_a", "pi_b", "pi_c"])
def test_a_proof_missing_a_point_is_refused(field: str) -> None:
    proof = {k: v for k, v in _proof(PUBLIC).items() if k != field}
    with pytest.raises(ProofFormatError, match=rf"^Groth16 proof is missing '{field}'$"):
        parse_groth16(proof)
    with pytest.raises(ProofFormatError, match=r"^Groth16 proof must be a JSON object$"):
        parse_groth16([proof])  # type: ignore[arg-type]


def test_public_inputs_are_counted_and_range_checked_before_any_pairing() -> None:
    key = parse_vkey(_vkey())
    assert check_public(key, ["7", 8]) == (7, 8)
    with pytest.raises(ProofFormatError, match=r"^expected 2 public signals, got 3$"):
        check_public(key, (1, 2, 3))
    with pytest.raises(ProofFormatError, match=r"^expected 2 public signals, got 1$"):
        verify_groth16(_vkey(), (1,), _proof(PUBLIC))
    at_r = rf"^public signal {R} is not below the scalar field modulus r$"
    with pytest.raises(FieldRangeError, match=at_r):
        verify_groth16(_vkey(), (1, R), _proof(PUBLIC))
    with pytest.raises(FieldRangeError, match="public signal -1 is not below"):
        check_public(key, (-1, 0))
    with pytest.raises(ProofFormatError, match=r"^public signal must be a decimal string"):
        check_public(key, ("1e3", 0))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("vk_alpha_1", ["1", "2", "z"]),
        ("vk_alpha_1", ["1", "y", "1"]),
        ("vk_beta_2", [["x", "0"], ["1", "0"]]),
        ("vk_beta_2", [["1", "x"], ["1", "0"]]),
    ],
)
def test_a_bad_number_in_any_coordinate_names_its_field(field: str, value: list) -> None:
    with pytest.raises(ProofFormatError, match=rf"^vkey.{field} must be a decimal string, got '[xyz]'$"):
        parse_vkey(_vkey() | {field: value})


def test_a_long_bad_number_is_quoted_to_80_characters() -> None:
    bad = "9" * 70 + "x" * 30
    with pytest.raises(ProofFormatError) as refused:
        check_public(parse_vkey(_vkey()), (bad, 0))
    assert str(refused.value) == f"public signal must be a decimal string, got {bad[:80]!r}"


def test_the_pairing_check_refuses_a_public_input_count_that_does_not_match_the_key() -> None:
    key = parse_vkey(_vkey())
    with pytest.raises(ValueError, match="zip"):
        pairing_check(key, parse_groth16(_proof(PUBLIC)), PUBLIC[:1])
