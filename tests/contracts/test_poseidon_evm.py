"""The generated Poseidon(2) bytecode vs zk_identity.poseidon and poseidon-lite (in-process EVM)."""

from __future__ import annotations

import pytest
from web3 import EthereumTesterProvider, Web3

from contracts.poseidon_evm import creation_code, runtime_code
from zk_identity import SNARK_SCALAR_FIELD, poseidon

R = SNARK_SCALAR_FIELD
PAIRS = [(0, 0), (1, 2), (R - 1, R - 1), (R - 1, 0), (2**253 + 12345, 987654321987654321), (7, R - 7)]


@pytest.fixture(scope="module")
def hasher():
    w3 = Web3(EthereumTesterProvider())
    tx = w3.eth.send_transaction(
        {"from": w3.eth.accounts[0], "data": "0x" + creation_code().hex(), "gas": 6_000_000}
    )
    address = w3.eth.get_transaction_receipt(tx)["contractAddress"]
    assert w3.eth.get_code(address) == runtime_code()

    def call(data: bytes) -> bytes:
        return bytes(w3.eth.call({"to": address, "data": "0x" + data.hex()}))

    return call


def _words(*values: int) -> bytes:
    return b"".join(v.to_bytes(32, "big") for v in values)


def test_bytecode_fits_eip170():
    assert len(runtime_code()) <= 24_576


@pytest.mark.node
def test_onchain_poseidon_equals_zk_identity_and_poseidon_lite(hasher, run_node):
    peer = run_node(
        "import { poseidon2 } from 'poseidon-lite';"
        "const pairs = JSON.parse(process.argv[1]);"
        "console.log(JSON.stringify(pairs.map(([a, b]) => poseidon2([BigInt(a), BigInt(b)]).toString())));",
        str([[str(a), str(b)] for a, b in PAIRS]).replace("'", '"'),
    )
    for (a, b), expected in zip(PAIRS, peer, strict=True):
        onchain = int.from_bytes(hasher(_words(a, b)), "big")
        assert onchain == poseidon([a, b]) == int(expected)


@pytest.mark.parametrize("length", [0, 32, 63, 65, 96])
def test_wrong_calldata_length_reverts(hasher, length):
    with pytest.raises(Exception, match="revert"):
        hasher(b"\x01" * length)
