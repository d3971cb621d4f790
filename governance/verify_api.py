"""POST /v1/verify: a dapp asks whether a proof shows a unique human performing `action` once, bound to
`signal` (the role of World ID's verify endpoint).

Order of checks, cheapest first, nothing stored until all pass: body shape and field ranges (400),
scope == hash(action) and message == hash(signal) (400), nullifier not yet used for the action (409, a
pre-check), root current or recent in the registry and Groth16 proof at its depth (400), then the
atomic insert into the nullifier store, which alone decides a race between identical requests
(409 for the loser).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, jsonify, request

from .errors import NullifierUsedError
from .json_body import read_json
from .nullifier_store import NullifierStore
from .proof_check import ProofChecker, check_binding
from .requests import VerifyRequest, action_scope, parse_verify, signal_message
from .services import current_services

blueprint = Blueprint("verify_api", __name__)


@dataclass(frozen=True)
class Verified:
    """A proof accepted for an action; the nullifier is now spent for that action."""

    action: str
    nullifier: int
    merkle_tree_root: int
    depth: int

    def to_json(self) -> dict[str, object]:
        """The API's JSON answer (field elements as decimal strings)."""
        return {
            "success": True,
            "action": self.action,
            "nullifier": str(self.nullifier),
            "merkleTreeRoot": str(self.merkle_tree_root),
            "merkleTreeDepth": self.depth,
        }


def verify_action(req: VerifyRequest, checker: ProofChecker, store: NullifierStore) -> Verified:
    """Check `req` and spend its nullifier; raises the GovernanceError the API maps to 4xx/5xx."""
    proof = req.proof
    scope, message = action_scope(req.action), signal_message(req.signal)
    check_binding(proof, scope, message)
    if store.is_used(req.action, proof.nullifier):
        raise NullifierUsedError(
            f"this nullifier was already used for action {req.action!r}", proof.nullifier
        )
    depth = checker.check(proof, scope, message)
    store.record(req.action, proof.nullifier, message)
    return Verified(req.action, proof.nullifier, proof.merkle_tree_root, depth)


@blueprint.post("/v1/verify")
def verify_endpoint():
    """Verify a proof for an action and record its nullifier (200), or refuse with a 4xx error."""
    services = current_services()
    verified = verify_action(parse_verify(read_json(request)), services.checker, services.nullifiers)
    return jsonify(verified.to_json()), 200
