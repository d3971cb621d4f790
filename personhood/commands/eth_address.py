"""Ethereum addresses typed by people: one clear error instead of web3's InvalidAddress traceback."""

from __future__ import annotations

from .usage_error import UsageError


def parse_address(text: str, what: str = "address") -> str:
    """The EIP-55 checksummed form of `text` (0x + 40 hex digits).

    All-lowercase or all-uppercase hex is accepted and checksummed; mixed case must carry a correct
    EIP-55 checksum (a typo check). Raises UsageError otherwise.
    """
    from eth_utils import is_checksum_address, is_hex_address, to_checksum_address

    if not isinstance(text, str) or not is_hex_address(text):
        raise UsageError(f"{what} must be 0x followed by 40 hex digits, got {text!r}")
    digits = text[2:]
    if digits != digits.lower() and digits != digits.upper() and not is_checksum_address(text):
        raise UsageError(
            f"{what} {text} has mixed case but a wrong EIP-55 checksum (a typo?); "
            "retype it or give it all in lowercase"
        )
    return to_checksum_address(text)
