"""The HTTP API (dapp verification and vote relayer) served on 127.0.0.1 for the demo, and the small
JSON client the voters and the dapp use to reach it."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from governance.errors import UpstreamError

REQUEST_TIMEOUT_S = 120  # a relayed vote waits for its proof check and the mined transaction


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


def post_json(url: str, body: dict) -> tuple[int, dict]:
    """POST `body` as JSON; (HTTP status, JSON reply). UpstreamError when nothing answers."""
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_S) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        try:
            return e.code, json.loads(e.read())
        except ValueError:
            return e.code, {"error": "http_error", "message": str(e)}
    except (urllib.error.URLError, OSError) as e:
        raise UpstreamError(f"the API at {url} did not answer: {e}") from e
