"""What the service reads from the chain: device status (cached per block), members, leaf count, time.

The service never writes to the chain. Device status and the leaf count are cached for one
block: a revocation takes effect at the next block. The latest block (number and timestamp) is
itself read at most once per BLOCK_POLL_S, so a request costs at most one `eth_getBlockByNumber`
call, and a contract call only when the block changed; a revocation is therefore seen at most one
block plus BLOCK_POLL_S late.
"""

from __future__ import annotations

import threading
import time

from contracts import ChainError, MemberRecord, RegistryClient

from .errors import ServiceUnavailableError

BLOCK_POLL_S = 0.25  # well under any chain's block time (Ethereum 12 s, anvil's automine aside)


class RegistryView:
    """Read-only registry access for the service; chain failures become ServiceUnavailableError."""

    def __init__(self, registry: RegistryClient) -> None:
        self.registry = registry
        self.address = registry.address
        self._lock = threading.Lock()
        self._block, self._timestamp, self._polled = -1, 0, float("-inf")
        self._status: dict[str, str] = {}
        self._size: int | None = None

    def _refresh(self, fresh: bool = False) -> None:
        if not fresh and time.monotonic() - self._polled < BLOCK_POLL_S:
            return
        latest = self.registry.head()
        self._polled = time.monotonic()
        block, self._timestamp = latest.number, latest.timestamp
        if block != self._block:
            self._block, self._status, self._size = block, {}, None

    def device_status(self, device: str) -> str:
        """unknown, active or revoked, as of the latest block."""
        try:
            with self._lock:
                self._refresh()
                cached = self._status.get(device.lower())
                if cached is None:
                    cached = self.registry.device_status(device)
                    self._status[device.lower()] = cached
                return cached
        except (ChainError, OSError, ValueError) as e:
            raise ServiceUnavailableError(f"the registry cannot be read: {e}") from e

    def leaves(self) -> int:
        """How many leaves the registry holds (every MemberEnrolled so far, revoked ones included)."""
        try:
            with self._lock:
                self._refresh()
                if self._size is None:
                    self._size = self.registry.size()
                return self._size
        except (ChainError, OSError, ValueError) as e:
            raise ServiceUnavailableError(f"the registry cannot be read: {e}") from e

    def member(self, commitment: int) -> MemberRecord:
        """The registry's record of `commitment` (not cached: commit and settle need the truth now)."""
        try:
            return self.registry.member(commitment)
        except (ChainError, OSError, ValueError) as e:
            raise ServiceUnavailableError(f"the registry cannot be read: {e}") from e

    def now(self, fresh: bool = False) -> int:
        """The latest block's timestamp (read now when `fresh`): reservation deadlines are attestation
        deadlines on chain."""
        try:
            with self._lock:
                self._refresh(fresh)
                return self._timestamp
        except (ChainError, OSError, ValueError) as e:
            raise ServiceUnavailableError(f"the chain cannot be read: {e}") from e
