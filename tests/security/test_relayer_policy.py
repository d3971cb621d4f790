"""Finding 3 (Medium): one enrolled person could drain and stall the relayer.

Attacks replayed: an attacker opens their own proposal and has the relayer pay for votes on it (refused
by the proposer allowlist, no gas spent); votes past a proposal's gas budget or the period's (refused);
a slow chain: the relayer's lock must not be held while it waits for a receipt, a receipt that does not
come in time is answered 202 with the transaction hash (not a 5xx claiming nothing was recorded), and a
retry of the same ballot never sends a second transaction."""

from __future__ import annotations

import dataclasses
import threading
import time

import pytest

from governance import RelayControls, RelayPolicy
from governance.proposals import ONE_PERSON_ONE_VOTE
from personhood.app import create_app
from zk_identity import LeanIMT, ProvingSetup, prove

from ..governance.conftest import MEMBERS, YEAR
from ..governance.test_relayer import relayer_nonce, vote_body

pytestmark = [pytest.mark.slow, pytest.mark.node]


def app_with(services, policy: RelayPolicy | None = None, receipt_wait_s: float = 60.0):
    relay = RelayControls(policy, receipt_wait_s=receipt_wait_s)
    return create_app({"PERSONHOOD_SERVICES": dataclasses.replace(services, relay=relay)}), relay


def second_vote(gov, proposal_id: int, option: int = 1) -> dict:
    group = LeanIMT(i.commitment for i in gov.identities[:MEMBERS])
    scope = gov.chain.proposals.client(ONE_PERSON_ONE_VOTE).scope(proposal_id)
    proof = prove(gov.identities[3], group, option, scope, setup=ProvingSetup(pool=gov.pool))
    return {
        "ballot": ONE_PERSON_ONE_VOTE,
        "proposalId": proposal_id,
        "option": option,
        "proof": proof.to_json(),
    }


def test_votes_on_an_attackers_own_proposal_are_not_paid_for(gov_chain, services):
    gov = gov_chain
    attacker = gov.w3.eth.accounts[5]
    now = gov.now()
    mine = gov.chain.proposals.create(ONE_PERSON_ONE_VOTE, "Drain it", 2, now - 60, now + YEAR, attacker)
    app, _ = app_with(services, RelayPolicy(proposers=frozenset({gov.owner})))
    nonce = relayer_nonce(gov)
    refused = app.test_client().post("/v1/relay/vote", json=second_vote(gov, mine.proposal_id))
    assert refused.status_code == 403 and refused.json["error"] == "proposer_not_relayed"
    assert relayer_nonce(gov) == nonce  # no gas spent
    allowed = app.test_client().post("/v1/relay/vote", json=vote_body(gov))  # the owner's proposal
    assert allowed.status_code == 200, allowed.json


def test_a_proposals_gas_budget_caps_what_the_relayer_spends_on_it(gov_chain, services):
    gov = gov_chain
    app, relay = app_with(services, RelayPolicy(gas_per_proposal=1_200_000))
    client = app.test_client()
    first = client.post("/v1/relay/vote", json=vote_body(gov))
    assert first.status_code == 200, first.json
    assert relay.budget.used((ONE_PERSON_ONE_VOTE, gov.proposals["open"])) == first.json["gasUsed"]
    nonce = relayer_nonce(gov)
    over = client.post("/v1/relay/vote", json=second_vote(gov, gov.proposals["open"]))
    assert over.status_code == 403 and over.json["error"] == "proposal_budget_spent"
    assert relayer_nonce(gov) == nonce


def test_the_period_budget_answers_429_with_retry_after(gov_chain, services):
    gov = gov_chain
    app, _ = app_with(services, RelayPolicy(gas_per_period=500_000))
    limited = app.test_client().post("/v1/relay/vote", json=vote_body(gov))
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1


def test_a_slow_receipt_holds_no_lock_answers_202_and_a_retry_sends_nothing_new(gov_chain, services):
    gov = gov_chain
    app, relay = app_with(services, receipt_wait_s=3.0)
    gov.w3.provider.make_request("evm_setAutomine", [False])
    try:
        answers: list = []
        worker = threading.Thread(
            target=lambda: answers.append(app.test_client().post("/v1/relay/vote", json=vote_body(gov)))
        )
        worker.start()
        deadline = time.monotonic() + 30
        while not len(relay.pending):  # sent, now waiting for the receipt
            assert time.monotonic() < deadline
            time.sleep(0.02)
        assert not services.relay_lock.locked()  # the wait holds no lock: other votes can be sent
        worker.join(60)
        first = answers[0]
        assert first.status_code == 202, first.json
        assert first.json["status"] == "pending" and first.json["txHash"].startswith("0x")
        sent = gov.w3.eth.get_transaction_count(gov.relayer.address, "pending")
        retry = app.test_client().post("/v1/relay/vote", json=vote_body(gov))
        assert retry.status_code == 202 and retry.json["txHash"] == first.json["txHash"]
        assert gov.w3.eth.get_transaction_count(gov.relayer.address, "pending") == sent  # nothing new sent
        gov.w3.provider.make_request("evm_mine", [])
        mined = app.test_client().post("/v1/relay/vote", json=vote_body(gov))
        assert mined.status_code == 200 and mined.json["txHash"] == first.json["txHash"]
        assert mined.json["status"] == "mined"
    finally:
        gov.w3.provider.make_request("evm_setAutomine", [True])
    assert gov.tallies(ONE_PERSON_ONE_VOTE, gov.proposals["open"]) == [0, 0, 1]
    again = app.test_client().post("/v1/relay/vote", json=vote_body(gov))
    assert again.status_code == 409  # counted once; a later double vote is refused as before
