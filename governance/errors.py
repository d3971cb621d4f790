"""Errors of the governance layer; each carries the HTTP status and machine-readable code the API returns."""

from __future__ import annotations

from zk_identity.errors import PersonhoodError


class GovernanceError(PersonhoodError):
    """Root of governance errors: `code` is the API's machine-readable error, `status` its HTTP status."""

    code = "governance_error"
    status = 400

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class RequestError(GovernanceError, ValueError):
    """A request is malformed: not JSON, a missing field, a wrong type, a number out of its field."""

    code = "invalid_request"
    status = 400


class ProofRejectedError(GovernanceError, ValueError):
    """A well-formed proof was refused: wrong scope/message, unknown or expired root, failed pairing check."""

    code = "invalid_proof"
    status = 400


class NotFoundError(GovernanceError, LookupError):
    """An unknown proposal, path or resource."""

    code = "not_found"
    status = 404


class NullifierUsedError(GovernanceError):
    """The nullifier has already been used for this action or ballot (one person, one use)."""

    code = "nullifier_used"
    status = 409

    def __init__(self, message: str, nullifier: int | None = None) -> None:
        super().__init__(message)
        self.nullifier = nullifier


class RateLimitedError(GovernanceError):
    """Too many requests from one client; `retry_after` is in seconds."""

    code = "rate_limited"
    status = 429

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UpstreamError(GovernanceError):
    """The chain or the prover/verifier backend did not answer; nothing was recorded."""

    code = "upstream_unavailable"
    status = 503


class SetupMissingError(GovernanceError, FileNotFoundError):
    """The deployment file, chain URL or relayer account is missing; the message says how to set it."""

    code = "not_configured"
    status = 503
