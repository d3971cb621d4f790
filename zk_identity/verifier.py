"""`verify`: check a membership proof with the py_ecc reference, the node path or natively in C.

All backends run the same validation first (groth16_verify.parse_vkey / parse_groth16 /
check_public: field ranges, points on the curve, G2 in its subgroup, sizes), so they can only
differ in the final pairing check; tests/zk_identity/test_verify.py holds them to agreement.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import native_verifier
from .errors import ProofFormatError
from .groth16_verify import check_public, pairing_check, parse_groth16, parse_vkey
from .proof import MembershipProof
from .proving_setup import DEFAULT_SETUP, VERIFIER_BACKENDS, ProvingSetup

BACKENDS = VERIFIER_BACKENDS


def verify(
    proof: MembershipProof | Mapping[str, Any] | str,
    vkey: Mapping[str, Any] | Mapping[int, Mapping[str, Any]] | None = None,
    *,
    setup: ProvingSetup = DEFAULT_SETUP,
) -> bool:
    """True iff `proof` is a valid membership proof under `vkey`.

    vkey: one snarkjs verification key, or a mapping depth -> key (a proof whose depth is not in
    it is invalid), or None for the key of the proof's depth from `setup.keys` ("official"/"own").
    setup.verifier: "py_ecc" (pure-Python reference), "node" (snarkjs in `setup`'s worker pool) or
    "native" (the C pairing; ProverError if its extension is not built). Malformed input raises
    ProofFormatError / FieldRangeError / PointError instead of returning.
    """
    backend = setup.verifier
    if backend not in BACKENDS:
        raise ProofFormatError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if not isinstance(proof, MembershipProof):
        proof = MembershipProof.from_json(proof if isinstance(proof, str) else dict(proof))
    if vkey is None:
        vkey = setup.verification_key(proof.merkle_tree_depth)
    elif "protocol" not in vkey:
        if proof.merkle_tree_depth not in vkey:
            return False
        vkey = vkey[proof.merkle_tree_depth]  # type: ignore[index]
    vkey_json = dict(vkey)  # type: ignore[arg-type]
    key = parse_vkey(vkey_json)
    groth16 = parse_groth16(proof.snarkjs_proof())
    public = check_public(key, proof.public_signals())
    if backend == "py_ecc":
        return pairing_check(key, groth16, public)
    if backend == "native":
        return native_verifier.pairing_check(key, groth16, public)
    return setup.worker_pool().verify(vkey_json, [str(v) for v in public], proof.snarkjs_proof())
