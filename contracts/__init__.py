"""Personhood on chain: Solidity sources, their build (solc-js, snarkjs, generated Poseidon), the embedded
anvil chain, deployment and typed clients."""

from .anvil import AnvilNode
from .ballot_client import PROOF_TX_GAS, OnePersonOneVoteClient, QuadraticVoteClient
from .build import ContractSet, build_contracts
from .connection import connect
from .deploy import DEFAULT_ROOT_WINDOW_S, Deployment, deploy_all
from .eip712 import Enrollment, recover_signer, sign_enrollment
from .errors import AnvilError, ChainError, ChainInputError, ContractBuildError, ContractRevertError
from .registry_client import MemberRecord, RegistryClient
from .semaphore_proof import SemaphoreProof
from .tally import ballot_scope, quadratic_cost, quadratic_message, recount

__all__ = [
    "DEFAULT_ROOT_WINDOW_S",
    "PROOF_TX_GAS",
    "AnvilError",
    "AnvilNode",
    "ChainError",
    "ChainInputError",
    "ContractBuildError",
    "ContractRevertError",
    "ContractSet",
    "Deployment",
    "Enrollment",
    "MemberRecord",
    "OnePersonOneVoteClient",
    "QuadraticVoteClient",
    "RegistryClient",
    "SemaphoreProof",
    "ballot_scope",
    "build_contracts",
    "connect",
    "deploy_all",
    "quadratic_cost",
    "quadratic_message",
    "recount",
    "recover_signer",
    "sign_enrollment",
]
