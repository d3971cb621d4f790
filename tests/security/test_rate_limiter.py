"""Finding 6 (Medium): the rate limiter keyed on the peer address only, never forgot a key, and the
API accepted `text/plain` cross-site POSTs.

Attacks replayed: clients behind the operator's reverse proxy must not share one bucket, while a client
that is not the proxy cannot pick its bucket with a forged X-Forwarded-For; a flood of fresh keys must
not grow the table without bound (nor escape the limit); a browser form / text/plain POST (no CORS
preflight) is refused with 415 before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from governance import (
    ApiGuard,
    ClientAddress,
    NullifierStore,
    ProofChecker,
    RateLimit,
    RateLimitedError,
    RateLimiter,
    Services,
    sqlite_url,
)
from personhood.app import create_app

PROXY = "10.0.0.5"


def test_clients_behind_a_trusted_proxy_get_their_own_buckets() -> None:
    resolve = ClientAddress.from_strings(["10.0.0.0/24"]).resolve
    assert resolve(PROXY, "198.51.100.1") == "198.51.100.1"
    assert resolve(PROXY, "198.51.100.2, 10.0.0.9") == "198.51.100.2"  # our own hops are skipped
    # A client that forges the header ahead of the real chain is still seen as itself.
    assert resolve(PROXY, "1.2.3.4, 198.51.100.3") == "198.51.100.3"
    assert resolve("203.0.113.9", "198.51.100.1") == "203.0.113.9"  # not a proxy: the header is ignored
    assert resolve(PROXY, "not-an-ip") == PROXY
    assert ClientAddress().resolve(PROXY, "198.51.100.1") == PROXY  # nothing trusted by default


def test_the_key_table_stays_bounded_under_a_flood_of_fresh_keys() -> None:
    now = [0.0]
    limiter = RateLimiter(RateLimit(requests=3, window_s=60, max_keys=100), clock=lambda: now[0])
    for i in range(10_000):  # a botnet of rotating addresses, all within one window
        limiter.hit(f"fresh-{i}")
    assert len(limiter) == 100  # the old limiter kept all 10,000 keys (and would keep growing)
    for _ in range(3):
        limiter.hit("heavy")
    with pytest.raises(RateLimitedError):
        limiter.hit("heavy")  # a tracked client is still held to its own budget
    limiter.hit("honest-newcomer")  # and a newcomer is not locked out by the flood
    assert len(limiter) == 100


@pytest.fixture
def offline_app(tmp_path: Path):
    """The API with no chain: enough to show what is refused before any proof work."""
    store = NullifierStore(sqlite_url(tmp_path))
    guard = ApiGuard(addresses=ClientAddress.from_strings([PROXY]))
    services = Services(ProofChecker(None), store, rate_limiter=RateLimiter(RateLimit(2, 60)), guard=guard)
    try:
        yield create_app({"PERSONHOOD_SERVICES": services}), services
    finally:
        store.close()


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
@pytest.mark.parametrize("path", ["/v1/verify", "/v1/relay/vote"])
def test_a_cross_site_simple_post_is_refused_415(offline_app, path: str, content_type: str | None) -> None:
    app, services = offline_app
    headers = {"Content-Type": content_type} if content_type else {}
    response = app.test_client().post(path, data=b'{"app_id": "a"}', headers=headers)
    assert response.status_code == 415 and response.json["error"] == "unsupported_media_type"
    assert services.nullifiers.count() == 0


def test_the_relay_limit_keys_on_the_client_behind_the_proxy(offline_app) -> None:
    app, _ = offline_app
    client = app.test_client()

    def post(forwarded: str) -> int:
        environ = {"REMOTE_ADDR": PROXY}
        return client.post(
            "/v1/relay/vote", json={}, environ_base=environ, headers={"X-Forwarded-For": forwarded}
        ).status_code

    assert [post("198.51.100.1") for _ in range(3)][-1] == 429  # one client over its budget of 2
    assert post("198.51.100.2") != 429  # its neighbour behind the same proxy is not
