"""Decode a revert's data into the contract's named custom error (across every ABI of the system)."""

from __future__ import annotations

from collections.abc import Iterable

from eth_abi import decode
from eth_abi.exceptions import DecodingError
from eth_utils import function_signature_to_4byte_selector

from .errors import ContractRevertError

_ERROR_STRING = bytes.fromhex("08c379a0")  # Error(string)
_PANIC = bytes.fromhex("4e487b71")  # Panic(uint256)


def _signature(entry: dict) -> tuple[str, list[str]]:
    types = [inp["type"] for inp in entry.get("inputs", [])]
    return f"{entry['name']}({','.join(types)})", types


def error_selectors(abis: Iterable[dict]) -> dict[bytes, tuple[str, list[str]]]:
    """selector -> (error name, argument types) for every `error` entry."""
    table: dict[bytes, tuple[str, list[str]]] = {}
    for entry in abis:
        if entry.get("type") == "error":
            signature, types = _signature(entry)
            table[function_signature_to_4byte_selector(signature)] = (entry["name"], types)
    return table


def decode_revert(data: bytes | str | None, abis: Iterable[dict]) -> ContractRevertError:
    """The ContractRevertError for revert `data` (hex or bytes); unknown data keeps the raw bytes."""
    if isinstance(data, str):
        data = bytes.fromhex(data.removeprefix("0x")) if data.startswith("0x") else b""
    data = data or b""
    selector, body = data[:4], data[4:]
    known = {_ERROR_STRING: ("Error", ["string"]), _PANIC: ("Panic", ["uint256"]), **error_selectors(abis)}
    if selector in known:
        name, types = known[selector]
        try:
            return ContractRevertError(name, tuple(decode(types, body)), data)
        except DecodingError:
            pass
    return ContractRevertError("", (), data)
