"""The pages' HTML errors: the status and code the JSON API would give, escaped text, and for a 5xx our
own words, never the chain's or the driver's (which can name hosts and keys)."""

from __future__ import annotations

from werkzeug.exceptions import MethodNotAllowed

from contracts import ChainError
from governance.errors import NotFoundError, UpstreamError
from governance.html_errors import UNAVAILABLE, html_error, status_code_message
from governance.proposal_reads import ResultsHiddenError


def test_client_errors_keep_their_status_code_and_escaped_message():
    body, status, headers = html_error(NotFoundError("no proposal <script>alert(1)</script>"))
    assert status == 404 and headers["Content-Type"].startswith("text/html")
    assert "&lt;script&gt;" in body and "<script>" not in body and "error code: not_found" in body
    assert status_code_message(ResultsHiddenError("hidden", 10))[:2] == (403, "results_hidden")
    assert status_code_message(MethodNotAllowed())[:2] == (405, "method_not_allowed")


def test_server_errors_show_our_words_not_the_upstream_text():
    secret = "http://10.0.0.7:8545/KEY123 refused"
    for error in (UpstreamError(secret), ChainError(secret)):
        status, code, message = status_code_message(error)
        assert status == 503 and code == "upstream_unavailable" and message == UNAVAILABLE
    status, code, message = status_code_message(RuntimeError(secret))
    assert (status, code) == (500, "internal_error") and "KEY123" not in message
