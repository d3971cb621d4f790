"""Finding 10 (Low): `setRootWindow` re-validated roots that had already expired, including roots
holding members revoked since.

The rule now (PersonhoodRegistry): a superseded root stays valid for min(window when it was superseded,
current window). Replayed: an expired root stays expired when the owner widens the window; a narrower
window retires old roots at once; roots superseded after a change get the new window."""

from __future__ import annotations

import pytest

from contracts import ContractRevertError

pytestmark = [pytest.mark.slow, pytest.mark.node]


def expired(gov, root: int) -> bool:
    try:
        gov.chain.registry.check_root(root)
    except ContractRevertError as e:
        assert e.error == "RootExpired", e
        return True
    return False


def test_widening_the_window_does_not_revive_an_expired_root(gov_chain):
    gov = gov_chain
    registry = gov.chain.registry
    registry.set_root_window(60, gov.owner)
    old = registry.current_root()
    gov.enroll(gov.identities[4])  # supersedes `old` under a 60 s window
    gov.warp(61)
    assert expired(gov, old)
    registry.set_root_window(3600, gov.owner)
    assert expired(gov, old)  # the old code answered a depth here: the root was valid again

    recent = registry.current_root()
    gov.enroll(gov.identities[5])  # superseded after the change: the new, wider window applies
    gov.warp(120)
    assert not expired(gov, recent)


def test_narrowing_the_window_retires_old_roots_at_once(gov_chain):
    gov = gov_chain
    registry = gov.chain.registry
    registry.set_root_window(3600, gov.owner)
    old = registry.current_root()
    gov.enroll(gov.identities[4])
    gov.warp(100)
    assert not expired(gov, old)
    registry.set_root_window(60, gov.owner)
    assert expired(gov, old)
