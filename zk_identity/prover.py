"""`prove`: a Semaphore-v4 membership proof for an identity in a group.

The circuit inputs are exactly those @semaphore-protocol/proof's generateProof feeds the
official circuit (secret, merkleProofLength, merkleProofIndex, merkleProofSiblings padded with
zeros to the circuit depth, hash(scope), hash(message)); our own circuit takes the same names.
"""

from __future__ import annotations

import logging
from typing import Any

from . import bn254_native, native_prover
from .errors import ProofFormatError, ProverError
from .identity import Identity
from .lean_imt import LeanIMT, MerkleProof
from .message_hash import hash_to_field
from .proof import MembershipProof, message_value, pack_points
from .prover_pool import DEFAULT_TIMEOUT_S
from .proving_setup import DEFAULT_SETUP, PROVER_BACKENDS, ProvingSetup
from .snarkjs_cli import fullprove

log = logging.getLogger(__name__)
BACKENDS = PROVER_BACKENDS
_fallback_logged = False


def resolve_backend(backend: str) -> str:
    """ "auto" -> "native" when the C extension imported, else "worker" (logged once); others as given."""
    global _fallback_logged
    if backend not in BACKENDS:
        raise ProverError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    if backend != "auto":
        return backend
    if bn254_native.AVAILABLE:
        return "native"
    if not _fallback_logged:
        _fallback_logged = True
        log.warning("native prover unavailable (%s); proving with the node worker", bn254_native.IMPORT_ERROR)
    return "worker"


def circuit_inputs(
    secret: int, merkle_proof: MerkleProof, message: int, scope: int, depth: int
) -> dict[str, Any]:
    """The witness inputs (decimal strings) for a circuit of `depth` levels."""
    length = len(merkle_proof.siblings)
    if length > depth:
        raise ProverError(f"the group is {length} levels deep but the circuit only {depth}")
    siblings = [str(s) for s in merkle_proof.siblings] + ["0"] * (depth - length)
    return {
        "secret": str(secret),
        "merkleProofLength": str(length),
        "merkleProofIndex": str(merkle_proof.index),
        "merkleProofSiblings": siblings,
        "scope": str(hash_to_field(scope)),
        "message": str(hash_to_field(message)),
    }


def prove(
    identity: Identity,
    group: LeanIMT,
    message: int | str | bytes,
    scope: int | str | bytes,
    *,
    depth: int | None = None,
    setup: ProvingSetup = DEFAULT_SETUP,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> MembershipProof:
    """Prove that `identity` is a member of `group`, with its nullifier for `scope`.

    message/scope: ints in [0, 2^256), numeric text or bytes32 text (generateProof's rules).
    depth: the circuit depth (official: 1..32, default the group's depth; own: the MAX_DEPTH of a
    setup, default the smallest that fits). setup: the key source, the pool and `setup.prover`:
    "native" (witness in the node worker, proof by our C prover in this process), "worker" (snarkjs
    in the persistent node pool), "cli" (a fresh `snarkjs groth16 fullprove`) or "auto" (native if
    its extension is built, else worker).
    Raises ProverError (not a member, no keys, unknown backend, prover failure, or prover output
    that disagrees with the group), ProofFormatError (bad message/scope).
    """
    message_int, scope_int = message_value(message), message_value(scope)
    backend = resolve_backend(setup.prover)
    if not isinstance(identity, Identity) or not isinstance(group, LeanIMT):
        raise ProofFormatError("prove needs an Identity and a LeanIMT group")
    if identity.commitment not in group:
        raise ProverError("this identity is not a member of the group (its commitment is not a leaf)")
    merkle_proof = group.generate_proof(group.index_of(identity.commitment))
    if depth is None and setup.keys == "official":
        # The group's depth, not this member's path length: a promoted last leaf has a shorter path,
        # and the registry records (and the verifier checks) one depth per root.
        depth = max(1, group.depth)
    artifacts = setup.proving_artifacts(len(merkle_proof.siblings), depth)
    inputs = circuit_inputs(identity.secret_scalar, merkle_proof, message_int, scope_int, artifacts.depth)
    if backend == "native":
        proof, public = native_prover.fullprove(
            inputs, artifacts.wasm, artifacts.zkey, setup.worker_pool(), timeout
        )
    elif backend == "worker":
        proof, public = setup.worker_pool().prove(inputs, artifacts.wasm, artifacts.zkey, timeout)
    else:
        proof, public = fullprove(
            inputs, artifacts.wasm, artifacts.zkey, node_modules=setup.node_modules, timeout=timeout
        )
    result = MembershipProof(
        merkle_tree_depth=artifacts.depth,
        merkle_tree_root=merkle_proof.root,
        nullifier=int(public[1]),
        message=message_int,
        scope=scope_int,
        points=pack_points(proof),
    )
    if [str(v) for v in result.public_signals()] != list(public):
        raise ProverError(
            f"the {backend} prover returned public signals {public} that do not match the group and inputs"
        )
    return result
