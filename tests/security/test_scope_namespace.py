"""Finding 5 (Medium): dapp scopes had no application namespace, and a proof seen in transit could be
submitted first to burn the person's claim.

Attacks replayed: dapp B picks the same action text as dapp A: the person's claim at B must be neither
refused (409) nor linkable to their claim at A (another nullifier). An eavesdropper submits the
person's proof before them: the person's own submission is answered with the first verdict (200,
repeat) and the claim stays bound to the person's signal."""

from __future__ import annotations

import pytest

from governance import action_scope, signal_message
from zk_identity import LeanIMT, ProvingSetup, prove

from ..governance.conftest import ACTION, APP_ID, MEMBERS, SIGNAL
from ..governance.test_verify_api import body

pytestmark = [pytest.mark.slow, pytest.mark.node]


def test_two_dapps_with_the_same_action_get_unlinkable_nullifiers(gov, client, services):
    first = client.post("/v1/verify", json=body(gov))
    assert first.status_code == 200, first.json
    group = LeanIMT(i.commitment for i in gov.identities[:MEMBERS])
    other_app = "app_another_dapp"
    scope = action_scope(other_app, gov.deployment.chain_id, ACTION)
    proof = prove(gov.identities[0], group, signal_message(SIGNAL), scope, setup=ProvingSetup(pool=gov.pool))
    second = client.post(
        "/v1/verify", json={"app_id": other_app, "action": ACTION, "signal": SIGNAL, "proof": proof.to_json()}
    )
    assert second.status_code == 200, second.json  # not 409: another dapp's nullifier space
    assert second.json["nullifier"] != first.json["nullifier"]  # and not linkable to the first
    assert services.nullifiers.count() == 2
    # Another chain's deployment of the same dapp would get yet another scope.
    assert action_scope(APP_ID, gov.deployment.chain_id + 1, ACTION) != action_scope(
        APP_ID, gov.deployment.chain_id, ACTION
    )


def test_a_proof_seen_in_transit_cannot_burn_the_persons_claim(gov, client, services):
    stolen = client.post("/v1/verify", json=body(gov), environ_base={"REMOTE_ADDR": "203.0.113.66"})
    assert stolen.status_code == 200  # the eavesdropper got there first, but for the person's signal
    own = client.post("/v1/verify", json=body(gov))
    assert own.status_code == 200 and own.json["repeat"] is True
    assert own.json["nullifier"] == stolen.json["nullifier"]
    assert services.nullifiers.count() == 1
