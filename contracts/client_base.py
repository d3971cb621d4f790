"""What every typed contract client shares: the web3 contract kept private, chain time and head, calls
that raise the contract's named errors, and event scans from the deployment block."""

from __future__ import annotations

from dataclasses import dataclass

from web3 import Web3
from web3.contract.contract import ContractFunction
from web3.exceptions import BlockNotFound
from web3.types import EventData, TxReceipt

from .build import ContractSet
from .event_scan import scan_events
from .nonce_sender import call_data
from .transactions import Sender, dry_run, mined_receipt, send_transaction


@dataclass(frozen=True)
class BlockRef:
    """A block by number and hash (a reorg changes the hash under the number), and its timestamp (s)."""

    number: int
    hash: str
    timestamp: int


class ContractClient:
    """A deployed contract `contract_name` at `address`; logs are scanned from `start_block` on."""

    contract_name = ""

    def __init__(self, w3: Web3, contracts: ContractSet, address: str, start_block: int = 0) -> None:
        self._w3 = w3
        self.abis = contracts.all_abis()
        self._contract = w3.eth.contract(address=address, abi=list(contracts[self.contract_name].abi))
        self.address = self._contract.address
        self.start_block = start_block

    @property
    def chain_id(self) -> int:
        """The chain id of the node this client talks to."""
        return int(self._w3.eth.chain_id)

    def now(self) -> int:
        """The latest block's timestamp (s): what the contract compares deadlines and windows with."""
        return int(self._w3.eth.get_block("latest")["timestamp"])

    def head(self) -> BlockRef:
        """The latest block."""
        block = self._w3.eth.get_block("latest")
        return BlockRef(int(block["number"]), block["hash"].to_0x_hex(), int(block["timestamp"]))

    def block_number(self) -> int:
        """The latest block's number (one cheap eth_blockNumber call)."""
        return int(self._w3.eth.block_number)

    def block_timestamp(self, number: int) -> int:
        """Block `number`'s timestamp (s)."""
        return int(self._w3.eth.get_block(number)["timestamp"])

    def block_hash(self, number: int) -> str | None:
        """The hash of block `number`, or None when the node has no such block (a reorg, a reset chain)."""
        try:
            return self._w3.eth.get_block(number)["hash"].to_0x_hex()
        except BlockNotFound:
            return None

    def send(self, call: ContractFunction, sender: Sender, gas: int | None = None) -> bytes:
        """Dry-run then send `call` (one of this client's `*_call` methods); the transaction hash, without
        waiting for it to be mined. ContractRevertError by name when the call would revert."""
        return send_transaction(self._w3, call, sender, self.abis, gas=gas)

    def encode(self, call: ContractFunction) -> tuple[str, str]:
        """(to, data) of `call` (one of this client's `*_call` methods), for a transaction sent later."""
        return call_data(call)

    def dry_run(self, call: ContractFunction, sender: Sender, gas: int | None = None) -> None:
        """eth_call `call` from `sender`; ContractRevertError by name when it would revert."""
        dry_run(call, sender, self.abis, gas)

    def receipt(self, tx_hash: bytes, timeout: float) -> TxReceipt:
        """Wait up to `timeout` s for the receipt of a sent transaction (web3's TimeExhausted when it is not
        mined by then; ChainError when it was mined and failed)."""
        return mined_receipt(self._w3, tx_hash, timeout=timeout)

    def _read(self, function: str, *args: object) -> object:
        """eth_call `function(*args)`; raises ContractRevertError by the contract's error name."""
        return dry_run(getattr(self._contract.functions, function)(*args), self.address, self.abis)

    def _scan(
        self,
        names: tuple[str, ...],
        from_block: int | None = None,
        to_block: int | None = None,
        where: dict[str, object] | None = None,
    ) -> list[EventData]:
        """Logs of the named events in [from_block (default start_block), to_block (default head)], with
        indexed arguments equal to `where`."""
        first = self.start_block if from_block is None else from_block
        last = self.block_number() if to_block is None else to_block
        return scan_events([getattr(self._contract.events, n) for n in names], first, last, where=where)
