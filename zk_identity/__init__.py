"""Zero-knowledge identity: Semaphore-v4-compatible identities, Poseidon, Merkle trees, proofs."""

from . import babyjubjub
from .eddsa_poseidon import Signature, SignatureError
from .errors import FieldRangeError, PersonhoodError, PointError, ToolNotFoundError
from .field import SNARK_SCALAR_FIELD
from .identity import Identity, KeyFormatError
from .lean_imt import DuplicateLeafError, LeafIndexError, LeafNotFoundError, LeanIMT, MerkleProof
from .message_hash import hash_to_field
from .nullifier import nullifier
from .poseidon import poseidon

__all__ = [
    "SNARK_SCALAR_FIELD",
    "DuplicateLeafError",
    "FieldRangeError",
    "Identity",
    "KeyFormatError",
    "LeafIndexError",
    "LeafNotFoundError",
    "LeanIMT",
    "MerkleProof",
    "PersonhoodError",
    "PointError",
    "Signature",
    "SignatureError",
    "ToolNotFoundError",
    "babyjubjub",
    "hash_to_field",
    "nullifier",
    "poseidon",
]
