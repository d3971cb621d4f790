"""POST /v1/relay/vote on anvil: a valid ballot is mined from the relayer's account and counted; double
votes, wrong options, unknown proposals and junk are refused before any gas is spent; rate limit."""

from __future__ import annotations

import dataclasses
import threading

import pytest

from governance import RateLimit, RateLimiter
from governance.proposals import ONE_PERSON_ONE_VOTE, QUADRATIC
from personhood.app import create_app
from zk_identity import LeanIMT, ProvingSetup, prove

from .conftest import MEMBERS, QV_VOTES, YEAR

pytestmark = [pytest.mark.slow, pytest.mark.node]


def vote_body(gov, option: int = 2, **changes) -> dict:
    return {
        "ballot": ONE_PERSON_ONE_VOTE,
        "proposalId": gov.proposals["open"],
        "option": option,
        "proof": gov.proofs["vote"].to_json(),
        **changes,
    }


def qv_body(gov, votes=QV_VOTES) -> dict:
    return {
        "ballot": QUADRATIC,
        "proposalId": gov.proposals["qv"],
        "votes": list(votes),
        "proof": gov.proofs["qv"].to_json(),
    }


def relayer_nonce(gov) -> int:
    return gov.w3.eth.get_transaction_count(gov.relayer.address)


def test_a_valid_vote_is_mined_from_the_relayers_account_and_counted(gov_chain, client):
    gov = gov_chain
    before = relayer_nonce(gov)
    response = client.post("/v1/relay/vote", json=vote_body(gov))
    assert response.status_code == 200, response.json
    tx = gov.w3.eth.get_transaction(response.json["txHash"])
    assert tx["from"] == gov.relayer.address and tx["to"] == gov.deployment.one_person_one_vote
    assert tx["gas"] >= 1_000_000  # explicit limit for the pairing (TOOLCHAIN.md)
    assert relayer_nonce(gov) == before + 1
    assert gov.tallies(ONE_PERSON_ONE_VOTE, gov.proposals["open"]) == [0, 0, 1]


def test_a_double_vote_is_refused_with_409_and_the_tally_is_unchanged(gov_chain, client):
    gov = gov_chain
    assert client.post("/v1/relay/vote", json=vote_body(gov)).status_code == 200
    nonce = relayer_nonce(gov)
    again = client.post("/v1/relay/vote", json=vote_body(gov))
    assert again.status_code == 409
    assert again.json["error"] == "nullifier_used"
    assert relayer_nonce(gov) == nonce  # nothing was sent
    assert gov.tallies(ONE_PERSON_ONE_VOTE, gov.proposals["open"]) == [0, 0, 1]


def test_a_quadratic_ballot_is_relayed_and_counted(gov_chain, client):
    gov = gov_chain
    response = client.post("/v1/relay/vote", json=qv_body(gov))
    assert response.status_code == 200, response.json
    assert gov.tallies(QUADRATIC, gov.proposals["qv"]) == list(QV_VOTES)


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"option": 1}, 400, "wrong_message"),  # the proof is for option 2
        ({"option": 3}, 400, "invalid_option"),  # the proposal has 3 options
        ({"proposalId": 999}, 404, "not_found"),
        ({"proposalId": 2**256}, 400, "out_of_range"),
        ({"proposalId": -1}, 400, "out_of_range"),
        ({"proposalId": "7"}, 404, "not_found"),  # decimal strings are accepted as ids
        ({"ballot": "ranked"}, 400, "unknown_ballot"),
        ({"votes": [1, 2]}, 400, "missing_field"),  # 1p1v takes option, not votes
    ],
)
def test_bad_votes_are_refused_before_any_gas_is_spent(gov_chain, client, change, status, code):
    gov = gov_chain
    nonce = relayer_nonce(gov)
    response = client.post("/v1/relay/vote", json=vote_body(gov, **change))
    assert response.status_code == status, response.json
    assert response.json["error"] == code
    assert relayer_nonce(gov) == nonce
    assert gov.tallies(ONE_PERSON_ONE_VOTE, gov.proposals["open"]) == [0, 0, 0]


def test_a_proof_for_another_proposal_is_refused(gov_chain, client):
    gov = gov_chain
    body = vote_body(gov, proposalId=gov.proposals["cli"], option=0)
    body["proof"]["message"] = "0"
    response = client.post("/v1/relay/vote", json=body)
    assert response.status_code == 400 and response.json["error"] == "wrong_scope"


@pytest.mark.parametrize(("votes", "code"), [((10, 1, 0), "over_budget"), ((3, 1), "invalid_option")])
def test_quadratic_ballots_over_budget_or_of_the_wrong_length_are_refused(gov_chain, client, votes, code):
    gov = gov_chain
    response = client.post("/v1/relay/vote", json=qv_body(gov, votes))
    assert response.status_code == 400 and response.json["error"] == code
    assert gov.tallies(QUADRATIC, gov.proposals["qv"]) == [0, 0, 0]


def test_the_relayer_rate_limits_per_client(gov, services):
    limited = dataclasses.replace(services, rate_limiter=RateLimiter(RateLimit(requests=2, window_s=3600)))
    client = create_app({"PERSONHOOD_SERVICES": limited}).test_client()
    junk = {"ballot": "nope"}
    statuses = [client.post("/v1/relay/vote", json=junk).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]
    other = client.post("/v1/relay/vote", json=junk, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 400  # another client has its own budget
    last = client.post("/v1/relay/vote", json=junk)
    assert last.json["error"] == "rate_limited" and int(last.headers["Retry-After"]) >= 1


def test_concurrent_double_votes_are_counted_once(gov_chain, services):
    gov = gov_chain
    app = create_app({"PERSONHOOD_SERVICES": services})
    statuses: list[int] = []
    barrier, lock = threading.Barrier(4), threading.Lock()

    def vote() -> None:
        client = app.test_client()
        barrier.wait()
        status = client.post("/v1/relay/vote", json=vote_body(gov)).status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=vote) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses) == [200, 409, 409, 409]
    assert gov.tallies(ONE_PERSON_ONE_VOTE, gov.proposals["open"]) == [0, 0, 1]


def test_an_oversized_body_is_refused_with_413(client):
    response = client.post(
        "/v1/relay/vote", data=b"{" + b" " * 70_000 + b"}", content_type="application/json"
    )
    assert response.status_code == 413 and response.json["error"] == "body_too_large"


def test_a_vote_before_the_window_opens_is_refused_without_gas(gov_chain, client):
    gov = gov_chain
    now = gov.now()
    future = gov.chain.proposals.create(
        ONE_PERSON_ONE_VOTE, "Later", 2, now + YEAR, now + 2 * YEAR, gov.owner
    )
    group = LeanIMT(i.commitment for i in gov.identities[:MEMBERS])
    scope = gov.chain.proposals.client(ONE_PERSON_ONE_VOTE).scope(future.proposal_id)
    proof = prove(gov.identities[0], group, 1, scope, setup=ProvingSetup(pool=gov.pool))
    nonce = relayer_nonce(gov)
    body = {
        "ballot": ONE_PERSON_ONE_VOTE,
        "proposalId": future.proposal_id,
        "option": 1,
        "proof": proof.to_json(),
    }
    response = client.post("/v1/relay/vote", json=body)
    assert response.status_code == 400 and response.json["error"] == "voting_closed"
    assert relayer_nonce(gov) == nonce
