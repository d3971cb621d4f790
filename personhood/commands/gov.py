"""`personhood gov propose|results|list`: open proposals on the deployed ballots and read their results.

The chain is `rpc_url` from the settings; the deployment file is what `personhood chain deploy --json`
printed (default `<data_dir>/deployment.json`, or `--deployment`). Results are the contract's tallies
next to a recount from the vote events; `results` also writes a PNG bar chart, or CSV with `--csv`.
A proposal's metadata (title, description, option labels; its keccak256 is the on-chain
descriptionHash) is kept in the governance database that `gov serve` reads with the same settings.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from governance.charts import bar_chart_png
from governance.errors import GovernanceError
from governance.metadata_publish import publish
from governance.proposals import BALLOT_KINDS, ONE_PERSON_ONE_VOTE, QUADRATIC
from governance.results_view import results_csv

from ..config import Settings
from .arg_types import proposal_id
from .chain_args import add_chain_arguments, open_chain
from .exit_codes import EXIT_OK, EXIT_REFUSED
from .gov_views import metadata_from_args, metadata_store, option_count, summary_json, summary_lines, views
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
    propose.add_argument("--options", type=int, help="number of options, 2..32 (default: one per label)")
    propose.add_argument("--title", help="title; with the labels and description, hashed on chain")
    propose.add_argument("--option-label", action="append", metavar="LABEL", help="one per option, in order")
    propose.add_argument("--description", help="text (alone: its keccak256 is stored on chain, no metadata)")
    propose.add_argument("--metadata", type=Path, help="metadata JSON file {title, description, options}")
    propose.add_argument(
        "--hide-results-until-close",
        dest="hide_results",
        action="store_true",
        help="our API, pages and CLI hide counts until voting closes (they stay public on chain)",
    )
    propose.add_argument("--start", type=int, help="unix time voting opens (default: now, chain time)")
    propose.add_argument("--duration", type=int, default=DEFAULT_DURATION_S, help="seconds voting stays open")
    propose.add_argument("--budget", type=int, help="quadratic: voice credits per voter")
    propose.set_defaults(handler=cmd_propose)
    results = sub.add_parser("results", help="tallies on chain and recounted from events, with a bar chart")
    results.add_argument("proposal_id", type=proposal_id, metavar="ID")
    results.add_argument("--ballot", choices=tuple(BALLOT_NAMES), default="1p1v")
    results.add_argument("--chart", type=Path, help="PNG to write (default: DATA_DIR/results-BALLOT-ID.png)")
    results.add_argument(
        "--csv", type=Path, metavar="FILE", help="write the results as CSV instead ('-': stdout)"
    )
    results.add_argument("--reveal", action="store_true", help="show counts the metadata hides until close")
    results.set_defaults(handler=cmd_results)
    listing = sub.add_parser("list", help="every proposal of both ballots: titles, dates, shares, turnout")
    listing.set_defaults(handler=cmd_list)
    serve = sub.add_parser("serve", help="serve /v1/verify, /v1/relay/vote and results pages over HTTP")
    serve.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: loopback only)")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(handler=cmd_serve)
    for action in (propose, results, listing):
        add_chain_arguments(action)


def cmd_propose(args: argparse.Namespace, settings: Settings) -> int:
    """Open the proposal, then store its metadata in the governance database (opened first, so a
    database that cannot be opened fails before any transaction)."""
    metadata = metadata_from_args(args)
    options = option_count(args, metadata)
    if args.duration <= 0:
        raise GovernanceError("--duration must be > 0 seconds")
    chain = open_chain(settings, args.deployment)
    ballot = BALLOT_NAMES[args.ballot]
    start = args.start if args.start is not None else chain.system.now()
    accounts = chain.system.unlocked_accounts()
    proposer = accounts[0] if accounts else None
    if proposer is None:
        raise GovernanceError("the node has no unlocked account to propose from")
    budget = args.budget if ballot == QUADRATIC else None
    described = args.description if metadata is None else metadata.digest()
    store = metadata_store(settings)
    try:
        proposal = chain.proposals.create(
            ballot, described, options, start, start + args.duration, proposer, budget
        )
        if metadata is not None:
            publish(chain.proposals, store, ballot, proposal.proposal_id, metadata)
        (view,) = views(chain, store, [chain.proposals.results(ballot, proposal.proposal_id)])
    finally:
        store.close()
    now = chain.system.now()
    emit(summary_json(view, now), args.json, "\n".join(summary_lines(view, now)))
    return EXIT_OK


def cmd_results(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when the contract's tallies equal the recount from events, 1 when they differ or the
    metadata hides the results until close (without --reveal)."""
    for flag, path in (("--chart", args.chart), ("--csv", args.csv)):
        if path is not None and str(path) != "-" and not path.parent.is_dir():
            raise UsageError(f"{flag}: directory {path.parent} does not exist")  # not created for you
    chain = open_chain(settings, args.deployment)
    ballot = BALLOT_NAMES[args.ballot]
    progress(f"recounting {ballot} proposal {args.proposal_id} from the event log")
    store = metadata_store(settings)
    try:
        (view,) = views(chain, store, [chain.proposals.results(ballot, args.proposal_id)])
    finally:
        store.close()
    now = chain.system.now()
    if view.hidden and args.reveal:
        view = dataclasses.replace(view, revealed=True)  # the tallies are public on chain anyway
    if view.hidden:
        emit(summary_json(view, now), args.json, "\n".join(summary_lines(view, now)))
        return EXIT_REFUSED
    if args.csv is not None:
        table = results_csv(view)
        if str(args.csv) == "-":
            print(table, end="")
        else:
            args.csv.write_text(table, encoding="utf-8", newline="")
            progress(f"wrote {args.csv}")
        return EXIT_OK if view.results.consistent else EXIT_REFUSED
    results = view.results
    chart = args.chart or settings.data_dir / f"results-{args.ballot}-{args.proposal_id}.png"
    chart.parent.mkdir(parents=True, exist_ok=True)  # our own data directory (a named one exists)
    labels = [view.metadata.label(i) for i in range(results.proposal.options)]
    chart.write_bytes(bar_chart_png(results.recount, view.title, labels=labels))
    lines = summary_lines(view, now)
    lines.append(
        "recount matches the contract" if results.consistent else "RECOUNT DIFFERS from the contract"
    )
    lines.append(f"chart: {chart}")
    emit({**summary_json(view, now), "chart": str(chart)}, args.json, "\n".join(lines))
    return EXIT_OK if results.consistent else EXIT_REFUSED


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    chain = open_chain(settings, args.deployment)
    now = chain.system.now()
    store = metadata_store(settings)
    try:
        found = views(chain, store, [r for b in BALLOT_KINDS for r in chain.proposals.all_results(b, now)])
    finally:
        store.close()
    text = "\n".join(line for v in found for line in summary_lines(v, now)) or "no proposals"
    emit({"proposals": [summary_json(v, now) for v in found]}, args.json, text)
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
