"""Session fixtures for the contract tests: one anvil, one deployment, proofs generated once.

The base state (`world`): the system deployed, device A authorized, device B authorized then revoked,
five identities enrolled by A (tree depth 3), proposals opened, and every proof the tests need made in ONE
node call with the official Semaphore v4 ceremony keys against that state's root. Tests that change the
chain run inside `chain_snapshot` (anvil's evm_snapshot / evm_revert), so each sees the base state.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from web3 import Web3

from contracts import (
    AnvilNode,
    ContractSet,
    Deployment,
    OnePersonOneVoteClient,
    QuadraticVoteClient,
    RegistryClient,
    ballot_scope,
    build_contracts,
    deploy_all,
    quadratic_message,
    sign_enrollment,
)
from contracts.deploy import deploy_contract
from peers import semaphore_peer
from personhood.config import load_settings
from zk_identity import LeanIMT, MembershipProof

SECRETS = tuple(f"personhood-test-identity-{i}" for i in range(8))
ENROLLED = 5  # identities 0..4 are in the base group; 5..7 are kept for enrollment tests
BASE_DEPTH = 3
FAR_FUTURE = 2**40 - 1
YEAR = 365 * 24 * 3600
DEVICE_KEYS = {
    name: keccak(text=f"personhood-test-device-{name}") for name in "ABC"
}  # A active, B revoked, C unknown


def imt_root(leaves: list[int]) -> int:
    """zk_identity.LeanIMT's root over `leaves`, where 0 marks a removed member."""
    tree = LeanIMT([leaf or index + 1 for index, leaf in enumerate(leaves)])  # placeholders, then removed
    for index, leaf in enumerate(leaves):
        if leaf == 0:
            tree.remove(index)
    return tree.root


@dataclass(frozen=True)
class World:
    """The base state every contract test starts from."""

    node: AnvilNode
    w3: Web3
    contracts: ContractSet
    deployment: Deployment
    owner: str
    relayer: str
    devices: dict[str, LocalAccount]
    registry: RegistryClient
    one: OnePersonOneVoteClient
    other_one: OnePersonOneVoteClient  # a second 1p1v contract, for cross-contract replay
    qv: QuadraticVoteClient
    commitments: tuple[int, ...]  # of all SECRETS; the first ENROLLED are in the group
    base_root: int
    base_roots: tuple[int, ...]  # the registry root after each base enrollment
    proposals: dict[str, int]
    proofs: dict[str, MembershipProof]
    enroll_gas: tuple[int, ...]

    def enroll(self, index: int, device: str = "A", deadline: int = FAR_FUTURE):
        """Enroll identity `index`, attested by device `device`, relayed by the relayer."""
        enrollment = self.registry.enrollment(self.commitments[index], deadline)
        signature = sign_enrollment(enrollment, self.devices[device].key)
        return self.registry.enroll(enrollment, signature, self.relayer)

    def now(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def warp(self, seconds: int) -> None:
        self.w3.provider.make_request("evm_increaseTime", [seconds])
        self.w3.provider.make_request("evm_mine", [])


def _proof_jobs(world: dict) -> dict[str, dict]:
    """name -> proof request against the base group (all at depth BASE_DEPTH)."""
    chain_id, one, other, qv = world["chain_id"], world["one"], world["other"], world["qv"]
    p, q = world["proposals"], world["q"]

    def job(secret: int, message: int, scope: int) -> dict:
        return {"secret": secret, "message": str(message), "scope": str(scope)}

    jobs = {
        "vote_p0_id0_opt1": job(0, 1, ballot_scope(chain_id, one, p["open"])),
        "vote_p0_id1_opt1": job(1, 1, ballot_scope(chain_id, one, p["open"])),
        "vote_p0_id2_opt0": job(2, 0, ballot_scope(chain_id, one, p["open"])),
        "vote_p0_id4_opt2": job(4, 2, ballot_scope(chain_id, one, p["open"])),
        "wide_id0_opt6": job(0, 6, ballot_scope(chain_id, one, p["wide"])),
        "other_proposal_id3": job(3, 1, ballot_scope(chain_id, one, p["other"])),
        "other_contract_id3": job(3, 1, ballot_scope(chain_id, other, 0)),
        "other_chain_id3": job(3, 1, ballot_scope(1, one, p["open"])),
        "future_id0": job(0, 0, ballot_scope(chain_id, one, p["future"])),
        "short_id0": job(0, 0, ballot_scope(chain_id, one, p["short"])),
        "verify_id0": job(0, 7, 42),
        "qv2_id0": job(0, quadratic_message([6, 8]), ballot_scope(chain_id, qv, q[2])),
        "qv5_id1": job(1, quadratic_message([1, 2, 3, 0, 4]), ballot_scope(chain_id, qv, q[5])),
        "qv10_id2": job(
            2, quadratic_message([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]), ballot_scope(chain_id, qv, q[10])
        ),
        "qv2_id1": job(1, quadratic_message([10, 0]), ballot_scope(chain_id, qv, q[2])),
    }
    for identity in range(ENROLLED):  # the invariant test's ballots: identity i votes option i % 2 / 3
        jobs[f"fuzz_a_id{identity}"] = job(identity, identity % 2, ballot_scope(chain_id, one, p["fuzz_a"]))
        jobs[f"fuzz_b_id{identity}"] = job(identity, identity % 3, ballot_scope(chain_id, one, p["fuzz_b"]))
    return jobs


@pytest.fixture(scope="session")
def world() -> Iterator[World]:
    """Start anvil, deploy, enroll the base group, open proposals and make every proof (once)."""
    settings = load_settings(environ={})
    contracts = build_contracts(settings.cache_dir, depths=range(1, 5))
    node = AnvilNode.start()
    try:
        w3 = Web3(Web3.HTTPProvider(node.url))
        owner, relayer = w3.eth.accounts[0], w3.eth.accounts[1]
        deployment = deploy_all(w3, contracts, owner)
        other = deploy_contract(w3, contracts["OnePersonOneVote"], owner, deployment.verifier)
        devices = {name: Account.from_key(key) for name, key in DEVICE_KEYS.items()}
        registry = RegistryClient(w3, contracts, deployment.registry)
        registry.authorize_device(devices["A"].address, owner)
        registry.authorize_device(devices["B"].address, owner)
        registry.revoke_device(devices["B"].address, owner)
        for device in devices.values():  # devices may also send their own revocations
            w3.eth.send_transaction({"from": owner, "to": device.address, "value": 10**19})
        commitments = tuple(
            int(c) for c in semaphore_peer({"secrets": SECRETS, "jobs": [{"kind": "commitments"}]})[0]
        )
        one = OnePersonOneVoteClient(w3, contracts, deployment.one_person_one_vote)
        other_one = OnePersonOneVoteClient(w3, contracts, other)
        qv = QuadraticVoteClient(w3, contracts, deployment.quadratic_vote)
        partial = World(
            node, w3, contracts, deployment, owner, relayer, devices, registry, one, other_one, qv,
            commitments, 0, (), {}, {}, (),
        )  # fmt: skip
        receipts = [partial.enroll(i) for i in range(ENROLLED)]
        roots = tuple(int(r["logs"][0]["data"].hex()[-64:], 16) for r in receipts)
        now = partial.now()
        proposals = {
            "open": one.create_proposal(b"\x01" * 32, 3, now - 60, now + 10 * YEAR, owner),
            "other": one.create_proposal(b"\x02" * 32, 3, now - 60, now + 10 * YEAR, owner),
            "future": one.create_proposal(b"\x03" * 32, 2, now + YEAR, now + 2 * YEAR, owner),
            "short": one.create_proposal(b"\x04" * 32, 2, now - 60, now + 3600, owner),
            "fuzz_a": one.create_proposal(b"\x05" * 32, 2, now - 60, now + 10 * YEAR, owner),
            "fuzz_b": one.create_proposal(b"\x06" * 32, 3, now - 60, now + 10 * YEAR, owner),
            # eight options: tally lanes past the header word
            "wide": one.create_proposal(b"\x07" * 32, 8, now - 60, now + 10 * YEAR, owner),
        }
        other_one.create_proposal(b"\x01" * 32, 3, now - 60, now + 10 * YEAR, owner)
        q = {
            n: qv.create_proposal(bytes([n]) * 32, n, now - 60, now + 10 * YEAR, 100, owner)
            for n in (2, 5, 10)
        }
        spec_world = {"chain_id": w3.eth.chain_id, "one": one.address, "other": other, "qv": qv.address}
        jobs = _proof_jobs({**spec_world, "proposals": proposals, "q": q})
        leaves = [str(c) for c in commitments[:ENROLLED]]
        answers = semaphore_peer(
            {
                "secrets": SECRETS,
                "jobs": [
                    {"kind": "proof", "leaves": leaves, "removed": [], "depth": BASE_DEPTH, **spec}
                    for spec in jobs.values()
                ],
            }
        )
        proofs = {name: MembershipProof.from_json(answer) for name, answer in zip(jobs, answers, strict=True)}
        yield World(
            node, w3, contracts, deployment, owner, relayer, devices, registry, one, other_one, qv,
            commitments, registry.current_root(), roots, {**proposals, **{f"qv{n}": i for n, i in q.items()}},
            proofs, tuple(int(r["gasUsed"]) for r in receipts),
        )  # fmt: skip
    finally:
        node.stop()


@pytest.fixture
def chain(world: World) -> Iterator[World]:
    """The base world; every change a test makes is rolled back afterwards (evm_snapshot / evm_revert)."""
    snapshot = world.w3.provider.make_request("evm_snapshot", [])["result"]
    try:
        yield world
    finally:
        reverted = world.w3.provider.make_request("evm_revert", [snapshot])["result"]
        assert reverted, "anvil could not revert to the snapshot"
