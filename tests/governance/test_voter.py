"""The voter's client (governance/voter.py): the ballot it proves is the one the relayer parses and the
contracts count; VoteRequest.to_json is parse_vote's inverse."""

from __future__ import annotations

import functools

import pytest

from governance import parse_vote
from governance.proposals import ONE_PERSON_ONE_VOTE, QUADRATIC
from governance.voter import vote_request
from zk_identity import LeanIMT, ProvingSetup, prove

from .conftest import MEMBERS, QV_VOTES

pytestmark = [pytest.mark.slow, pytest.mark.node]


def _group(gov) -> LeanIMT:
    return LeanIMT(i.commitment for i in gov.identities[:MEMBERS])


def test_a_ballot_from_the_voter_client_is_parsed_back_and_counted(gov, client) -> None:
    book = gov.chain.proposals
    proposal = book.get(ONE_PERSON_ONE_VOTE, gov.proposals["open"])
    address = book.client(ONE_PERSON_ONE_VOTE).address
    prover = functools.partial(prove, setup=ProvingSetup(pool=gov.pool))
    request = vote_request(
        proposal, address, gov.deployment.chain_id, gov.identities[3], _group(gov), prover, 1
    )
    assert parse_vote(request.to_json()) == request
    before = gov.tallies(ONE_PERSON_ONE_VOTE, proposal.proposal_id)
    response = client.post("/v1/relay/vote", json=request.to_json())
    assert response.status_code == 200, response.get_json()
    after = gov.tallies(ONE_PERSON_ONE_VOTE, proposal.proposal_id)
    assert [b - a for a, b in zip(before, after, strict=True)] == [0, 1, 0]


def test_a_quadratic_request_round_trips(gov) -> None:
    proposal = gov.chain.proposals.get(QUADRATIC, gov.proposals["qv"])
    address = gov.chain.proposals.client(QUADRATIC).address

    def reuse_fixture_proof(identity, group, message, scope):
        proof = gov.proofs["qv"]
        assert (proof.message, proof.scope) == (message, scope)  # the client encodes as the fixture did
        return proof

    request = vote_request(
        proposal, address, gov.deployment.chain_id, gov.identities[2], _group(gov), reuse_fixture_proof,
        votes=QV_VOTES,
    )  # fmt: skip
    assert request.votes == QV_VOTES and request.option is None
    assert parse_vote(request.to_json()) == request
