"""A JSON POST to one of our own HTTP APIs (relayer, verification API), as the voter client, the CLI and
the demo send it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from .errors import UpstreamError

DEFAULT_TIMEOUT_S = 120  # a relayed vote waits for its proof check and the mined transaction


def post_json(url: str, body: dict, timeout: float = DEFAULT_TIMEOUT_S) -> tuple[int, dict]:
    """POST `body` as JSON; (HTTP status, JSON reply), error replies included.

    Raises UpstreamError when nothing answers at `url` within `timeout` seconds.
    """
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        try:
            return e.code, json.loads(e.read())
        except ValueError:
            return e.code, {"error": "http_error", "message": str(e)}
    except (urllib.error.URLError, OSError) as e:
        raise UpstreamError(f"{url} did not answer: {e}") from e
