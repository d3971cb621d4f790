"""Personhood on chain: Solidity sources, their build (solc-js, snarkjs, generated Poseidon), the embedded
anvil chain, deployment, and the front door: `open_deployment` / `attach` give a `DeployedSystem` of
typed clients (the raw web3 contracts stay inside them)."""

from .anvil import AnvilNode
from .ballot_client import PROOF_TX_GAS, OnChainProposal, OnePersonOneVoteClient, QuadraticVoteClient
from .build import ContractSet, build_contracts
from .connection import connect, http_web3
from .deploy import DEFAULT_ROOT_WINDOW_S, Deployment, deploy_all
from .deployed_system import (
    DeployedSystem,
    DeploymentFileError,
    attach,
    load_deployment,
    open_deployment,
    save_deployment,
)
from .eip712 import Enrollment, recover_signer, sign_enrollment
from .errors import (
    AnvilError,
    ChainError,
    ChainInputError,
    ContractBuildError,
    ContractRevertError,
    NodeUnavailableError,
)
from .registry_client import DEVICE_STATUS, MemberRecord, RegistryClient
from .tally import ballot_scope, quadratic_cost, quadratic_message, recount

__all__ = [
    "DEFAULT_ROOT_WINDOW_S",
    "DEVICE_STATUS",
    "PROOF_TX_GAS",
    "AnvilError",
    "AnvilNode",
    "ChainError",
    "ChainInputError",
    "ContractBuildError",
    "ContractRevertError",
    "ContractSet",
    "DeployedSystem",
    "Deployment",
    "DeploymentFileError",
    "Enrollment",
    "MemberRecord",
    "NodeUnavailableError",
    "OnChainProposal",
    "OnePersonOneVoteClient",
    "QuadraticVoteClient",
    "RegistryClient",
    "attach",
    "ballot_scope",
    "build_contracts",
    "connect",
    "deploy_all",
    "http_web3",
    "load_deployment",
    "open_deployment",
    "quadratic_cost",
    "quadratic_message",
    "recount",
    "recover_signer",
    "save_deployment",
    "sign_enrollment",
]
