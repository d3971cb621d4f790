"""The Grain LFSR that generates Poseidon's round constants and MDS matrices.

Poseidon paper (Grassi et al., "Poseidon: A New Hash Function for Zero-Knowledge Proof Systems",
USENIX Security 2021) Appendix F, and its reference script `generate_parameters_grain.sage`:
an 80-bit self-shrinking LFSR seeded with the instance parameters.
"""

from __future__ import annotations

from collections.abc import Iterator

# Feedback taps: b[i+80] = b[i+62] ^ b[i+51] ^ b[i+38] ^ b[i+23] ^ b[i+13] ^ b[i]   (Appendix F)
_STATE_BITS = 80
_TAPS = (62, 51, 38, 23, 13, 0)
_WARMUP = 160  # output bits discarded after seeding
# Bits produced per step: new bit i needs b[i + 62] to exist already, so up to 80 - 62 = 18 at once.
_CHUNK = _STATE_BITS - max(_TAPS)
_CHUNK_MASK = (1 << _CHUNK) - 1

FIELD_PRIME = 1  # "field = 1 for GF(p)"
SBOX_POWER = 0  # "s_box = 0 for x^alpha"


def seed_bits(
    field: int, sbox: int, field_bits: int, width: int, full_rounds: int, partial_rounds: int
) -> str:
    """The 80-bit initial state as a string of '0'/'1', first bit first (Appendix F)."""
    fields = ((field, 2), (sbox, 4), (field_bits, 12), (width, 12), (full_rounds, 10), (partial_rounds, 10))
    bits = "".join(format(value, f"0{size}b") for value, size in fields)
    if len(bits) != _STATE_BITS - 30:
        raise ValueError("a Grain seed parameter does not fit its bit field")
    return bits + "1" * 30


def _raw_bits(seed: str) -> Iterator[str]:
    """The LFSR output, `_CHUNK` bits at a time (each chunk a '0'/'1' string, oldest bit first).

    The state is an int whose bit (79 - i) holds b[i], so b[i] for the next chunk sits at
    bit positions (79 - i) ... (79 - i - 17).
    """
    state = int(seed, 2)
    top = _STATE_BITS - _CHUNK
    while True:
        new = 0
        for tap in _TAPS:
            new ^= (state >> (top - tap)) & _CHUNK_MASK
        state = ((state << _CHUNK) | new) & ((1 << _STATE_BITS) - 1)
        yield format(new, f"0{_CHUNK}b")


def shrunk_bits(seed: str) -> Iterator[str]:
    """The self-shrinking generator's output bits ('0'/'1'), after the 160-bit warm-up.

    Bits are read in pairs; a pair (1, b) outputs b, a pair (0, b) outputs nothing.
    """
    buffer = ""
    raw = _raw_bits(seed)
    while len(buffer) < _WARMUP:
        buffer += next(raw)
    buffer = buffer[_WARMUP:]
    while True:
        while len(buffer) < 2 * 1024:
            buffer += "".join(next(raw) for _ in range(64))
        usable = len(buffer) - (len(buffer) % 2)
        pairs, buffer = buffer[:usable], buffer[usable:]
        yield from (b for a, b in zip(pairs[0::2], pairs[1::2], strict=True) if a == "1")


class GrainSampler:
    """Draws integers from the shrunk Grain stream, most significant bit first, as the reference script."""

    def __init__(self, seed: str) -> None:
        self._bits = shrunk_bits(seed)

    def bits(self, count: int) -> int:
        """The next `count` output bits as an unsigned integer (first bit most significant)."""
        return int("".join(next(self._bits) for _ in range(count)), 2)

    def field_element(self, field_bits: int, modulus: int) -> int:
        """Rejection-sample an element of GF(modulus) from `field_bits`-bit draws (round constants)."""
        while True:
            value = self.bits(field_bits)
            if value < modulus:
                return value
