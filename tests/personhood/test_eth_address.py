"""Addresses typed on the command line: checksummed, or one clear error (not web3's InvalidAddress)."""

from __future__ import annotations

import pytest

from personhood.commands.eth_address import parse_address
from personhood.commands.usage_error import UsageError

CHECKSUMMED = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


@pytest.mark.parametrize("text", [CHECKSUMMED, CHECKSUMMED.lower(), "0x" + CHECKSUMMED[2:].upper()])
def test_checksummed_or_single_case_addresses_are_accepted(text: str) -> None:
    assert parse_address(text) == CHECKSUMMED


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (CHECKSUMMED[:-1] + "A", "wrong EIP-55 checksum"),  # one letter's case flipped: a typo
        (CHECKSUMMED[:-1], "40 hex digits"),
        ("5FbDB2315678afecb367f032d93F642f64180aa3x", "40 hex digits"),
        ("0x" + "g" * 40, "40 hex digits"),
    ],
)
def test_bad_addresses_raise_a_usage_error(text: str, words: str) -> None:
    with pytest.raises(UsageError, match=words):
        parse_address(text)
