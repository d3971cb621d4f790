"""Errors of the uniqueness service: each carries a machine-readable `code` and the HTTP status it maps to."""

from __future__ import annotations

from zk_identity.errors import PersonhoodError


class UniquenessError(PersonhoodError):
    """Root of the service's errors; `code` is what a client reads, the message says what to do."""

    code = "uniqueness_error"
    status = 400

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class RequestRefusedError(UniquenessError, ValueError):
    """A request is malformed, unsigned, stale, replayed, or from a device the registry does not allow."""

    code = "bad_request"
    status = 400


class UnauthorizedDeviceError(RequestRefusedError):
    """The signer is not an active device of the registry (unknown or revoked)."""

    code = "device_not_active"
    status = 403


class ReservationError(UniquenessError, LookupError):
    """The named reservation is unknown, belongs to another station, or cannot take this operation."""

    code = "unknown_reservation"
    status = 409


class GalleryRollbackError(UniquenessError, RuntimeError):
    """The gallery disagrees with its signed head or with the chain: records were lost or rolled back.

    The service refuses to serve until an operator restores the newest gallery (never silently)."""

    code = "gallery_rollback"
    status = 503


class ServiceUnavailableError(UniquenessError, RuntimeError):
    """The service cannot decide now (chain unreachable, replay cache full); retry later."""

    code = "unavailable"
    status = 503


class UnknownRecordError(UniquenessError, LookupError):
    """The gallery holds no record under that id (never enrolled, or already erased)."""

    code = "unknown_record"
    status = 404
