"""Typed client of PersonhoodRegistry: devices, enrollment, revocation, root checks, tree from events."""

from __future__ import annotations

from dataclasses import dataclass

from web3 import Web3
from web3.types import TxReceipt

from .build import ContractSet
from .eip712 import Enrollment
from .errors import ChainInputError
from .transactions import Sender, dry_run, transact
from .tree_mirror import lean_imt_siblings


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
        """Zero `commitment`'s leaf; the Merkle siblings come from the registry's event log."""
        leaves = self.leaves()
        record = self.member(commitment)
        if not record.enrolled:
            call = self.contract.functions.revoke(commitment, [])
            dry_run(call, sender, self.abis)  # raises NotEnrolled by name
        siblings = lean_imt_siblings(leaves, record.index)
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

    def leaves(self) -> list[int]:
        """The tree's leaves rebuilt from MemberEnrolled / MemberRevoked events (revoked leaves are 0)."""
        events = [
            *self.contract.events.MemberEnrolled.get_logs(from_block=0),
            *self.contract.events.MemberRevoked.get_logs(from_block=0),
        ]
        events.sort(key=lambda e: (e["blockNumber"], e["logIndex"]))
        leaves: list[int] = []
        for event in events:
            if event["event"] == "MemberEnrolled":
                if event["args"]["index"] != len(leaves):
                    raise ChainInputError("enrollment events are not contiguous; the log is incomplete")
                leaves.append(int(event["args"]["commitment"]))
            else:
                leaves[int(event["args"]["index"])] = 0
        return leaves
