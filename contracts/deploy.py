"""Deploy the system: Poseidon hasher, registry, per-depth Groth16 verifiers, PersonhoodVerifier, ballots."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from web3 import Web3

from .build import ContractSet
from .errors import ChainError
from .solc import CompiledContract
from .transactions import Sender, transact

DEFAULT_ROOT_WINDOW_S = 3600  # a superseded root stays valid for an hour
DEPLOY_GAS = 12_000_000


@dataclass(frozen=True)
class Deployment:
    """Addresses of one deployed system on one chain."""

    chain_id: int
    poseidon: str
    registry: str
    verifier: str
    groth16: Mapping[int, str]
    one_person_one_vote: str
    quadratic_vote: str
    start_block: int = 0  # the block before the first contract's: where event scans begin


def deploy_contract(w3: Web3, compiled: CompiledContract, sender: Sender, *args: object) -> str:
    """Deploy `compiled` with constructor `args`; returns its checksummed address."""
    factory = w3.eth.contract(abi=list(compiled.abi), bytecode="0x" + compiled.bytecode)
    receipt = transact(w3, factory.constructor(*args), sender, compiled.abi, gas=DEPLOY_GAS)
    address = receipt["contractAddress"]
    if not address or not w3.eth.get_code(address):
        raise ChainError(f"deploying {compiled.name} left no code")
    return Web3.to_checksum_address(address)


def deploy_poseidon(w3: Web3, contracts: ContractSet, sender: Sender) -> str:
    """Deploy the generated Poseidon(2) bytecode (it has no constructor ABI)."""
    tx = {"from": sender, "data": "0x" + contracts["PoseidonT3"].bytecode, "gas": DEPLOY_GAS}
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction(tx))
    if receipt["status"] != 1 or not receipt["contractAddress"]:
        raise ChainError("deploying the Poseidon hasher failed")
    return Web3.to_checksum_address(receipt["contractAddress"])


def register_verifier(
    w3: Web3, contracts: ContractSet, verifier: str, depth: int, groth16: str, owner: Sender
) -> None:
    """Register an already deployed Groth16 verifier for `depth` in the PersonhoodVerifier."""
    pv = w3.eth.contract(address=verifier, abi=list(contracts["PersonhoodVerifier"].abi))
    transact(w3, pv.functions.setVerifier(depth, groth16), owner, contracts.all_abis())


def deploy_all(
    w3: Web3, contracts: ContractSet, owner: str, root_window: int = DEFAULT_ROOT_WINDOW_S
) -> Deployment:
    """Deploy everything from the unlocked account `owner`, which also owns registry and verifier."""
    start_block = int(w3.eth.block_number)
    poseidon = deploy_poseidon(w3, contracts, owner)
    registry = deploy_contract(w3, contracts["PersonhoodRegistry"], owner, owner, poseidon, root_window)
    verifier = deploy_contract(w3, contracts["PersonhoodVerifier"], owner, registry, owner)
    groth16 = {}
    for depth, compiled in sorted(contracts.verifiers.items()):
        groth16[depth] = deploy_contract(w3, compiled, owner)
        register_verifier(w3, contracts, verifier, depth, groth16[depth], owner)
    one = deploy_contract(w3, contracts["OnePersonOneVote"], owner, verifier)
    quadratic = deploy_contract(w3, contracts["QuadraticVote"], owner, verifier)
    return Deployment(w3.eth.chain_id, poseidon, registry, verifier, groth16, one, quadratic, start_block)
