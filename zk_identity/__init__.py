"""Zero-knowledge identity: Semaphore-v4-compatible identities, Poseidon, Merkle trees, proofs."""

from .errors import FieldRangeError, PersonhoodError, PointError, ToolNotFoundError

__all__ = ["FieldRangeError", "PersonhoodError", "PointError", "ToolNotFoundError"]
