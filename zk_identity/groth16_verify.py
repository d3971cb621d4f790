"""Groth16 verification on BN254 in pure Python (py_ecc): the reference verifier.

Groth16 (Groth 2016, §3.2) accepts a proof (A, B, C) for public inputs x_1..x_n iff
    e(A, B) = e(alpha, beta) · e(vk_x, gamma) · e(C, delta),   vk_x = IC_0 + Σ x_i · IC_i,
checked here as one product of four Miller loops and a single final exponentiation:
    e(-A, B) · e(alpha, beta) · e(vk_x, gamma) · e(C, delta) = 1.
Inputs are validated first (`parse_vkey`, `parse_groth16`): public inputs < r, G1 points on
the curve, G2 points on the twist and in the order-r subgroup. The fast path (fast_verify.py)
runs exactly the same validation before handing the proof to snarkjs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from py_ecc.fields import optimized_bn128_FQ as FQ
from py_ecc.fields import optimized_bn128_FQ2 as FQ2
from py_ecc.fields import optimized_bn128_FQ12 as FQ12
from py_ecc.optimized_bn128 import add, multiply, neg
from py_ecc.optimized_bn128.optimized_pairing import (
    cast_point_to_fq12,
    final_exponentiate,
    miller_loop,
    twist,
)

from .bn254_checks import G2Affine, R, check_g1, check_g2
from .errors import FieldRangeError, ProofFormatError

G1Affine = tuple[int, int]


@dataclass(frozen=True)
class VerifyingKey:
    """A validated Groth16 verification key (affine points, integers)."""

    alpha: G1Affine
    beta: G2Affine
    gamma: G2Affine
    delta: G2Affine
    ic: tuple[G1Affine, ...]

    @property
    def n_public(self) -> int:
        """Number of public inputs the key verifies."""
        return len(self.ic) - 1


@dataclass(frozen=True)
class Groth16Proof:
    """A validated Groth16 proof (A, C in G1; B in G2)."""

    a: G1Affine
    b: G2Affine
    c: G1Affine


def _int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ProofFormatError(f"{what} must be a decimal string")
    try:
        return int(value, 10) if isinstance(value, str) else value
    except ValueError as e:
        raise ProofFormatError(f"{what} must be a decimal string, got {value[:80]!r}") from e


def _g1(value: object, what: str) -> G1Affine:
    if not isinstance(value, (list, tuple)) or len(value) not in (2, 3):
        raise ProofFormatError(f"{what} must be [x, y] or [x, y, 1]")
    if len(value) == 3 and _int(value[2], what) != 1:
        raise ProofFormatError(f"{what} must be affine (z = 1)")
    return check_g1(_int(value[0], what), _int(value[1], what), what)


def _g2(value: object, what: str) -> G2Affine:
    if not isinstance(value, (list, tuple)) or len(value) not in (2, 3):
        raise ProofFormatError(f"{what} must be [[x0, x1], [y0, y1]] or with [1, 0] appended")
    pairs = []
    for k, coord in enumerate(value):
        if not isinstance(coord, (list, tuple)) or len(coord) != 2:
            raise ProofFormatError(f"{what}[{k}] must be a pair of decimal strings")
        pairs.append((_int(coord[0], what), _int(coord[1], what)))
    if len(pairs) == 3 and pairs[2] != (1, 0):
        raise ProofFormatError(f"{what} must be affine (z = 1)")
    return check_g2((pairs[0], pairs[1]), what)


def parse_vkey(vkey: dict[str, Any]) -> VerifyingKey:
    """Validate a snarkjs verification key (JSON object); raise ProofFormatError / PointError."""
    if not isinstance(vkey, dict):
        raise ProofFormatError("verification key must be a JSON object")
    return _parse_vkey_cached(json.dumps(vkey, sort_keys=True))


@lru_cache(maxsize=128)
def _parse_vkey_cached(canonical: str) -> VerifyingKey:
    vkey = json.loads(canonical)
    if vkey.get("protocol") != "groth16" or vkey.get("curve") not in ("bn128", "bn254"):
        raise ProofFormatError("verification key must be for groth16 on bn128")
    try:
        ic = tuple(_g1(p, f"vkey.IC[{i}]") for i, p in enumerate(vkey["IC"]))
        key = VerifyingKey(
            alpha=_g1(vkey["vk_alpha_1"], "vkey.vk_alpha_1"),
            beta=_g2(vkey["vk_beta_2"], "vkey.vk_beta_2"),
            gamma=_g2(vkey["vk_gamma_2"], "vkey.vk_gamma_2"),
            delta=_g2(vkey["vk_delta_2"], "vkey.vk_delta_2"),
            ic=ic,
        )
    except (KeyError, TypeError) as e:
        raise ProofFormatError(f"verification key is missing or has a malformed field: {e}") from e
    if not ic or vkey.get("nPublic", key.n_public) != key.n_public:
        raise ProofFormatError("verification key: nPublic does not match the number of IC points")
    return key


def parse_groth16(proof: dict[str, Any]) -> Groth16Proof:
    """Validate a snarkjs Groth16 proof object; raise ProofFormatError / PointError."""
    if not isinstance(proof, dict):
        raise ProofFormatError("Groth16 proof must be a JSON object")
    try:
        return Groth16Proof(
            a=_g1(proof["pi_a"], "proof.pi_a"),
            b=_g2(proof["pi_b"], "proof.pi_b"),
            c=_g1(proof["pi_c"], "proof.pi_c"),
        )
    except KeyError as e:
        raise ProofFormatError(f"Groth16 proof is missing {e}") from e


def check_public(key: VerifyingKey, public: Sequence[int]) -> tuple[int, ...]:
    """Public inputs as ints in [0, r), as many as the key expects; raise otherwise."""
    values = tuple(_int(v, "public signal") for v in public)
    if len(values) != key.n_public:
        raise ProofFormatError(f"expected {key.n_public} public signals, got {len(values)}")
    for v in values:
        if not 0 <= v < R:
            raise FieldRangeError(f"public signal {v} is not below the scalar field modulus r")
    return values


def _p1(point: G1Affine) -> tuple[FQ, FQ, FQ]:
    return FQ(point[0]), FQ(point[1]), FQ.one()


def _p2(point: G2Affine) -> tuple[FQ2, FQ2, FQ2]:
    return FQ2(list(point[0])), FQ2(list(point[1])), FQ2.one()


def pairing_check(key: VerifyingKey, proof: Groth16Proof, public: tuple[int, ...]) -> bool:
    """The Groth16 equation on validated inputs (py_ecc, ~0.6 s)."""
    vk_x = _p1(key.ic[0])
    for x, point in zip(public, key.ic[1:], strict=True):
        vk_x = add(vk_x, multiply(_p1(point), x))
    pairs = ((neg(_p1(proof.a)), _p2(proof.b)), (_p1(key.alpha), _p2(key.beta)))
    pairs += ((vk_x, _p2(key.gamma)), (_p1(proof.c), _p2(key.delta)))
    product = FQ12.one()
    for g1, g2 in pairs:
        if g1[2] == FQ.zero():  # e(O, Q) = 1 (vk_x can be O for crafted inputs)
            continue
        product *= miller_loop(twist(g2), cast_point_to_fq12(g1), final_exponentiate=False)
    return final_exponentiate(product) == FQ12.one()


def verify_groth16(vkey: dict[str, Any], public: Sequence[int], proof: dict[str, Any]) -> bool:
    """Reference Groth16 verify of a snarkjs proof: True iff valid.

    Raises ProofFormatError / FieldRangeError / PointError for malformed input (never returns
    True for it).
    """
    key = parse_vkey(vkey)
    return pairing_check(key, parse_groth16(proof), check_public(key, public))
