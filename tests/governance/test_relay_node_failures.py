"""The relayer when its JSON-RPC node fails: `relay_vote` over a proxy (tests/governance/flaky_node.py) that
answers HTTP 503 to chosen calls, in front of the session's anvil, and over a node that refuses the relayer's
transaction (its account emptied with anvil_setBalance). Each failure must be an UpstreamError saying which
step failed (the API's 503), give back the gas it reserved, leave nothing pending that would block a retry,
and send nothing twice; once the node answers again the same request is counted."""

from __future__ import annotations

import threading

import pytest
from eth_utils import keccak

from contracts import attach, http_web3
from contracts.errors import ChainError, NodeUnavailableError
from governance import RelayQueue, RelayWorker, governance_chain
from governance.errors import UpstreamError
from governance.proposals import ONE_PERSON_ONE_VOTE
from governance.relay_policy import RelayControls
from governance.relayer import Relayed, relay_vote
from governance.requests import parse_vote

from .flaky_node import FlakyNode

pytestmark = [pytest.mark.slow, pytest.mark.node]

NULLIFIER_USED = "0x" + keccak(text="nullifierUsed(uint256)")[:4].hex()


@pytest.fixture
def flaky(gov_chain):
    """The governance chain seen through a proxy that fails on cue (and the proxy)."""
    with FlakyNode(gov_chain.node.url) as node:
        yield node, governance_chain(attach(http_web3(node.url), gov_chain.contracts, gov_chain.deployment))


def _request_body(gov) -> dict:
    return {
        "ballot": ONE_PERSON_ONE_VOTE,
        "proposalId": gov.proposals["open"],
        "option": 2,
        "proof": gov.proofs["vote"].to_json(),
    }


def _request(gov):
    return parse_vote(_request_body(gov))


def _vote_selector(gov, req) -> str:
    client = gov.chain.proposals.client(ONE_PERSON_ONE_VOTE)
    return client.encode(client.vote_call(req.proposal_id, 2, req.proof))[1][:10]


def _sent_by_relayer(gov) -> int:
    return gov.w3.eth.get_transaction_count(gov.relayer.address, "pending")


def test_a_node_that_does_not_answer_is_a_chain_error_naming_the_call(flaky):
    node, chain = flaky
    node.fail("eth_blockNumber")
    with pytest.raises(NodeUnavailableError, match=r"did not answer eth_blockNumber") as caught:
        chain.proposals.client(ONE_PERSON_ONE_VOTE).block_number()
    assert isinstance(caught.value, ChainError)
    assert node.refused and set(node.refused) == {"eth_blockNumber"}  # web3's retries went through the proxy
    node.heal()
    assert chain.proposals.client(ONE_PERSON_ONE_VOTE).block_number() >= 1


def test_the_nullifier_read_failing_is_an_upstream_error_and_reserves_nothing(gov_chain, services, flaky):
    gov, (node, chain) = gov_chain, flaky
    req = _request(gov)
    controls = RelayControls()
    key = (ONE_PERSON_ONE_VOTE, gov.proposals["open"])
    before = _sent_by_relayer(gov)
    node.fail("eth_call", NULLIFIER_USED)
    with pytest.raises(UpstreamError, match=r"^the chain could not be read: .*did not answer eth_call"):
        relay_vote(req, chain, services.checker, gov.relayer, threading.Lock(), controls)
    assert controls.budget.used(key) == 0 and len(controls.pending) == 0
    assert _sent_by_relayer(gov) == before
    node.heal()
    relayed = relay_vote(req, chain, services.checker, gov.relayer, threading.Lock(), controls)
    assert relayed.mined and gov.tallies(ONE_PERSON_ONE_VOTE, gov.proposals["open"]) == [0, 0, 1]


def test_a_send_the_node_does_not_take_gives_the_gas_back_and_a_retry_is_sent_once(
    gov_chain, services, flaky
):
    gov, (node, chain) = gov_chain, flaky
    req = _request(gov)
    controls = RelayControls()
    key = (ONE_PERSON_ONE_VOTE, gov.proposals["open"])
    before = _sent_by_relayer(gov)
    node.fail("eth_sendRawTransaction")
    with pytest.raises(UpstreamError, match=r"^the vote could not be submitted: .*eth_sendRawTransaction"):
        relay_vote(req, chain, services.checker, gov.relayer, threading.Lock(), controls)
    assert controls.budget.used(key) == 0 and len(controls.pending) == 0
    assert _sent_by_relayer(gov) == before  # the proxy kept it from the node: nothing on chain
    node.heal()
    relayed = relay_vote(req, chain, services.checker, gov.relayer, threading.Lock(), controls)
    receipt = gov.w3.eth.get_transaction_receipt(relayed.tx_hash)
    assert relayed.block_number == int(receipt["blockNumber"]) and _sent_by_relayer(gov) == before + 1
    assert controls.budget.used(key) == int(receipt["gasUsed"])


def test_a_node_refusing_the_relayers_transaction_is_an_upstream_error(gov_chain, services):
    gov = gov_chain
    req = _request(gov)
    controls = RelayControls()
    key = (ONE_PERSON_ONE_VOTE, gov.proposals["open"])
    gov.w3.provider.make_request("anvil_setBalance", [gov.relayer.address, "0x0"])  # the relayer ran dry
    refused = r"^the vote could not be submitted: the node refused the transaction"
    with pytest.raises(UpstreamError, match=refused):
        relay_vote(req, gov.chain, services.checker, gov.relayer, threading.Lock(), controls)
    assert controls.budget.used(key) == 0 and len(controls.pending) == 0
    assert gov.tallies(ONE_PERSON_ONE_VOTE, gov.proposals["open"]) == [0, 0, 0]


def test_the_api_answers_503_when_the_relayer_has_no_funds(gov_chain, client):
    gov = gov_chain
    gov.w3.provider.make_request("anvil_setBalance", [gov.relayer.address, "0x0"])
    response = client.post("/v1/relay/vote", json=_request_body(gov))
    assert response.status_code == 503 and response.get_json()["error"] == "upstream_unavailable"
    assert gov.tallies(ONE_PERSON_ONE_VOTE, gov.proposals["open"]) == [0, 0, 0]


def test_the_node_failing_while_the_receipt_is_awaited_answers_pending_and_a_retry_waits(
    gov_chain, services, flaky
):
    gov, (node, chain) = gov_chain, flaky
    req = _request(gov)
    controls = RelayControls()
    key = (ONE_PERSON_ONE_VOTE, gov.proposals["open"])
    before = _sent_by_relayer(gov)
    node.fail("eth_getTransactionReceipt")
    first = relay_vote(req, chain, services.checker, gov.relayer, threading.Lock(), controls)
    assert first == Relayed(first.tx_hash, ONE_PERSON_ONE_VOTE, gov.proposals["open"], req.proof.nullifier)
    assert not first.mined and controls.pending.get((ONE_PERSON_ONE_VOTE, req.proof.nullifier)).handed_back
    node.heal()
    again = relay_vote(req, chain, services.checker, gov.relayer, threading.Lock(), controls)
    receipt = gov.w3.eth.get_transaction_receipt(first.tx_hash)
    assert again.tx_hash == first.tx_hash and again.block_number == int(receipt["blockNumber"])
    assert _sent_by_relayer(gov) == before + 1  # sent once
    assert controls.budget.used(key) == int(receipt["gasUsed"]) and len(controls.pending) == 0


def test_a_queued_votes_dry_run_failing_is_an_upstream_error_and_queues_nothing(
    gov_chain, services, flaky, tmp_path
):
    gov, (node, chain) = gov_chain, flaky
    req = _request(gov)
    queue = RelayQueue(f"sqlite:///{tmp_path / 'q.sqlite3'}")
    worker = RelayWorker(queue, gov.chain.system.outbox(gov.relayer), gov.chain.proposals.nullifier_spent)
    controls = RelayControls()
    key = (ONE_PERSON_ONE_VOTE, gov.proposals["open"])
    node.fail("eth_call", _vote_selector(gov, req))
    with pytest.raises(UpstreamError, match=r"^the chain could not be read: .*did not answer eth_call"):
        relay_vote(req, chain, services.checker, gov.relayer, threading.Lock(), controls, worker=worker)
    assert queue.get(ONE_PERSON_ONE_VOTE, req.proof.nullifier) is None
    assert controls.budget.used(key) == 0
