"""The HTTP app: `create_app(config=None)` registers the governance blueprints and the one error handler.

config keys: PERSONHOOD_SERVICES (a governance.Services, e.g. from tests) or PERSONHOOD_SETTINGS (a
Settings; default: load_settings()) from which the services are built; RELAY_RATE_LIMIT (a RateLimit).
Every error reaches the client as JSON {error, message} with a 4xx/5xx status, never a traceback.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping

from flask import Flask
from requests.exceptions import RequestException

from contracts import ChainError
from governance import (
    ApiGuard,
    CachedRoots,
    GovernanceError,
    NullifierStore,
    ProofChecker,
    RateLimit,
    RateLimiter,
    RelayControls,
    RelayPolicy,
    RelayQueue,
    RelayWorker,
    ResultsReader,
    Services,
    governance_chain,
    group_api,
    openapi,
    prove_page,
    relay_queue_url,
    relayer,
    relayer_sender,
    results_page,
    sqlite_url,
    verify_api,
)
from governance.json_body import MAX_BODY_BYTES
from governance.services import EXTENSION_KEY
from hardware.http_errors import ErrorMapper, HttpError, coded
from zk_identity import bn254_native
from zk_identity.errors import PersonhoodError

from .config import API_LIMIT_SETTINGS, RELAY_POLICY_SETTINGS, Settings, load_settings

log = logging.getLogger(__name__)
# A root's status changes only with a block; reading the head at most 4x a second keeps a proof for a
# just-expired root acceptable for <= 0.25 s more (root windows are hours long).
ROOT_BLOCK_POLL_S = 0.25


def services_from_settings(settings: Settings, rate_limit: RateLimit | None = None) -> Services:
    """Services for a deployed system at `settings.rpc_url` (the API needs a chain that outlives it)."""
    system = settings.open_deployment()
    registry = system.registry
    # One checkRoot per root per block, and one eth_blockNumber per ROOT_BLOCK_POLL_S, not per request.
    roots = CachedRoots(registry, registry.block_number, poll_s=ROOT_BLOCK_POLL_S)
    verifier = "native" if bn254_native.AVAILABLE else "node"  # the C pairing: ~ms, no worker round trip
    checker = ProofChecker(roots, setup=settings.proving_setup(verifier=verifier))
    store = NullifierStore(settings.database_url or sqlite_url(settings.data_dir))
    limiter = RateLimiter(rate_limit or RateLimit())
    guard = ApiGuard.from_settings(settings.given(API_LIMIT_SETTINGS))
    relay = RelayControls(RelayPolicy.from_settings(settings.given(RELAY_POLICY_SETTINGS)))
    chain = governance_chain(system)
    results = ResultsReader(
        chain.proposals,
        registry.block_number,
        registry.block_timestamp,
        start_block=system.deployment.start_block,  # vote logs start at the deployment: fewer pages
    )
    sender = relayer_sender(system, settings.relayer_key)
    worker = None
    if settings.relay_queue:  # votes go through the persisted queue that fills blocks
        queue = RelayQueue(settings.relay_queue_url or relay_queue_url(settings.data_dir))
        worker = RelayWorker(queue, system.outbox(sender), chain.proposals.nullifier_spent).start()
    return Services(
        checker,
        store,
        chain,
        sender,
        limiter,
        guard=guard,
        relay=relay,
        results_reader=results,
        relay_worker=worker,
    )


# A 5xx tells the client what to do, never the driver's, node's or verifier's own text (it can name
# hosts, RPC keys in URLs, tables or file paths): that goes to the server log.
UPSTREAM_MESSAGE = (
    "the chain, the database or the proof verifier did not answer; nothing was recorded, retry later"
)
PUBLIC_5XX_CODES = frozenset({"overloaded"})  # our own words, safe to show


def _governance_error(error: GovernanceError) -> HttpError:
    answer = coded(error)
    if error.status >= 500 and error.code not in PUBLIC_5XX_CODES:
        log.warning("%s: %s", error.code, error)
        message = UPSTREAM_MESSAGE if error.code == "upstream_unavailable" else "the server is not ready"
        return dataclasses.replace(answer, message=message)
    return answer


def _upstream_error(error: Exception) -> HttpError:
    log.warning("chain error: %s", error)
    return HttpError(503, "upstream_unavailable", UPSTREAM_MESSAGE)


def _refused(error: PersonhoodError) -> HttpError:
    log.warning("refused: %s", error)
    return HttpError(400 if isinstance(error, ValueError) else 500, "refused", str(error))


# The one error handler: GovernanceError and HTTP errors by their code; anything else a bare 5xx.
handle_error = ErrorMapper(
    rules=(
        (GovernanceError, _governance_error),
        ((ChainError, RequestException), _upstream_error),
        (PersonhoodError, _refused),
    ),
    internal=HttpError(500, "internal_error", "the server failed; nothing was recorded"),
)


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
