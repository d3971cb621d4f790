"""Typed client of PersonhoodRegistry: devices, enrollment, revocation, root checks, tree from events."""

from __future__ import annotations

from dataclasses import dataclass

from web3 import Web3
from web3.types import TxReceipt

from zk_identity import LeanIMT

from .build import ContractSet
from .eip712 import Enrollment
from .errors import ChainInputError
from .transactions import Sender, dry_run, transact


@dataclass(frozen=True)
class MemberRecord:
    """The registry's record of a commitment."""

    enrolled: bool
    revoked: bool
    index: int
    device: str


class RegistryClient:
    """Calls PersonhoodRegistry at `address`; every refused call raises ContractRevertError by name."""

    def __init__(self, w3: Web3, contracts: ContractSet, address: str) -> None:
        self.w3 = w3
        self.abis = contracts.all_abis()
        self.contract = w3.eth.contract(address=address, abi=list(contracts["PersonhoodRegistry"].abi))
        self.address = self.contract.address

    def enrollment(self, commitment: int, deadline: int) -> Enrollment:
        """The attestation a device must sign to enroll `commitment` here."""
        return Enrollment(self.w3.eth.chain_id, self.address, commitment, deadline)

    def authorize_device(self, device: str, owner: Sender) -> TxReceipt:
        return transact(self.w3, self.contract.functions.authorizeDevice(device), owner, self.abis)

    def revoke_device(self, device: str, owner: Sender) -> TxReceipt:
        return transact(self.w3, self.contract.functions.revokeDevice(device), owner, self.abis)

    def set_root_window(self, seconds: int, owner: Sender) -> TxReceipt:
        return transact(self.w3, self.contract.functions.setRootWindow(seconds), owner, self.abis)

    def enroll(self, enrollment: Enrollment, signature: bytes, relayer: Sender) -> TxReceipt:
        """Relay a signed enrollment (anyone may)."""
        if len(signature) != 65:
            raise ChainInputError(f"a device signature has 65 bytes, got {len(signature)}")
        call = self.contract.functions.enroll(enrollment.commitment, enrollment.deadline, signature)
        return transact(self.w3, call, relayer, self.abis)

    def revoke(self, commitment: int, sender: Sender) -> TxReceipt:
        """Zero `commitment`'s leaf; the Merkle siblings come from the tree rebuilt from the event log."""
        record = self.member(commitment)
        siblings: list[int] = []
        if record.enrolled and not record.revoked:
            siblings = list(self.tree().generate_proof(record.index).siblings)
        # a refused revocation (NotEnrolled, AlreadyRevoked, NotAllowedToRevoke) raises by name here
        return transact(self.w3, self.contract.functions.revoke(commitment, siblings), sender, self.abis)

    def check_root(self, root: int) -> int:
        """The proof depth for `root`; raises UnknownRoot / RootExpired."""
        return int(dry_run(self.contract.functions.checkRoot(root), self.address, self.abis))  # type: ignore[arg-type]

    def current_root(self) -> int:
        return int(self.contract.functions.currentRoot().call())

    def size(self) -> int:
        return int(self.contract.functions.size().call())

    def depth(self) -> int:
        return int(self.contract.functions.depth().call())

    def member(self, commitment: int) -> MemberRecord:
        enrolled, revoked, index, device = self.contract.functions.member(commitment).call()
        return MemberRecord(bool(enrolled), bool(revoked), int(index), str(device))

    def _events(self) -> list:
        events = [
            *self.contract.events.MemberEnrolled.get_logs(from_block=0),
            *self.contract.events.MemberRevoked.get_logs(from_block=0),
        ]
        return sorted(events, key=lambda e: (e["blockNumber"], e["logIndex"]))

    def tree(self) -> LeanIMT:
        """The registry's tree rebuilt from MemberEnrolled / MemberRevoked events (what an indexer does)."""
        enrolled: list[int] = []
        removed: list[int] = []
        for event in self._events():
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
