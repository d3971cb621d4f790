"""`personhood chain up`: a local chain that stays up, deployed once, for every other command.

    personhood chain up [--port 8545]          # then, in another shell:
    export PERSONHOOD_RPC_URL=http://127.0.0.1:8545

Starts anvil on 127.0.0.1:PORT with its state kept in DATA_DIR/chain-state.json (anvil `--state`:
loaded at start, saved every few seconds and at exit), so a restart finds the same contracts, members and
votes. It deploys only when the deployment file (`Settings.deployment_path`) does not name a registry
that exists on this chain, writes that file, prints the RPC URL, and runs until Ctrl-C or SIGTERM (exit
130 either way, after anvil has saved its state).
"""

from __future__ import annotations

import argparse
import json
import signal
import socket
import time
from pathlib import Path

from ..config import Settings
from .output import notice, progress, working

DEFAULT_PORT = 8545  # the usual local JSON-RPC port (anvil's and hardhat's default)
STATE_INTERVAL_S = 5  # anvil also saves at exit; this bounds what a kill -9 loses
STATE_FILE = "chain-state.json"


def add_up(sub: argparse._SubParsersAction) -> None:
    """Add `chain up` to the `chain` noun's actions."""
    up = sub.add_parser("up", help="run a local chain that keeps its state, deployed once (Ctrl-C stops)")
    up.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"loopback port (default {DEFAULT_PORT})")
    up.add_argument("--depths", default="1-20", help="tree depths to register verifiers for, e.g. 1-20")
    up.add_argument("--fresh", action="store_true", help="forget the saved chain state and deploy anew")
    up.set_defaults(handler=cmd_up)


def _existing(w3, path: Path) -> dict | None:
    """The deployment file's content if it names contracts that exist on this chain, else None."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if int(data["chain_id"]) != w3.eth.chain_id:
            return None
        return data if w3.eth.get_code(data["registry"]) else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _require_free(port: int) -> None:
    """UsageError if something already listens on 127.0.0.1:`port` (often a chain up from before)."""
    from .usage_error import UsageError

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise UsageError(f"port {port} is in use (another chain up?); stop it or choose --port")


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM stops the chain like Ctrl-C: anvil saves its state on the way out


def cmd_up(args: argparse.Namespace, settings: Settings) -> int:
    """Start (or resume) the local chain, deploy if needed, and serve until interrupted."""
    from web3 import Web3

    from contracts import AnvilNode, build_contracts, deploy_all, load_deployment, save_deployment

    from .chain import parse_depths
    from .usage_error import UsageError

    if not 1 <= args.port <= 65535:
        raise UsageError(f"--port must be in 1..65535, got {args.port}")
    _require_free(args.port)
    depths = parse_depths(args.depths)
    state = settings.data_dir / STATE_FILE
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if args.fresh:
        state.unlink(missing_ok=True)
    with working(f"building contracts and {len(depths)} verifier(s) (cached after the first time)") as step:
        contracts = build_contracts(settings.cache_dir, depths, settings.node_modules, progress=step)
    state_args = ("--state", str(state), "--state-interval", str(STATE_INTERVAL_S))
    node = AnvilNode.start(node_modules=settings.node_modules, extra_args=state_args, port=args.port)
    signal.signal(signal.SIGTERM, _stop)
    try:
        w3 = Web3(Web3.HTTPProvider(node.url))
        found = _existing(w3, settings.deployment_path)
        if found is None:
            owner = w3.eth.accounts[0]
            progress(f"deploying to chain {w3.eth.chain_id} from {owner}")
            save_deployment(
                deploy_all(w3, contracts, owner), settings.deployment_path, rpc_url=node.url, owner=owner
            )
        else:
            progress(f"the registry at {found['registry']} is already deployed; not deploying again")
            owner = str(found.get("owner", ""))
            save_deployment(
                load_deployment(settings.deployment_path),
                settings.deployment_path,
                rpc_url=node.url,
                owner=owner,
            )
        progress(f"deployment written to {settings.deployment_path}")
        print(f"export PERSONHOOD_RPC_URL={node.url}", flush=True)
        notice(f"chain {w3.eth.chain_id} on {node.url}; state in {state}; Ctrl-C stops it")
        try:
            while node.process.poll() is None:
                time.sleep(0.5)
        except KeyboardInterrupt:
            progress("stopping the chain (its state is saved)")
            raise  # exit 130, like every command stopped by Ctrl-C
        notice(f"anvil exited unexpectedly with {node.process.returncode}")
        return 1
    finally:
        node.stop()
