"""Membership proof values: Semaphore v4's `SemaphoreProof` JSON, message/scope encoding, packing.

JSON shape (Semaphore v4, @semaphore-protocol/proof): `merkleTreeDepth` (number), and decimal
strings `merkleTreeRoot`, `nullifier`, `message`, `scope`, `points` (8 of them).
Public signals of the circuit = [root, nullifier, hash(message), hash(scope)] where
hash(x) = keccak256(x as 32 big-endian bytes) >> 8, which is below the BN254 scalar field.
`points` is a Groth16 proof packed in the order Solidity verifiers take:
[A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y] (EIP-197 puts the imaginary part first).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from .bn254_checks import P as BASE_FIELD
from .errors import FieldRangeError, ProofFormatError
from .field import SNARK_SCALAR_FIELD as SCALAR_FIELD
from .message_hash import UINT256_LIMIT, hash_to_field, to_uint256

MIN_DEPTH, MAX_DEPTH = 1, 32  # the depths Semaphore v4 ships circuits for

_DECIMAL = re.compile(r"[0-9]{1,78}")


def message_value(value: int | str | bytes) -> int:
    """A message or scope as the integer Semaphore's generateProof makes of it (`to_uint256`).

    Raises ProofFormatError (TypeError/ValueError subclass semantics kept) for text that is not a
    number and longer than 31 bytes, a wrong type, or a value outside [0, 2^256).
    """
    try:
        return to_uint256(value)
    except (TypeError, ValueError) as e:
        raise ProofFormatError(f"message/scope: {e}") from e


def pack_points(proof: dict[str, Any]) -> tuple[int, ...]:
    """A snarkjs Groth16 proof (pi_a, pi_b, pi_c) as the 8 integers Solidity verifiers take."""
    try:
        a, b, c = proof["pi_a"], proof["pi_b"], proof["pi_c"]
        values = (a[0], a[1], b[0][1], b[0][0], b[1][1], b[1][0], c[0], c[1])
        return tuple(_decimal(v, BASE_FIELD, "proof point") for v in values)
    except (KeyError, IndexError, TypeError) as e:
        raise ProofFormatError(f"not a snarkjs Groth16 proof: {e}") from e


def unpack_points(points: tuple[int, ...]) -> dict[str, Any]:
    """The 8 packed integers back into snarkjs's proof JSON (projective, decimal strings)."""
    p = [str(v) for v in points]
    return {
        "pi_a": [p[0], p[1], "1"],
        "pi_b": [[p[3], p[2]], [p[5], p[4]], ["1", "0"]],
        "pi_c": [p[6], p[7], "1"],
        "protocol": "groth16",
        "curve": "bn128",
    }


def _decimal(value: object, limit: int, what: str) -> int:
    """A decimal string (or int) in [0, limit); ProofFormatError / FieldRangeError otherwise."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ProofFormatError(f"{what} must be a decimal string, got {type(value).__name__}")
    if isinstance(value, str):
        if not _DECIMAL.fullmatch(value):
            raise ProofFormatError(f"{what} must be a decimal string, got {value[:80]!r}")
        value = int(value)
    if not 0 <= value < limit:
        raise FieldRangeError(f"{what} {value} is out of range (must be < {limit})")
    return value


@dataclass(frozen=True)
class MembershipProof:
    """A Semaphore-v4-compatible membership proof (field names mirror `SemaphoreProof`)."""

    merkle_tree_depth: int
    merkle_tree_root: int
    nullifier: int
    message: int
    scope: int
    points: tuple[int, ...]

    def __post_init__(self) -> None:
        depth = self.merkle_tree_depth
        if isinstance(depth, bool) or not isinstance(depth, int) or not MIN_DEPTH <= depth <= MAX_DEPTH:
            raise ProofFormatError(
                f"merkleTreeDepth must be an integer in {MIN_DEPTH}..{MAX_DEPTH}, got {depth!r}"
            )
        _decimal(self.merkle_tree_root, SCALAR_FIELD, "merkleTreeRoot")
        _decimal(self.nullifier, SCALAR_FIELD, "nullifier")
        _decimal(self.message, UINT256_LIMIT, "message")
        _decimal(self.scope, UINT256_LIMIT, "scope")
        if not isinstance(self.points, tuple) or len(self.points) != 8:
            raise ProofFormatError("points must be a tuple of 8 integers")
        for i, v in enumerate(self.points):
            _decimal(v, BASE_FIELD, f"points[{i}]")

    def public_signals(self) -> list[int]:
        """The circuit's public signals: [root, nullifier, hash(message), hash(scope)]."""
        return [
            self.merkle_tree_root,
            self.nullifier,
            hash_to_field(self.message),
            hash_to_field(self.scope),
        ]

    def snarkjs_proof(self) -> dict[str, Any]:
        """The proof in snarkjs's JSON format (for groth16.verify)."""
        return unpack_points(self.points)

    def to_json(self) -> dict[str, Any]:
        """Semaphore v4 `SemaphoreProof` JSON: depth as a number, everything else decimal strings."""
        return {
            "merkleTreeDepth": self.merkle_tree_depth,
            "merkleTreeRoot": str(self.merkle_tree_root),
            "nullifier": str(self.nullifier),
            "message": str(self.message),
            "scope": str(self.scope),
            "points": [str(v) for v in self.points],
        }

    def dumps(self) -> str:
        """`to_json` as a JSON string."""
        return json.dumps(self.to_json())

    @classmethod
    def from_json(cls, data: object) -> MembershipProof:
        """Parse and validate `SemaphoreProof` JSON (a dict or a JSON string).

        Raises ProofFormatError for a wrong shape or type, FieldRangeError for values out of range.
        """
        if isinstance(data, (str, bytes)):
            try:
                data = json.loads(data)
            except (json.JSONDecodeError, UnicodeDecodeError) as e:
                raise ProofFormatError(f"proof is not valid JSON: {e}") from e
        if not isinstance(data, dict):
            raise ProofFormatError("proof must be a JSON object")
        expected = {"merkleTreeDepth", "merkleTreeRoot", "nullifier", "message", "scope", "points"}
        missing = expected - set(data)
        if missing:
            raise ProofFormatError(f"proof is missing {', '.join(sorted(missing))}")
        points = data["points"]
        if not isinstance(points, list) or len(points) != 8:
            raise ProofFormatError("proof.points must be a list of 8 decimal strings")
        return cls(
            merkle_tree_depth=data["merkleTreeDepth"],
            merkle_tree_root=_decimal(data["merkleTreeRoot"], SCALAR_FIELD, "merkleTreeRoot"),
            nullifier=_decimal(data["nullifier"], SCALAR_FIELD, "nullifier"),
            message=_decimal(data["message"], UINT256_LIMIT, "message"),
            scope=_decimal(data["scope"], UINT256_LIMIT, "scope"),
            points=tuple(_decimal(v, BASE_FIELD, f"points[{i}]") for i, v in enumerate(points)),
        )
