"""The iris template: 16,384 code bits + 16,384 mask bits, packed one uint64 per angular column.

Layout (same shape as open-iris: 2 filters x 16 radii x 256 angles x 2 phase bits):
word `a` (0..255) holds every bit of angular column `a`; inside it, bit number
`(filter * 16 + radius) * 2 + phase` (filter 0..1, radius 0..15, phase 0 = real, 1 = imaginary).
Because a column is one word, rotating the eye by `s` columns is `np.roll(words, s)`:
the matcher and the gallery shift whole words, never bits.
A mask bit is 1 where the code bit is usable (iris visible, not fragile).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

from zk_identity.errors import PersonhoodError

N_FILTERS = 2
N_RADII = 16
N_ANGLES = 256  # words per template
N_PHASES = 2
BITS_PER_WORD = N_FILTERS * N_RADII * N_PHASES  # 64: one uint64 per angular column
TEMPLATE_BITS = N_ANGLES * BITS_PER_WORD  # 16,384
FORMAT_VERSION = 1
_MAGIC = b"PHIT"
_HEADER = struct.Struct("<4sB")
SERIALIZED_SIZE = _HEADER.size + 2 * N_ANGLES * 8


class TemplateFormatError(PersonhoodError, ValueError):
    """Bytes or arrays that are not a valid iris template."""


def _check_words(name: str, words: np.ndarray) -> np.ndarray:
    if not isinstance(words, np.ndarray) or words.dtype != np.uint64 or words.shape != (N_ANGLES,):
        raise TemplateFormatError(f"{name} must be a uint64 array of shape ({N_ANGLES},)")
    return words


@dataclass(frozen=True, eq=False)
class IrisTemplate:
    """One eye's iris code and mask (uint64[256] each). Biometric data: never log or persist in clear."""

    code: np.ndarray
    mask: np.ndarray

    def __post_init__(self) -> None:
        code = np.ascontiguousarray(_check_words("code", self.code)).copy()
        mask = np.ascontiguousarray(_check_words("mask", self.mask)).copy()
        code.setflags(write=False)
        mask.setflags(write=False)
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "mask", mask)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, IrisTemplate):
            return NotImplemented
        return bool(np.array_equal(self.code, other.code) and np.array_equal(self.mask, other.mask))

    def __hash__(self) -> int:
        return hash((self.code.tobytes(), self.mask.tobytes()))

    def __repr__(self) -> str:  # never print the bits themselves
        return f"IrisTemplate(usable_bits={self.usable_bits})"

    @property
    def usable_bits(self) -> int:
        """Number of mask bits set (code bits that take part in matching)."""
        return int(np.bitwise_count(self.mask).sum())

    def to_bytes(self) -> bytes:
        """Serialize: magic 'PHIT', format version, code words, mask words (little-endian)."""
        return (
            _HEADER.pack(_MAGIC, FORMAT_VERSION)
            + self.code.astype("<u8").tobytes()
            + self.mask.astype("<u8").tobytes()
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> IrisTemplate:
        """Parse bytes written by `to_bytes`; raise TemplateFormatError on anything else."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TemplateFormatError(f"template must be bytes, got {type(data).__name__}")
        data = bytes(data)
        if len(data) != SERIALIZED_SIZE:
            raise TemplateFormatError(f"template must be {SERIALIZED_SIZE} bytes, got {len(data)}")
        magic, version = _HEADER.unpack_from(data)
        if magic != _MAGIC or version != FORMAT_VERSION:
            raise TemplateFormatError("not an iris template of a supported format version")
        words = np.frombuffer(data, dtype="<u8", offset=_HEADER.size).astype(np.uint64)
        return cls(code=words[:N_ANGLES], mask=words[N_ANGLES:])

    @classmethod
    def from_bits(cls, code_bits: np.ndarray, mask_bits: np.ndarray) -> IrisTemplate:
        """Pack boolean arrays of shape (2 filters, 16 radii, 256 angles, 2 phases)."""
        return cls(code=_pack(code_bits, "code"), mask=_pack(mask_bits, "mask"))

    def to_bits(self) -> tuple[np.ndarray, np.ndarray]:
        """Unpack to boolean arrays of shape (2, 16, 256, 2): (code, mask)."""
        return _unpack(self.code), _unpack(self.mask)


_SHAPE = (N_FILTERS, N_RADII, N_ANGLES, N_PHASES)
_WEIGHTS = np.left_shift(np.uint64(1), np.arange(BITS_PER_WORD, dtype=np.uint64))


def _pack(bits: np.ndarray, name: str) -> np.ndarray:
    if not isinstance(bits, np.ndarray) or bits.shape != _SHAPE:
        raise TemplateFormatError(f"{name} bits must be an array of shape {_SHAPE}")
    # (filter, radius, angle, phase) -> (angle, filter, radius, phase) -> 64 bits per angle
    per_angle = np.transpose(bits.astype(bool), (2, 0, 1, 3)).reshape(N_ANGLES, BITS_PER_WORD)
    return (per_angle.astype(np.uint64) * _WEIGHTS).sum(axis=1, dtype=np.uint64)


def _unpack(words: np.ndarray) -> np.ndarray:
    per_angle = ((words[:, None] >> np.arange(BITS_PER_WORD, dtype=np.uint64)) & np.uint64(1)).astype(bool)
    return np.transpose(per_angle.reshape(N_ANGLES, N_FILTERS, N_RADII, N_PHASES), (1, 2, 0, 3))
