"""Reading contract events once, the same way everywhere: paged block ranges, chain order.

Providers cap eth_getLogs (commonly 10,000 blocks, some 2,000, some by result count), so a scan from the
deployment block to the head is split into pages; the logs of several event types come back merged in
(block number, log index) order, the order the chain applied them.
"""

from __future__ import annotations

from collections.abc import Sequence

from web3.contract.contract import ContractEvent
from web3.types import EventData

from .errors import ChainInputError

MAX_BLOCK_RANGE = 2_000  # blocks per eth_getLogs request: below every public provider's cap we know of


def scan_events(
    events: Sequence[type[ContractEvent]],
    from_block: int,
    to_block: int,
    page: int = MAX_BLOCK_RANGE,
    where: dict[str, object] | None = None,
) -> list[EventData]:
    """Every log of `events` in blocks [from_block, to_block], in chain order, `page` blocks a request;
    `where` filters on indexed arguments (e.g. {"proposalId": 3}).

    An empty list when to_block < from_block. ChainInputError for a negative block or page.
    """
    if from_block < 0 or page < 1:
        raise ChainInputError(f"bad scan: from_block {from_block}, page {page}")
    found: list[EventData] = []
    for start in range(from_block, to_block + 1, page):
        end = min(start + page - 1, to_block)
        for event in events:
            found.extend(event.get_logs(argument_filters=where, from_block=start, to_block=end))
    return sorted(found, key=lambda e: (e["blockNumber"], e["logIndex"]))
