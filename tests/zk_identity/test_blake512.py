"""BLAKE-512: the specification's constants and test vectors, and live agreement with npm blake-hash."""

from __future__ import annotations

import json
import random

import pytest

from zk_identity.blake512 import CONSTANTS, blake512


def _pi_fraction_bits(bits: int) -> int:
    """floor(frac(pi) * 2^bits), by Machin's formula in fixed point (with guard bits)."""
    guard = 64
    one = 1 << (bits + guard)

    def arctan_inv(x: int) -> int:
        total, term, k, sign = 0, one // x, 1, 1
        while term:
            total += sign * (term // k)
            term //= x * x
            k += 2
            sign = -sign
        return total

    pi = 16 * arctan_inv(5) - 4 * arctan_inv(239)
    return (pi >> guard) - (3 << bits)


def test_constants_are_the_fractional_bits_of_pi() -> None:
    # BLAKE spec §2.2.1: c_0..c_15 are the first 16 64-bit words of pi's fractional part.
    expected = _pi_fraction_bits(16 * 64)
    assert int.from_bytes(b"".join(c.to_bytes(8, "big") for c in CONSTANTS), "big") == expected


@pytest.mark.parametrize(
    ("message", "digest"),
    [
        # BLAKE submission, Appendix A.2: the 8-bit message 0x00 and the 1152-bit all-zero message.
        (b"\x00", "97961587f6d970faba6d2478045de6d1fabd09b61ae50932054d52bc29d31be4"
         "ff9102b9f69e2bbdb83be13d4b9c06091e5fa0b48bd081b634058be0ec49beb3"),
        (b"\x00" * 144, "313717d608e9cf758dcb1eb0f0c3cf9fc150b2d500fb33f51c52afc99d358a2f"
         "1374b8a38bba7974e7f6ef79cab16f22ce1e649d6e01ad9589c213045d545dde"),
    ],
)  # fmt: skip
def test_specification_vectors(message: bytes, digest: str) -> None:
    assert blake512(message).hex() == digest


@pytest.mark.node
def test_agrees_with_npm_blake_hash_on_every_padding_case(run_node) -> None:
    rng = random.Random()
    # Every length 0..260 crosses each padding case (fits, spills into a padding-only block, multi-block).
    messages = [rng.randbytes(n) for n in range(261)]
    js = run_node(
        "import { createRequire } from 'module';"
        "const blake = createRequire(process.cwd() + '/')('blake-hash/js.js');"
        "const msgs = JSON.parse(process.argv[1]);"
        "const digest = (m) => blake('blake512').update(Buffer.from(m, 'hex')).digest('hex');"
        "console.log(JSON.stringify(msgs.map(digest)));",
        json.dumps([m.hex() for m in messages]),
    )
    assert [blake512(m).hex() for m in messages] == js


def test_rejects_text() -> None:
    with pytest.raises(TypeError):
        blake512("abc")  # type: ignore[arg-type]
    assert blake512(bytearray(b"ab")) == blake512(memoryview(b"ab")) == blake512(b"ab")
