"""Send contract transactions: dry-run first (a refused call raises its named error and changes nothing),
then send from an unlocked node account or a local key, and wait for the receipt."""

from __future__ import annotations

from collections.abc import Iterable

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract.contract import ContractConstructor, ContractFunction
from web3.exceptions import ContractLogicError, Web3RPCError
from web3.types import TxReceipt

from .errors import ChainError
from .revert import decode_revert

Sender = str | LocalAccount
RECEIPT_TIMEOUT_S = 60.0


def sender_address(sender: Sender) -> str:
    """The 0x address of an unlocked account (given as its address) or of a local key."""
    return sender.address if isinstance(sender, LocalAccount) else Web3.to_checksum_address(sender)


def dry_run(call: ContractFunction, sender: Sender, abis: Iterable[dict], gas: int | None = None) -> object:
    """eth_call the transaction; raises ContractRevertError (named custom error) if it would revert."""
    params: dict = {"from": sender_address(sender)}
    if gas is not None:
        params["gas"] = gas
    try:
        return call.call(params)
    except ContractLogicError as e:
        raise decode_revert(e.data, abis) from e


def send_transaction(
    w3: Web3,
    call: ContractFunction | ContractConstructor,
    sender: Sender,
    abis: Iterable[dict],
    gas: int | None = None,
) -> bytes:
    """Dry-run, then send `call`; the transaction hash, without waiting for it to be mined.

    Raises ContractRevertError before sending when the call would revert, ChainError when the node refuses
    the transaction (NodeUnavailableError when it does not answer). Callers that share a sender
    across threads serialize this call (nonces), not the wait for the receipt.
    """
    abis = tuple(abis)
    if isinstance(call, ContractFunction):  # constructors cannot be eth_call'ed by web3
        dry_run(call, sender, abis, gas)
    params: dict = {"from": sender_address(sender)}
    if gas is not None:
        params["gas"] = gas
    try:
        if isinstance(sender, LocalAccount):
            params["nonce"] = w3.eth.get_transaction_count(sender.address, "pending")
            params["chainId"] = w3.eth.chain_id
            tx = call.build_transaction(params)
            return bytes(w3.eth.send_raw_transaction(sender.sign_transaction(tx).raw_transaction))
        return bytes(call.transact(params))
    except Web3RPCError as e:  # the node's JSON-RPC error: no funds for gas, a nonce taken, ...
        raise ChainError(f"the node refused the transaction: {e}") from e


def mined_receipt(w3: Web3, tx_hash: bytes, timeout: float = RECEIPT_TIMEOUT_S) -> TxReceipt:
    """Wait up to `timeout` s for `tx_hash`'s receipt; ChainError if it failed on chain.

    Raises web3's TimeExhausted when it is not mined in time (it may still be mined later).
    """
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=timeout)
    if receipt["status"] != 1:
        raise ChainError(
            f"transaction {tx_hash.hex()} failed on chain after a successful dry run "
            f"(gas used {receipt['gasUsed']}; too little gas, or the state changed in between)"
        )
    return receipt


def transact(
    w3: Web3,
    call: ContractFunction | ContractConstructor,
    sender: Sender,
    abis: Iterable[dict],
    gas: int | None = None,
) -> TxReceipt:
    """Dry-run, then send `call` and return its receipt.

    `gas`: an explicit limit (always give one for proof checks: eth_estimateGas under-estimates the pairing
    and a starved pairing makes the verifier return false). Raises ContractRevertError before sending when
    the call would revert, ChainError when the mined transaction failed anyway.
    """
    return mined_receipt(w3, send_transaction(w3, call, sender, abis, gas))
