"""The Groth16 pairing check in C (zk_identity._bn254): the verifier's fast in-process path.

Runs on inputs already validated by groth16_verify (parse_vkey / parse_groth16 / check_public:
ranges, curve membership, G2 subgroup), exactly like the py_ecc reference `pairing_check`, and
checks the same equation (Groth 2016, §3.2):
    e(-A, B) · e(alpha, beta) · e(vk_x, gamma) · e(C, delta) = 1,  vk_x = IC_0 + Σ x_i · IC_i.
"""

from __future__ import annotations

from . import bn254_native
from .groth16_verify import Groth16Proof, VerifyingKey


def pairing_check(key: VerifyingKey, proof: Groth16Proof, public: tuple[int, ...]) -> bool:
    """The Groth16 equation on validated inputs, natively (a few ms).

    Raises ProverError when the native extension is not built.
    """
    vk_x = bn254_native.g1_add(key.ic[0], bn254_native.msm_g1(key.ic[1:], public, threads=1))
    minus_a = (proof.a[0], (-proof.a[1]) % bn254_native.Q)
    return bn254_native.pairing_product_is_one(
        [(minus_a, proof.b), (key.alpha, key.beta), (vk_x, key.gamma), (proof.c, key.delta)]
    )
