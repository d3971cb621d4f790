"""The service on a loopback port in a background thread: the embedded default of the demo and of
`personhood station serve --deploy`, and what the benchmark and HTTP tests talk to."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from governance.local_server import serve_in_thread

from .api import create_app
from .endpoint import Endpoint


@contextmanager
def serve_locally(endpoint: Endpoint, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve `endpoint` over HTTP in a thread; yields the base URL; shuts the server down on exit."""
    app = create_app({"UNIQUENESS_ENDPOINT": endpoint})
    with serve_in_thread(app, host, port, name="personhood-uniqueness") as url:
        yield url
