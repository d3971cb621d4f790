"""Server-side operator sessions, login throttling and the first-start setup token.

The session cookie only carries a random session id; the station keeps the sessions, so logging out
ends a session for good (a copied cookie is worthless afterwards) and a session expires after
`idle_s` without a request or `absolute_s` after login, whatever the cookie says. Failed logins back off
exponentially (after `free` failures: 1 s, 2 s, 4 s ... up to `max_s`), answered 429 with Retry-After
instead of running scrypt on every guess. The setup token is printed on the station's console at first
start: a web page in the operator's browser (DNS rebinding, a malicious tab) cannot read it, so it
cannot choose the first password.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable

IDLE_S = 15 * 60.0
ABSOLUTE_S = 8 * 3600.0
FREE_FAILURES = 3
BACKOFF_MAX_S = 300.0
MAX_SESSIONS = 64  # one operator, a few tabs


class OperatorSessions:
    """Live sessions by id: created at login, refreshed by use, ended by logout or expiry."""

    def __init__(
        self,
        idle_s: float = IDLE_S,
        absolute_s: float = ABSOLUTE_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._idle, self._absolute, self._clock = idle_s, absolute_s, clock
        self._live: dict[str, tuple[float, float]] = {}  # id -> (created, last used)
        self._lock = threading.Lock()

    def create(self) -> str:
        """A new session id (the oldest session is dropped past MAX_SESSIONS)."""
        sid = secrets.token_urlsafe(32)
        now = self._clock()
        with self._lock:
            self._live[sid] = (now, now)
            while len(self._live) > MAX_SESSIONS:
                del self._live[min(self._live, key=lambda k: self._live[k][1])]
        return sid

    def valid(self, sid: object) -> bool:
        """True if `sid` is a live session (and mark it used); expired sessions are forgotten."""
        if not isinstance(sid, str):
            return False
        now = self._clock()
        with self._lock:
            times = self._live.get(sid)
            if times is None:
                return False
            created, used = times
            if now - used > self._idle or now - created > self._absolute:
                del self._live[sid]
                return False
            self._live[sid] = (created, now)
            return True

    def end(self, sid: object) -> None:
        """End a session (logout); a no-op for an unknown id."""
        with self._lock:
            self._live.pop(sid, None)  # type: ignore[arg-type]


class LoginThrottle:
    """Exponential backoff after failed logins (one operator per station: one counter)."""

    def __init__(
        self,
        free: int = FREE_FAILURES,
        max_s: float = BACKOFF_MAX_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._free, self._max, self._clock = free, max_s, clock
        self._failures, self._until = 0, 0.0
        self._lock = threading.Lock()

    def wait_s(self) -> float:
        """Seconds until the next login attempt is allowed (0 when it is allowed now)."""
        with self._lock:
            return max(0.0, self._until - self._clock())

    def failed(self) -> None:
        """Count a failed attempt; past `free` failures the next one must wait."""
        with self._lock:
            self._failures += 1
            if self._failures >= self._free:
                delay = min(self._max, 2.0 ** (self._failures - self._free))
                self._until = self._clock() + delay

    def succeeded(self) -> None:
        """A correct password resets the counter."""
        with self._lock:
            self._failures, self._until = 0, 0.0


def setup_token() -> str:
    """A one-time token for the first-start password setup (printed on the console)."""
    return secrets.token_urlsafe(12)
