"""Errors raised by the uniqueness gallery (1:N deduplication)."""

from __future__ import annotations

from zk_identity.errors import PersonhoodError


class GalleryError(PersonhoodError):
    """Root of the gallery's errors."""


class GalleryInputError(GalleryError, ValueError):
    """A caller passed something the gallery cannot accept (bad key, id, template, threshold)."""


class KernelUnavailableError(GalleryError, RuntimeError):
    """A search kernel that is not installed here (carried as `kernel`, with `reason`)."""

    def __init__(self, kernel: str, reason: str | None) -> None:
        hint = (
            "reinstall the package where a C compiler is present (pip install -e .)"
            if kernel == "native"
            else "install numba"
        )
        super().__init__(
            f"the {kernel} gallery kernel is not available ({reason}); {hint}, or use kernel='fused'"
        )
        self.kernel = kernel
        self.reason = reason

    def __reduce__(self) -> tuple[type, tuple[str, str | None]]:  # picklable: Ray carries it from an actor
        return (type(self), (self.kernel, self.reason))


class RecordNotFoundError(GalleryError, KeyError):
    """A record id that is not in the gallery (carried as `record_id`)."""

    def __init__(self, record_id: int) -> None:
        super().__init__(f"record {record_id} is not in the gallery")
        self.record_id = record_id

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])

    def __reduce__(self) -> tuple[type, tuple[int]]:  # picklable: Ray carries it from a shard actor
        return (type(self), (self.record_id,))


class DuplicateRecordError(GalleryError, ValueError):
    """A record id that is already enrolled (carried as `record_id`)."""

    def __init__(self, record_id: int) -> None:
        super().__init__(f"record {record_id} is already in the gallery; delete it first to replace it")
        self.record_id = record_id

    def __reduce__(self) -> tuple[type, tuple[int]]:
        return (type(self), (self.record_id,))


class StoreCorruptError(GalleryError, ValueError):
    """An encrypted store file that is truncated, altered, reordered or encrypted under another key."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(
            f"gallery store {path} is unreadable: {reason}; restore it from a backup "
            "(check that the station key is the one it was written with)"
        )
        self.path = path
        self.reason = reason

    def __reduce__(self) -> tuple[type, tuple[object, str]]:
        return (type(self), (self.path, self.reason))


class StoreLockedError(GalleryError):
    """Another process holds the store open for writing."""
