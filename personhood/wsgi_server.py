"""The production HTTP server for every `personhood … serve` command: waitress (pure Python, threads).

Why waitress: it runs on these machines without a C toolchain, serves threads (our apps share in-process
state: rate limiters, the admission gate, the relayer's nonce), and its I/O thread reads each request in
full (headers and body, up to `max_body_bytes`) before a worker thread sees it, so a client that sends
headers and never finishes its body holds a connection slot, never a worker. `connection_limit` bounds
those slots; `channel_timeout_s` closes a connection idle that long (a half-open request included); on
SIGTERM or Ctrl-C the server stops accepting, lets running requests finish (waitress waits up to 5 s)
and returns. werkzeug's development server stays in the tests that need it.

Plug an app in with one line: `serve(app, host, port, ServerLimits.from_settings(settings.given(...)))`.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import FrameType

from waitress import wasyncore
from waitress.server import create_server

from .config import ConfigError

log = logging.getLogger(__name__)

SERVER_SETTINGS = ("server_threads", "server_connection_limit", "server_channel_timeout_s")


@dataclass(frozen=True)
class ServerLimits:
    """Worker threads, open connections, idle/half-open timeout (s), largest request body (bytes)."""

    # Threads bound how many requests wait at once, not how much CPU they use: a relayed vote waits
    # idle for its block, and the expensive part (proof checks) has its own bound, the admission gate.
    threads: int = 64
    connection_limit: int = 200
    channel_timeout_s: float = 20.0
    max_body_bytes: int = 1 << 20

    def __post_init__(self) -> None:
        if self.threads < 1 or self.connection_limit < 1 or self.channel_timeout_s <= 0:
            raise ConfigError("server limits need threads >= 1, connection_limit >= 1, channel_timeout_s > 0")
        if self.max_body_bytes < 1:
            raise ConfigError("server limits need max_body_bytes >= 1")

    @classmethod
    def from_settings(cls, given: Mapping[str, object]) -> ServerLimits:
        """Limits from the settings that are set (Settings.given(SERVER_SETTINGS)); defaults otherwise."""
        return cls(
            int(given.get("server_threads", cls.threads)),  # type: ignore[arg-type]
            int(given.get("server_connection_limit", cls.connection_limit)),  # type: ignore[arg-type]
            float(given.get("server_channel_timeout_s", cls.channel_timeout_s)),  # type: ignore[arg-type]
        )


def make_server(app: Callable, host: str, port: int, limits: ServerLimits | None = None):
    """A bound, not yet running waitress server for the WSGI `app` (port 0: any free port, read it from
    `.effective_port`); run it with `.run()`, stop it with `stop(server)` (from any thread)."""
    limits = limits or ServerLimits()
    return create_server(
        app,
        host=host,
        port=port,
        threads=limits.threads,
        connection_limit=limits.connection_limit,
        channel_timeout=limits.channel_timeout_s,
        cleanup_interval=max(1, min(30, int(limits.channel_timeout_s / 2) or 1)),
        max_request_body_size=limits.max_body_bytes,
        ident="personhood",
        clear_untrusted_proxy_headers=False,  # the app's ClientAddress decides whom to believe
    )


def serve(
    app: Callable,
    host: str,
    port: int,
    limits: ServerLimits | None = None,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve `app` until SIGTERM or Ctrl-C, then stop accepting and let running requests finish.

    `on_ready` is called with the URL once the socket listens. Must run in the main thread (signals).
    """
    server = make_server(app, host, port, limits)
    stopping = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()
        raise KeyboardInterrupt  # leaves waitress's loop in the main thread

    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        if on_ready is not None:
            on_ready(f"http://{host}:{server.effective_port}")
        server.run()  # on KeyboardInterrupt it waits (<= 5 s) for the running requests, then returns
    finally:
        signal.signal(signal.SIGTERM, previous)
        log.info("stopped: %s", "SIGTERM" if stopping.is_set() else "interrupted")
        server.task_dispatcher.shutdown()  # already done when run() saw the interrupt; harmless again
        wasyncore.close_all(server._map)


def stop(server, timeout_s: float = 5.0) -> None:
    """Stop a running server made by make_server from another thread: its loop closes every socket (no new
    connections, open ones dropped) and returns; running requests get up to 5 s to finish."""
    closed = threading.Event()

    def _close_all() -> None:  # runs in the server's own loop thread: no socket closed under its select
        wasyncore.close_all(server._map)
        closed.set()

    server.trigger.pull_trigger(_close_all)
    closed.wait(timeout_s)
    server.task_dispatcher.shutdown()
