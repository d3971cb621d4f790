"""PersonhoodRegistry's two clocks at the exact second: a root's window and an attestation's deadline.

Both are inclusive: a superseded root is valid until `supersededAt + rootWindow` included, and an
attestation until `deadline` included. Blocks are mined at chosen timestamps (anvil's
evm_setNextBlockTimestamp / evm_mine), so the tests do not depend on how long anything took; a
`>` turned `>=` (one second early) or `<` (one second late) fails here. An eth_call at "latest"
runs in the latest block's timestamp (checked below, not assumed).
"""

from __future__ import annotations

import pytest

from contracts import ChainError, ContractRevertError
from contracts.transactions import dry_run

from .conftest import BASE_DEPTH, ENROLLED

pytestmark = [pytest.mark.slow, pytest.mark.node]


def _refused(name: str):
    return pytest.raises(ContractRevertError, match=rf"\b{name}\(")


def _next_block_at(chain, timestamp: int) -> None:
    """The next mined block (the next transaction's, with automine) gets exactly `timestamp`."""
    chain.w3.provider.make_request("evm_setNextBlockTimestamp", [timestamp])


def _mine_at(chain, timestamp: int) -> None:
    """Mine an empty block at exactly `timestamp`; later eth_calls at "latest" run at that time."""
    chain.w3.provider.make_request("evm_mine", [timestamp])
    assert chain.now() == timestamp


def _block_time(chain, receipt) -> int:
    return int(chain.w3.eth.get_block(receipt["blockNumber"])["timestamp"])


def test_a_superseded_root_is_valid_through_its_last_second_and_expired_at_the_next(chain):
    old_root = chain.registry.current_root()
    superseded_at = chain.now() + 100
    _next_block_at(chain, superseded_at)
    assert _block_time(chain, chain.enroll(ENROLLED)) == superseded_at  # supersedes the base root
    window = int(chain.registry._contract.functions.rootWindow().call())
    assert window > 0
    _mine_at(chain, superseded_at + window - 1)
    assert chain.registry.check_root(old_root) == BASE_DEPTH
    _mine_at(chain, superseded_at + window)  # the last second of the window: still valid
    assert chain.registry.check_root(old_root) == BASE_DEPTH
    _mine_at(chain, superseded_at + window + 1)  # one second later
    with _refused("RootExpired"):
        chain.registry.check_root(old_root)
    assert chain.registry.check_root(chain.registry.current_root()) == BASE_DEPTH  # the current root stays


def test_an_attestation_is_valid_in_the_block_at_its_deadline(chain):
    deadline = chain.now() + 100
    _mine_at(chain, deadline)  # a call in the deadline's second passes the check...
    call = chain.registry._contract.functions.enroll(chain.commitments[ENROLLED], deadline, b"\x00" * 65)
    with _refused("InvalidSignature"):  # ...and fails only later, at the (deliberately) bad signature
        dry_run(call, chain.relayer, chain.registry.abis)
    deadline += 100
    _next_block_at(chain, deadline)
    receipt = chain.enroll(ENROLLED, deadline=deadline)  # and a transaction mined in that second enrolls
    assert _block_time(chain, receipt) == deadline
    assert chain.registry.member(chain.commitments[ENROLLED]).enrolled
    assert chain.registry.size() == ENROLLED + 1


def test_an_attestation_is_expired_one_second_after_its_deadline(chain):
    deadline = chain.now() + 100
    _next_block_at(chain, deadline + 1)
    with pytest.raises(ChainError, match="failed on chain"):  # the dry run (a second earlier) passed
        chain.enroll(ENROLLED, deadline=deadline)
    assert chain.now() == deadline + 1  # the refused transaction was mined one second late
    with _refused("AttestationExpired"):  # the reason, by name, in that block's time
        chain.enroll(ENROLLED, deadline=deadline)
    assert not chain.registry.member(chain.commitments[ENROLLED]).enrolled
    assert chain.registry.size() == ENROLLED
