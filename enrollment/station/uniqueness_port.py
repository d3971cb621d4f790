"""The station's port to the deployment's uniqueness service: what the flow needs, nothing else.

The station keeps no gallery. It asks the service to search-and-reserve the person's eyes under a
reservation id it chose (and journaled first, so a crash can always name the reservation), commits
the reservation once the leaf is on chain, or releases it when the enrollment cannot land. The
service implementation (uniqueness/client.py) signs each request with the device key and seals the
probe to the service's key; the station drops the templates as soon as `reserve` returns.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from enrollment.iris import IrisTemplate
from zk_identity.errors import PersonhoodError

from ..errors import StationError


class UniquenessUnavailableError(StationError):
    """The uniqueness service did not answer, or cannot decide now (retry; nothing was decided)."""

    def __init__(self, message: str, code: str = "unavailable") -> None:
        super().__init__(message)
        self.code = code


class UniquenessRefusedError(PersonhoodError, ValueError):
    """The service refused the request (`code`: device_not_active, stale_request, replayed_request, ...)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ReserveAnswer:
    """The service's signed answer to search-and-reserve (no template bits, no matched ids)."""

    unique: bool
    reservation: str
    searched: int
    threshold: float
    decision: Mapping[str, object] = field(default_factory=dict)  # the signed document, for the record


class UniquenessPort(Protocol):
    """Search-and-reserve, commit, release on the deployment's one gallery."""

    eyes: tuple[str, ...]

    def reserve(
        self, reservation: str, probe: Mapping[str, IrisTemplate], commitment: int, deadline: int
    ) -> ReserveAnswer: ...

    def commit(self, reservation: str) -> str: ...

    def release(self, reservation: str) -> str: ...


def new_reservation_id() -> str:
    """A fresh reservation id (128 random bits, hex): unique per station without coordination."""
    return secrets.token_hex(16)
