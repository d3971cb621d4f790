"""Zero-knowledge identity: Semaphore-v4-compatible identities, Poseidon, Merkle trees, proofs."""

from .errors import FieldRangeError, PersonhoodError, PointError, ToolNotFoundError
from .field import SNARK_SCALAR_FIELD
from .poseidon import poseidon

__all__ = [
    "SNARK_SCALAR_FIELD",
    "FieldRangeError",
    "PersonhoodError",
    "PointError",
    "ToolNotFoundError",
    "poseidon",
]
