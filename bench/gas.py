"""Gas of the on-chain parts, measured on an embedded anvil in one run, against stated and measured baselines.

    .venv/bin/python bench/gas.py [--json] [--tree-size 1024] [--samples 64]

Builds a group of `tree-size` real enrollments (EIP-712 signature check + tree insertion each), makes
Semaphore v4 proofs (official ceremony keys) against that root, and measures one transaction each of
PersonhoodVerifier.verifyProof, a one-person-one-vote castVote and quadratic castVote ballots over 2, 5 and 10
options; then `samples` further enrollments into the full tree. `enroll` is their mean. The cost by depth
up to 2^20 is extrapolated from a least-squares fit of every measured enrollment's gas against the number
of Poseidon hashes it did (popcount of its leaf index) — printed in the text report, not in `--json`.

Baselines: a bare snarkjs Groth16Verifier.verifyProof transaction is MEASURED in the same run; Semaphore
v4's published averages (validateProof 288,798, addMember 118k-157k) are STATED.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
from pathlib import Path

from eth_account import Account
from eth_utils import keccak
from web3 import Web3

from contracts import (
    PROOF_TX_GAS,
    AnvilNode,
    OnePersonOneVoteClient,
    QuadraticVoteClient,
    RegistryClient,
    build_contracts,
    deploy_all,
    quadratic_message,
    sign_enrollment,
)
from personhood.config import load_settings
from zk_identity import SNARK_SCALAR_FIELD, MembershipProof, hash_to_field

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from peers import semaphore_peer  # the npm Semaphore peer

SEMAPHORE_VALIDATE_PROOF_AVG = 288_798  # Semaphore v4 validateProof average gas (stated baseline)
SEMAPHORE_ADD_MEMBER = (118_000, 157_000)  # Semaphore v4 addMember range (stated baseline)
PROVERS = 4  # identities with real secrets (the rest of the group are random commitments)
QV_OPTIONS = (2, 5, 10)
BY_DEPTH = (10, 12, 16, 20, 24, 32)
DEPTH_SAMPLES = 16
ROOT_SLOT, TREE_SLOT, SIDE_NODES_SLOT = 1, 3, 4  # PersonhoodRegistry storage layout (checked by the asserts)


def _send(w3: Web3, call, sender: str, gas: int | None = None) -> int:
    params = {"from": sender} if gas is None else {"from": sender, "gas": gas}
    receipt = w3.eth.wait_for_transaction_receipt(call.transact(params))
    if receipt["status"] != 1:
        raise RuntimeError(f"benchmark transaction failed: {call.fn_name}")
    return int(receipt["gasUsed"])


def _fit(points: list[tuple[int, int]]) -> tuple[float, float]:
    """Least squares gas = a + b * hashes."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    b = sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x in xs)
    return my - b * mx, b


def run(tree_size: int, samples: int) -> dict:
    """Measure everything; returns the JSON report plus the details for the text report."""
    rng = random.Random(20251125)
    settings = load_settings()
    depth = max(1, (tree_size - 1).bit_length())
    contracts = build_contracts(settings.cache_dir, depths=[depth])
    secrets = [f"bench-identity-{i}" for i in range(PROVERS)]
    real = [int(c) for c in semaphore_peer({"secrets": secrets, "jobs": [{"kind": "commitments"}]})[0]]
    leaves = real + [rng.randrange(1, SNARK_SCALAR_FIELD) for _ in range(tree_size + samples - PROVERS)]
    with AnvilNode.start() as node:
        w3 = Web3(Web3.HTTPProvider(node.url))
        owner, relayer = w3.eth.accounts[0], w3.eth.accounts[1]
        d = deploy_all(w3, contracts, owner)
        registry = RegistryClient(w3, contracts, d.registry)
        device = Account.from_key(keccak(text="bench-device"))
        registry.authorize_device(device.address, owner)
        enroll_fn = registry._contract.functions.enroll

        def enroll(index: int) -> int:
            e = registry.enrollment(leaves[index], 2**40)
            return _send(w3, enroll_fn(e.commitment, e.deadline, sign_enrollment(e, device.key)), relayer)

        growth = [(i.bit_count(), enroll(i)) for i in range(tree_size)]
        assert registry.depth() == (depth if tree_size > 1 else 0)
        one = OnePersonOneVoteClient(w3, contracts, d.one_person_one_vote)
        qv = QuadraticVoteClient(w3, contracts, d.quadratic_vote)
        now = int(w3.eth.get_block("latest")["timestamp"])
        p1 = one.create_proposal(b"\x01" * 32, 3, now - 60, now + 86_400, owner)
        votes = {n: [1] * n for n in QV_OPTIONS}
        qp = {
            n: qv.create_proposal(bytes([n]) * 32, n, now - 60, now + 86_400, 100, owner) for n in QV_OPTIONS
        }
        jobs = [(0, 1, one.scope(p1)), (1, 7, 42)]
        jobs += [(2 + k, quadratic_message(votes[n]), qv.scope(qp[n])) for k, n in enumerate(QV_OPTIONS[:2])]
        jobs += [(0, quadratic_message(votes[10]), qv.scope(qp[10]))]
        group = [str(c) for c in leaves[:tree_size]]
        spec = {"secrets": secrets, "jobs": [
            {"kind": "proof", "secret": s, "leaves": group, "removed": [], "message": str(m),
             "scope": str(sc), "depth": depth} for s, m, sc in jobs]}  # fmt: skip
        proofs = [MembershipProof.from_json(p) for p in semaphore_peer(spec)]
        vote, verify_proof, *qv_proofs = proofs
        assert vote.merkle_tree_root == registry.current_root()

        def args(p: MembershipProof) -> tuple:
            return p.merkle_tree_root, p.nullifier, list(p.points)

        gas_vote = _send(w3, one._contract.functions.castVote(p1, 1, *args(vote)), relayer, PROOF_TX_GAS)
        pv = w3.eth.contract(address=d.verifier, abi=list(contracts["PersonhoodVerifier"].abi))
        v = verify_proof
        verify_call = pv.functions.verifyProof(
            v.merkle_tree_root, v.nullifier, v.message, v.scope, depth, list(v.points)
        )
        gas_verify = _send(w3, verify_call, relayer, PROOF_TX_GAS)
        g16 = w3.eth.contract(address=d.groth16[depth], abi=list(contracts.verifiers[depth].abi))
        pts = list(v.points)
        pub = [v.merkle_tree_root, v.nullifier, hash_to_field(v.message), hash_to_field(v.scope)]
        bare_call = g16.functions.verifyProof(pts[0:2], [pts[2:4], pts[4:6]], pts[6:8], pub)
        assert bare_call.call({"gas": PROOF_TX_GAS}) is True
        gas_bare = _send(w3, bare_call, relayer, PROOF_TX_GAS)
        gas_qv = {}
        for n, proof in zip(QV_OPTIONS, qv_proofs, strict=True):
            call = qv._contract.functions.castVote(qp[n], votes[n], *args(proof))
            gas_qv[str(n)] = _send(w3, call, relayer, PROOF_TX_GAS)
        assert one.tallies(p1) == [0, 1, 0] and qv.tallies(qp[10]) == votes[10]
        after = [(i.bit_count(), enroll(i)) for i in range(tree_size, tree_size + samples)]
        by_depth = {depth: _enroll_at_depth(w3, registry, device, depth, relayer, rng) for depth in BY_DEPTH}
    a, b = _fit(growth[1:] + after)  # leaf 0 writes the first root only
    return {
        "report": {
            "tree_size": tree_size,
            "enroll": round(statistics.fmean(g for _, g in after)),
            "verify": gas_verify,
            "vote_1p1v": gas_vote,
            "vote_qv": gas_qv,
        },
        "enroll_min": min(g for _, g in after),
        "enroll_max": max(g for _, g in after),
        "fit": (a, b),
        "bare_groth16": gas_bare,
        "depth": depth,
        "by_depth": by_depth,
    }


def _enroll_at_depth(
    w3: Web3, registry: RegistryClient, device, depth: int, relayer: str, rng
) -> tuple[float, int]:
    """(mean over random leaf indices, worst index 2^depth - 1) enrollment gas in a tree of that depth.

    The tree's state is written directly with anvil_setStorageAt (size and depth in slot 3, side nodes in
    the mapping at slot 4, the current root in slot 1) with random non-zero field elements: the root is
    meaningless, but every SLOAD, SSTORE and hash an enrollment at that index does is real.
    """

    def slot_hex(value: int) -> str:
        return "0x" + value.to_bytes(32, "big").hex()

    def measure(index: int) -> int:
        snapshot = w3.provider.make_request("evm_snapshot", [])["result"]
        try:
            writes = {TREE_SLOT: index | (depth << 40), ROOT_SLOT: rng.randrange(1, SNARK_SCALAR_FIELD)}
            for level in range(depth + 1):
                writes[
                    int.from_bytes(
                        keccak(level.to_bytes(32, "big") + SIDE_NODES_SLOT.to_bytes(32, "big")), "big"
                    )
                ] = rng.randrange(1, SNARK_SCALAR_FIELD)
            for slot, value in writes.items():
                w3.provider.make_request(
                    "anvil_setStorageAt", [registry.address, slot_hex(slot), slot_hex(value)]
                )
            assert registry.size() == index and registry.depth() == depth
            e = registry.enrollment(rng.randrange(1, SNARK_SCALAR_FIELD), 2**40)
            gas = _send(
                w3,
                registry._contract.functions.enroll(e.commitment, e.deadline, sign_enrollment(e, device.key)),
                relayer,
            )
            assert registry.depth() == depth
            return gas
        finally:
            w3.provider.make_request("evm_revert", [snapshot])

    half = 1 << (depth - 1)
    typical = [measure(half + rng.randrange(1, half)) for _ in range(DEPTH_SAMPLES)]
    return statistics.fmean(typical), measure((1 << depth) - 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print only the JSON figures")
    parser.add_argument("--tree-size", type=int, default=1024, help="leaves enrolled before measuring (>= 4)")
    parser.add_argument("--samples", type=int, default=64, help="enrollments measured into the full tree")
    ns = parser.parse_args(argv)
    if ns.tree_size < PROVERS or ns.samples < 1:
        parser.error(f"--tree-size must be >= {PROVERS} and --samples >= 1")
    result = run(ns.tree_size, ns.samples)
    report = result["report"]
    if ns.json:
        print(json.dumps(report))
        return 0
    a, b = result["fit"]
    print(f"anvil, tree of {report['tree_size']} leaves (proof depth {result['depth']})")
    print(f"  enroll (mean of {ns.samples} into the full tree): {report['enroll']:,} "
          f"[min {result['enroll_min']:,}, max {result['enroll_max']:,}]; Semaphore addMember "
          f"{SEMAPHORE_ADD_MEMBER[0]:,}-{SEMAPHORE_ADD_MEMBER[1]:,} without a signature check")  # fmt: skip
    print(f"  verifyProof tx: {report['verify']:,}; bare snarkjs Groth16Verifier tx (measured): "
          f"{result['bare_groth16']:,} (+{report['verify'] - result['bare_groth16']:,})")  # fmt: skip
    ratio = report["vote_1p1v"] / SEMAPHORE_VALIDATE_PROOF_AVG
    print(f"  castVote 1p1v: {report['vote_1p1v']:,} = {ratio:.3f} x "
          f"Semaphore validateProof avg {SEMAPHORE_VALIDATE_PROOF_AVG:,} (stated)")  # fmt: skip
    for n, gas in report["vote_qv"].items():
        print(f"  castVote QV, {n} options: {gas:,}")
    print(f"  enrollment fit: gas = {a:,.0f} + {b:,.0f} x (Poseidon hashes = popcount of the leaf index)")
    print("  enrollment by depth, MEASURED with anvil_setStorageAt (fit prediction in brackets):")
    print("  depth | mean of 16 random indices | worst (index 2^d - 1)")
    for depth, (mean, worst) in result["by_depth"].items():
        print(f"  {depth:5} | {mean:11,.0f} [{a + b * depth / 2:9,.0f}] | {worst:9,} [{a + b * depth:9,.0f}]")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
