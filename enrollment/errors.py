"""The station's errors, in one place (the iris pipeline's are in `iris/errors.py`, the gallery's in
`gallery/errors.py`). Each inherits the built-in it behaves like, so callers may catch either."""

from __future__ import annotations

from zk_identity.errors import PersonhoodError


class StationError(PersonhoodError, RuntimeError):
    """The station cannot run (misconfigured, chain unreachable, journal unreadable)."""


class StationInputError(PersonhoodError, ValueError):
    """The operator's input (a commitment, a QR image, a form field) is malformed; nothing changed."""


class StationBindingError(PersonhoodError):
    """The station may not start here: another chain/registry's data, or an unauthorized device."""
