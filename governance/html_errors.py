"""Errors on the HTML pages (/proposals…) as small HTML pages with the same status and code the JSON API
would give; the /v1 routes keep the app's JSON error handler. A 5xx shows our own words, never the
chain's, driver's or verifier's text (that goes to the server log), as the JSON handler does."""

from __future__ import annotations

import html
import logging

from contracts import ChainError
from hardware.http_errors import ErrorMapper, HttpError

from .errors import GovernanceError

log = logging.getLogger(__name__)
UNAVAILABLE = "The chain or the database did not answer. Nothing was changed; try again shortly."
PAGE = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{status} {title}</title>"
    "<style>{style}</style></head><body><main>"
    "<h1>{status} {title}</h1><p>{message}</p><p class='code'>error code: {code}</p>"
    "<p><a href='/proposals'>All proposals</a></p></main></body></html>"
)
PAGE_STYLE = (
    "body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}"
    "main{max-width:60rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse;width:100%}"
    "th,td{border-bottom:1px solid #d5d9e0;padding:.35rem .6rem;text-align:left}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}.note{color:#5a6275}"
    ".warn{background:#fff4d6;padding:.5rem .8rem;border-left:4px solid #d9a400}"
    ".code{color:#5a6275;font-size:.85em}pre{white-space:pre-wrap;font:inherit}"
)
TITLES = {400: "Bad request", 403: "Not shown yet", 404: "Not found", 409: "Conflict", 503: "Unavailable"}


def _governance_error(error: GovernanceError) -> HttpError:
    if error.status >= 500:
        log.warning("%s: %s", error.code, error)
        return HttpError(error.status, error.code, UNAVAILABLE)
    return HttpError(error.status, error.code, str(error))


def _chain_error(error: ChainError) -> HttpError:
    log.warning("chain error: %s", error)
    return HttpError(503, "upstream_unavailable", UNAVAILABLE)


PAGE_ERRORS = ErrorMapper(
    rules=((GovernanceError, _governance_error), (ChainError, _chain_error)),
    internal=HttpError(500, "internal_error", "The server failed; nothing was changed."),
)


def status_code_message(error: Exception) -> tuple[int, str, str]:
    """(HTTP status, machine-readable code, message safe to show) for an error on a page."""
    answer = PAGE_ERRORS.answer(error)
    return answer.status, answer.code, answer.message


def html_error(error: Exception):
    """The pages' error handler: an HTML page with the error's status."""
    status, code, message = status_code_message(error)
    body = PAGE.format(
        status=status,
        title=html.escape(TITLES.get(status, "Error")),
        message=html.escape(message),
        code=html.escape(code),
        style=PAGE_STYLE,
    )
    return body, status, {"Content-Type": "text/html; charset=utf-8"}
