"""The error for an invalid command-line argument (exit 2, one line, no traceback)."""

from zk_identity.errors import PersonhoodError


class UsageError(PersonhoodError, ValueError):
    """A command-line argument is invalid (exit 2, one line, no traceback)."""
