"""Fuzz the HTTP API from its own OpenAPI document (schemathesis, hypothesis underneath): whatever the
body, path or parameters, the server answers with a documented JSON error or success, never a 5xx, and a
fuzzed request never spends a nullifier or gas."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from personhood.app import create_app

pytestmark = [pytest.mark.slow, pytest.mark.node]


@pytest.fixture(scope="module")
def fuzz_services(gov, tmp_path_factory) -> Iterator:
    built = gov.services(tmp_path_factory.mktemp("fuzz") / "nullifiers.sqlite3")
    try:
        yield built
    finally:
        built.nullifiers.close()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_request_makes_the_server_fail(gov, fuzz_services, mode):
    api = schemathesis.openapi.from_wsgi("/openapi.json", create_app({"PERSONHOOD_SERVICES": fuzz_services}))
    nonce = gov.w3.eth.get_transaction_count(gov.relayer.address)
    seen: set[int] = set()

    @given(case=api.as_strategy(mode))
    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def request_does_not_fail(case) -> None:
        response = case.call()
        seen.add(response.status_code)
        assert response.status_code < 500, response.text
        assert "Traceback" not in response.text
        if response.status_code >= 400:
            payload = response.json()
            assert set(payload) == {"error", "message"} and payload["message"]

    request_does_not_fail()
    assert seen & {400, 404}  # the fuzzer did reach the validation paths
    assert fuzz_services.nullifiers.count() == 0  # no fuzzed proof spent a nullifier
    assert gov.w3.eth.get_transaction_count(gov.relayer.address) == nonce  # nor any gas


def test_the_spec_is_served_and_lists_every_json_route(client):
    spec = client.get("/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert {"/v1/verify", "/v1/relay/vote", "/v1/proposals/{ballot}/{proposalId}/results"} <= set(
        spec["paths"]
    )
