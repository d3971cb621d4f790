"""The HTTP app: `create_app(config=None)` registers the governance blueprints and the one error handler.

config keys: PERSONHOOD_SERVICES (a governance.Services, e.g. from tests) or PERSONHOOD_SETTINGS (a
Settings; default: load_settings()) from which the services are built; RELAY_RATE_LIMIT (a RateLimit).
Every error reaches the client as JSON {error, message} with a 4xx/5xx status, never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from contracts import ChainError, build_contracts
from governance import (
    GovernanceError,
    NullifierStore,
    ProofChecker,
    RateLimit,
    RateLimiter,
    Services,
    chain_clients,
    group_api,
    load_deployment,
    openapi,
    prove_page,
    relayer,
    relayer_sender,
    results_page,
    sqlite_url,
    verify_api,
)
from governance.json_body import MAX_BODY_BYTES
from governance.services import EXTENSION_KEY
from zk_identity.errors import PersonhoodError

from .config import Settings, load_settings

log = logging.getLogger(__name__)


def services_from_settings(settings: Settings, rate_limit: RateLimit | None = None) -> Services:
    """Services for a deployed system at `settings.rpc_url` (the API needs a chain that outlives it)."""
    from web3 import Web3

    if not settings.rpc_url:
        raise GovernanceError("rpc_url is empty; the API needs a running chain (set PERSONHOOD_RPC_URL)")
    deployment = load_deployment(settings.deployment_path)
    w3 = Web3(Web3.HTTPProvider(settings.rpc_url, request_kwargs={"timeout": 30}))
    chain = chain_clients(w3, build_contracts(settings.cache_dir, (), settings.node_modules), deployment)
    checker = ProofChecker(
        chain.registry, keys=settings.keys, cache_dir=settings.cache_dir, node_modules=settings.node_modules
    )
    store = NullifierStore(settings.database_url or sqlite_url(settings.data_dir))
    limiter = RateLimiter(rate_limit or RateLimit())
    return Services(checker, store, chain, relayer_sender(w3, settings.relayer_key), limiter)


def _error(code: str, message: str, status: int):
    return jsonify({"error": code, "message": message}), status


def handle_error(error: Exception):
    """The one error handler: GovernanceError and HTTP errors by their code; anything else a bare 5xx."""
    if isinstance(error, GovernanceError):
        response = _error(error.code, str(error), error.status)
        retry = getattr(error, "retry_after", None)
        if retry is not None:
            response[0].headers["Retry-After"] = str(max(1, round(retry)))
        return response
    if isinstance(error, HTTPException):
        code = (error.name or "http_error").lower().replace(" ", "_")
        return _error(code, error.description or error.name, error.code or 500)
    if isinstance(error, ChainError):
        log.warning("chain error: %s", error)
        return _error("upstream_unavailable", f"the chain did not answer: {error}", 503)
    if isinstance(error, PersonhoodError):
        log.warning("refused: %s", error)
        return _error("refused", str(error), 400 if isinstance(error, ValueError) else 500)
    log.exception("unexpected error")  # the traceback stays in the server log
    return _error("internal_error", "the server failed; nothing was recorded", 500)


def create_app(config: Mapping[str, object] | None = None) -> Flask:
    """The Flask app serving /v1/verify, /v1/relay/vote, results pages and /openapi.json."""
    app = Flask("personhood")
    app.config.update(
        PERSONHOOD_SERVICES=None,
        PERSONHOOD_SETTINGS=None,
        RELAY_RATE_LIMIT=None,
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,  # werkzeug answers 413 before reading a larger body
    )
    app.config.update(dict(config or {}))
    services = app.config["PERSONHOOD_SERVICES"]
    if services is None:
        settings = app.config["PERSONHOOD_SETTINGS"] or load_settings()
        services = services_from_settings(settings, app.config["RELAY_RATE_LIMIT"])
    app.extensions[EXTENSION_KEY] = services
    for module in (verify_api, relayer, results_page, openapi, group_api, prove_page):
        app.register_blueprint(module.blueprint)
    app.register_error_handler(Exception, handle_error)
    return app
