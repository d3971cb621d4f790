"""What `personhood gov` prints about proposals: metadata from the flags or a file, results joined with
the verified metadata kept in the governance database (the one `gov serve` reads with the same
settings), and the text lines for people."""

from __future__ import annotations

import argparse

from governance.metadata_publish import lookup
from governance.metadata_store import MetadataStore
from governance.nullifier_store import sqlite_url
from governance.proposal_metadata import ProposalMetadata
from governance.proposals import ProposalResults
from governance.results_view import ResultsView, human_time, turnout_percent, window_state
from governance.services import Chain

from ..config import Settings
from .usage_error import UsageError

MAX_METADATA_FILE_BYTES = 64 * 1024


def metadata_store(settings: Settings) -> MetadataStore:
    """The governance database's metadata store (`database_url`, else SQLite in the data directory)."""
    return MetadataStore.from_url(settings.database_url or sqlite_url(settings.data_dir))


def metadata_from_args(args: argparse.Namespace) -> ProposalMetadata | None:
    """The metadata `gov propose` was given (--metadata FILE, or --title with labels), or None for a bare
    --description; UsageError for flags that do not go together."""
    labels = tuple(args.option_label or ())
    if args.metadata is not None:
        if args.title or labels or args.description is not None or args.hide_results:
            raise UsageError("--metadata FILE holds the title, description and labels: give no other of them")
        try:
            with args.metadata.open("rb") as f:
                data = f.read(MAX_METADATA_FILE_BYTES + 1)
        except OSError as e:
            raise UsageError(f"--metadata: cannot read {args.metadata}: {e.strerror}") from e
        return ProposalMetadata.from_bytes(data)
    if args.title is None:
        if labels or args.hide_results:
            raise UsageError("--option-label and --hide-results-until-close need --title")
        if args.description is None:
            raise UsageError(
                "give --title (with --option-label per option), --metadata FILE or --description"
            )
        return None
    if not labels:
        if args.options is None:
            raise UsageError("give --option-label once per option (or --options N for numbered options)")
        labels = tuple(f"option {i}" for i in range(args.options))
    return ProposalMetadata(args.title, args.description or "", labels, args.hide_results)


def option_count(args: argparse.Namespace, metadata: ProposalMetadata | None) -> int:
    """--options, or the number of labels; UsageError when they disagree or neither is given."""
    if metadata is None:
        if args.options is None:
            raise UsageError("--options N is needed with a bare --description")
        return args.options
    if args.options is not None and args.options != len(metadata.options):
        raise UsageError(f"--options {args.options} but {len(metadata.options)} option labels")
    return len(metadata.options)


def views(chain: Chain, store: MetadataStore, results: list[ProposalResults]) -> list[ResultsView]:
    """Each result joined with its verified metadata and the group's size now."""
    size = chain.registry.size()
    return [ResultsView(r, lookup(chain.proposals, store, r.proposal), size) for r in results]


def summary_json(view: ResultsView, now: int) -> dict[str, object]:
    """The JSON of one proposal in `gov list`/`gov results`: the API's results object plus its state."""
    return {**view.to_json(), "state": window_state(view.results.proposal, now)}


def summary_lines(view: ResultsView, now: int) -> list[str]:
    """A proposal for people: title, window in UTC, metadata status, then shares and turnout."""
    r, p = view.results, view.results.proposal
    budget = f", budget {p.budget}" if p.budget is not None else ""
    lines = [
        f"{p.ballot} #{p.proposal_id}: {view.title}",
        f"  {window_state(p, now)}: {human_time(p.start)} .. {human_time(p.end)}; "
        f"{p.options} options{budget}; metadata {view.metadata.status}",
    ]
    if view.hidden:
        lines.append(f"  results hidden until voting closes ({human_time(p.end)}); they are public on chain")
        return lines
    for option, label, _tally, counted, share in view.rows():
        lines.append(f"  {option} {label}: {counted} ({share:.2f}%)")
    turnout = turnout_percent(r.ballots, view.group_size)
    share = "n/a" if turnout is None else f"{turnout:.2f}%"
    lines.append(f"  turnout {r.ballots}/{view.group_size} group members ({share})")
    return lines
