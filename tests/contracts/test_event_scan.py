"""Event scans page through block ranges and keep chain order (contracts/event_scan.py)."""

from __future__ import annotations

import pytest

from contracts import ChainInputError
from contracts.event_scan import scan_events

pytestmark = [pytest.mark.slow, pytest.mark.node]


def _keys(events) -> list[tuple[int, int, str]]:
    return [(e["blockNumber"], e["logIndex"], e["event"]) for e in events]


def test_paging_returns_the_same_logs_in_chain_order(chain) -> None:
    registry = chain.registry._contract
    kinds = [registry.events.MemberEnrolled, registry.events.MemberRevoked]
    head = chain.w3.eth.block_number
    whole = scan_events(kinds, 0, head, page=head + 1)
    assert len(whole) >= 5  # the base group's enrollments
    for page in (1, 2, 7):
        assert _keys(scan_events(kinds, 0, head, page=page)) == _keys(whole)
    assert _keys(whole) == sorted(_keys(whole))
    assert chain.registry.membership_events() == whole  # the client scans from its deployment block


def test_an_empty_or_bad_range(chain) -> None:
    event = chain.registry._contract.events.MemberEnrolled
    assert scan_events([event], 5, 4) == []
    with pytest.raises(ChainInputError):
        scan_events([event], -1, 4)
    with pytest.raises(ChainInputError):
        scan_events([event], 0, 4, page=0)
