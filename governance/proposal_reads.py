"""What the results routes (JSON, CSV and HTML) read, in one place: the app's ResultsReader, its
metadata store, and a proposal's results joined with its verified metadata and the group's size.

The metadata store shares the nullifier store's database engine (the governance server's one SQL
database), unless the Services name one.
"""

from __future__ import annotations

from flask import current_app

from contracts import ChainError

from .errors import GovernanceError, NotFoundError, UpstreamError
from .metadata_publish import MetadataView, lookup
from .metadata_store import MetadataStore
from .proposals import Proposal
from .results_cache import ResultsReader
from .results_view import ResultsView, human_time
from .services import current_services

UINT256_LIMIT = 2**256
READER_KEY = "personhood.results_reader"
METADATA_KEY = "personhood.metadata_store"


class ResultsHiddenError(GovernanceError):
    """The proposal's verified metadata hides results until voting closes; `reveal_at` is the first
    unix second they are shown."""

    code = "results_hidden"
    status = 403

    def __init__(self, message: str, reveal_at: int) -> None:
        super().__init__(message)
        self.reveal_at = reveal_at


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


def metadata_store() -> MetadataStore:
    """The app's metadata store: over the nullifier store's engine, made on first use and kept."""
    store = current_app.extensions.get(METADATA_KEY)
    if store is None:
        store = current_app.extensions.setdefault(
            METADATA_KEY, MetadataStore(current_services().nullifiers.engine)
        )
    return store


def checked_id(proposal_id: int) -> int:
    """NotFoundError for an id no uint256 can hold."""
    if proposal_id >= UINT256_LIMIT:
        raise NotFoundError(f"no proposal {proposal_id}: ids are uint256")
    return proposal_id


def metadata_of(proposal: Proposal) -> MetadataView:
    """The proposal's metadata view (verified / missing / unverified)."""
    chain = current_services().chain
    if chain is None:
        raise UpstreamError("this server has no chain configured")
    return lookup(chain.proposals, metadata_store(), proposal)


def group_size() -> int:
    """The registry's leaf count now (the turnout's denominator, see results_view)."""
    chain = current_services().chain
    if chain is None:
        raise UpstreamError("this server has no chain configured")
    try:
        return chain.registry.size()
    except ChainError as e:
        raise UpstreamError(f"the chain could not be read: {e}") from e


def chain_now() -> int:
    """The latest block's timestamp (what the ballot compares its window with)."""
    chain = current_services().chain
    if chain is None:
        raise UpstreamError("this server has no chain configured")
    try:
        return chain.system.now()
    except ChainError as e:
        raise UpstreamError(f"the chain could not be read: {e}") from e


def results_view(ballot: str, proposal_id: int) -> ResultsView:
    """Results, metadata and group size of one proposal; NotFoundError / UpstreamError."""
    results = results_reader().results(ballot, checked_id(proposal_id))[1]
    return ResultsView(results, metadata_of(results.proposal), group_size())


def require_shown(view: ResultsView) -> ResultsView:
    """`view`, or ResultsHiddenError while its results are hidden (counts and charts are refused)."""
    if view.hidden:
        end = view.results.proposal.end
        raise ResultsHiddenError(
            f"results are hidden until voting closes after {human_time(end)} "
            "(the tallies are public on chain)",
            end + 1,
        )
    return view
