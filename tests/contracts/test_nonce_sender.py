"""contracts.nonce_sender.Outbox on a bare anvil with automine off: transactions at a nonce the caller
chose, from a local key and from an unlocked node account, exactly as prepared; the node's refusals
become ChainError naming the nonce; nonces at "latest" and "pending"; receipts without waiting."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eth_account import Account
from eth_utils import keccak
from web3 import Web3

from contracts import ChainError
from contracts.anvil import DEFAULT_CHAIN_ID, AnvilNode
from contracts.nonce_sender import Outbox, PreparedTx, call_data

pytestmark = pytest.mark.slow  # one anvil for the module (~1 s)

TO = Web3.to_checksum_address("0x" + "7a" * 20)


@pytest.fixture(scope="module")
def w3() -> Iterator[Web3]:
    with AnvilNode.start() as node:
        web3 = Web3(Web3.HTTPProvider(node.url))
        web3.provider.make_request("evm_setAutomine", [False])
        yield web3


def _funded(w3: Web3, name: str):
    account = Account.from_key(keccak(text=f"nonce-sender-test-{name}"))
    w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": account.address, "value": 10**19})
    w3.provider.make_request("evm_mine", [])
    return account


def test_a_prepared_transaction_holds_exactly_the_callers_fields(w3):
    account = _funded(w3, "fields")
    outbox = Outbox(w3, account)
    assert outbox.address == account.address and outbox.chain_id == DEFAULT_CHAIN_ID
    tx = outbox.prepare(TO, "0xbeef", 7, 45_000, 3 * 10**9)
    assert tx == PreparedTx(account.address, TO, "0xbeef", 45_000, 3 * 10**9, 7, DEFAULT_CHAIN_ID)
    assert tx.params() == {
        "from": account.address,
        "to": TO,
        "data": "0xbeef",
        "gas": 45_000,
        "gasPrice": 3 * 10**9,
        "nonce": 7,
        "chainId": DEFAULT_CHAIN_ID,
        "value": 0,
    }


def test_a_local_key_sends_the_prepared_transaction_and_its_hash_is_the_signed_ones(w3):
    account = _funded(w3, "local")
    outbox = Outbox(w3, account)
    price = outbox.gas_price() * 2
    tx = outbox.prepare(TO, "0x01020304", 0, 50_000, price)
    tx_hash = outbox.broadcast(tx)
    assert isinstance(tx_hash, bytes) and len(tx_hash) == 32
    assert tx_hash == bytes(account.sign_transaction(tx.params()).hash)  # deterministic (RFC 6979)
    sent = w3.eth.get_transaction(tx_hash)
    assert (sent["from"], sent["to"], sent["nonce"], sent["gas"], sent["gasPrice"], sent["value"]) == (
        account.address,
        TO,
        0,
        50_000,
        price,
        0,
    )
    assert bytes(sent["input"]) == bytes.fromhex("01020304")
    assert (outbox.nonce("latest"), outbox.nonce("pending"), outbox.nonce()) == (0, 1, 1)
    assert outbox.receipt_if_mined(tx_hash) is None  # pending: no waiting, no receipt
    w3.provider.make_request("evm_mine", [])
    receipt = outbox.receipt_if_mined(tx_hash)
    assert receipt is not None and receipt["status"] == 1
    assert outbox.nonce("latest") == 1
    assert outbox.receipt_if_mined(keccak(text="never sent")) is None


def test_an_unlocked_node_account_sends_at_the_chosen_nonce(w3):
    sender = w3.eth.accounts[3]
    outbox = Outbox(w3, sender.lower())  # any spelling: the address is checksummed
    assert outbox.address == sender
    first = outbox.nonce("pending")
    tx_hash = outbox.broadcast(outbox.prepare(TO, "0x", first, 30_000, outbox.gas_price() * 2))
    sent = w3.eth.get_transaction(tx_hash)
    assert (sent["from"], sent["nonce"]) == (sender, first)
    w3.provider.make_request("evm_mine", [])
    assert outbox.receipt_if_mined(tx_hash)["status"] == 1


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"nonce": 0}, "nonce too low"),
        ({"gas": 40_000_000}, "gas"),
        ({"gas_price": 1}, "base fee"),
    ],
)
def test_the_nodes_refusal_is_a_chain_error_naming_the_nonce(w3, change, words):
    account = _funded(w3, f"refused-{sorted(change)[0]}")
    outbox = Outbox(w3, account)
    outbox.broadcast(outbox.prepare(TO, "0x", 0, 30_000, outbox.gas_price() * 2))
    w3.provider.make_request("evm_mine", [])
    fields = {"nonce": 1, "gas": 30_000, "gas_price": outbox.gas_price() * 2} | change
    refusal = rf"^the node refused transaction nonce {fields['nonce']}: .*{words}"
    with pytest.raises(ChainError, match=refusal):
        outbox.broadcast(outbox.prepare(TO, "0x", fields["nonce"], fields["gas"], fields["gas_price"]))
    assert outbox.nonce("pending") == 1  # nothing was taken


def test_the_gas_price_is_the_nodes_suggestion(w3):
    outbox = Outbox(w3, w3.eth.accounts[4])
    assert outbox.gas_price() == w3.eth.gas_price and isinstance(outbox.gas_price(), int)


def test_call_data_is_the_contract_address_and_the_abi_encoded_call(w3):
    abi = [
        {
            "type": "function",
            "name": "vote",
            "stateMutability": "nonpayable",
            "inputs": [{"name": "option", "type": "uint256"}],
            "outputs": [],
        }
    ]
    call = w3.eth.contract(address=TO, abi=abi).functions.vote(5)
    to, data = call_data(call)
    assert to == TO
    assert data == "0x" + keccak(text="vote(uint256)")[:4].hex() + (5).to_bytes(32, "big").hex()


def test_the_base_fee_is_the_next_blocks_and_the_tip_the_nodes_suggestion(w3):
    outbox = Outbox(w3, w3.eth.accounts[5])
    w3.provider.make_request("anvil_setNextBlockBaseFeePerGas", [hex(7 * 10**9)])
    assert outbox.base_fee() == w3.eth.get_block("pending")["baseFeePerGas"] == 7 * 10**9
    assert outbox.priority_fee() == w3.eth.max_priority_fee > 0
    w3.provider.make_request("evm_mine", [])


def test_a_chain_without_eip_1559_has_no_base_fee():
    with AnvilNode.start(extra_args=("--hardfork", "berlin")) as node:
        berlin = Web3(Web3.HTTPProvider(node.url))
        outbox = Outbox(berlin, berlin.eth.accounts[1])
        assert outbox.base_fee() is None and outbox.gas_price() > 0
