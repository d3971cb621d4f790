"""Results as people read them (pure, no I/O): UTC dates, each option's share, turnout, the voting
window's state, a CSV table, and the public JSON with hiding applied.

Turnout is ballots counted / the group's size, where the group's size is the registry's `size()` read
with the results: every leaf ever enrolled, revoked leaves included (they stay in the tree as zeros),
members enrolled after the vote opened included (a proof against any root still in the registry's
window counts). So it is a lower bound on the share of eligible people who voted.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime

from .metadata_publish import MetadataView
from .proposals import Proposal, ProposalResults

UPCOMING, OPEN, CLOSED = "upcoming", "open", "closed"


def human_time(unix: int) -> str:
    """`2026-12-04 20:48:09 UTC` for a unix time in seconds."""
    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def window_state(proposal: Proposal, now: int) -> str:
    """upcoming / open / closed at chain time `now` (the contract's inclusive window)."""
    if now < proposal.start:
        return UPCOMING
    return OPEN if now <= proposal.end else CLOSED


def shares(counts: tuple[int, ...]) -> tuple[float, ...]:
    """Each count as a percentage of their sum, rounded to 0.01; all zeros when nothing was counted."""
    total = sum(counts)
    return tuple(round(100 * c / total, 2) if total else 0.0 for c in counts)


def turnout_percent(ballots: int, group_size: int) -> float | None:
    """ballots / group_size as a percentage rounded to 0.01; None for an empty group."""
    return round(100 * ballots / group_size, 2) if group_size > 0 else None


@dataclass(frozen=True)
class ResultsView:
    """One proposal's results with its metadata, the group's size and whether hiding applies."""

    results: ProposalResults
    metadata: MetadataView
    group_size: int
    revealed: bool = False  # the CLI's --reveal: the reader chose to see what is public on chain

    @property
    def hidden(self) -> bool:
        """True while verified metadata asks to hide results and voting has not closed."""
        return self.metadata.hidden_until_close and not self.results.final and not self.revealed

    @property
    def title(self) -> str:
        p = self.results.proposal
        meta = self.metadata.metadata
        return meta.title if meta is not None else f"{p.ballot} proposal {p.proposal_id}"

    def rows(self) -> list[tuple[int, str, int, int, float]]:
        """(option, label, on-chain tally, recount, share of the recount in %) per option."""
        r = self.results
        return [
            (i, self.metadata.label(i), t, c, s)
            for i, (t, c, s) in enumerate(zip(r.tallies, r.recount, shares(r.recount), strict=True))
        ]

    def to_json(self) -> dict[str, object]:
        """The API's results object; while hidden, the counts, shares and ballot count are null."""
        p = self.results.proposal
        body: dict[str, object] = {
            **self.results.to_json(),
            **self.metadata.to_json(),
            "title": self.title,
            "labels": [self.metadata.label(i) for i in range(p.options)],
            "startTime": human_time(p.start),
            "endTime": human_time(p.end),
            "hidden": self.hidden,
            "groupSize": self.group_size,
            "percentages": list(shares(self.results.recount)),
            "turnout": turnout_percent(self.results.ballots, self.group_size),
        }
        if self.hidden:
            for key in ("tallies", "recount", "consistent", "percentages", "turnout", "ballots"):
                body[key] = None
        return body


def results_csv(view: ResultsView) -> str:
    """The results table as CSV (RFC 4180, CRLF rows): option, label, on_chain, recount, percent."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("option", "label", "on_chain", "recount", "percent"))
    for option, label, tally, counted, share in view.rows():
        writer.writerow((option, _no_formula(label), tally, counted, f"{share:.2f}"))
    return out.getvalue()


def _no_formula(text: str) -> str:
    # A label is anyone's text: a leading = + - @ would run as a formula in a spreadsheet (OWASP CSV
    # injection), so it is shown as text with a leading apostrophe.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
