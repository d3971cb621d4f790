"""What the HTTP API and the CLI need at run time, bundled once: the chain clients, the proof checker,
the nullifier store, the relayer's account; built from Settings plus a deployment file.

The deployment file is what `personhood chain deploy --json` prints (addresses by contract), by default
`<data_dir>/deployment.json`; the settings `deployment_file` and `relayer_key` (hex private key of the
relayer's funded account; default: the node's first unlocked account) override it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from eth_account import Account
from flask import current_app

from contracts import DeployedSystem, Deployment, RegistryClient
from contracts.transactions import Sender

from .api_guard import ApiGuard
from .errors import SetupMissingError
from .nullifier_store import NullifierStore
from .proof_check import ProofChecker
from .proposals import ONE_PERSON_ONE_VOTE, QUADRATIC, ProposalBook
from .rate_limit import RateLimit, RateLimiter
from .relay_policy import RelayControls
from .relay_worker import RelayWorker
from .results_cache import ResultsReader

EXTENSION_KEY = "personhood"


@dataclass(frozen=True)
class Chain:
    """One deployment as governance sees it: the contracts' typed clients and the proposals on its ballots."""

    system: DeployedSystem
    proposals: ProposalBook

    @property
    def registry(self) -> RegistryClient:
        return self.system.registry

    @property
    def deployment(self) -> Deployment:
        return self.system.deployment


def governance_chain(system: DeployedSystem) -> Chain:
    """The Chain over an opened deployment (its ballots by kind)."""
    ballots = {ONE_PERSON_ONE_VOTE: system.one_person_one_vote, QUADRATIC: system.quadratic}
    return Chain(system, ProposalBook(ballots))


@dataclass(frozen=True)
class Services:
    """Everything the blueprints use (stored in `app.extensions["personhood"]`)."""

    checker: ProofChecker
    nullifiers: NullifierStore
    chain: Chain | None = None
    relayer: Sender | None = None
    rate_limiter: RateLimiter = field(default_factory=lambda: RateLimiter(RateLimit()))
    relay_lock: threading.Lock = field(default_factory=threading.Lock)  # one submission at a time (nonces)
    guard: ApiGuard = field(default_factory=ApiGuard)  # client address, verify limits, admission gate
    relay: RelayControls = field(default_factory=RelayControls)  # relayer policy, gas budget, pending votes
    results_reader: ResultsReader | None = None  # None: one over `chain`, made on first use
    relay_worker: RelayWorker | None = None  # the persisted queue that fills blocks; None: send inline


def current_services() -> Services:
    """The Services of the running Flask app."""
    return current_app.extensions[EXTENSION_KEY]


def relayer_sender(system: DeployedSystem, key: str = "") -> Sender:
    """The relayer's account: the hex private key `key` (setting `relayer_key`), else the node's first
    unlocked account."""
    if key:
        return Account.from_key(key)
    accounts = system.unlocked_accounts()
    if not accounts:
        raise SetupMissingError(
            "no relayer account: set relayer_key in the settings file (or $PERSONHOOD_RELAYER_KEY)"
        )
    return accounts[0]
