"""The service on a loopback port in a background thread: the embedded default of the demo and of
`personhood station serve --deploy`, and what the benchmark and HTTP tests talk to."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from werkzeug.serving import WSGIRequestHandler, make_server

from .api import create_app
from .endpoint import Endpoint


class QuietRequestHandler(WSGIRequestHandler):
    """No access log (one line per enrollment request is noise next to the audit log)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Log nothing."""


@contextmanager
def serve_locally(endpoint: Endpoint, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve `endpoint` over HTTP in a thread; yields the base URL; shuts the server down on exit."""
    server = make_server(
        host,
        port,
        create_app({"UNIQUENESS_ENDPOINT": endpoint}),
        threaded=True,
        request_handler=QuietRequestHandler,
    )
    thread = threading.Thread(target=server.serve_forever, name="personhood-uniqueness", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
