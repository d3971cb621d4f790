"""The project's root exception and the zk_identity errors.

`PersonhoodError` is the root of every error Personhood raises. It lives in
zk_identity because zk_identity is the bottom layer that every other package may
import (and it imports nothing of ours).
"""


class PersonhoodError(Exception):
    """Root of every error raised by Personhood."""


class FieldRangeError(PersonhoodError, ValueError):
    """A value is not a canonical element of the field it must belong to."""


class PointError(PersonhoodError, ValueError):
    """A point is not on the curve or not in the prime-order subgroup."""


class ToolNotFoundError(PersonhoodError, FileNotFoundError):
    """A node tool the project calls as a subprocess is not installed."""


class CircuitBuildError(PersonhoodError, RuntimeError):
    """circom failed to compile a circuit (its stderr is in the message and `.stderr`)."""

    def __init__(self, message: str, stderr: str = "") -> None:
        super().__init__(message)
        self.stderr = stderr


class SetupError(PersonhoodError, RuntimeError):
    """A trusted-setup step failed or a setup artifact does not match its manifest."""


class ProverError(PersonhoodError, RuntimeError):
    """Witness generation or proving failed (the node/snarkjs message is in the text)."""


class ProofFormatError(PersonhoodError, ValueError):
    """A proof, verification key or public signal is malformed (wrong shape, type or size)."""
