"""Semaphore's hashing of a proof's message and scope into the field: keccak256(uint256) >> 8.

@semaphore-protocol/proof (4.x) `generateProof` first turns a message or scope into an integer with
ethers' `toBigInt`, falling back to `encodeBytes32String` for text that is not a number, then hashes
it as `keccak256(toBeHex(value, 32)) >> 8` (so the result is < 2^248 < r). We accept the same inputs:

- int: 0 <= value < 2^256 (bool is refused);
- bytes: read big-endian (ethers `toBigInt(Uint8Array)`); the value must be < 2^256;
- str: if JavaScript's `BigInt(text)` accepts it (decimal with optional sign, 0x/0o/0b literals,
  surrounding JavaScript white space; ethers negates a leading single "-"), that number; otherwise the
  text's UTF-8 bytes, at most 31, right-padded with zeros to 32 bytes (a Solidity `bytes32` string).
  So "42" hashes the number 42, "vote-2025" its bytes32 encoding, and "" or "-0" the number 0.

Negative numbers, values >= 2^256 and text longer than 31 UTF-8 bytes raise ValueError, as they make
generateProof throw.
"""

from __future__ import annotations

import re

from .errors import FieldRangeError
from .field import keccak_to_field

UINT256_LIMIT = 1 << 256
BYTES32_STRING_MAX = 31  # a bytes32 string keeps one byte for its NUL terminator

# ECMA-262 StrWhiteSpaceChar: WhiteSpace (TAB, VT, FF, ZWNBSP, category Zs) and LineTerminator.
_JS_WHITE_SPACE = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_DECIMAL = re.compile(r"[+-]?[0-9]+")
_NON_DECIMAL = re.compile(r"0(?:[xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)")
_BASES = {"x": 16, "o": 8, "b": 2}


def _js_string_to_bigint(text: str) -> int | None:
    """ECMA-262 StringToBigInt (§7.1.14): the integer `BigInt(text)` gives, or None where it throws."""
    body = text.strip(_JS_WHITE_SPACE)
    if body == "":
        return 0
    if _DECIMAL.fullmatch(body):
        return int(body, 10)
    if _NON_DECIMAL.fullmatch(body):
        return int(body[2:], _BASES[body[1].lower()])
    return None


def _ethers_string_to_int(text: str) -> int | None:
    """ethers v6 getBigInt on a string: None where it throws."""
    if text == "":
        return None
    if text[0] == "-" and text[1:2] != "-":
        value = _js_string_to_bigint(text[1:])
        return None if value is None else -value
    return _js_string_to_bigint(text)


def _bytes32_string(text: str) -> int:
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise ValueError(f"text is not encodable as UTF-8: {e}") from e
    if len(raw) > BYTES32_STRING_MAX:
        raise ValueError(
            f"text that is not a number must fit a bytes32 string (at most {BYTES32_STRING_MAX} UTF-8 "
            f"bytes), got {len(raw)} bytes; hash it yourself and pass the integer"
        )
    return int.from_bytes(raw.ljust(32, b"\x00"), "big")


def to_uint256(value: int | bytes | str) -> int:
    """The integer Semaphore's generateProof makes of a message or scope (module docstring).

    Raises TypeError for other types, FieldRangeError (ValueError) for a negative value or one >= 2^256,
    ValueError for text that is neither a number nor a bytes32 string.
    """
    if isinstance(value, bool) or not isinstance(value, (int, bytes, bytearray, memoryview, str)):
        raise TypeError(f"expected int, bytes or str, got {type(value).__name__}")
    if isinstance(value, str):
        number = _ethers_string_to_int(value)
        number = _bytes32_string(value) if number is None else number
    elif isinstance(value, int):
        number = value
    else:
        number = int.from_bytes(bytes(value), "big")
    if not 0 <= number < UINT256_LIMIT:
        raise FieldRangeError(f"value must be in [0, 2^256), got {number}")
    return number


def hash_to_field(value: int | bytes | str) -> int:
    """Semaphore's `hash(message)`: keccak256 of the 32-byte big-endian `to_uint256(value)`, shifted right 8.

    The result is < 2^248, so always a canonical BN254 field element. Errors as `to_uint256`.
    """
    return keccak_to_field(to_uint256(value).to_bytes(32, "big"))
