"""`personhood chain build|deploy`: compile the contracts and deploy the system to the configured chain.

`deploy` uses `rpc_url` from the configuration and the node's first unlocked account as owner; with an
empty `rpc_url` it starts an embedded anvil, deploys, prints the addresses and keeps the chain running
until interrupted (local use and demos).
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
import time

from contracts import build_contracts, connect, deploy_all
from contracts.deploy import DEFAULT_ROOT_WINDOW_S

from ..config import Settings
from .exit_codes import EXIT_OK
from .output import emit, progress

_RANGE = re.compile(r"([0-9]+)(?:-([0-9]+))?")
MAX_DEPTH = 32


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `chain` noun."""
    parser = subparsers.add_parser(
        "chain", help="build and deploy the on-chain registry, verifier and ballots"
    )
    sub = parser.add_subparsers(dest="chain_command", metavar="ACTION", required=True)
    for name, handler, text in (
        ("build", cmd_build, "compile the contracts and export the Groth16 verifiers (cached)"),
        ("deploy", cmd_deploy, "deploy to rpc_url, or to an embedded anvil kept running until Ctrl-C"),
    ):
        action = sub.add_parser(name, help=text)
        action.add_argument(
            "--depths", default="1-20", help="tree depths to register verifiers for, e.g. 1-20"
        )
        action.add_argument("--json", action="store_true", help="print one JSON object")
        action.set_defaults(handler=handler)
    sub.choices["deploy"].add_argument(
        "--root-window", type=int, default=DEFAULT_ROOT_WINDOW_S, help="seconds a superseded root stays valid"
    )
    sub.choices["deploy"].add_argument(
        "--no-serve", action="store_true", help="with the embedded anvil: exit right after deploying"
    )


def parse_depths(text: str) -> list[int]:
    """ "1-20" or "3" -> the depths; raises ValueError outside 1..32."""
    match = _RANGE.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"--depths must look like 10 or 1-20, got {text!r}")
    low = int(match.group(1))
    high = int(match.group(2) or low)
    if not 1 <= low <= high <= MAX_DEPTH:
        raise ValueError(f"--depths must lie within 1-{MAX_DEPTH}, got {text!r}")
    return list(range(low, high + 1))


def cmd_build(args: argparse.Namespace, settings: Settings) -> int:
    depths = parse_depths(args.depths)
    progress(f"building contracts and {len(depths)} verifier(s) into {settings.cache_dir}")
    contracts = build_contracts(settings.cache_dir, depths, settings.node_modules)
    sizes = {name: c.deployed_size for name, c in contracts.contracts.items()}
    lines = [f"{name}: {size:,} bytes" for name, size in sizes.items()]
    emit({"contracts": sizes, "verifier_depths": depths}, args.json, "\n".join(lines))
    return EXIT_OK


def cmd_deploy(args: argparse.Namespace, settings: Settings) -> int:
    depths = parse_depths(args.depths)
    if args.root_window < 0:
        raise ValueError("--root-window must be >= 0 seconds")
    contracts = build_contracts(settings.cache_dir, depths, settings.node_modules)
    with connect(settings.rpc_url, settings.node_modules) as w3:
        owner = w3.eth.accounts[0] if w3.eth.accounts else None
        if owner is None:
            raise ValueError("the node has no unlocked account to deploy from")
        progress(f"deploying to chain {w3.eth.chain_id} from {owner}")
        deployment = deploy_all(w3, contracts, owner, args.root_window)
        result = {**dataclasses.asdict(deployment), "rpc_url": w3.provider.endpoint_uri, "owner": owner}
        text = "\n".join(f"{key}: {value}" for key, value in result.items() if key != "groth16")
        emit(result, args.json, text)
        sys.stdout.flush()
        if not settings.rpc_url and not args.no_serve:
            progress("embedded anvil running; Ctrl-C stops it")
            while True:
                time.sleep(3600)
    return EXIT_OK
