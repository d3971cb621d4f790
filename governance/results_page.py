"""Results per proposal: JSON (GET /v1/proposals/<ballot>/<id>/results), an HTML page with a bar chart
(GET /proposals/<ballot>/<id>) and the chart alone (…/chart.png), all from the chain: the contract's
tallies next to the recount from vote events, read once per block through a ResultsReader (paged,
incremental log scans; the chart rendered once per block)."""

from __future__ import annotations

import base64
import html

from flask import Blueprint, Response, current_app, jsonify

from .charts import bar_chart_png
from .errors import NotFoundError, UpstreamError
from .proposals import ProposalResults
from .results_cache import ResultsReader
from .services import current_services

blueprint = Blueprint("results_page", __name__)
UINT256_LIMIT = 2**256
READER_KEY = "personhood.results_reader"


def results_reader() -> ResultsReader:
    """The app's ResultsReader: the configured one, else one built over the app's chain (kept)."""
    services = current_services()
    if services.results_reader is not None:
        return services.results_reader
    chain = services.chain
    if chain is None:
        raise UpstreamError("this server has no chain configured")
    registry = chain.registry
    reader = ResultsReader(
        chain.proposals,
        registry.block_number,
        registry.block_timestamp,
        start_block=chain.deployment.start_block,
    )
    return current_app.extensions.setdefault(READER_KEY, reader)


def _results(ballot: str, proposal_id: int) -> ProposalResults:
    if proposal_id >= UINT256_LIMIT:
        raise NotFoundError(f"no proposal {proposal_id}: ids are uint256")
    return results_reader().results(ballot, proposal_id)[1]


def _chart(ballot: str, proposal_id: int) -> bytes:
    if proposal_id >= UINT256_LIMIT:
        raise NotFoundError(f"no proposal {proposal_id}: ids are uint256")
    return results_reader().chart(ballot, proposal_id, chart_for)


def chart_for(results: ProposalResults) -> bytes:
    """The bar chart of the recounted tallies."""
    p = results.proposal
    unit = "voice-credit votes" if p.ballot == "quadratic" else "votes"
    return bar_chart_png(results.recount, f"{p.ballot} proposal {p.proposal_id}", unit)


def render_html(results: ProposalResults, chart_png: bytes) -> str:
    """A self-contained HTML page (the chart inlined as a data URI)."""
    p = results.proposal
    rows = "".join(
        f"<tr><td>option {i}</td><td>{t}</td><td>{r}</td></tr>"
        for i, (t, r) in enumerate(zip(results.tallies, results.recount, strict=True))
    )
    status = "final" if results.final else "voting open"
    check = "match" if results.consistent else "DIFFER: the contract's counters disagree with the event log"
    image = base64.b64encode(chart_png).decode("ascii")
    title = html.escape(f"{p.ballot} proposal {p.proposal_id}")
    budget = f"<p>credit budget per voter: {p.budget}</p>" if p.budget is not None else ""
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head><body>"
        f"<h1>{title}</h1><p>{status}; window {p.start}–{p.end} (unix time)</p>{budget}"
        f"<img alt='bar chart of the results' src='data:image/png;base64,{image}'>"
        f"<table><tr><th>option</th><th>on chain</th><th>recount from events</th></tr>{rows}</table>"
        f"<p>on-chain tallies and recount: {html.escape(check)}</p></body></html>"
    )


@blueprint.get("/v1/proposals/<ballot>/<int:proposal_id>/results")
def results_json(ballot: str, proposal_id: int):
    """Results as JSON."""
    return jsonify(_results(ballot, proposal_id).to_json())


@blueprint.get("/proposals/<ballot>/<int:proposal_id>")
def results_html(ballot: str, proposal_id: int):
    """Results as an HTML page with a bar chart."""
    chart = _chart(ballot, proposal_id)
    return Response(render_html(_results(ballot, proposal_id), chart), mimetype="text/html")


@blueprint.get("/proposals/<ballot>/<int:proposal_id>/chart.png")
def results_chart(ballot: str, proposal_id: int):
    """The bar chart alone."""
    return Response(_chart(ballot, proposal_id), mimetype="image/png")
