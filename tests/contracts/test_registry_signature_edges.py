"""The registry's signature checks at their edges: length, the low-s bound itself, and ecrecover's zero.

tests/mutation/BASELINE.md: each of these guards could be removed (or the s bound moved by one) without
a contract test failing, since every other test sends a well-formed 65-byte signature.
"""

from __future__ import annotations

import pytest

from contracts import ContractRevertError, sign_enrollment
from contracts.transactions import dry_run

from .conftest import ENROLLED

pytestmark = [pytest.mark.slow, pytest.mark.node]
HALF_N = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0  # floor(secp256k1 n / 2)


def _refused(name: str):
    return pytest.raises(ContractRevertError, match=rf"\b{name}\(")


def _enroll_call(chain, signature: bytes):
    enrollment = chain.registry.enrollment(chain.commitments[ENROLLED], 2**40)
    return chain.registry._contract.functions.enroll(enrollment.commitment, enrollment.deadline, signature)


def _good_signature(chain) -> bytes:
    enrollment = chain.registry.enrollment(chain.commitments[ENROLLED], 2**40)
    return sign_enrollment(enrollment, chain.devices["A"].key)


def test_only_65_byte_signatures_are_read(chain):
    good = _good_signature(chain)
    dry_run(_enroll_call(chain, good), chain.relayer, chain.registry.abis)  # the control
    for bad in (good[:64], good + b"\x00", good + good):  # a trailing byte would make it malleable
        with _refused("InvalidSignature"):
            dry_run(_enroll_call(chain, bad), chain.relayer, chain.registry.abis)


def test_the_low_s_bound_is_inclusive(chain):
    # s = floor(n/2) is a low-s signature (EIP-2: s <= n/2): it is read, and recovers some key that is
    # not a device; one above is the malleable twin range and is refused as malformed.
    good = _good_signature(chain)
    r, v = good[:32], good[64:]
    at_bound = r + HALF_N.to_bytes(32, "big") + v
    with _refused("DeviceNotActive"):
        dry_run(_enroll_call(chain, at_bound), chain.relayer, chain.registry.abis)
    above = r + (HALF_N + 1).to_bytes(32, "big") + v
    with _refused("InvalidSignature"):
        dry_run(_enroll_call(chain, above), chain.relayer, chain.registry.abis)


def test_a_signature_that_recovers_no_key_is_invalid(chain):
    # r = 0 is no curve point: ecrecover returns address(0), which must never reach the device check
    good = _good_signature(chain)
    with _refused("InvalidSignature"):
        dry_run(_enroll_call(chain, b"\x00" * 32 + good[32:]), chain.relayer, chain.registry.abis)
