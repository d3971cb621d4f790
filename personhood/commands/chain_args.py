"""The options and the opening of a deployed system, for every command that reads or writes the chain."""

from __future__ import annotations

import argparse
from pathlib import Path

from governance import Chain, governance_chain

from ..config import Settings


def add_chain_arguments(parser: argparse.ArgumentParser) -> None:
    """--deployment and --json, shared by every chain-reading command."""
    parser.add_argument("--deployment", type=Path, help="deployment JSON (default: DATA_DIR/deployment.json)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def open_chain(settings: Settings, deployment: Path | None) -> Chain:
    """The deployment (`--deployment`, else the settings' file) on `settings.rpc_url`, with its proposals.

    ChainError when rpc_url is empty or nothing answers there, DeploymentFileError for a bad file."""
    chosen = settings.replace(deployment_file=deployment) if deployment is not None else settings
    return governance_chain(chosen.open_deployment())
