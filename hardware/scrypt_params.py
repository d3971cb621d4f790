"""The scrypt cost of a device keystore, bounded so that a planted file cannot make an unlock cost more
than 1 GiB of memory. RFC 7914 §2."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import KeyStoreError

MIN_SCRYPT_N, MAX_SCRYPT_N = 2**14, 2**20  # 16 MiB .. 1 GiB of memory at r = 8


@dataclass(frozen=True)
class ScryptParams:
    """scrypt cost: n (power of two, 2^14..2^20), r (block size, 1..8), p (parallelism, 1..4).

    The default n = 2^17 takes 0.3-1 s and 128 MiB; geth's "standard" is 2^18. New keystores are
    written with r = 8, p = 1 (what eth-account writes); other r and p are only read.
    """

    n: int = 2**17
    r: int = 8
    p: int = 1

    def __post_init__(self) -> None:
        if type(self.n) is not int or self.n & (self.n - 1) or not MIN_SCRYPT_N <= self.n <= MAX_SCRYPT_N:
            raise KeyStoreError(f"scrypt n must be a power of two in [2^14, 2^20], got {self.n!r}")
        if type(self.r) is not int or not 1 <= self.r <= 8:  # memory 128 * n * r <= 1 GiB
            raise KeyStoreError(f"scrypt r must be in [1, 8], got {self.r!r}")
        if type(self.p) is not int or not 1 <= self.p <= 4:
            raise KeyStoreError(f"scrypt p must be in [1, 4], got {self.p!r}")
