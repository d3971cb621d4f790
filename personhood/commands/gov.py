"""`personhood gov propose|results|list`: open proposals on the deployed ballots and read their results.

The chain is `rpc_url` from the settings; the deployment file is what `personhood chain deploy --json`
printed (default `<data_dir>/deployment.json`, or `--deployment`). Results are the contract's tallies
next to a recount from the vote events; `results` also writes a PNG bar chart.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from governance.charts import bar_chart_png
from governance.errors import GovernanceError
from governance.proposals import BALLOT_KINDS, ONE_PERSON_ONE_VOTE, QUADRATIC, Proposal

from ..config import Settings
from .arg_types import proposal_id
from .chain_args import add_chain_arguments, open_chain
from .exit_codes import EXIT_OK, EXIT_REFUSED
from .output import emit, notice, progress
from .usage_error import UsageError

BALLOT_NAMES = {"1p1v": ONE_PERSON_ONE_VOTE, "quadratic": QUADRATIC}
DEFAULT_DURATION_S = 7 * 24 * 3600


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `gov` noun."""
    parser = subparsers.add_parser("gov", help="proposals and results on the deployed ballots")
    sub = parser.add_subparsers(dest="gov_command", metavar="ACTION", required=True)
    propose = sub.add_parser("propose", help="open a proposal (from the node's first unlocked account)")
    propose.add_argument("--ballot", choices=tuple(BALLOT_NAMES), default="1p1v")
    propose.add_argument("--options", type=int, required=True, help="number of options, 2..32")
    propose.add_argument("--description", required=True, help="text; its keccak256 is stored on chain")
    propose.add_argument("--start", type=int, help="unix time voting opens (default: now, chain time)")
    propose.add_argument("--duration", type=int, default=DEFAULT_DURATION_S, help="seconds voting stays open")
    propose.add_argument("--budget", type=int, help="quadratic: voice credits per voter")
    propose.set_defaults(handler=cmd_propose)
    results = sub.add_parser("results", help="tallies on chain and recounted from events, with a bar chart")
    results.add_argument("proposal_id", type=proposal_id, metavar="ID")
    results.add_argument("--ballot", choices=tuple(BALLOT_NAMES), default="1p1v")
    results.add_argument("--chart", type=Path, help="PNG to write (default: DATA_DIR/results-BALLOT-ID.png)")
    results.set_defaults(handler=cmd_results)
    listing = sub.add_parser("list", help="every proposal of both ballots")
    listing.set_defaults(handler=cmd_list)
    serve = sub.add_parser("serve", help="serve /v1/verify, /v1/relay/vote and results pages over HTTP")
    serve.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: loopback only)")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(handler=cmd_serve)
    for action in (propose, results, listing):
        add_chain_arguments(action)


def _describe(p: Proposal) -> str:
    budget = f", budget {p.budget}" if p.budget is not None else ""
    return f"{p.ballot} #{p.proposal_id}: {p.options} options, {p.start}..{p.end}{budget}"


def cmd_propose(args: argparse.Namespace, settings: Settings) -> int:
    chain = open_chain(settings, args.deployment)
    ballot = BALLOT_NAMES[args.ballot]
    start = args.start if args.start is not None else chain.system.now()
    if args.duration <= 0:
        raise GovernanceError("--duration must be > 0 seconds")
    accounts = chain.system.unlocked_accounts()
    proposer = accounts[0] if accounts else None
    if proposer is None:
        raise GovernanceError("the node has no unlocked account to propose from")
    budget = args.budget if ballot == QUADRATIC else None
    proposal = chain.proposals.create(
        ballot, args.description, args.options, start, start + args.duration, proposer, budget
    )
    emit(proposal.to_json(), args.json, _describe(proposal))
    return EXIT_OK


def cmd_results(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when the contract's tallies equal the recount from events, 1 when they differ."""
    if args.chart is not None and not args.chart.parent.is_dir():
        raise UsageError(f"--chart: directory {args.chart.parent} does not exist")  # not created for you
    chain = open_chain(settings, args.deployment)
    ballot = BALLOT_NAMES[args.ballot]
    progress(f"recounting {ballot} proposal {args.proposal_id} from the event log")
    results = chain.proposals.results(ballot, args.proposal_id)
    chart = args.chart or settings.data_dir / f"results-{args.ballot}-{args.proposal_id}.png"
    chart.parent.mkdir(parents=True, exist_ok=True)  # our own data directory (a named one exists)
    chart.write_bytes(bar_chart_png(results.recount, f"{ballot} proposal {args.proposal_id}"))
    lines = [_describe(results.proposal), *(f"option {i}: {n}" for i, n in enumerate(results.recount))]
    lines.append(
        "recount matches the contract" if results.consistent else "RECOUNT DIFFERS from the contract"
    )
    lines.append(f"chart: {chart}")
    emit({**results.to_json(), "chart": str(chart)}, args.json, "\n".join(lines))
    return EXIT_OK if results.consistent else EXIT_REFUSED


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    chain = open_chain(settings, args.deployment)
    proposals = [p for ballot in BALLOT_KINDS for p in chain.proposals.list(ballot)]
    text = "\n".join(_describe(p) for p in proposals) or "no proposals"
    emit({"proposals": [p.to_json() for p in proposals]}, args.json, text)
    return EXIT_OK


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Run the API on waitress (personhood/wsgi_server.py) until SIGTERM or Ctrl-C; running requests
    finish before it returns."""
    from ..app import create_app
    from ..wsgi_server import SERVER_SETTINGS, ServerLimits, serve

    app = create_app({"PERSONHOOD_SETTINGS": settings})
    limits = ServerLimits.from_settings(settings.given(SERVER_SETTINGS))
    serve(app, args.host, args.port, limits, lambda url: notice(f"serving the governance API on {url}"))
    return EXIT_OK
