"""The voter's client: prove a ballot on the voter's own machine and send only the proof to a relayer.

Used by `personhood vote` and by the demo, so a ballot is built one way: the message from the chosen
option or vote vector (`vote_message`), the scope from the ballot contract, chain id and proposal id
(`contracts.ballot_scope`, as the contracts compute it), the proof from the voter's secret.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from contracts import ballot_scope
from zk_identity import Identity, LeanIMT, MembershipProof

from .http_client import post_json
from .proposals import ONE_PERSON_ONE_VOTE, Proposal, vote_message
from .requests import VoteRequest

# prover(identity, group, message, scope) -> proof; e.g. functools.partial(zk_identity.prove, setup=...)
Prover = Callable[[Identity, LeanIMT, int, int], MembershipProof]
RELAY_PATH = "/v1/relay/vote"


def vote_request(
    proposal: Proposal,
    ballot_address: str,
    chain_id: int,
    identity: Identity,
    group: LeanIMT,
    prover: Prover,
    option: int | None = None,
    votes: Sequence[int] | None = None,
) -> VoteRequest:
    """A proven ballot for `proposal`: `option` on a one-person-one-vote ballot, `votes` on a quadratic one.

    Raises RequestError for a choice the proposal cannot take (see `vote_message`) and whatever the
    prover raises (e.g. ProverError when `identity` is not in `group`).
    """
    message = vote_message(proposal, option, votes)
    scope = ballot_scope(chain_id, ballot_address, proposal.proposal_id)
    proof = prover(identity, group, message, scope)
    if proposal.ballot == ONE_PERSON_ONE_VOTE:
        return VoteRequest(proposal.ballot, proposal.proposal_id, option, None, proof)
    return VoteRequest(proposal.ballot, proposal.proposal_id, None, tuple(votes or ()), proof)


def send_vote(relayer_url: str, request: VoteRequest) -> tuple[int, dict]:
    """POST the ballot to the relayer at `relayer_url`; (HTTP status, JSON reply). UpstreamError when
    nothing answers."""
    return post_json(relayer_url.rstrip("/") + RELAY_PATH, request.to_json())
