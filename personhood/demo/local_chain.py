"""The demo's chain: an embedded anvil (or `rpc_url`), the contracts deployed, a station device key
authorized, and the accounts that pay for transactions (owner, station relay, vote relayer)."""

from __future__ import annotations

import secrets
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from contracts import attach, build_contracts, connect, deploy_all
from governance import Chain, governance_chain
from hardware import KeystoreDeviceKey, ScryptParams
from personhood.config import Settings

# A throw-away key that lives for one run in a temporary directory: the cheapest scrypt cost the
# keystore accepts keeps the run short; a real station keeps the default cost (or an HSM).
DEMO_SCRYPT = ScryptParams(n=2**14)


@dataclass(frozen=True)
class DemoChain:
    """The deployed system and who pays: `owner` deploys and authorizes, `station_relay` relays
    enrollments, `vote_relayer` sends the relayer's vote transactions (anvil's unlocked accounts)."""

    chain: Chain
    device: KeystoreDeviceKey
    owner: str
    station_relay: str
    vote_relayer: str

    def now(self) -> int:
        """The latest block's timestamp (s)."""
        return self.chain.system.now()


def start_chain(stack: ExitStack, settings: Settings, depths: range, workdir: Path) -> DemoChain:
    """Start the chain (stopped when `stack` closes), build and deploy with Groth16 verifiers for
    `depths` (official Semaphore ceremony keys), create and authorize the station's device key."""
    contracts = build_contracts(settings.cache_dir, depths=depths, node_modules=settings.node_modules)
    w3 = stack.enter_context(connect(settings.rpc_url, settings.node_modules))
    accounts = w3.eth.accounts
    if len(accounts) < 3:
        raise ValueError("the demo needs a node with 3 unlocked accounts (anvil has 10); unset rpc_url")
    owner, station_relay, vote_relayer = accounts[0], accounts[1], accounts[2]
    deployment = deploy_all(w3, contracts, owner)
    chain = governance_chain(attach(w3, contracts, deployment))
    password = secrets.token_urlsafe(24)  # never shown: the key is discarded with the run
    device = KeystoreDeviceKey.create(workdir / "device-key.json", password, DEMO_SCRYPT)
    stack.callback(device.close)
    chain.registry.authorize_device(device.address, owner)
    return DemoChain(chain, device, owner, station_relay, vote_relayer)
