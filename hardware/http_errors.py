"""One error mapper for every HTTP surface (the governance API and pages, the uniqueness service, the
station UI): an exception becomes a status, a machine-readable `code` and a message safe to show, and
the JSON body is always {"error": code, "message": message}, never a traceback.

Each app lists its own error kinds as rules, in order; werkzeug's HTTP errors (404, 405, 413, ...) map by
their name; anything else is the app's `internal` answer, with the traceback in the server log only.
It lives here, in the lowest layer that the services and the station share, because all three apps use it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HttpError:
    """What a client is told: HTTP `status`, machine-readable `code`, a `message` safe to show, and for
    a 429/503 the seconds after which to retry (`Retry-After`)."""

    status: int
    code: str
    message: str
    retry_after: float | None = None


Rule = tuple[type[BaseException] | tuple[type[BaseException], ...], Callable[[BaseException], HttpError]]


def coded(error: BaseException) -> HttpError:
    """An error that carries its own `status`, `code` and optional `retry_after`, with its message."""
    return HttpError(
        error.status,  # type: ignore[attr-defined]
        error.code,  # type: ignore[attr-defined]
        str(error),
        getattr(error, "retry_after", None),
    )


def http_exception(error: HTTPException) -> HttpError:
    """werkzeug's HTTP errors by name: 405 Method Not Allowed -> "method_not_allowed"."""
    code = (error.name or "http_error").lower().replace(" ", "_")
    return HttpError(error.code or 500, code, error.description or error.name)


@dataclass(frozen=True)
class ErrorMapper:
    """The rules of one app, tried in order; then HTTP errors; then `internal` (logged: the traceback,
    or only the exception's type where `log_traceback` is False, as on the station, whose errors may
    carry a person's data)."""

    rules: Sequence[Rule]
    internal: HttpError
    log_traceback: bool = True

    def answer(self, error: BaseException) -> HttpError:
        """The status, code and message for `error` (pure but for logging an unexpected one)."""
        for kinds, to_answer in self.rules:
            if isinstance(error, kinds):
                return to_answer(error)
        if isinstance(error, HTTPException):
            return http_exception(error)
        if self.log_traceback:
            log.error("unexpected error", exc_info=error)
        else:
            log.error("unexpected %s", type(error).__name__)
        return self.internal

    def __call__(self, error: BaseException):
        """A Flask error handler: the JSON body {"error", "message"} with the status (and Retry-After)."""
        return json_response(self.answer(error))


def json_response(answer: HttpError):
    """The Flask response for `answer`."""
    from flask import jsonify  # only the apps load Flask; the mapping itself needs none

    response = jsonify({"error": answer.code, "message": answer.message})
    response.status_code = answer.status
    if answer.retry_after is not None:
        response.headers["Retry-After"] = str(max(1, round(answer.retry_after)))
    return response
