"""`verify`: check a membership proof with the py_ecc reference, the node path or natively in C.

All backends run the same validation first (groth16_verify.parse_vkey / parse_groth16 /
check_public: field ranges, points on the curve, G2 in its subgroup, sizes), so they can only
differ in the final pairing check; tests/zk_identity/test_verify.py holds them to agreement.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import native_verifier
from .artifacts import official_artifacts, own_artifacts
from .errors import ProofFormatError, SetupError
from .groth16_verify import check_public, pairing_check, parse_groth16, parse_vkey
from .proof import MembershipProof
from .prover_pool import ProverPool, default_pool

BACKENDS = ("py_ecc", "node", "native")


def verification_key(
    depth: int, keys: str = "official", cache_dir: Path | None = None, node_modules: Path | None = None
) -> dict[str, Any]:
    """The verification key for proofs of `depth` from the given key source."""
    if keys == "official":
        return official_artifacts(depth, node_modules).vkey()
    if keys == "own" and cache_dir is not None:
        return own_artifacts(cache_dir, exactly=depth).vkey()
    raise SetupError(f"no verification key source {keys!r} (cache_dir={cache_dir})")


def verify(
    proof: MembershipProof | Mapping[str, Any] | str,
    vkey: Mapping[str, Any] | Mapping[int, Mapping[str, Any]] | None = None,
    *,
    backend: str = "py_ecc",
    keys: str = "official",
    cache_dir: Path | None = None,
    node_modules: Path | None = None,
    pool: ProverPool | None = None,
) -> bool:
    """True iff `proof` is a valid membership proof under `vkey`.

    vkey: one snarkjs verification key, or a mapping depth -> key (a proof whose depth is not in
    it is invalid), or None for the key of the proof's depth from `keys` ("official"/"own").
    backend: "py_ecc" (pure-Python reference), "node" (snarkjs in the worker pool) or "native"
    (the C pairing; ProverError if its extension is not built). Malformed input raises
    ProofFormatError / FieldRangeError / PointError instead of returning.
    """
    if backend not in BACKENDS:
        raise ProofFormatError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if not isinstance(proof, MembershipProof):
        proof = MembershipProof.from_json(proof if isinstance(proof, str) else dict(proof))
    if vkey is None:
        vkey = verification_key(proof.merkle_tree_depth, keys, cache_dir, node_modules)
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
    worker_pool = pool or default_pool(node_modules)
    return worker_pool.verify(vkey_json, [str(v) for v in public], proof.snarkjs_proof())
