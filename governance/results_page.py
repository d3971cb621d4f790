"""Results and metadata per proposal over the JSON API, and the HTML pages nested in this blueprint.

GET /v1/proposals lists both ballots' proposals with their metadata status and title;
GET /v1/proposals/<ballot>/<id>/results gives the contract's tallies next to the recount from vote
events, shares, turnout and the verified metadata (counts null while hidden);
GET …/results.csv the same table as CSV (403 `results_hidden` while hidden);
GET and POST …/metadata read and publish the proposal's metadata: a POST is stored only when the
metadata hashes to the proposal's on-chain descriptionHash (409 `metadata_mismatch` otherwise), so
each proposal holds at most one body and a POST needs no rate limit beyond the chain's gas.
All reads come from the chain once per block through a ResultsReader (paged, incremental log scans).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from contracts import ChainError

from . import proposal_pages
from .errors import UpstreamError
from .json_body import read_json
from .metadata_publish import publish
from .proposal_metadata import ProposalMetadata
from .proposal_reads import chain_now, checked_id, metadata_of, metadata_store, require_shown, results_view
from .proposals import BALLOT_KINDS
from .results_view import results_csv, window_state
from .services import current_services

blueprint = Blueprint("results_page", __name__)
blueprint.register_blueprint(proposal_pages.blueprint)  # its own HTML error handler applies to its routes


def _chain():
    chain = current_services().chain
    if chain is None:
        raise UpstreamError("this server has no chain configured")
    return chain


@blueprint.get("/v1/proposals")
def proposals_json():
    """Every proposal of both ballots with its metadata status and title (null unless verified)."""
    try:
        found = [p for ballot in BALLOT_KINDS for p in _chain().proposals.list(ballot)]
    except ChainError as e:
        raise UpstreamError(f"the chain could not be read: {e}") from e
    listed = []
    for proposal in found:
        meta = metadata_of(proposal)
        title = None if meta.metadata is None else meta.metadata.title
        listed.append({**proposal.to_json(), "metadataStatus": meta.status, "title": title})
    return jsonify({"proposals": listed})


@blueprint.get("/v1/proposals/<ballot>/<int:proposal_id>/results")
def results_json(ballot: str, proposal_id: int):
    """Results as JSON (counts null while hidden), with the window's state at chain time."""
    view = results_view(ballot, proposal_id)
    return jsonify({**view.to_json(), "state": window_state(view.results.proposal, chain_now())})


@blueprint.get("/v1/proposals/<ballot>/<int:proposal_id>/results.csv")
def results_csv_file(ballot: str, proposal_id: int):
    """Results as CSV; 403 results_hidden while hidden."""
    view = require_shown(results_view(ballot, proposal_id))
    name = f"results-{ballot}-{proposal_id}.csv"
    return Response(
        results_csv(view),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )


@blueprint.get("/v1/proposals/<ballot>/<int:proposal_id>/metadata")
def metadata_json(ballot: str, proposal_id: int):
    """The proposal's metadata view: status, on-chain hash, metadata (null unless verified)."""
    proposal = _chain().proposals.get(ballot, checked_id(proposal_id))
    return jsonify(metadata_of(proposal).to_json())


@blueprint.post("/v1/proposals/<ballot>/<int:proposal_id>/metadata")
def metadata_publish(ballot: str, proposal_id: int):
    """Publish metadata: 201 stored, 200 already stored, 409 when it does not hash to the chain's."""
    metadata = ProposalMetadata.from_json(read_json(request))
    book = _chain().proposals
    stored = publish(book, metadata_store(), ballot, checked_id(proposal_id), metadata)
    view = metadata_of(book.get(ballot, proposal_id))
    return jsonify(view.to_json()), 201 if stored else 200
