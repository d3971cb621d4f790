"""Semaphore v4 nullifiers: one per identity and scope, so a second action in the same scope is detectable."""

from __future__ import annotations

from .babyjubjub import SUBGROUP_ORDER
from .field import require_int
from .identity import Identity
from .message_hash import hash_to_field
from .poseidon import poseidon


def nullifier(identity_or_secret: Identity | int, scope: int | bytes | str) -> int:
    """Poseidon(hash_to_field(scope), secret_scalar), as the Semaphore v4 circuit computes it.

    `identity_or_secret` is an Identity or its secret scalar (an int in [0, l), which the circuit
    also enforces). Scope encoding is `hash_to_field`'s. Raises TypeError / ValueError on bad input.
    """
    if isinstance(identity_or_secret, Identity):
        secret = identity_or_secret.secret_scalar
    else:
        secret = require_int(identity_or_secret, "secret scalar")
        if not 0 <= secret < SUBGROUP_ORDER:
            raise ValueError("secret scalar must be in [0, l) (Baby Jubjub subgroup order)")
    return poseidon([hash_to_field(scope), secret])
