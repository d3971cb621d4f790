"""The station's thin adapter to the chain: the registry client plus the account that relays.

Everything the enrollment flow and its recovery need from the chain, and nothing else, so the
flow can be read without web3 in mind.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts import ChainError, Enrollment, MemberRecord, RegistryClient
from contracts.transactions import Sender


@dataclass(frozen=True)
class Landed:
    """Where an enrollment landed: the leaf index and the transaction hash (None when recovered)."""

    leaf_index: int
    tx_hash: str | None


class ChainPort:
    """The registry as the station sees it. Raises ChainError (or ContractRevertError by name)."""

    def __init__(self, registry: RegistryClient, relayer: Sender) -> None:
        self.registry, self.relayer = registry, relayer

    def now(self) -> int:
        """The latest block's timestamp (s): attestation deadlines are compared with it on chain."""
        return self.registry.now()

    def member(self, commitment: int) -> MemberRecord:
        """The registry's record of `commitment`."""
        return self.registry.member(commitment)

    def enrollment(self, commitment: int, deadline: int) -> Enrollment:
        """The EIP-712 attestation this registry expects for `commitment`."""
        return self.registry.enrollment(commitment, deadline)

    def enroll(self, enrollment: Enrollment, signature: bytes) -> Landed:
        """Relay the signed enrollment; the leaf index comes from the registry's record afterwards."""
        receipt = self.registry.enroll(enrollment, signature, self.relayer)
        record = self.registry.member(enrollment.commitment)
        if not record.enrolled:
            raise ChainError("the enrollment transaction was mined but the registry has no record of it")
        return Landed(record.index, "0x" + bytes(receipt["transactionHash"]).hex())

    def device_status(self, device: str) -> str:
        """unknown, active or revoked."""
        return self.registry.device_status(device)

    def health(self, device: str) -> dict[str, object]:
        """Chain id, block, registry size and `device`'s status, or the error (for the health panel)."""
        try:
            return {
                "connected": True,
                "chain_id": self.registry.chain_id,
                "block": self.registry.head().number,
                "registry": self.registry.address,
                "members": self.registry.size(),
                "device_status": self.device_status(device),
            }
        except (ChainError, OSError, ValueError) as e:
            return {"connected": False, "error": str(e)[:200]}
