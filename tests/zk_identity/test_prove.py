"""Proving with the official Semaphore v4 ceremony artifacts, cross-checked with Semaphore's JS.

Our proofs must pass @semaphore-protocol/proof's verifyProof and `snarkjs groth16 verify`, and
proofs from its generateProof must pass ours. The worker pool's failure handling is tested on
the real node worker.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from zk_identity import (
    Identity,
    LeanIMT,
    MembershipProof,
    ProverError,
    ProverPool,
    ProvingSetup,
    nullifier,
    prove,
    verify,
)
from zk_identity.artifacts import official_artifacts
from zk_identity.errors import ProofFormatError
from zk_identity.snarkjs_cli import verify_cli

pytestmark = pytest.mark.node

SEMAPHORE_PROVE = """
import { Identity } from "@semaphore-protocol/identity";
import { Group } from "@semaphore-protocol/group";
import { generateProof } from "@semaphore-protocol/proof";
const [keys, member, message, scope, depth] = process.argv.slice(1);
const ids = JSON.parse(keys).map((k) => Identity.import(k));
const group = new Group(ids.map((i) => i.commitment));
const base = `node_modules/@zk-kit/semaphore-artifacts/semaphore-${depth}`;
const proof = await generateProof(ids[Number(member)], group, message, scope, Number(depth),
  { wasm: base + ".wasm", zkey: base + ".zkey" });
console.log(JSON.stringify(proof));
process.exit(0);
"""

SEMAPHORE_VERIFY = """
import { verifyProof } from "@semaphore-protocol/proof";
const proof = JSON.parse(process.argv[1]);
console.log(JSON.stringify(await verifyProof(proof)));
process.exit(0);
"""


@pytest.fixture(scope="module")
def members() -> list[Identity]:
    return [Identity(f"prove-member-{i}".encode()) for i in range(5)]


@pytest.fixture(scope="module")
def group(members: list[Identity]) -> LeanIMT:
    return LeanIMT([m.commitment for m in members])


@pytest.fixture(scope="module")
def proof(members, group, pool) -> MembershipProof:
    return prove(members[3], group, "hello world", "poll-2026", setup=ProvingSetup(pool=pool))


def test_proof_fields(proof: MembershipProof, members, group) -> None:
    assert proof.merkle_tree_depth == group.depth == 3
    assert proof.merkle_tree_root == group.root
    assert proof.nullifier == nullifier(members[3], "poll-2026")
    assert proof.message == int.from_bytes(b"hello world".ljust(32, b"\0"), "big")


def test_a_promoted_last_leaf_proves_at_the_group_depth(members, group, pool) -> None:
    # With 5 leaves the 5th is promoted: its Merkle path is shorter than the tree. The registry
    # records one depth per root, so the default proof depth must be the group's, not the path's.
    path = group.generate_proof(4)
    assert len(path.siblings) < group.depth
    proof = prove(members[4], group, 1, 2, setup=ProvingSetup(pool=pool))
    assert proof.merkle_tree_depth == group.depth
    assert verify(proof, official_artifacts(group.depth).vkey())


def test_our_proof_passes_semaphore_and_snarkjs(proof: MembershipProof, run_node) -> None:
    assert run_node(SEMAPHORE_VERIFY, proof.dumps()) is True
    vkey = official_artifacts(proof.merkle_tree_depth).vkey()
    public = [str(v) for v in proof.public_signals()]
    assert verify_cli(vkey, public, proof.snarkjs_proof()) is True
    public[1] = str(proof.nullifier + 1)
    assert verify_cli(vkey, public, proof.snarkjs_proof()) is False


@pytest.mark.slow
def test_semaphore_proof_passes_ours_and_matches_our_values(members, group, pool, run_node) -> None:
    keys = json.dumps([m.export() for m in members])
    theirs = MembershipProof.from_json(run_node(SEMAPHORE_PROVE, keys, "1", "vote yes", "42", "20"))
    assert theirs.merkle_tree_depth == 20 and theirs.merkle_tree_root == group.root
    assert verify(theirs, setup=ProvingSetup(verifier="node", pool=pool)) is True
    assert verify(theirs) is True
    ours = prove(members[1], group, "vote yes", "42", depth=20, setup=ProvingSetup(pool=pool))
    # Groth16 proofs are randomized; everything else must agree field by field.
    assert ours.to_json() | {"points": None} == theirs.to_json() | {"points": None}
    assert run_node(SEMAPHORE_VERIFY, ours.dumps()) is True


def test_nullifier_is_per_scope(members, group, pool, proof) -> None:
    again = prove(members[3], group, "another message", "poll-2026", setup=ProvingSetup(pool=pool))
    other_scope = prove(members[3], group, "hello world", "poll-2027", setup=ProvingSetup(pool=pool))
    assert again.nullifier == proof.nullifier
    assert other_scope.nullifier != proof.nullifier
    assert other_scope.nullifier == nullifier(members[3], "poll-2027")


def test_cli_backend_gives_an_equivalent_proof(members, group, proof) -> None:
    fresh = prove(members[3], group, "hello world", "poll-2026", setup=ProvingSetup(prover="cli"))
    assert fresh.to_json() | {"points": None} == proof.to_json() | {"points": None}
    assert verify(fresh, setup=ProvingSetup(verifier="node")) is True


def test_non_member_cannot_prove(group, pool) -> None:
    with pytest.raises(ProverError, match="not a member"):
        prove(Identity(b"outsider-key"), group, 1, 2, setup=ProvingSetup(pool=pool))


def test_bad_arguments_are_refused(members, group, pool) -> None:
    with pytest.raises(ProofFormatError, match="31"):
        prove(members[0], group, "x" * 32, 1, setup=ProvingSetup(pool=pool))
    with pytest.raises(ProverError, match="depth"):
        prove(members[0], group, 1, 2, depth=2, setup=ProvingSetup(pool=pool))  # the group is 3 levels deep
    with pytest.raises(ProverError, match="depth"):
        prove(members[0], group, 1, 2, depth=33, setup=ProvingSetup(pool=pool))


def test_node_errors_surface_with_their_message(pool) -> None:
    wasm = official_artifacts(3).wasm
    with pytest.raises(ProverError, match="snarkjs: Not all inputs have been set"):
        pool.prove({"secret": "1"}, wasm, official_artifacts(3).zkey)
    with pytest.raises(ProverError, match="unknown op"):
        pool.request({"op": "bogus"})


def test_crashed_worker_is_restarted(members, group) -> None:
    with ProverPool(size=1) as p:
        p.request({"op": "ping"})
        [pid] = p.pids()
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(ProverError, match="crashed"):
            p.request({"op": "ping"})
        assert p.request({"op": "ping"})["pid"] != pid
        assert verify(
            prove(members[0], group, 1, 2, setup=ProvingSetup(pool=p)),
            setup=ProvingSetup(verifier="node", pool=p),
        )


def test_a_worker_killed_between_its_check_and_the_write_is_a_crash_and_is_restarted() -> None:
    # The race CI met: `start` saw the worker alive, then the kill landed before the write. Forced here:
    # the worker dies, and its stdin breaks on the write as a dead process's pipe does.
    class Broken:
        def write(self, _: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

        def close(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

    with ProverPool(size=1) as p:
        pid = p.request({"op": "ping"})["pid"]
        [worker] = p._workers
        proc = worker._proc
        os.kill(pid, signal.SIGKILL)
        proc.wait(timeout=10)
        proc.poll = lambda: None  # as `start` saw it: not yet reaped
        proc.stdin = Broken()
        with pytest.raises(ProverError, match=r"crashed before the request \(exit -9\)"):
            p.request({"op": "ping"})
        assert p.request({"op": "ping"})["pid"] != pid


def test_timeout_kills_and_restarts(members, group) -> None:
    with ProverPool(size=1) as p:
        first = p.request({"op": "ping"})["pid"]
        with pytest.raises(ProverError, match="timed out"):
            p.prove({"x": "1"}, official_artifacts(20).wasm, official_artifacts(20).zkey, timeout=0.001)
        assert p.pids() == []
        assert p.request({"op": "ping"})["pid"] != first
    assert p.pids() == []
    with pytest.raises(ProverError, match="closed"):
        p.request({"op": "ping"})


def test_pool_leaves_no_process_behind(tmp_path: Path) -> None:
    script = (
        "from zk_identity import ProverPool\n"
        "p = ProverPool(size=2)\n"
        "print(p.request({'op': 'ping'})['pid'], p.request({'op': 'ping'})['pid'], flush=True)\n"
    )  # no close(): the atexit hook must stop the workers
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    for pid in map(int, out.stdout.split()):
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
