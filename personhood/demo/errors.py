"""The demo's own error: a run that cannot go on (not a refusal, which the summary reports)."""

from __future__ import annotations

from zk_identity.errors import PersonhoodError


class DemoError(PersonhoodError, RuntimeError):
    """The demo cannot continue (e.g. nobody could enroll, so nobody can vote)."""
