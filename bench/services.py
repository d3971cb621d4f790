"""The governance API under load, current code path beside the baseline, in one run on 127.0.0.1.

    .venv/bin/python bench/services.py [--json] [--seconds 5]

Sets up an embedded anvil (auto-mining while it deploys, enrolls 16 identities and opens proposals;
then 1-second blocks), makes the proofs (native prover), then serves the API twice from a child process
with the same settings: "current" = `personhood gov serve`'s path (waitress, native Groth16 verifier and
subgroup check, relayer through the persisted queue); "baseline" = werkzeug's threaded server, the node
(snarkjs) verifier, votes sent inline (the path before issue 27). For each it measures:
- verify: 16 clients back to back for `--seconds`, each re-submitting its own valid proof (the identical
  claim answers 200 `repeat` after the full check, so every request pays the whole verify path);
- flood: 2 attackers post invalid proofs (tampered points: only the pairing refuses them) at 10x the
  configured per-client rate while one honest client verifies at half its rate; its p99 and all 5xx;
- relay: 64 votes posted at once (each path its own proposals); the most votes any one block holds.
The LAST line is the JSON summary of the current path. Server CPU per request is from /proc.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eth_account import Account
from eth_utils import keccak
from web3 import Web3

from bench.services_load import Client, Tally, closed_loop, paced
from contracts import (
    AnvilNode,
    attach,
    build_contracts,
    deploy_all,
    save_deployment,
    sign_enrollment,
)
from contracts.anvil import free_loopback_port
from governance import RELAY_VOTE_GAS, RelayQueue, RelayWorker, action_scope, signal_message
from governance.proposals import ONE_PERSON_ONE_VOTE
from governance.relay_queue import MINED
from personhood.config import load_settings
from zk_identity import Identity, LeanIMT, MembershipProof, ProvingSetup, prove

MEMBERS = 16  # depth 4
VERIFY_CLIENTS = 16
CURRENT_VOTES_PROPOSALS, BASELINE_VOTES_PROPOSALS, CAPACITY_PROPOSALS = 4, 4, 4  # x MEMBERS votes each
APP_ID, ACTION, SIGNAL = "app_bench_services", "bench-claim", "0x00000000000000000000000000000000000000a1"
CLIENT_RATE = 20.0  # configured verify requests per second per client (setting verify_rate)
ATTACKERS, FLOOD_FACTOR = 2, 10
THREADS_PER_ATTACKER = 4  # each paced at a quarter of the attacker's rate (one connection cannot keep up)
FAR = 2**40 - 1


def _tampered(proof: dict) -> dict:
    points = list(proof["points"])
    return {**proof, "points": [points[6], points[7], *points[2:6], points[0], points[1]]}


def setup(work: Path) -> dict:
    """Chain, deployment file, enrolled group, proposals and proofs; what the children and loads need."""
    settings = load_settings(environ={})
    contracts = build_contracts(settings.cache_dir, depths=range(1, 5), node_modules=settings.node_modules)
    node = AnvilNode.start()
    w3 = Web3(Web3.HTTPProvider(node.url))
    owner = w3.eth.accounts[0]
    relayer = Account.from_key(keccak(text="personhood-bench-services-relayer"))
    device = Account.from_key(keccak(text="personhood-bench-services-device"))
    w3.eth.send_transaction({"from": owner, "to": relayer.address, "value": 10**21})
    deployment = deploy_all(w3, contracts, owner)
    system = attach(w3, contracts, deployment)
    system.registry.authorize_device(device.address, owner)
    identities = [Identity(f"bench-services-{i}") for i in range(MEMBERS)]
    for identity in identities:
        enrollment = system.registry.enrollment(identity.commitment, FAR)
        system.registry.enroll(enrollment, sign_enrollment(enrollment, device.key), owner)
    group = LeanIMT(i.commitment for i in identities)
    now = int(w3.eth.get_block("latest")["timestamp"])
    ballot = system.one_person_one_vote
    proposals = [
        ballot.create_proposal(keccak(text=f"bench {k}"), 2, now - 60, now + 10**7, owner)
        for k in range(CURRENT_VOTES_PROPOSALS + BASELINE_VOTES_PROPOSALS + CAPACITY_PROPOSALS)
    ]
    scope = action_scope(APP_ID, deployment.chain_id, ACTION)
    print(f"proving {MEMBERS * (1 + len(proposals))} proofs...", file=sys.stderr)
    verify = [
        {
            "app_id": APP_ID,
            "action": ACTION,
            "signal": SIGNAL,
            "proof": prove(i, group, signal_message(SIGNAL), scope).to_json(),
        }
        for i in identities
    ]
    votes = [
        [
            {
                "ballot": ONE_PERSON_ONE_VOTE,
                "proposalId": pid,
                "option": k % 2,
                "proof": prove(i, group, k % 2, ballot.scope(pid)).to_json(),
            }
            for k, i in enumerate(identities)
        ]
        for pid in proposals
    ]
    w3.provider.make_request("evm_setAutomine", [False])
    w3.provider.make_request("evm_setIntervalMining", [1])  # 1-second blocks from here on
    return {
        "node": node,
        "w3": w3,
        "deployment": deployment,
        "relayer": relayer,
        "verify": verify,
        "votes": votes,
        "ballot": deployment.one_person_one_vote,
        "system": system,
    }


def sender_capacity(world: dict, work: Path) -> dict:
    """The relayer's sender alone: votes already accepted (queued) all at once, then how many of them the
    1-second chain puts in one block (bounded by the block's gas: 30M / RELAY_VOTE_GAS)."""
    system, relayer = world["system"], world["relayer"]
    queue = RelayQueue(f"sqlite:///{work / 'capacity.sqlite3'}")
    ballot = system.one_person_one_vote
    votes = [v for group in world["votes"][-CAPACITY_PROPOSALS:] for v in group]
    for v in votes:
        p = MembershipProof.from_json(v["proof"])
        to, data = ballot.encode(ballot.vote_call(v["proposalId"], v["option"], p))
        queue.enqueue(
            ONE_PERSON_ONE_VOTE, v["proposalId"], p.nullifier, relayer.address, to, data, RELAY_VOTE_GAS
        )
    worker = RelayWorker(queue, system.outbox(relayer), lambda _ballot, n: ballot.nullifier_used(n))
    started = time.monotonic()
    worker.step()
    broadcast_s = time.monotonic() - started
    deadline = time.monotonic() + 15
    while queue.count(MINED) < len(votes) and time.monotonic() < deadline:
        time.sleep(0.5)
        worker.step()
    blocks: dict[int, int] = {}
    for v in votes:
        row = queue.get(ONE_PERSON_ONE_VOTE, MembershipProof.from_json(v["proof"]).nullifier)
        if row is not None and row.block_number is not None:
            blocks[row.block_number] = blocks.get(row.block_number, 0) + 1
    return {
        "queued": len(votes),
        "broadcast_s": round(broadcast_s, 2),
        "mined": queue.count(MINED),
        "votes_per_block": sorted(blocks.values(), reverse=True),
    }


def serve_child(mode: str, port: int) -> None:
    """The server process (`--serve MODE`): settings from the environment, like `personhood gov serve`."""
    import dataclasses

    from governance import ProofChecker
    from personhood.app import create_app, services_from_settings
    from personhood.wsgi_server import SERVER_SETTINGS, ServerLimits, serve

    settings = load_settings()
    if mode == "current":
        serve(
            create_app({"PERSONHOOD_SETTINGS": settings}),
            "127.0.0.1",
            port,
            ServerLimits.from_settings(settings.given(SERVER_SETTINGS)),
            lambda url: print(url, flush=True),
        )
        return
    from werkzeug.serving import make_server

    services = services_from_settings(settings.replace(relay_queue=False))
    node_checker = ProofChecker(
        services.checker.registry, setup=ProvingSetup(verifier="node", node_modules=settings.node_modules)
    )
    app = create_app({"PERSONHOOD_SERVICES": dataclasses.replace(services, checker=node_checker)})
    server = make_server("127.0.0.1", port, app, threaded=True)
    print(f"http://127.0.0.1:{port}", flush=True)
    server.serve_forever()


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(mode: str, world: dict, work: Path, seconds: float) -> dict:
    """Start the `mode` server, run the three loads, stop it; the figures."""
    data = work / mode
    save_deployment(world["deployment"], data / "deployment.json")
    port = free_loopback_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
        "PERSONHOOD_DATA_DIR": str(data),
        "PERSONHOOD_RPC_URL": world["node"].url,
        "PERSONHOOD_RELAYER_KEY": world["relayer"].key.hex(),
        "PERSONHOOD_TRUSTED_PROXIES": "127.0.0.1",
        "PERSONHOOD_VERIFY_RATE": f"{int(CLIENT_RATE)}/1",
        "PERSONHOOD_VERIFY_ACTION_RATE": "1000000/60",
        "PERSONHOOD_RELAY_PROPOSAL_RATE": "1000000/60",
        "PERSONHOOD_MAX_IN_FLIGHT": "4",
        "PERSONHOOD_MAX_QUEUE": "64",
        "PERSONHOOD_SERVER_THREADS": "96",
    }
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", mode, "--port", str(port)], stdout=subprocess.PIPE, env=env
    )
    try:
        assert child.stdout is not None and child.stdout.readline().startswith(b"http://")
        # warm-up (verification key, worker), not timed
        Client(port, "10.9.9.9").post("/v1/verify", world["verify"][0])
        cpu0 = _cpu_s(child.pid)
        verify = closed_loop(port, "/v1/verify", world["verify"], VERIFY_CLIENTS, seconds)
        cpu = _cpu_s(child.pid) - cpu0
        accepted = verify.statuses.get(200, 0)
        flood, honest = Tally(), Tally()
        deadline = time.monotonic() + seconds
        bad = {**world["verify"][1], "proof": _tampered(world["verify"][1]["proof"])}
        threads = [
            threading.Thread(
                target=paced,
                args=(
                    Client(port, f"10.2.0.{a}"),
                    "/v1/verify",
                    bad,
                    CLIENT_RATE * FLOOD_FACTOR / THREADS_PER_ATTACKER,
                    deadline,
                    flood,
                ),
            )
            for a in range(ATTACKERS)
            for _ in range(THREADS_PER_ATTACKER)
        ]
        threads.append(
            threading.Thread(
                target=paced,
                args=(
                    Client(port, "10.3.0.1"),
                    "/v1/verify",
                    world["verify"][2],
                    CLIENT_RATE / 2,
                    deadline,
                    honest,
                ),
            )
        )
        for t in threads:
            t.start()
        for t in threads:
            t.join(seconds + 60)
        first = 0 if mode == "current" else CURRENT_VOTES_PROPOSALS
        count = CURRENT_VOTES_PROPOSALS if mode == "current" else BASELINE_VOTES_PROPOSALS
        votes = [v for group in world["votes"][first : first + count] for v in group]
        relay = Tally()
        answers: list[dict] = []

        def cast(i: int, vote: dict) -> None:
            status, elapsed, answer = Client(port, f"10.4.{i // 250}.{i % 250}", 60).post(
                "/v1/relay/vote", vote
            )
            relay.add(status, elapsed)
            answers.append(answer)

        casters = [threading.Thread(target=cast, args=(i, v)) for i, v in enumerate(votes)]
        for t in casters:
            t.start()
        for t in casters:
            t.join(120)
        time.sleep(2.5)  # the last block
        per_block: dict[int, int] = {}
        for a in answers:
            if a.get("txHash"):
                receipt = world["w3"].eth.wait_for_transaction_receipt(a["txHash"], timeout=30)
                if receipt["status"] == 1:
                    per_block[receipt["blockNumber"]] = per_block.get(receipt["blockNumber"], 0) + 1
    finally:
        child.terminate()
        child.wait(timeout=30)
    return {
        "verify_per_s": round(accepted / seconds, 1),
        "verify_p50_ms": round(verify.p(0.5), 1),
        "verify_p99_ms": round(verify.p(0.99), 1),
        "verify_statuses": verify.statuses,
        "server_cpu_ms_per_verify": round(1000 * cpu / max(1, accepted), 2),
        "flood_sent_per_s": round(sum(flood.statuses.values()) / seconds, 1),
        "flood_statuses": flood.statuses,
        "flood_honest_p99_ms": round(honest.p(0.99), 1),
        "flood_honest_statuses": honest.statuses,
        "relay_statuses": relay.statuses,
        "relayer_votes_per_block": max(per_block.values(), default=0),
        "relayer_votes_counted": sum(per_block.values()),
        "http_5xx": verify.http_5xx + flood.http_5xx + honest.http_5xx + relay.http_5xx,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--serve", choices=("current", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_child(args.serve, args.port)
        return
    with tempfile.TemporaryDirectory(prefix="bench-services-") as tmp:
        world = setup(Path(tmp))
        try:
            results = {
                mode: measure(mode, world, Path(tmp), args.seconds) for mode in ("baseline", "current")
            }
            capacity = sender_capacity(world, Path(tmp))
        finally:
            world["node"].stop()
    base, cur = results["baseline"], results["current"]
    for mode in ("baseline", "current"):
        print(f"{mode}: {json.dumps(results[mode])}")
    print(f"relay sender alone (queued votes, 1-s blocks): {json.dumps(capacity)}")
    print(
        f"verify/s x{cur['verify_per_s'] / max(base['verify_per_s'], 1e-9):.1f}, "
        f"votes/block x{cur['relayer_votes_per_block'] / max(base['relayer_votes_per_block'], 1):.1f}"
    )
    keys = ("verify_per_s", "verify_p99_ms", "flood_honest_p99_ms", "relayer_votes_per_block", "http_5xx")
    print(json.dumps({k: cur[k] for k in keys}))


if __name__ == "__main__":
    main()
