"""The chain's front door: a deployment file opened on its node as typed clients.

Every caller (the API, the CLI, the station, the demo) opens a deployment here and talks to the
contracts through the clients' methods; web3's contract objects stay inside those clients.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from web3 import Web3

from .ballot_client import OnePersonOneVoteClient, QuadraticVoteClient
from .build import ContractSet, build_contracts
from .connection import http_web3
from .deploy import Deployment
from .errors import ChainError
from .nonce_sender import Outbox
from .registry_client import RegistryClient
from .transactions import Sender


class DeploymentFileError(ChainError, FileNotFoundError):
    """The deployment file is missing or is not one `personhood chain deploy --json` wrote."""


@dataclass(frozen=True)
class DeployedSystem:
    """One deployment on its chain: the registry and both ballots as typed clients."""

    deployment: Deployment
    registry: RegistryClient
    one_person_one_vote: OnePersonOneVoteClient
    quadratic: QuadraticVoteClient
    _w3: Web3 = field(repr=False)

    @property
    def chain_id(self) -> int:
        """The deployment's chain id (checked against the node when opened)."""
        return self.deployment.chain_id

    def now(self) -> int:
        """The latest block's timestamp (s): the time the contracts compare windows and deadlines with."""
        return self.registry.now()

    def outbox(self, sender: Sender) -> Outbox:
        """`sender`'s transactions with nonces chosen by the caller (a relayer's several in flight)."""
        return Outbox(self._w3, sender)

    def unlocked_accounts(self) -> list[str]:
        """The node's unlocked accounts (a development node's; a production node has none)."""
        return list(self._w3.eth.accounts)


def load_deployment(path: Path) -> Deployment:
    """Read a deployment file; DeploymentFileError (a FileNotFoundError) if absent or malformed."""
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
            start_block=int(data.get("start_block", 0)),
        )
    except FileNotFoundError as e:
        raise DeploymentFileError(
            f"no deployment file at {path}; run `personhood chain deploy --json > {path}`"
        ) from e
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise DeploymentFileError(f"{path} is not a deployment file: {e}") from e


def save_deployment(deployment: Deployment, path: Path, **notes: str) -> None:
    """Write `deployment` as the JSON `load_deployment` reads, with `notes` beside it for people (e.g. the
    RPC URL, the owner: `load_deployment` ignores them), atomically (a crash leaves the old file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({**dataclasses.asdict(deployment), **notes}, out, indent=2, sort_keys=True)
            out.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def attach(w3: Web3, contracts: ContractSet, deployment: Deployment) -> DeployedSystem:
    """Typed clients of `deployment` on the node behind `w3`; ChainError when the node is another chain."""
    if w3.eth.chain_id != deployment.chain_id:
        raise ChainError(f"the node is chain {w3.eth.chain_id}, the deployment is on {deployment.chain_id}")
    start = deployment.start_block
    return DeployedSystem(
        deployment,
        RegistryClient(w3, contracts, deployment.registry, start),
        OnePersonOneVoteClient(w3, contracts, deployment.one_person_one_vote, start),
        QuadraticVoteClient(w3, contracts, deployment.quadratic_vote, start),
        w3,
    )


def open_deployment(
    rpc_url: str, deployment_file: Path, cache_dir: Path, node_modules: Path
) -> DeployedSystem:
    """The deployment in `deployment_file` on the node at `rpc_url` (a running chain; the embedded anvil
    lives only as long as the command that started it). ChainError when not configured or unreachable,
    DeploymentFileError for a bad file."""
    if not rpc_url:
        raise ChainError("rpc_url is empty: point PERSONHOOD_RPC_URL at the chain you deployed to")
    deployment = load_deployment(deployment_file)
    w3 = http_web3(rpc_url)
    if not w3.is_connected():
        raise ChainError(f"no JSON-RPC node answers at {rpc_url}; check rpc_url in the configuration")
    return attach(w3, build_contracts(cache_dir, (), node_modules), deployment)
