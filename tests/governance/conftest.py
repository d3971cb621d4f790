"""Session fixtures for the governance tests: one anvil, one deployment, a few real proofs made once.

Base state (`gov`): the system deployed with verifiers for depths 1..4, station device A authorized,
four identities enrolled (depth 2), a one-person-one-vote and a quadratic proposal open, and three
proofs made with zk_identity.prove (official Semaphore v4 ceremony keys) against that root: one for a
dapp action, one 1p1v vote and one quadratic ballot. Tests that change the chain run inside
`gov_chain` (evm_snapshot / evm_revert), so each sees the base state.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from web3 import Web3

from contracts import AnvilNode, ContractSet, Deployment, attach, build_contracts, deploy_all, sign_enrollment
from governance import (
    ApiGuard,
    Chain,
    NullifierStore,
    ProofChecker,
    RateLimit,
    RateLimiter,
    Services,
    action_scope,
    governance_chain,
    signal_message,
)
from governance.proposals import ONE_PERSON_ONE_VOTE, QUADRATIC
from personhood.app import create_app
from personhood.config import Settings, load_settings
from zk_identity import Identity, LeanIMT, MembershipProof, ProverPool, ProvingSetup, prove

FAR_FUTURE = 2**40 - 1
YEAR = 365 * 24 * 3600
MEMBERS = 4
APP_ID, ACTION, SIGNAL = (
    "app_governance_test",
    "claim-airdrop-2026",
    "0x00000000000000000000000000000000000000a1",
)
OTHER_SIGNAL = "0x00000000000000000000000000000000000000b2"
QV_VOTES = (3, 1, 0)  # costs 10 of the 100 credits


@dataclass(frozen=True)
class GovWorld:
    """The base state every governance test starts from."""

    node: AnvilNode
    w3: Web3
    settings: Settings
    contracts: ContractSet
    deployment: Deployment
    chain: Chain
    owner: str
    relayer: LocalAccount
    device: LocalAccount
    identities: tuple[Identity, ...]
    pool: ProverPool
    proposals: dict[str, int]
    proofs: dict[str, MembershipProof]

    def enroll(self, identity: Identity) -> None:
        enrollment = self.chain.registry.enrollment(identity.commitment, FAR_FUTURE)
        self.chain.registry.enroll(enrollment, sign_enrollment(enrollment, self.device.key), self.owner)

    def now(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def warp(self, seconds: int) -> None:
        self.w3.provider.make_request("evm_increaseTime", [seconds])
        self.w3.provider.make_request("evm_mine", [])

    def tallies(self, ballot: str, proposal_id: int) -> list[int]:
        return self.chain.proposals.client(ballot).tallies(proposal_id)

    def services(self, db: Path | str, rate_limit: RateLimit | None = None) -> Services:
        """Services over this chain; `db` is a SQLite file or a database URL (e.g. PostgreSQL's)."""
        checker = ProofChecker(self.chain.registry, setup=ProvingSetup(verifier="node", pool=self.pool))
        store = NullifierStore(db if isinstance(db, str) else f"sqlite:///{db}")
        limiter = RateLimiter(rate_limit or RateLimit(requests=10_000, window_s=60))
        generous = RateLimit(requests=10_000, window_s=60)
        guard = ApiGuard(RateLimiter(generous), RateLimiter(generous))
        return Services(checker, store, self.chain, self.relayer, limiter, guard=guard)


@pytest.fixture(scope="session")
def gov() -> Iterator[GovWorld]:
    """Start anvil, deploy, enroll, open proposals and make the proofs (once per session)."""
    settings = load_settings(environ={})
    contracts = build_contracts(settings.cache_dir, depths=range(1, 5), node_modules=settings.node_modules)
    node = AnvilNode.start()
    pool = ProverPool(size=2)
    try:
        w3 = Web3(Web3.HTTPProvider(node.url))
        owner = w3.eth.accounts[0]
        relayer = Account.from_key(keccak(text="personhood-governance-test-relayer"))
        device = Account.from_key(keccak(text="personhood-governance-test-device"))
        w3.eth.send_transaction({"from": owner, "to": relayer.address, "value": 10**20})
        deployment = deploy_all(w3, contracts, owner)
        chain = governance_chain(attach(w3, contracts, deployment))
        chain.registry.authorize_device(device.address, owner)
        identities = tuple(Identity(f"personhood-governance-test-{i}") for i in range(MEMBERS + 2))
        partial = GovWorld(
            node, w3, settings, contracts, deployment, chain, owner, relayer, device, identities, pool, {}, {}
        )
        for identity in identities[:MEMBERS]:
            partial.enroll(identity)
        now = partial.now()
        book = chain.proposals
        proposals = {
            "open": book.create(ONE_PERSON_ONE_VOTE, "Fund the well", 3, now - 60, now + 10 * YEAR, owner),
            "qv": book.create(QUADRATIC, "Budget split", 3, now - 60, now + 10 * YEAR, owner, budget=100),
            "cli": book.create(ONE_PERSON_ONE_VOTE, "CLI vote", 2, now - 60, now + 10 * YEAR, owner),
        }
        ids = {name: p.proposal_id for name, p in proposals.items()}
        group = LeanIMT(i.commitment for i in identities[:MEMBERS])
        one, qv = book.client(ONE_PERSON_ONE_VOTE), book.client(QUADRATIC)
        scope = action_scope(APP_ID, deployment.chain_id, ACTION)
        proofs = {
            "verify": prove(
                identities[0], group, signal_message(SIGNAL), scope, setup=ProvingSetup(pool=pool)
            ),
            "verify_other_signal": prove(
                identities[0], group, signal_message(OTHER_SIGNAL), scope, setup=ProvingSetup(pool=pool)
            ),
            "vote": prove(identities[1], group, 2, one.scope(ids["open"]), setup=ProvingSetup(pool=pool)),
            "qv": prove(
                identities[2], group, qv.message(QV_VOTES), qv.scope(ids["qv"]), setup=ProvingSetup(pool=pool)
            ),
        }
        yield GovWorld(
            node,
            w3,
            settings,
            contracts,
            deployment,
            chain,
            owner,
            relayer,
            device,
            identities,
            pool,
            ids,
            proofs,
        )
    finally:
        pool.close()
        node.stop()


@pytest.fixture
def gov_chain(gov: GovWorld) -> Iterator[GovWorld]:
    """The base world; chain changes are rolled back afterwards (evm_snapshot / evm_revert)."""
    snapshot = gov.w3.provider.make_request("evm_snapshot", [])["result"]
    try:
        yield gov
    finally:
        assert gov.w3.provider.make_request("evm_revert", [snapshot])["result"], "anvil could not revert"


@pytest.fixture
def services(gov_chain: GovWorld, tmp_path: Path) -> Iterator[Services]:
    """Services over the session chain with a fresh SQLite nullifier store."""
    built = gov_chain.services(tmp_path / "nullifiers.sqlite3")
    try:
        yield built
    finally:
        built.nullifiers.close()


@pytest.fixture
def client(services: Services):
    """A Flask test client of create_app with those services."""
    return create_app({"PERSONHOOD_SERVICES": services, "TESTING": True}).test_client()
