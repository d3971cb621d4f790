"""Errors raised by presentation-attack detection."""

from zk_identity.errors import PersonhoodError


class LivenessError(PersonhoodError, ValueError):
    """Liveness input is unusable: wrong frame shape or dtype, empty sequence, mismatched schedule."""


class LivenessModelError(PersonhoodError, RuntimeError):
    """A shipped liveness model or fusion file is missing, malformed or has unexpected shapes."""
