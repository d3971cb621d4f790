"""`personhood registry status|authorize-device|revoke-device`: the registry owner's commands.

    personhood registry authorize-device 0xDEVICE     # from the owner account (default: the node's first)
    personhood registry revoke-device 0xDEVICE
    personhood registry status [--device 0xDEVICE] [--json]

The chain is `rpc_url`; the registry is the deployment file's (`chain up` / `chain deploy` write it).
Authorizing or revoking from an account that is not the owner is refused before anything is sent.
"""

from __future__ import annotations

import argparse
import sys

from ..config import Settings
from .eth_address import parse_address
from .exit_codes import EXIT_OK, EXIT_REFUSED
from .output import emit, progress


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `registry` noun."""
    from .chain_args import add_chain_arguments

    parser = subparsers.add_parser("registry", help="the registry owner's commands: station devices, status")
    sub = parser.add_subparsers(dest="registry_command", metavar="ACTION", required=True)
    for name, handler, text in (
        ("authorize-device", cmd_authorize, "let a station device add members"),
        ("revoke-device", cmd_revoke, "stop a station device from adding members"),
    ):
        action = sub.add_parser(name, help=text)
        action.add_argument("device", metavar="ADDRESS", help="the station's device address (`device show`)")
        action.add_argument("--from", dest="sender", help="owner account on the node (default: the first)")
        add_chain_arguments(action)
        action.set_defaults(handler=handler)
    status = sub.add_parser("status", help="registry address, owner, members, root; a device's status")
    status.add_argument("--device", help="also show this device's status (unknown, active, revoked)")
    add_chain_arguments(status)
    status.set_defaults(handler=cmd_status)


def _open(args: argparse.Namespace, settings: Settings):
    from .chain_args import open_chain

    return open_chain(settings, args.deployment)


def _accounts(chain) -> list[str]:
    """The node's unlocked accounts (a development node's; a production node has none)."""
    return chain.system.unlocked_accounts()


def _owner(chain) -> str:
    """The registry's owner (PersonhoodRegistry.owner)."""
    return chain.registry.owner()


def _owner_action(args: argparse.Namespace, settings: Settings, verb: str) -> int:
    from enrollment.station.chain_port import ChainPort

    device = parse_address(args.device, "the device address")
    chain = _open(args, settings)
    registry = chain.registry
    accounts = _accounts(chain)
    sender = parse_address(args.sender, "--from") if args.sender else (accounts[0] if accounts else None)
    owner = _owner(chain)
    if sender is None or sender != owner:
        print(
            f"personhood: refused: {sender or 'the node has no unlocked account; it'} is not the "
            f"registry owner ({owner}); use --from with the owner's account",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    progress(f"{verb} device {device} on registry {registry.address}")
    if verb == "authorizing":
        registry.authorize_device(device, sender)
    else:
        registry.revoke_device(device, sender)
    status = ChainPort(registry, sender).device_status(device)
    emit({"device": device, "status": status}, args.json, f"device {device}: {status}")
    return EXIT_OK


def cmd_authorize(args: argparse.Namespace, settings: Settings) -> int:
    """Authorize the device; exit 1 if the sender is not the owner or the registry refuses."""
    return _owner_action(args, settings, "authorizing")


def cmd_revoke(args: argparse.Namespace, settings: Settings) -> int:
    """Revoke the device; exit 1 if the sender is not the owner or the registry refuses."""
    return _owner_action(args, settings, "revoking")


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    """Print the registry's address, owner, chain, size, depth and root (and a device's status)."""
    from enrollment.station.chain_port import ChainPort

    device = parse_address(args.device, "--device") if args.device else None
    chain = _open(args, settings)
    registry = chain.registry
    owner = _owner(chain)
    result: dict[str, object] = {
        "registry": registry.address,
        "chain_id": chain.deployment.chain_id,
        "owner": owner,
        "members": registry.size(),
        "depth": registry.depth(),
        "root": str(registry.current_root()),
    }
    if device is not None:
        result["device"] = device
        result["device_status"] = ChainPort(registry, owner).device_status(device)
    emit(result, args.json, "\n".join(f"{key}: {value}" for key, value in result.items()))
    return EXIT_OK
