"""The options and the opening of a deployed system, for every command that reads or writes the chain."""

from __future__ import annotations

import argparse
from pathlib import Path

from contracts import build_contracts
from governance import Chain, chain_clients, load_deployment
from governance.errors import GovernanceError

from ..config import Settings

RPC_TIMEOUT_S = 30


def add_chain_arguments(parser: argparse.ArgumentParser) -> None:
    """--deployment and --json, shared by every chain-reading command."""
    parser.add_argument("--deployment", type=Path, help="deployment JSON (default: DATA_DIR/deployment.json)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def open_chain(settings: Settings, deployment: Path | None) -> Chain:
    """Clients of the deployment at `settings.rpc_url`; GovernanceError when not configured."""
    from web3 import Web3

    if not settings.rpc_url:
        raise GovernanceError("rpc_url is empty: point PERSONHOOD_RPC_URL at the chain you deployed to")
    path = deployment or settings.deployment_path
    w3 = Web3(Web3.HTTPProvider(settings.rpc_url, request_kwargs={"timeout": RPC_TIMEOUT_S}))
    contracts = build_contracts(settings.cache_dir, (), settings.node_modules)
    return chain_clients(w3, contracts, load_deployment(path))
