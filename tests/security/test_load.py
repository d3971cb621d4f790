"""The load test of issue 23: flood /v1/verify and /v1/relay/vote on 127.0.0.1 at 10x the configured
rates with valid-looking requests (real proof JSON, tampered so only the pairing check refuses it), while
an honest client verifies a claim and relays a vote, on the very action and proposal under attack. The
honest client behaves as the API asks (on 429/503 it waits Retry-After and tries again); its requests
must be served (200) within their timeouts, and the limiter tables, the admission queue and the
process's memory must stay bounded. Attackers come from 8 fixed addresses (per-client limits cut them to
their configured rate) and from 2,000 rotating spoofed ones (a botnet, through the trusted local proxy
header) that flood another action and another proposal: per-client limits cannot bound those, the
per-action and per-proposal limits do, and the limiter tables stay bounded. (A botnet on the very
action of the honest client competes with it for that action's budget: see the README's security
section.)

Bounded by construction: fixed duration, fixed threads, every socket with a timeout; nothing leaves
127.0.0.1. Run with `-s` to see the figures (rates achieved, honest latencies, memory growth)."""

from __future__ import annotations

import dataclasses
import http.client
import json
import threading
import time
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from governance import (
    AdmissionGate,
    ApiGuard,
    CachedRoots,
    Capacity,
    ClientAddress,
    ProofChecker,
    RateLimit,
    RateLimiter,
)
from personhood.app import create_app
from zk_identity import ProvingSetup, bn254_native

from ..governance.test_relayer import vote_body
from ..governance.test_verify_api import body

pytestmark = [pytest.mark.slow, pytest.mark.node]
DURATION_S = 6.0
ATTACKERS = 8  # distinct client addresses (through the trusted local proxy header)
SPOOFED = 2_000  # rotating fake addresses, to show the tables stay bounded
VERIFY_RATE, RELAY_RATE = 1.0, 0.5  # configured per client, requests per second
ACTION_RATE = 10.0  # configured per action (all clients), requests per second
THREADS_PER_ATTACKER = 5
FLOOD_FACTOR = 10  # asserted: the attackers' achieved rate over their configured rate
TARGET_FACTOR = 14  # what the flood aims at, so that the achieved rate clears 10x on a busy machine
MAX_KEYS = 64
HONEST_TIMEOUT_S = 30.0


def rss_bytes() -> int:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096


def tampered(proof: dict) -> dict:
    points = list(proof["points"])
    return {**proof, "points": [points[6], points[7], *points[2:6], points[0], points[1]]}


def post(port: int, path: str, payload: dict, client: str, timeout: float) -> tuple[int, float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    started = time.monotonic()
    try:
        connection.request(
            "POST",
            path,
            body=json.dumps(payload),
            headers={"Content-Type": "application/json", "X-Forwarded-For": client},
        )
        response = connection.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    finally:
        connection.close()


def honestly(port: int, path: str, payload: dict, client: str) -> tuple[int, float, int]:
    """(status, seconds, attempts) of a client that honours 429/503 + Retry-After until its timeout."""
    started, attempts = time.monotonic(), 0
    while True:
        attempts += 1
        left = HONEST_TIMEOUT_S - (time.monotonic() - started)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=max(0.1, left))
        try:
            connection.request(
                "POST",
                path,
                body=json.dumps(payload),
                headers={"Content-Type": "application/json", "X-Forwarded-For": client},
            )
            response = connection.getresponse()
            response.read()
            status, retry = response.status, float(response.headers.get("Retry-After") or 1)
        finally:
            connection.close()
        elapsed = time.monotonic() - started
        if status not in (429, 503) or elapsed + retry >= HONEST_TIMEOUT_S:
            return status, elapsed, attempts
        time.sleep(retry)


def test_a_flood_at_ten_times_the_rate_leaves_honest_clients_served_and_memory_bounded(gov_chain, services):
    gov = gov_chain
    guard = ApiGuard(
        RateLimiter(RateLimit(int(VERIFY_RATE * 10), 10.0, max_keys=MAX_KEYS)),
        RateLimiter(RateLimit(int(ACTION_RATE), 1.0, max_keys=MAX_KEYS)),
        AdmissionGate(Capacity(max_in_flight=2, max_queue=8, max_wait_s=5.0)),
        ClientAddress.from_strings(["127.0.0.1"]),  # the test's own "proxy": clients named in the header
        RateLimiter(RateLimit(int(ACTION_RATE), 1.0, max_keys=MAX_KEYS)),
    )
    # As `personhood gov serve` checks proofs: roots cached per block, the native pairing when built.
    w3 = gov.w3
    checker = ProofChecker(
        CachedRoots(gov.chain.registry, lambda: w3.eth.block_number),
        setup=ProvingSetup(verifier="native" if bn254_native.AVAILABLE else "node", pool=gov.pool),
    )
    relay_limiter = RateLimiter(RateLimit(int(RELAY_RATE * 10), 10.0, max_keys=MAX_KEYS))
    flooded = dataclasses.replace(services, checker=checker, guard=guard, rate_limiter=relay_limiter)
    server = make_server("127.0.0.1", 0, create_app({"PERSONHOOD_SERVICES": flooded}), threaded=True)
    port = server.server_port
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()

    bad_verify = body(gov)
    bad_verify["proof"] = tampered(bad_verify["proof"])
    botnet_verify = {**bad_verify, "action": "another-action-under-attack"}
    bad_vote = vote_body(gov)
    bad_vote["proof"] = tampered(bad_vote["proof"])
    botnet_vote = {**bad_vote, "proposalId": gov.proposals["cli"]}
    stop = threading.Event()
    sent = {"verify": 0, "relay": 0}
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def flood(index: int, path: str, payload: dict, per_client_rate: float, botnet_payload: dict) -> None:
        interval = THREADS_PER_ATTACKER / (per_client_rate * TARGET_FACTOR)
        n = 0
        while not stop.is_set():
            started = time.monotonic()
            spoof = f"198.18.{(index * 7 + n) % SPOOFED // 250}.{(index * 7 + n) % 250}"
            who = f"203.0.113.{index % ATTACKERS}" if n % 2 == 0 else spoof
            try:
                status, _ = post(port, path, payload if n % 2 == 0 else botnet_payload, who, 10.0)
            except OSError:
                status = 0
            with lock:
                sent["verify" if path == "/v1/verify" else "relay"] += 1
                statuses[status] = statuses.get(status, 0) + 1
            n += 1
            time.sleep(max(0.0, interval - (time.monotonic() - started)))

    before = rss_bytes()
    honest = "192.0.2.10"
    threads = [
        threading.Thread(
            target=flood, args=(i, "/v1/verify", bad_verify, VERIFY_RATE, botnet_verify), daemon=True
        )
        for i in range(ATTACKERS * THREADS_PER_ATTACKER)
    ] + [
        threading.Thread(
            target=flood, args=(i, "/v1/relay/vote", bad_vote, RELAY_RATE, botnet_vote), daemon=True
        )
        for i in range(ATTACKERS * THREADS_PER_ATTACKER)
    ]
    started = time.monotonic()
    try:
        for thread in threads:
            thread.start()
        time.sleep(1.0)  # the flood is on
        verified = honestly(port, "/v1/verify", body(gov), honest)
        relayed = honestly(port, "/v1/relay/vote", vote_body(gov), honest)
        time.sleep(max(0.0, DURATION_S - (time.monotonic() - started)))
    finally:
        stop.set()
        for thread in threads:
            thread.join(20)
        server.shutdown()
        serving.join(10)
        server.server_close()
    elapsed = time.monotonic() - started
    grown = rss_bytes() - before
    verify_rate, relay_rate = sent["verify"] / elapsed, sent["relay"] / elapsed
    print(
        f"\nflood {elapsed:.1f} s: /v1/verify {verify_rate:.0f} req/s "
        f"({verify_rate / (VERIFY_RATE * ATTACKERS):.1f}x the attackers' configured "
        f"{VERIFY_RATE * ATTACKERS:g}/s), "
        f"/v1/relay/vote {relay_rate:.0f} req/s ({relay_rate / (RELAY_RATE * ATTACKERS):.1f}x "
        f"{RELAY_RATE * ATTACKERS:g}/s); statuses {statuses}; honest verify {verified[0]} in "
        f"{verified[1]:.1f} s ({verified[2]} tries), honest vote {relayed[0]} in {relayed[1]:.1f} s "
        f"({relayed[2]} tries); limiter keys {len(guard.verify_per_client)} / {len(relay_limiter)}; "
        f"RSS +{grown / 2**20:.1f} MiB"
    )
    assert verify_rate >= FLOOD_FACTOR * VERIFY_RATE * ATTACKERS  # the flood really was 10x
    assert relay_rate >= FLOOD_FACTOR * RELAY_RATE * ATTACKERS
    assert verified[0] == 200 and verified[1] < HONEST_TIMEOUT_S
    assert relayed[0] == 200 and relayed[1] < HONEST_TIMEOUT_S
    assert statuses.get(429, 0) > 0 and not statuses.get(500) and not statuses.get(0)  # refused, not failed
    assert len(guard.verify_per_client) <= MAX_KEYS and len(relay_limiter) <= MAX_KEYS
    assert guard.gate.waiting == 0 and len(flooded.relay.pending) == 0
    assert grown < 200 * 2**20  # bounded: no per-request state kept
    assert gov.tallies("one_person_one_vote", gov.proposals["open"]) == [0, 0, 1]
    assert services.nullifiers.count() == 1
