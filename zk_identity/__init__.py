"""Zero-knowledge identity: Semaphore-v4-compatible identities, Poseidon, Merkle trees, proofs."""

from . import babyjubjub
from .eddsa_poseidon import Signature, SignatureError
from .errors import (
    CircuitBuildError,
    FieldRangeError,
    PersonhoodError,
    PointError,
    ProofFormatError,
    ProverError,
    SetupError,
    ToolNotFoundError,
)
from .field import BN254_BASE_FIELD, SNARK_SCALAR_FIELD, keccak_to_field
from .identity import Identity, KeyFormatError
from .lean_imt import DuplicateLeafError, LeafIndexError, LeafNotFoundError, LeanIMT, MerkleProof
from .message_hash import hash_to_field
from .nullifier import nullifier
from .poseidon import poseidon
from .proof import MembershipProof
from .prover import prove
from .prover_pool import ProverPool
from .proving_setup import ProvingSetup
from .verifier import verify

__all__ = [
    "BN254_BASE_FIELD",
    "SNARK_SCALAR_FIELD",
    "CircuitBuildError",
    "DuplicateLeafError",
    "FieldRangeError",
    "Identity",
    "KeyFormatError",
    "LeafIndexError",
    "LeafNotFoundError",
    "LeanIMT",
    "MembershipProof",
    "MerkleProof",
    "PersonhoodError",
    "PointError",
    "ProofFormatError",
    "ProverError",
    "ProverPool",
    "ProvingSetup",
    "SetupError",
    "Signature",
    "SignatureError",
    "ToolNotFoundError",
    "babyjubjub",
    "hash_to_field",
    "keccak_to_field",
    "nullifier",
    "poseidon",
    "prove",
    "verify",
]
