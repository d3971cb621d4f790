"""BLAKE-512 (Aumasson, Henzen, Meier, Phan: "SHA-3 proposal BLAKE", version 1.3, 2010), unsalted.

This is the original SHA-3 finalist, not BLAKE2b: it is what @zk-kit/eddsa-poseidon (and circomlib's
EdDSA) uses to derive Baby Jubjub keys. Pure Python; it only ever hashes a few dozen bytes here.
"""

from __future__ import annotations

_MASK = (1 << 64) - 1
_ROUNDS = 16  # BLAKE-512 §2.2.2 (14 in the submission, 16 since the final round tweak)

# §2.2.1: the same initial value as SHA-512.
_IV = (
    0x6A09E667F3BCC908, 0xBB67AE8584CAA73B, 0x3C6EF372FE94F82B, 0xA54FF53A5F1D36F1,
    0x510E527FADE682D1, 0x9B05688C2B3E6C1F, 0x1F83D9ABFB41BD6B, 0x5BE0CD19137E2179,
)  # fmt: skip
# §2.2.1: the constants c_0..c_15 are the first 1024 fractional bits of pi (checked by a test).
CONSTANTS = (
    0x243F6A8885A308D3, 0x13198A2E03707344, 0xA4093822299F31D0, 0x082EFA98EC4E6C89,
    0x452821E638D01377, 0xBE5466CF34E90C6C, 0xC0AC29B7C97C50DD, 0x3F84D5B5B5470917,
    0x9216D5D98979FB1B, 0xD1310BA698DFB5AC, 0x2FFD72DBD01ADFB7, 0xB8E1AFED6A267E96,
    0xBA7C9045F12C7F99, 0x24A19947B3916CF7, 0x0801F2E2858EFC16, 0x636920D871574E69,
)  # fmt: skip
# §2.1.2: the ten permutations sigma_0..sigma_9 of {0..15}; round r uses sigma_(r mod 10).
_SIGMA = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
    (14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3),
    (11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4),
    (7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8),
    (9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13),
    (2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9),
    (12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11),
    (13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10),
    (6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5),
    (10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0),
)
# §2.2.2: G acts on columns, then on diagonals, of the 4x4 state.
_STEPS = ((0, 4, 8, 12), (1, 5, 9, 13), (2, 6, 10, 14), (3, 7, 11, 15),
          (0, 5, 10, 15), (1, 6, 11, 12), (2, 7, 8, 13), (3, 4, 9, 14))  # fmt: skip
_BLOCK = 128  # bytes


def _rotr(x: int, n: int) -> int:
    return ((x >> n) | (x << (64 - n))) & _MASK


def _compress(h: list[int], block: bytes, counter: int) -> list[int]:
    """§2.2.2 compression of one 128-byte block with bit counter `counter` and salt 0."""
    m = [int.from_bytes(block[i : i + 8], "big") for i in range(0, _BLOCK, 8)]
    c = CONSTANTS
    t0, t1 = counter & _MASK, counter >> 64
    v = [*h, c[0], c[1], c[2], c[3], t0 ^ c[4], t0 ^ c[5], t1 ^ c[6], t1 ^ c[7]]
    for r in range(_ROUNDS):
        s = _SIGMA[r % 10]
        for i, (a, b, cc, d) in enumerate(_STEPS):
            j, k = s[2 * i], s[2 * i + 1]
            v[a] = (v[a] + v[b] + (m[j] ^ c[k])) & _MASK
            v[d] = _rotr(v[d] ^ v[a], 32)
            v[cc] = (v[cc] + v[d]) & _MASK
            v[b] = _rotr(v[b] ^ v[cc], 25)
            v[a] = (v[a] + v[b] + (m[k] ^ c[j])) & _MASK
            v[d] = _rotr(v[d] ^ v[a], 16)
            v[cc] = (v[cc] + v[d]) & _MASK
            v[b] = _rotr(v[b] ^ v[cc], 11)
    return [h[i] ^ v[i] ^ v[i + 8] for i in range(8)]


def blake512(data: bytes) -> bytes:
    """The 64-byte BLAKE-512 digest of `data` (bytes, bytearray or memoryview).

    Raises TypeError for anything else (text must be encoded by the caller).
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"blake512 hashes bytes, got {type(data).__name__}")
    data = bytes(data)
    bit_length = 8 * len(data)
    # §2.2.1 padding: a 1 bit, zeros up to 895 mod 1024 bits, a 1 bit, the 128-bit length.
    zeros = (111 - len(data)) % _BLOCK
    padded = data + (b"\x81" if zeros == 0 else b"\x80" + b"\x00" * (zeros - 1) + b"\x01")
    padded += bit_length.to_bytes(16, "big")
    h = list(_IV)
    for offset in range(0, len(padded), _BLOCK):
        # The counter holds the message bits hashed so far; a block of padding only gets 0.
        message_bits = min(8 * (offset + _BLOCK), bit_length)
        counter = message_bits if 8 * offset < bit_length else 0
        h = _compress(h, padded[offset : offset + _BLOCK], counter)
    return b"".join(x.to_bytes(8, "big") for x in h)
