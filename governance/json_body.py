"""Reading a request's JSON body strictly: Content-Type application/json (a cross-site form or
`text/plain` POST, which browsers send without a CORS preflight, is refused with 415), no NaN/Infinity,
no duplicate keys, bounded size."""

from __future__ import annotations

import json

from flask import Request

from .errors import RequestError

MAX_BODY_BYTES = 64 * 1024  # a Semaphore proof with its fields is < 2 KiB


class UnsupportedMediaTypeError(RequestError):
    """The body is not declared as JSON (HTTP 415)."""

    code = "unsupported_media_type"
    status = 415


class BodyTooLargeError(RequestError):
    """The body exceeds MAX_BODY_BYTES (HTTP 413)."""

    code = "body_too_large"
    status = 413


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise RequestError("duplicate keys in a JSON object", "malformed_json")
    return dict(pairs)


def _no_constant(name: str) -> object:
    raise RequestError(f"{name} is not valid JSON", "malformed_json")


def read_json(request: Request) -> object:
    """The parsed body; RequestError for a body that is not declared JSON, too large, not UTF-8 or not
    strict JSON."""
    if request.mimetype != "application/json":
        raise UnsupportedMediaTypeError(
            f"send the body as Content-Type: application/json (got {request.mimetype or 'none'!r})"
        )
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise BodyTooLargeError(f"the body exceeds {MAX_BODY_BYTES} bytes")
    raw = request.get_data(cache=True)
    if len(raw) > MAX_BODY_BYTES:
        raise BodyTooLargeError(f"the body exceeds {MAX_BODY_BYTES} bytes")
    try:
        return json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except UnicodeDecodeError as e:
        raise RequestError("the body is not UTF-8", "malformed_json") from e
    except json.JSONDecodeError as e:
        raise RequestError(
            f"the body is not valid JSON: {e.msg} at position {e.pos}", "malformed_json"
        ) from e
    except RecursionError as e:
        raise RequestError("the JSON body is nested too deeply", "malformed_json") from e
