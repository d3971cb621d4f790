"""`personhood vote ID --option K` (one person, one vote) or `--votes 3,1,0` (quadratic): prove locally,
submit through the relayer's HTTP API.

The group comes from the registry's events through the indexer (cached in DATA_DIR), the proof is made
on this machine (the secret never leaves it) and only the proof goes to the relayer, which sends the
transaction from its own account: the voter's address never touches the vote.
Exit 0 counted, 1 refused by the relayer (already voted, closed, ...), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import functools
from pathlib import Path

from governance import GroupIndexer
from governance.errors import GovernanceError, RequestError
from governance.proposals import ONE_PERSON_ONE_VOTE, QUADRATIC
from governance.voter import send_vote, vote_request
from zk_identity import prove

from ..config import Settings
from .arg_types import proposal_id
from .chain_args import add_chain_arguments, open_chain
from .exit_codes import EXIT_OK, EXIT_REFUSED
from .key_file import KEY_FILE_NAME, read_key_file
from .output import emit, progress


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `vote` noun."""
    parser = subparsers.add_parser("vote", help="vote anonymously on a proposal through the relayer")
    parser.add_argument("proposal_id", type=proposal_id, metavar="ID")
    choice = parser.add_mutually_exclusive_group(required=True)
    choice.add_argument("--option", type=int, help="one-person-one-vote: the option index")
    choice.add_argument("--votes", help="quadratic: votes per option, e.g. 3,1,0")
    parser.add_argument("--identity", type=Path, help=f"key file (default: DATA_DIR/{KEY_FILE_NAME})")
    parser.add_argument(
        "--relayer", help="relayer base URL (default: the relayer_url setting, http://127.0.0.1:8000)"
    )
    add_chain_arguments(parser)
    parser.set_defaults(handler=cmd_vote)


def parse_votes(text: str) -> tuple[int, ...]:
    """ "3,1,0" -> (3, 1, 0); RequestError for anything but non-negative integers."""
    try:
        votes = tuple(int(part) for part in text.split(","))
    except ValueError as e:
        raise RequestError(f"--votes must be comma-separated integers, got {text!r}") from e
    if any(v < 0 for v in votes):
        raise RequestError("--votes must be non-negative")
    return votes


def cmd_vote(args: argparse.Namespace, settings: Settings) -> int:
    identity = read_key_file(args.identity or settings.data_dir / KEY_FILE_NAME)
    ballot = ONE_PERSON_ONE_VOTE if args.option is not None else QUADRATIC
    votes = parse_votes(args.votes) if args.votes is not None else None
    chain = open_chain(settings, args.deployment)
    proposal = chain.proposals.get(ballot, args.proposal_id)
    client = chain.proposals.client(ballot)
    progress("syncing the group from the registry's events")
    cache = settings.data_dir / f"group-{chain.deployment.chain_id}-{chain.registry.address}.json"
    group = GroupIndexer(chain.registry, cache).sync()
    if identity.commitment not in group:
        raise GovernanceError("this identity is not enrolled (or was revoked) in the registry's group")
    progress(f"proving membership at depth {group.depth} (local; the secret stays here)")
    prover = functools.partial(prove, setup=settings.proving_setup())
    request = vote_request(
        proposal, client.address, chain.deployment.chain_id, identity, group, prover, args.option, votes
    )
    status, reply = send_vote(args.relayer or settings.relayer_url, request)
    if status == 202:  # sent, not yet mined: the same command again waits for it (no second transaction)
        tx = reply["txHash"]
        text = f"vote sent in transaction {tx}, not yet mined; run the same command again for the outcome"
        emit(reply, args.json, text)
        return EXIT_OK
    if status != 200:
        emit({"status": status, **reply}, args.json, f"refused ({status}): {reply.get('message', reply)}")
        return EXIT_REFUSED
    emit(reply, args.json, f"vote counted in transaction {reply['txHash']}")
    return EXIT_OK
