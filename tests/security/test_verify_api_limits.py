"""Finding 4 (Medium): /v1/verify had no rate limit and unbounded queueing.

Attacks replayed: one client floods the API (429 with Retry-After, other clients still served); many
clients flood one action (429 for that action only); more concurrent checks than the server can run
(503 with Retry-After at once, not an ever-growing queue); a flood of proofs for one root (one
checkRoot per block, not one per request); the G2 subgroup check runs natively, not for ~5 ms in
Python holding the GIL."""

from __future__ import annotations

import dataclasses
import json
import statistics
import threading
import time

import pytest

from governance import (
    AdmissionGate,
    ApiGuard,
    Capacity,
    OverloadedError,
    ProofChecker,
    RateLimit,
    RateLimiter,
)
from personhood.app import ROOT_BLOCK_POLL_S, create_app
from zk_identity import LeanIMT, ProverPool, ProvingSetup, bn254_native, prove
from zk_identity.artifacts import official_artifacts
from zk_identity.bn254_checks import g2_in_subgroup, g2_in_subgroup_py
from zk_identity.errors import ProverError

from ..governance.conftest import MEMBERS
from ..governance.test_verify_api import body
from ..zk_identity.test_verify import _g2_off_subgroup

pytestmark = [pytest.mark.slow, pytest.mark.node]


def junk(gov, action: str = "flood") -> dict:
    """A well-formed request whose proof is not for this action (refused 400 after the limits)."""
    return body(gov, action=action)


def test_one_client_flooding_is_limited_and_others_still_served(gov, services):
    guard = ApiGuard(RateLimiter(RateLimit(5, 60)), RateLimiter(RateLimit(1000, 60)))
    client = create_app({"PERSONHOOD_SERVICES": dataclasses.replace(services, guard=guard)}).test_client()
    attacker = {"REMOTE_ADDR": "203.0.113.7"}
    statuses = [
        client.post("/v1/verify", json=junk(gov), environ_base=attacker).status_code for _ in range(8)
    ]
    assert statuses == [400] * 5 + [429] * 3
    limited = client.post("/v1/verify", json=junk(gov), environ_base=attacker)
    assert int(limited.headers["Retry-After"]) >= 1 and limited.json["error"] == "rate_limited"
    honest = client.post("/v1/verify", json=body(gov), environ_base={"REMOTE_ADDR": "198.51.100.1"})
    assert honest.status_code == 200, honest.json


def test_many_clients_flooding_one_action_are_limited_per_action(gov, services):
    guard = ApiGuard(RateLimiter(RateLimit(1000, 60)), RateLimiter(RateLimit(4, 60)))
    client = create_app({"PERSONHOOD_SERVICES": dataclasses.replace(services, guard=guard)}).test_client()
    statuses = [
        client.post(
            "/v1/verify", json=junk(gov, "hot"), environ_base={"REMOTE_ADDR": f"203.0.113.{i}"}
        ).status_code
        for i in range(6)
    ]
    assert statuses == [400] * 4 + [429] * 2
    assert client.post("/v1/verify", json=body(gov)).status_code == 200  # another action is untouched


class SlowRoots:
    """The real registry behind a door the test opens: holds proof checks in flight."""

    def __init__(self, registry) -> None:
        self.registry, self.door, self.inside = registry, threading.Event(), threading.Semaphore(0)

    def check_root(self, root: int) -> int:
        self.inside.release()
        assert self.door.wait(60)
        return self.registry.check_root(root)


def test_more_checks_than_capacity_get_503_at_once_not_an_unbounded_queue(gov, services):
    roots = SlowRoots(gov.chain.registry)
    checker = ProofChecker(roots, setup=ProvingSetup(verifier="node", pool=gov.pool))
    gate = AdmissionGate(Capacity(max_in_flight=1, max_queue=1, max_wait_s=30))
    guard = dataclasses.replace(services.guard, gate=gate)
    app = create_app({"PERSONHOOD_SERVICES": dataclasses.replace(services, checker=checker, guard=guard)})
    answers: list[int] = []

    def honest() -> None:
        answers.append(app.test_client().post("/v1/verify", json=body(gov)).status_code)

    first = threading.Thread(target=honest)
    first.start()
    assert roots.inside.acquire(timeout=30)  # the first check holds the only slot
    queued = threading.Thread(target=honest)
    queued.start()
    deadline = time.monotonic() + 30
    while gate.waiting < 1:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    started = time.monotonic()
    refused = app.test_client().post("/v1/verify", json=body(gov))
    assert time.monotonic() - started < 5  # refused at once, not queued
    assert refused.status_code == 503 and refused.json["error"] == "overloaded"
    assert int(refused.headers["Retry-After"]) >= 1
    roots.door.set()
    first.join(60)
    queued.join(60)
    assert sorted(answers) == [200, 200]  # the held claim succeeded; the queued one got its repeat
    assert services.nullifiers.count() == 1


def test_the_gate_times_out_a_waiter():
    gate = AdmissionGate(Capacity(max_in_flight=1, max_queue=4, max_wait_s=0.2))
    with gate.admit():
        started = time.monotonic()
        with pytest.raises(OverloadedError) as refused, gate.admit():
            pass
        assert 0.15 < time.monotonic() - started < 5 and refused.value.retry_after > 0
    with gate.admit():  # the slot is free again
        pass


def test_the_prover_pool_does_not_queue_forever(gov):
    pool = ProverPool(size=1)
    try:
        group = LeanIMT(i.commitment for i in gov.identities[:MEMBERS])
        busy = threading.Thread(
            target=prove,
            args=(gov.identities[0], group, 1, 2),
            kwargs={"depth": 20, "setup": ProvingSetup(prover="worker", pool=pool)},
        )
        busy.start()  # snarkjs proves at depth 20 in the only worker: seconds
        time.sleep(0.5)
        started = time.monotonic()
        with pytest.raises(ProverError, match="busy"):
            pool.request({"op": "ping"}, timeout=0.3)  # the old pool waited for the worker, however long
        assert time.monotonic() - started < 5
        busy.join(120)
    finally:
        pool.close()


def test_check_root_is_cached_per_block(gov, tmp_path):
    deployment = tmp_path / "deployment.json"
    deployment.write_text(json.dumps(dataclasses.asdict(gov.deployment)))
    settings = gov.settings.replace(rpc_url=gov.node.url, data_dir=tmp_path, deployment_file=deployment)
    app = create_app({"PERSONHOOD_SETTINGS": settings})
    services = app.extensions["personhood"]
    try:
        roots = services.checker.registry
        assert hasattr(roots, "calls"), "the app must check roots through the per-block cache"
        client = app.test_client()
        root = gov.proofs["verify"].merkle_tree_root
        for _ in range(5):
            assert roots.check_root(root) == 2
        assert roots.calls == 1
        assert client.post("/v1/verify", json=body(gov)).status_code == 200
        assert roots.calls == 1  # the API's own check hit the cache too (same block)
        gov.w3.provider.make_request("evm_mine", [])
        time.sleep(ROOT_BLOCK_POLL_S)  # the head is read at most every ROOT_BLOCK_POLL_S
        assert roots.check_root(root) == 2 and roots.calls == 2  # a new block asks the chain again
    finally:
        services.nullifiers.close()


@pytest.mark.skipif(not bn254_native.AVAILABLE, reason="native extension not built (make setup)")
def test_the_g2_subgroup_check_is_native_and_agrees_with_the_reference():
    vkey = official_artifacts(2).vkey()
    points = [
        tuple(tuple(int(c) for c in p) for p in vkey[name][:2])
        for name in ("vk_beta_2", "vk_gamma_2", "vk_delta_2")
    ]
    points.append(_g2_off_subgroup())
    assert (
        [g2_in_subgroup(p) for p in points] == [g2_in_subgroup_py(p) for p in points] == [True] * 3 + [False]
    )

    def median_s(check) -> float:
        times = []
        for _ in range(15):
            started = time.perf_counter()
            check(points[0])
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    assert median_s(g2_in_subgroup_py) / median_s(g2_in_subgroup) > 5  # measured in the same run
