"""Transactions with a nonce the caller chose: what lets a relayer keep several in flight and re-send one
without ever making two.

`prepare` builds the transaction (to, data, gas, legacy gasPrice, nonce, chainId) as plain JSON-able
values; `broadcast` sends exactly those values, from a local key (signed here: the same values give the
same signature and hash, RFC 6979) or an unlocked node account. Re-broadcasting the same prepared
transaction is harmless: the node knows it already, or its nonce is spent. A replacement is the same
transaction at a higher gas price: one nonce, so at most one of them is ever mined.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract.contract import ContractFunction
from web3.exceptions import TransactionNotFound, Web3RPCError
from web3.types import TxReceipt

from .errors import ChainError
from .transactions import Sender, sender_address


@dataclass(frozen=True)
class PreparedTx:
    """One transaction's fixed fields (addresses checksummed, data 0x-hex)."""

    sender: str
    to: str
    data: str
    gas: int
    gas_price: int
    nonce: int
    chain_id: int

    def params(self) -> dict[str, object]:
        """The web3 transaction dict."""
        return {
            "from": self.sender,
            "to": self.to,
            "data": self.data,
            "gas": self.gas,
            "gasPrice": self.gas_price,
            "nonce": self.nonce,
            "chainId": self.chain_id,
            "value": 0,
        }


def call_data(call: ContractFunction) -> tuple[str, str]:
    """(to, data) of a contract call."""
    return Web3.to_checksum_address(call.address), call._encode_transaction_data()


class Outbox:
    """One sending account on one node: nonces, gas price, prepared transactions, receipts (no waiting)."""

    def __init__(self, w3: Web3, sender: Sender) -> None:
        self._w3, self.sender = w3, sender
        self.address = sender_address(sender)
        self.chain_id = int(w3.eth.chain_id)

    def prepare(self, to: str, data: str, nonce: int, gas: int, gas_price: int) -> PreparedTx:
        """The transaction sender -> `to` with `data` at `nonce` (nothing is sent)."""
        return PreparedTx(self.address, to, data, gas, gas_price, nonce, self.chain_id)

    def broadcast(self, tx: PreparedTx) -> bytes:
        """Send `tx` as prepared; its hash. ChainError with the node's words when the node refuses it
        (nonce too low, fee too low, unknown account)."""
        try:
            if isinstance(self.sender, LocalAccount):
                signed = self.sender.sign_transaction(tx.params())
                return bytes(self._w3.eth.send_raw_transaction(signed.raw_transaction))
            return bytes(self._w3.eth.send_transaction(tx.params()))  # type: ignore[arg-type]
        except (Web3RPCError, ValueError) as e:  # the node's JSON-RPC error
            raise ChainError(f"the node refused transaction nonce {tx.nonce}: {e}") from e

    def nonce(self, block: str = "pending") -> int:
        """The account's transaction count at `block` ("latest": mined only; "pending": with the mempool)."""
        return int(self._w3.eth.get_transaction_count(self.address, block))  # type: ignore[arg-type]

    def gas_price(self) -> int:
        """The node's suggested gas price (wei)."""
        return int(self._w3.eth.gas_price)

    def base_fee(self) -> int | None:
        """The base fee (wei per gas) of the next block (EIP-1559), or None on a chain without one."""
        fee = self._w3.eth.get_block("pending").get("baseFeePerGas")
        return None if fee is None else int(fee)

    def priority_fee(self) -> int:
        """The node's suggested tip over the base fee (wei per gas)."""
        return int(self._w3.eth.max_priority_fee)

    def receipt_if_mined(self, tx_hash: bytes) -> TxReceipt | None:
        """The receipt of `tx_hash`, or None while it is not mined (never waits)."""
        try:
            return self._w3.eth.get_transaction_receipt(tx_hash)
        except TransactionNotFound:
            return None
