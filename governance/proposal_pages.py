"""The HTML pages of proposals: the index (/proposals), one proposal's results with its verified
metadata, shares, turnout and bar chart (/proposals/<ballot>/<id>), and the chart alone (…/chart.png).

Errors on these routes are HTML pages (governance.html_errors), also for a path under /proposals that
names no page; the /v1 routes keep JSON. Every text from metadata is HTML-escaped.
"""

from __future__ import annotations

import base64
import html

from flask import Blueprint, Response

from contracts import ChainError

from .charts import bar_chart_png
from .errors import NotFoundError, UpstreamError
from .html_errors import PAGE_STYLE, html_error
from .metadata_publish import MISSING, UNVERIFIED, MetadataView
from .proposal_reads import chain_now, checked_id, metadata_of, require_shown, results_reader, results_view
from .proposals import BALLOT_KINDS, QUADRATIC, Proposal
from .results_view import CLOSED, OPEN, UPCOMING, ResultsView, human_time, turnout_percent, window_state
from .services import current_services

blueprint = Blueprint("proposal_pages", __name__)
blueprint.register_error_handler(Exception, html_error)


def _page(title: str, body: str) -> Response:
    return Response(
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{PAGE_STYLE}</style></head><body><main>{body}</main></body></html>",
        mimetype="text/html",
    )


def metadata_note(meta: MetadataView) -> str:
    """One line saying whether the text shown is what the proposal committed to on chain."""
    digest = html.escape(meta.description_hash)
    if meta.status == MISSING:
        return (
            f"<p class='warn'>Metadata missing: nothing published here hashes to the on-chain "
            f"descriptionHash <code>{digest}</code>; options are shown by number.</p>"
        )
    if meta.status == UNVERIFIED:
        return (
            f"<p class='warn'>Metadata unverified: the stored text does not hash to the on-chain "
            f"descriptionHash <code>{digest}</code>, so it is not shown.</p>"
        )
    return (
        f"<p class='note'>Metadata verified against the on-chain descriptionHash <code>{digest}</code>.</p>"
    )


def chart_for(view: ResultsView) -> bytes:
    """The bar chart of the recounted tallies, bars labelled with the options' labels."""
    p = view.results.proposal
    unit = "voice-credit votes" if p.ballot == QUADRATIC else "votes"
    labels = [view.metadata.label(i) for i in range(p.options)]
    return bar_chart_png(view.results.recount, view.title, unit, labels)


STATES = {UPCOMING: "voting not open yet", OPEN: "voting open", CLOSED: "voting closed"}


def _chart(view: ResultsView) -> bytes:
    p = view.results.proposal
    labels = tuple(view.metadata.label(i) for i in range(p.options))
    return results_reader().chart(p.ballot, p.proposal_id, lambda _r: chart_for(view), (view.title, labels))


def render_results(view: ResultsView, chart_png: bytes | None, now: int) -> str:
    """The body of a proposal's page at chain time `now`; `chart_png` is None while results are hidden."""
    r, p, meta = view.results, view.results.proposal, view.metadata
    state = STATES[window_state(p, now)]
    parts = [
        f"<h1>{html.escape(view.title)}</h1>",
        f"<p class='note'>{p.ballot} ballot, proposal {p.proposal_id}: {state}; "
        f"votes from {human_time(p.start)} to {human_time(p.end)}</p>",
        metadata_note(meta),
    ]
    if meta.metadata is not None and meta.metadata.description:
        parts.append(f"<pre>{html.escape(meta.metadata.description)}</pre>")
    if p.budget is not None:
        parts.append(f"<p>Credit budget per voter: {p.budget}</p>")
    if chart_png is None:
        parts.append(
            f"<p class='warn'>Results are hidden until voting closes ({human_time(p.end)}), as the "
            "proposal's metadata asks. This server hides them; the chain does not: the contract's "
            "tallies and every vote event are public while voting is open.</p>"
        )
        return "".join(parts)
    rows = "".join(
        f"<tr><td>{i}</td><td>{html.escape(label)}</td><td class='n'>{t}</td><td class='n'>{c}</td>"
        f"<td class='n'>{s:.2f}%</td></tr>"
        for i, label, t, c, s in view.rows()
    )
    turnout = turnout_percent(r.ballots, view.group_size)
    share = "n/a" if turnout is None else f"{turnout:.2f}%"
    check = "match" if r.consistent else "DIFFER: the contract's counters disagree with the event log"
    image = base64.b64encode(chart_png).decode("ascii")
    csv_path = f"/v1/proposals/{p.ballot}/{p.proposal_id}/results.csv"
    parts += [
        f"<img alt='bar chart of the results' src='data:image/png;base64,{image}'>",
        "<table><tr><th>#</th><th>option</th><th>on chain</th><th>recount from events</th>"
        "<th>share</th></tr>",
        f"{rows}</table>",
        f"<p>Turnout: {r.ballots} ballots of {view.group_size} members in the group ({share}); the group "
        "is every leaf the registry holds now, revoked ones included.</p>",
        f"<p>On-chain tallies and recount: {html.escape(check)}. <a href='{csv_path}'>CSV</a></p>",
    ]
    return "".join(parts)


def _index_row(proposal: Proposal, now: int) -> str:
    meta = metadata_of(proposal)
    title = (
        meta.metadata.title
        if meta.metadata is not None
        else f"{proposal.ballot} proposal {proposal.proposal_id} (metadata {meta.status})"
    )
    href = f"/proposals/{proposal.ballot}/{proposal.proposal_id}"
    return (
        f"<tr><td><a href='{href}'>{html.escape(title)}</a></td><td>{proposal.ballot}</td>"
        f"<td class='n'>{proposal.proposal_id}</td><td>{window_state(proposal, now)}</td>"
        f"<td>{human_time(proposal.start)}</td><td>{human_time(proposal.end)}</td></tr>"
    )


@blueprint.get("/proposals")
def index():
    """Every proposal of both ballots, newest first, with its title when its metadata is verified."""
    chain = current_services().chain
    if chain is None:
        raise UpstreamError("this server has no chain configured")
    try:
        found = [p for ballot in BALLOT_KINDS for p in chain.proposals.list(ballot)]
        now = chain.system.now()
    except ChainError as e:
        raise UpstreamError(f"the chain could not be read: {e}") from e
    found.sort(key=lambda p: (p.start, p.proposal_id), reverse=True)
    rows = "".join(_index_row(p, now) for p in found)
    table = (
        "<table><tr><th>title</th><th>ballot</th><th>id</th><th>voting</th><th>opens</th><th>closes</th></tr>"
        f"{rows}</table>"
        if found
        else "<p>No proposals yet.</p>"
    )
    return _page("Proposals", f"<h1>Proposals</h1><p class='note'>Times are UTC (chain time).</p>{table}")


@blueprint.get("/proposals/<ballot>/<int:proposal_id>")
def results_html(ballot: str, proposal_id: int):
    """Results as an HTML page with a bar chart (or the hidden notice)."""
    view = results_view(ballot, proposal_id)
    chart = None if view.hidden else _chart(view)
    return _page(view.title, render_results(view, chart, chain_now()))


@blueprint.get("/proposals/<ballot>/<int:proposal_id>/chart.png")
def results_chart(ballot: str, proposal_id: int):
    """The bar chart alone; 403 while the results are hidden."""
    view = require_shown(results_view(ballot, checked_id(proposal_id)))
    return Response(_chart(view), mimetype="image/png")


@blueprint.get("/proposals/<path:rest>")
def no_page(rest: str):
    """Any other path under /proposals (a negative or non-numeric id, a typo): an HTML 404."""
    raise NotFoundError(f"there is no page /proposals/{rest}")
