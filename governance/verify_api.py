"""POST /v1/verify: a dapp asks whether a proof shows a unique human performing `action` of its
application `app_id` once, bound to `signal` (the role of World ID's verify endpoint).

Order of checks, cheapest first, nothing stored until all pass: JSON content type and body shape (415 /
400), per-client and per-action rate limits (429), scope == action_scope(app_id, chain id, action) and
message == hash(signal) (400), nullifier not yet used for that scope with another signal (409, a
pre-check), then, inside the bounded admission gate (503 + Retry-After when full), the root current or
recent in the registry (cached per block) and the Groth16 proof at its depth (400), then the atomic
insert into the nullifier store, which alone decides a race (409 for the loser).

A repeat of the identical (scope, nullifier, signal) with a proof that verifies answers 200 with the
first verdict and `"repeat": true`: a proof seen in transit and submitted first cannot burn the person's
claim, since it is bound to the same signal; a proof for another signal with a spent nullifier is 409.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, jsonify, request

from .admission import AdmissionGate
from .errors import NullifierUsedError, UpstreamError
from .json_body import read_json
from .nullifier_store import NullifierStore
from .proof_check import ProofChecker, check_binding
from .requests import VerifyRequest, action_scope, parse_verify, signal_message
from .services import current_services

blueprint = Blueprint("verify_api", __name__)


@dataclass(frozen=True)
class Verified:
    """A proof accepted for an action; the nullifier is now spent for that action's scope."""

    app_id: str
    action: str
    scope: int
    nullifier: int
    merkle_tree_root: int
    depth: int | None
    repeat: bool = False

    def to_json(self) -> dict[str, object]:
        """The API's JSON answer (field elements as decimal strings)."""
        answer: dict[str, object] = {
            "success": True,
            "app_id": self.app_id,
            "action": self.action,
            "scope": str(self.scope),
            "nullifier": str(self.nullifier),
            "merkleTreeRoot": str(self.merkle_tree_root),
            "repeat": self.repeat,
        }
        if self.depth is not None:
            answer["merkleTreeDepth"] = self.depth
        return answer


def scope_key(scope: int) -> str:
    """The nullifier store's key for a dapp scope."""
    return f"scope:{scope}"


def verify_action(
    req: VerifyRequest,
    chain_id: int,
    checker: ProofChecker,
    store: NullifierStore,
    gate: AdmissionGate | None = None,
) -> Verified:
    """Check `req` and spend its nullifier; raises the GovernanceError the API maps to 4xx/5xx."""
    proof = req.proof
    scope, message = action_scope(req.app_id, chain_id, req.action), signal_message(req.signal)
    check_binding(proof, scope, message)
    key = scope_key(scope)
    first = store.recorded_signal(key, proof.nullifier)
    if first is not None and first != message:
        raise NullifierUsedError(
            f"this nullifier was already used for action {req.action!r}", proof.nullifier
        )
    if gate is None:
        depth = checker.check(proof, scope, message)
    else:
        with gate.admit():
            depth = checker.check(proof, scope, message)
    # A repeat is answered only for a proof that verifies: a garbage proof never earns a 200.
    fresh = first is None and store.record(key, proof.nullifier, message)
    return Verified(req.app_id, req.action, scope, proof.nullifier, proof.merkle_tree_root, depth, not fresh)


@blueprint.post("/v1/verify")
def verify_endpoint():
    """Verify a proof for an action and record its nullifier (200), or refuse with a 4xx/5xx error."""
    services = current_services()
    guard = services.guard
    guard.verify_per_client.hit(guard.client(request))
    req = parse_verify(read_json(request))
    if services.chain is None:
        raise UpstreamError("this server has no chain configured")
    chain_id = services.chain.deployment.chain_id
    guard.verify_per_action.hit(scope_key(action_scope(req.app_id, chain_id, req.action)))
    verified = verify_action(req, chain_id, services.checker, services.nullifiers, guard.gate)
    return jsonify(verified.to_json()), 200
