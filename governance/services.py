"""What the HTTP API and the CLI need at run time, bundled once: the chain clients, the proof checker,
the nullifier store, the relayer's account; built from Settings plus a deployment file.

The deployment file is what `personhood chain deploy --json` prints (addresses by contract), by default
`<data_dir>/deployment.json`; `extra.deployment_file`, `extra.relayer_key` (hex private key of the
relayer's funded account; default: the node's first unlocked account) override in the TOML settings.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from eth_account import Account
from flask import current_app
from web3 import Web3

from contracts import (
    ContractSet,
    Deployment,
    OnePersonOneVoteClient,
    QuadraticVoteClient,
    RegistryClient,
)
from contracts.transactions import Sender

from .api_guard import ApiGuard
from .errors import SetupMissingError, UpstreamError
from .nullifier_store import NullifierStore
from .proof_check import ProofChecker
from .proposals import ONE_PERSON_ONE_VOTE, QUADRATIC, ProposalBook
from .rate_limit import RateLimit, RateLimiter
from .relay_policy import RelayControls
from .results_cache import ResultsReader

EXTENSION_KEY = "personhood"


@dataclass(frozen=True)
class Chain:
    """Typed clients of one deployment."""

    w3: Web3
    contracts: ContractSet
    deployment: Deployment
    registry: RegistryClient
    proposals: ProposalBook


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


def current_services() -> Services:
    """The Services of the running Flask app."""
    return current_app.extensions[EXTENSION_KEY]


def load_deployment(path: Path) -> Deployment:
    """Read a `personhood chain deploy --json` file; SetupMissingError if absent or malformed."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return Deployment(
            chain_id=int(data["chain_id"]),
            poseidon=data["poseidon"],
            registry=data["registry"],
            verifier=data["verifier"],
            groth16={int(k): v for k, v in data.get("groth16", {}).items()},
            one_person_one_vote=data["one_person_one_vote"],
            quadratic_vote=data["quadratic_vote"],
        )
    except FileNotFoundError as e:
        raise SetupMissingError(
            f"no deployment file at {path}; run `personhood chain deploy --json > {path}`"
        ) from e
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise SetupMissingError(f"{path} is not a deployment file: {e}") from e


def chain_clients(w3: Web3, contracts: ContractSet, deployment: Deployment) -> Chain:
    """Clients for the registry and both ballots of `deployment`."""
    if w3.eth.chain_id != deployment.chain_id:
        raise UpstreamError(
            f"the node is chain {w3.eth.chain_id}, the deployment is on {deployment.chain_id}"
        )
    ballots = {
        ONE_PERSON_ONE_VOTE: OnePersonOneVoteClient(w3, contracts, deployment.one_person_one_vote),
        QUADRATIC: QuadraticVoteClient(w3, contracts, deployment.quadratic_vote),
    }
    registry = RegistryClient(w3, contracts, deployment.registry)
    return Chain(w3, contracts, deployment, registry, ProposalBook(ballots))


def relayer_sender(w3: Web3, extra: Mapping[str, str]) -> Sender:
    """The relayer's account: `extra.relayer_key`, else the node's first unlocked account."""
    key = extra.get("relayer_key", "")
    if key:
        return Account.from_key(key)
    accounts = w3.eth.accounts
    if not accounts:
        raise SetupMissingError("no relayer account: set extra.relayer_key in the settings file")
    return accounts[0]
