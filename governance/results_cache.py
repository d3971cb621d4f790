"""Results for the public pages, read once per block and from paged, incremental log scans.

A results page used to scan every vote event from block 0 (`get_logs(from_block=0)`, which providers
refuse past a range cap) and render a chart on every request. Here the vote log of each ballot is
scanned incrementally in pages of at most `page_blocks` blocks (from `start_block`, the deployment's
block when known), remembering where it stopped, so a request costs only the blocks mined since the
last one; results and the rendered chart are kept per (ballot, proposal) for the block they were read
at, so any number of requests within one block cost one read and one chart.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from contracts import ChainError
from contracts.tally import CastVote, recount

from .errors import UpstreamError
from .proposals import ProposalBook, ProposalResults

DEFAULT_PAGE_BLOCKS = 2_000  # under the usual provider caps (often 10k blocks or 10k results)
MAX_CACHED = 1_024


@dataclass(frozen=True)
class _Entry:
    block: int
    results: ProposalResults
    chart: bytes | None = None
    chart_key: object = None  # what else the chart shows (title and labels): a change re-renders it


class ResultsReader:
    """Reads ProposalResults per block, scanning vote logs incrementally in pages."""

    def __init__(
        self,
        book: ProposalBook,
        block_number: Callable[[], int],
        block_time: Callable[[int], int],
        *,
        start_block: int = 0,
        page_blocks: int = DEFAULT_PAGE_BLOCKS,
    ) -> None:
        if page_blocks < 1 or start_block < 0:
            raise ValueError("page_blocks must be >= 1 and start_block >= 0")
        self._book, self._block_number, self._block_time = book, block_number, block_time
        self._page, self._start = page_blocks, start_block
        self._votes: dict[str, dict[int, list[CastVote]]] = {}
        self._scanned: dict[str, int] = {}  # ballot -> last block scanned
        self._entries: OrderedDict[tuple[str, int], _Entry] = OrderedDict()
        self._lock = threading.Lock()  # one scan at a time: requests in one block share it
        self.pages: list[tuple[str, int, int]] = []  # (ballot, from, to) of every log query, for tests
        self.charts_rendered = 0

    def _scan(self, ballot: str, head: int) -> None:
        client = self._book.client(ballot)
        votes = self._votes.setdefault(ballot, {})
        start = self._scanned.get(ballot, self._start - 1) + 1
        while start <= head:
            end = min(head, start + self._page - 1)
            for vote in client.ballots(from_block=start, to_block=end):
                votes.setdefault(vote.proposal_id, []).append(vote)
            self.pages.append((ballot, start, end))
            self._scanned[ballot] = end
            start = end + 1

    def results(self, ballot: str, proposal_id: int) -> tuple[int, ProposalResults]:
        """(block, results) of a proposal as of the current block; NotFoundError / UpstreamError."""
        try:
            head = int(self._block_number())
            with self._lock:
                entry = self._entries.get((ballot, proposal_id))
                if entry is not None and entry.block == head:
                    return head, entry.results
                proposal = self._book.get(ballot, proposal_id)
                tallies = tuple(self._book.client(ballot).tallies(proposal_id))
                self._scan(ballot, head)
                votes = self._votes[ballot].get(proposal_id, ())
                counted = recount(votes, proposal_id, proposal.options)
                final = self._block_time(head) > proposal.end
                results = ProposalResults(proposal, tallies, tuple(counted), final, len(votes))
                self._remember((ballot, proposal_id), _Entry(head, results))
                return head, results
        except ChainError as e:
            raise UpstreamError(f"the chain could not be read: {e}") from e

    def chart(
        self,
        ballot: str,
        proposal_id: int,
        render: Callable[[ProposalResults], bytes],
        key: object = None,
    ) -> bytes:
        """The chart of the current block's results, rendered once per block and `key` (the title and
        labels, which metadata published within a block can change)."""
        head, results = self.results(ballot, proposal_id)
        with self._lock:
            entry = self._entries.get((ballot, proposal_id))
            if (
                entry is not None
                and entry.block == head
                and entry.chart is not None
                and entry.chart_key == key
            ):
                return entry.chart
        png = render(results)
        with self._lock:
            self.charts_rendered += 1
            self._remember((ballot, proposal_id), _Entry(head, results, png, key))
        return png

    def _remember(self, key: tuple[str, int], entry: _Entry) -> None:
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > MAX_CACHED:
            self._entries.popitem(last=False)
