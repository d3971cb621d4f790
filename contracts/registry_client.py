"""Typed client of PersonhoodRegistry: devices, enrollment, revocation, root checks, tree from events."""

from __future__ import annotations

from dataclasses import dataclass

from web3.types import EventData, TxReceipt

from zk_identity import LeanIMT

from .client_base import ContractClient
from .eip712 import Enrollment
from .errors import ChainInputError
from .transactions import Sender, transact


@dataclass(frozen=True)
class MemberRecord:
    """The registry's record of a commitment."""

    enrolled: bool
    revoked: bool
    index: int
    device: str


DEVICE_STATUS = ("unknown", "active", "revoked")  # PersonhoodRegistry.DeviceStatus


class RegistryClient(ContractClient):
    """Calls PersonhoodRegistry at `address`; every refused call raises ContractRevertError by name."""

    contract_name = "PersonhoodRegistry"

    def enrollment(self, commitment: int, deadline: int) -> Enrollment:
        """The attestation a device must sign to enroll `commitment` here."""
        return Enrollment(self.chain_id, self.address, commitment, deadline)

    def owner(self) -> str:
        """The registry's owner: the one account that may authorize and revoke devices."""
        return str(self._read("owner"))

    def device_status(self, device: str) -> str:
        """`device`'s status in the registry: "unknown", "active" or "revoked"."""
        status = int(self._read("deviceStatus", device))  # type: ignore[call-overload]
        return DEVICE_STATUS[status] if status < len(DEVICE_STATUS) else f"status-{status}"

    def membership_events(
        self, from_block: int | None = None, to_block: int | None = None
    ) -> list[EventData]:
        """MemberEnrolled / MemberRevoked logs in chain order, from the deployment block (default) to the
        head (default)."""
        return self._scan(("MemberEnrolled", "MemberRevoked"), from_block, to_block)

    def authorize_device(self, device: str, owner: Sender) -> TxReceipt:
        return transact(self._w3, self._contract.functions.authorizeDevice(device), owner, self.abis)

    def revoke_device(self, device: str, owner: Sender) -> TxReceipt:
        return transact(self._w3, self._contract.functions.revokeDevice(device), owner, self.abis)

    def set_root_window(self, seconds: int, owner: Sender) -> TxReceipt:
        return transact(self._w3, self._contract.functions.setRootWindow(seconds), owner, self.abis)

    def enroll(self, enrollment: Enrollment, signature: bytes, relayer: Sender) -> TxReceipt:
        """Relay a signed enrollment (anyone may)."""
        if len(signature) != 65:
            raise ChainInputError(f"a device signature has 65 bytes, got {len(signature)}")
        call = self._contract.functions.enroll(enrollment.commitment, enrollment.deadline, signature)
        return transact(self._w3, call, relayer, self.abis)

    def revoke(self, commitment: int, sender: Sender) -> TxReceipt:
        """Zero `commitment`'s leaf; the Merkle siblings come from the tree rebuilt from the event log."""
        record = self.member(commitment)
        siblings: list[int] = []
        if record.enrolled and not record.revoked:
            siblings = list(self.tree().generate_proof(record.index).siblings)
        # a refused revocation (NotEnrolled, AlreadyRevoked, NotAllowedToRevoke) raises by name here
        return transact(self._w3, self._contract.functions.revoke(commitment, siblings), sender, self.abis)

    def check_root(self, root: int) -> int:
        """The proof depth for `root`; raises UnknownRoot / RootExpired."""
        return int(self._read("checkRoot", root))  # type: ignore[call-overload]

    def current_root(self) -> int:
        return int(self._read("currentRoot"))  # type: ignore[call-overload]

    def size(self) -> int:
        return int(self._read("size"))  # type: ignore[call-overload]

    def depth(self) -> int:
        return int(self._read("depth"))  # type: ignore[call-overload]

    def member(self, commitment: int) -> MemberRecord:
        enrolled, revoked, index, device = self._read("member", commitment)  # type: ignore[misc]
        return MemberRecord(bool(enrolled), bool(revoked), int(index), str(device))

    def tree(self) -> LeanIMT:
        """The registry's tree rebuilt from MemberEnrolled / MemberRevoked events (what an indexer does)."""
        enrolled: list[int] = []
        removed: list[int] = []
        for event in self.membership_events():
            if event["event"] == "MemberEnrolled":
                if event["args"]["index"] != len(enrolled):
                    raise ChainInputError("enrollment events are not contiguous; the log is incomplete")
                enrolled.append(int(event["args"]["commitment"]))
            else:
                removed.append(int(event["args"]["index"]))
        tree = LeanIMT(enrolled)
        for index in removed:
            tree.remove(index)
        return tree

    def leaves(self) -> list[int]:
        """The tree's leaves from the event log (revoked leaves are 0)."""
        return list(self.tree().leaves)
