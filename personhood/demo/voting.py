"""The demo's voting phase: two proposals (one person one vote, quadratic); each enrolled person proves
membership locally, against the group the indexer rebuilt from the registry's events, and sends only the
proof to the relayer over HTTP; one person then tries to vote a second time."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from governance import GroupIndexer, Proposal
from governance.proposals import ONE_PERSON_ONE_VOTE, QUADRATIC
from governance.voter import send_vote, vote_request
from zk_identity import LeanIMT, ProvingSetup, prove

from .local_chain import DemoChain
from .people import OPTIONS, QUADRATIC_BUDGET, Person

VOTING_WINDOW_S = 24 * 3600
Report = Callable[[str], None]


@dataclass(frozen=True)
class Ballots:
    """The two proposals the demo opens."""

    one_person_one_vote: Proposal
    quadratic: Proposal

    def of(self, ballot: str) -> Proposal:
        """The proposal on `ballot`."""
        return self.one_person_one_vote if ballot == ONE_PERSON_ONE_VOTE else self.quadratic


@dataclass(frozen=True)
class Voting:
    """What the relayer counted and refused."""

    counted: int
    refused: tuple[str, ...]  # error codes of votes that should have been counted
    double_votes_refused: int
    double_vote_error: str


def open_proposals(demo: DemoChain) -> Ballots:
    """Open a one-person-one-vote and a quadratic proposal, voting from now for a day."""
    book, now = demo.chain.proposals, demo.now()
    end = now + VOTING_WINDOW_S
    one = book.create(ONE_PERSON_ONE_VOTE, "Demo: where to build the well", OPTIONS, now, end, demo.owner)
    qv = book.create(
        QUADRATIC, "Demo: split the budget", OPTIONS, now, end, demo.owner, budget=QUADRATIC_BUDGET
    )
    return Ballots(one, qv)


def sync_group(demo: DemoChain, cache_file: Path) -> LeanIMT:
    """The group as a voter's phone rebuilds it: from MemberEnrolled/MemberRevoked events (the indexer
    checks the rebuilt root against the registry's currentRoot)."""
    return GroupIndexer(demo.chain.registry, cache_file).sync()


def cast_ballot(
    demo: DemoChain,
    proposal: Proposal,
    person: Person,
    group: LeanIMT,
    setup: ProvingSetup,
    api: str,
    option: int | None = None,
) -> tuple[int, dict]:
    """Prove locally and send the ballot to the relayer; (HTTP status, reply). `option` overrides the
    person's one-person-one-vote choice (the double vote uses another one)."""
    one = proposal.ballot == ONE_PERSON_ONE_VOTE
    choice = (person.option if option is None else option) if one else None
    client = demo.chain.proposals.client(proposal.ballot)
    # the circuit at the group's depth, which the relayer and the contracts require (Semaphore's default,
    # the Merkle path's length, is shorter for a promoted last leaf)
    prover = functools.partial(prove, depth=group.depth, setup=setup)
    request = vote_request(
        proposal,
        client.address,
        demo.chain.deployment.chain_id,
        person.identity,
        group,
        prover,
        choice,
        None if one else person.votes,
    )
    return send_vote(api, request)


def everyone_votes(
    demo: DemoChain,
    ballots: Ballots,
    voters: tuple[Person, ...],
    group: LeanIMT,
    setup: ProvingSetup,
    api: str,
    report: Report,
) -> Voting:
    """Each voter votes on both proposals; then the first voter tries the 1p1v proposal again."""
    counted, refused = 0, []
    for person in voters:
        for ballot in (ONE_PERSON_ONE_VOTE, QUADRATIC):
            status, reply = cast_ballot(demo, ballots.of(ballot), person, group, setup, api)
            if status == 200:
                counted += 1
            else:
                refused.append(str(reply.get("error", status)))
            what = f"option {person.option}" if ballot == ONE_PERSON_ONE_VOTE else f"votes {person.votes}"
            verdict = "counted" if status == 200 else f"REFUSED ({status}): {reply.get('message')}"
            report(f"  {person.name} on the {ballot} proposal, {what}: {verdict}")
    again = voters[0]
    other = (again.option + 1) % OPTIONS
    status, reply = cast_ballot(demo, ballots.one_person_one_vote, again, group, setup, api, option=other)
    verdict = "counted (!)" if status == 200 else f"refused ({status}): {reply.get('message')}"
    report(f"  {again.name} tries to vote again, for option {other}, with a fresh proof: {verdict}")
    double_refused = int(status != 200)
    return Voting(counted, tuple(refused), double_refused, str(reply.get("error", "")))
