"""`personhood chain build|up|deploy`: compile the contracts and deploy the system.

`up` (chain_up.py) runs a local chain that keeps its state and deploys once. `deploy` deploys to a chain
that is already running (`--rpc URL`, else `rpc_url` from the configuration) from the node's first
unlocked account, and writes the deployment file (`Settings.deployment_path`) that every other command
reads; the chain keeps running. With no RPC URL at all it starts an embedded anvil, deploys, prints the
addresses and keeps that chain running until interrupted (nothing is written: the chain ends with it).
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
import time

from contracts import build_contracts, connect, deploy_all, save_deployment
from contracts.deploy import DEFAULT_ROOT_WINDOW_S

from ..config import Settings
from .chain_up import add_up
from .exit_codes import EXIT_OK
from .output import emit, notice, progress, working
from .usage_error import UsageError

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
        ("deploy", cmd_deploy, "deploy to a running chain (--rpc) and write the deployment file"),
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
    sub.choices["deploy"].add_argument("--rpc", help="JSON-RPC URL of the chain (default: rpc_url setting)")
    sub.choices["deploy"].add_argument(
        "--no-serve",
        action="store_true",
        help="refused without an RPC URL: the embedded chain would stop as deploy exits (use `chain up`)",
    )
    add_up(sub)


def parse_depths(text: str) -> list[int]:
    """ "1-20" or "3" -> the depths; raises UsageError (a ValueError) outside 1..32."""
    match = _RANGE.fullmatch(text.strip())
    if match is None:
        raise UsageError(f"--depths must look like 10 or 1-20, got {text!r}")
    low = int(match.group(1))
    high = int(match.group(2) or low)
    if not 1 <= low <= high <= MAX_DEPTH:
        raise UsageError(f"--depths must lie within 1-{MAX_DEPTH}, got {text!r}")
    return list(range(low, high + 1))


def cmd_build(args: argparse.Namespace, settings: Settings) -> int:
    depths = parse_depths(args.depths)
    with working(f"building contracts and {len(depths)} verifier(s) into {settings.cache_dir}") as step:
        contracts = build_contracts(settings.cache_dir, depths, settings.node_modules, progress=step)
    sizes = {name: c.deployed_size for name, c in contracts.contracts.items()}
    lines = [f"{name}: {size:,} bytes" for name, size in sizes.items()]
    emit({"contracts": sizes, "verifier_depths": depths}, args.json, "\n".join(lines))
    return EXIT_OK


def cmd_deploy(args: argparse.Namespace, settings: Settings) -> int:
    depths = parse_depths(args.depths)
    if args.root_window < 0:
        raise UsageError("--root-window must be >= 0 seconds")
    rpc_url = args.rpc or settings.rpc_url
    if not rpc_url and args.no_serve:
        raise UsageError(
            "no RPC URL: the embedded chain would stop as soon as deploy exits; run `personhood chain up` "
            "for a local chain that stays, or give --rpc URL"
        )
    with working(f"building contracts and {len(depths)} verifier(s) (cached after the first time)") as step:
        contracts = build_contracts(settings.cache_dir, depths, settings.node_modules, progress=step)
    with connect(rpc_url, settings.node_modules) as w3:
        owner = w3.eth.accounts[0] if w3.eth.accounts else None
        if owner is None:
            raise UsageError("the node has no unlocked account to deploy from")
        progress(f"deploying to chain {w3.eth.chain_id} from {owner} ({len(depths)} verifier(s))")
        deployment = deploy_all(w3, contracts, owner, args.root_window)
        result = {**dataclasses.asdict(deployment), "rpc_url": w3.provider.endpoint_uri, "owner": owner}
        if rpc_url:
            save_deployment(deployment, settings.deployment_path, rpc_url=rpc_url, owner=owner)
            progress(f"deployment written to {settings.deployment_path}")
        text = "\n".join(f"{key}: {value}" for key, value in result.items() if key != "groth16")
        emit(result, args.json, text)
        sys.stdout.flush()
        if not rpc_url:
            notice("embedded anvil running; Ctrl-C stops it (for a chain that stays, use `chain up`)")
            while True:
                time.sleep(3600)
    return EXIT_OK
