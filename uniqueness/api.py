"""The uniqueness service over HTTP: a Flask app factory around `Endpoint` (JSON in and out, /v1/...).

    GET  /v1/info      the service's signing address, X25519 key, registry and stored eyes (pin these)
    GET  /v1/health    counts (records, committed, open reservations)
    POST /v1/reserve   {"request": <signed request>, "sealed": <base64 sealed probe>}
    POST /v1/commit    {"request": <signed request>}
    POST /v1/release   {"request": <signed request>}
    POST /v1/delete    {"request": <deletion request signed by the operator's key>} (deletions.py)
    GET  /openapi.json  this API's OpenAPI 3.0 description

Answers are decisions signed by the service's key; refusals are 4xx/5xx {"error", "message"} from one
error handler, never a traceback. Bind it to a network the stations share, behind TLS: the
requests are signed and the probe is sealed, but the metadata (which station asks when) is not.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from flask import Flask, jsonify, request

from hardware.http_errors import ErrorMapper, HttpError, coded, json_response

from .endpoint import Endpoint
from .errors import UniquenessError
from .openapi import SPEC

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 64 * 1024
ENDPOINT_KEY = "UNIQUENESS_ENDPOINT"
NOT_JSON = HttpError(400, "bad_request", "the body must be JSON (Content-Type: application/json)")


def _refused(error: UniquenessError) -> HttpError:
    log.info("refused: %s (%s)", error.code, error)
    return coded(error)


# The one error handler: service errors by their code, HTTP errors by name, anything else a 500.
handle_error = ErrorMapper(
    rules=((UniquenessError, _refused),),
    internal=HttpError(500, "internal_error", "the service failed; nothing was decided"),
)


def create_app(config: Mapping[str, object] | None = None) -> Flask:
    """The service's app; `config["UNIQUENESS_ENDPOINT"]` is the `Endpoint` it answers with."""
    app = Flask("personhood-uniqueness")
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY_BYTES, **{ENDPOINT_KEY: None})
    app.config.update(dict(config or {}))
    endpoint = app.config[ENDPOINT_KEY]
    if not isinstance(endpoint, Endpoint):
        raise ValueError(f"create_app needs config[{ENDPOINT_KEY!r}], an open uniqueness Endpoint")

    @app.get("/v1/info")
    def info():
        return jsonify(endpoint.info())

    @app.get("/openapi.json")
    def openapi():
        return jsonify(SPEC)

    @app.get("/v1/health")
    def health():
        return jsonify(endpoint.service.health())

    def operation(op: str):
        body = request.get_json(silent=True)
        if body is None:
            return json_response(NOT_JSON)
        return jsonify(endpoint.handle(op, body))

    for op in ("reserve", "commit", "release"):
        app.add_url_rule(f"/v1/{op}", f"op_{op}", lambda op=op: operation(op), methods=["POST"])

    @app.post("/v1/delete")
    def delete():
        body = request.get_json(silent=True)
        if body is None:
            return json_response(NOT_JSON)
        return jsonify(endpoint.handle_delete(body))

    app.register_error_handler(Exception, handle_error)
    return app
