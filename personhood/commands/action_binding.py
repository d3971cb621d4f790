"""A dapp's action and signal as a proof's scope and message, encoded by the /v1/verify API's own
functions (`governance.requests.action_scope`, `signal_message`), so `prove --action` makes what the API
accepts and `verify --action` checks what it checks. This is the only place the CLI encodes an action.

The API's scope may be namespaced like World ID's app_id + action (`action_scope(app_id, chain_id,
action)`) or be the action alone (`action_scope(action)`); `_api_scope` calls whichever the installed API
defines, taking the application id from --app-id and the chain id from --chain-id or the deployment file.
Once only the namespaced form exists, drop the one-parameter branch.
"""

from __future__ import annotations

import argparse
import inspect
import json
from pathlib import Path

from zk_identity import ProofFormatError


def add_action_arguments(parser: argparse.ArgumentParser, verb: str) -> None:
    """--action / --signal, as the dapp sends them to /v1/verify."""
    parser.add_argument("--action", help=f"{verb} for a dapp action, encoded exactly as POST /v1/verify does")
    parser.add_argument(
        "--signal", help="the signal the proof is bound to, as sent to /v1/verify (default: empty)"
    )
    parser.add_argument("--app-id", help="the dapp's application id, where the API namespaces actions by it")
    parser.add_argument(
        "--chain-id", type=int, help="chain id the scope is bound to (default: the deployment file's)"
    )


def _deployment_chain_id(path: Path | None) -> int | None:
    if path is None:
        return None
    try:
        return int(json.loads(path.read_text(encoding="utf-8"))["chain_id"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _api_scope(action: str, app_id: str | None, chain_id: int | None, deployment: Path | None) -> int:
    """The API's own scope of `action` (see the module docstring for the two forms)."""
    from governance.requests import action_scope

    if len(inspect.signature(action_scope).parameters) == 1:  # the action alone
        if app_id is not None:
            raise ProofFormatError("--app-id: this API's scopes are the action alone; leave it out")
        return action_scope(action)  # type: ignore[call-arg]
    if app_id is None:
        raise ProofFormatError("--app-id is required: the API binds each action to a dapp's application id")
    chain = chain_id if chain_id is not None else _deployment_chain_id(deployment)
    if chain is None:
        raise ProofFormatError("give --chain-id (no deployment file says which chain the scope is bound to)")
    return action_scope(app_id, chain, action)  # type: ignore[call-arg]


def action_scope_message(
    args: argparse.Namespace, signal: str | None, deployment: Path | None
) -> tuple[int, int | None]:
    """(scope, message) of --action and `signal` as the API computes them (message None without a
    signal); ProofFormatError for lengths the API refuses or a missing application/chain id."""
    # Imported here: governance loads web3, which `personhood --help` should not wait for.
    from governance.requests import MAX_ACTION_CHARS, MAX_SIGNAL_CHARS, signal_message

    action = args.action
    if not 1 <= len(action) <= MAX_ACTION_CHARS:
        raise ProofFormatError(f"--action must have 1..{MAX_ACTION_CHARS} characters, got {len(action)}")
    scope = _api_scope(action, args.app_id, args.chain_id, deployment)
    if signal is None:
        return scope, None
    if len(signal) > MAX_SIGNAL_CHARS:
        raise ProofFormatError(f"--signal must have at most {MAX_SIGNAL_CHARS} characters, got {len(signal)}")
    return scope, signal_message(signal)


def scope_and_message(
    args: argparse.Namespace, *, proving: bool, deployment: Path | None = None
) -> tuple[object, object]:
    """The proof's (scope, message) from --action/--signal or --scope/--message (not both kinds).

    Proving needs both (the signal defaults to empty, as World ID's does); verifying checks what is given
    (None: not checked). Raises ProofFormatError (exit 2) for a mix of the two kinds or a missing half.
    --scope/--message are Semaphore's own encoding (numbers or bytes32 text), returned as given.
    """
    by_action = args.action is not None or args.signal is not None
    if not by_action and (args.app_id is not None or args.chain_id is not None):
        raise ProofFormatError("--app-id and --chain-id go with --action")
    if by_action and (args.scope is not None or args.message is not None):
        raise ProofFormatError("give either --action/--signal or --scope/--message, not both")
    if by_action:
        if args.action is None:
            raise ProofFormatError("--signal needs --action")
        signal = "" if proving and args.signal is None else args.signal
        return action_scope_message(args, signal, deployment)
    if proving and (args.scope is None or args.message is None):
        raise ProofFormatError("give --action (and --signal) for a dapp, or both --scope and --message")
    return args.scope, args.message
