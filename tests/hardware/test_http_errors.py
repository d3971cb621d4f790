"""The one error mapper every HTTP surface uses (hardware/http_errors.py): rules in order, HTTP errors by
name, anything else the app's own 500 without its text, Retry-After on the response."""

from __future__ import annotations

import logging

import pytest
from flask import Flask
from werkzeug.exceptions import MethodNotAllowed, NotFound, RequestEntityTooLarge

from hardware.http_errors import ErrorMapper, HttpError, coded, http_exception, json_response


class BusyError(Exception):
    status, code = 503, "overloaded"

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RefusedError(ValueError):
    pass


INTERNAL = HttpError(500, "internal_error", "the server failed; nothing was recorded")
MAPPER = ErrorMapper(
    rules=(
        (BusyError, coded),
        (ValueError, lambda e: HttpError(400, "refused", str(e))),
        (LookupError, lambda e: HttpError(404, "missing", "no such thing")),
    ),
    internal=INTERNAL,
)


def test_rules_apply_in_order_and_the_first_match_wins() -> None:
    assert MAPPER.answer(RefusedError("bad input")) == HttpError(400, "refused", "bad input")
    assert MAPPER.answer(KeyError("k")) == HttpError(404, "missing", "no such thing")
    assert MAPPER.answer(BusyError("queue full", 2.4)) == HttpError(503, "overloaded", "queue full", 2.4)


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (NotFound(), 404, "not_found"),
        (MethodNotAllowed(), 405, "method_not_allowed"),
        (RequestEntityTooLarge(), 413, "request_entity_too_large"),
    ],
)
def test_http_errors_map_by_name(error, status: int, code: str) -> None:
    answer = MAPPER.answer(error)
    assert (answer.status, answer.code) == (status, code)
    assert answer == http_exception(error) and answer.message == error.description


def test_anything_else_is_the_apps_internal_answer_and_its_text_stays_in_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "postgresql://user:hunter2@db.internal/votes"
    with caplog.at_level(logging.ERROR, logger="hardware.http_errors"):
        assert MAPPER.answer(RuntimeError(secret)) == INTERNAL
    assert secret in caplog.text  # the traceback is in the server log
    quiet = ErrorMapper(rules=(), internal=INTERNAL, log_traceback=False)
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="hardware.http_errors"):
        assert quiet.answer(RuntimeError(secret)) == INTERNAL
    assert "RuntimeError" in caplog.text and secret not in caplog.text


def test_the_flask_response_is_json_with_status_and_retry_after() -> None:
    with Flask(__name__).app_context():
        response = MAPPER(BusyError("queue full", 0.2))
        assert response.status_code == 503
        assert response.get_json() == {"error": "overloaded", "message": "queue full"}
        assert response.headers["Retry-After"] == "1"  # at least a second
        plain = json_response(HttpError(400, "bad_request", "no"))
        assert plain.status_code == 400 and "Retry-After" not in plain.headers
