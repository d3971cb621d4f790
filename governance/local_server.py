"""A Flask app served on a loopback port in a background thread: the demo's API, the embedded uniqueness
service, and the tests that talk HTTP to them. (Production servers run on waitress; see `gov serve`.)"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server


class QuietRequestHandler(WSGIRequestHandler):
    """No access log: one line per vote or enrollment request is noise next to the audit log."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Log nothing."""


@contextmanager
def serve_in_thread(
    app: Flask, host: str = "127.0.0.1", port: int = 0, name: str = "personhood-api"
) -> Iterator[str]:
    """Serve `app` on `host`:`port` (0: any free port) in a thread; yields its base URL; stops it on exit."""
    server = make_server(host, port, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
