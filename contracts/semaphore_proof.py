"""A Semaphore v4 proof as the contracts take it, validated at the boundary."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from zk_identity.field import BN254_BASE_FIELD as BASE_FIELD
from zk_identity.field import SNARK_SCALAR_FIELD

from .errors import ChainInputError

UINT256_MAX = 2**256 - 1


@dataclass(frozen=True)
class SemaphoreProof:
    """@semaphore-protocol/proof output: depth, root, nullifier, message, scope, 8 points (Solidity order)."""

    merkle_tree_depth: int
    merkle_tree_root: int
    nullifier: int
    message: int
    scope: int
    points: tuple[int, ...]

    def __post_init__(self) -> None:
        values = (self.merkle_tree_depth, self.merkle_tree_root, self.nullifier, self.message, self.scope)
        if any(type(v) is not int for v in (*values, *self.points)):
            raise ChainInputError("proof fields must be ints")
        if len(self.points) != 8:
            raise ChainInputError(f"a Groth16 proof has 8 coordinates, got {len(self.points)}")
        if not 1 <= self.merkle_tree_depth <= 32:
            raise ChainInputError("merkle_tree_depth must be in [1, 32]")
        if not 0 <= self.message <= UINT256_MAX or not 0 <= self.scope <= UINT256_MAX:
            raise ChainInputError("message and scope must be uint256 values")

    def check_ranges(self) -> None:
        """Raise ChainInputError unless root and nullifier are < r and every coordinate < q."""
        if (
            not 0 <= self.merkle_tree_root < SNARK_SCALAR_FIELD
            or not 0 <= self.nullifier < SNARK_SCALAR_FIELD
        ):
            raise ChainInputError("root and nullifier must be BN254 scalar field elements (< r)")
        if any(not 0 <= p < BASE_FIELD for p in self.points):
            raise ChainInputError("proof coordinates must be BN254 base field elements (< q)")

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> SemaphoreProof:
        """From the JSON object `generateProof` returns (numbers as decimal strings)."""
        try:
            return cls(
                int(data["merkleTreeDepth"]),  # type: ignore[arg-type]
                int(data["merkleTreeRoot"]),  # type: ignore[arg-type]
                int(data["nullifier"]),  # type: ignore[arg-type]
                int(data["message"]),  # type: ignore[arg-type]
                int(data["scope"]),  # type: ignore[arg-type]
                tuple(int(p) for p in data["points"]),  # type: ignore[attr-defined]
            )
        except (KeyError, TypeError, ValueError) as e:
            raise ChainInputError(f"malformed Semaphore proof JSON: {e}") from e
