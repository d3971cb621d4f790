"""The HTTP API (dapp verification and vote relayer) served on 127.0.0.1 for the demo (voters and the
dapp reach it with `personhood.http_json.post_json`)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server


class QuietRequestHandler(WSGIRequestHandler):
    """No access log: the demo prints its own line per request (and a log line per vote is noise)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Log nothing."""


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """Serve `app` on a free loopback port in a thread; yields its base URL; shuts it down on exit."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="personhood-demo-api", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
