"""A dapp's action and signal as a proof's scope and message, encoded by the /v1/verify API's own
functions (`governance.requests.action_scope`, `signal_message`), so `prove --action` makes what the API
accepts and `verify --action` checks what it checks. This is the only place the CLI encodes an action:
if the API's scope gains parameters (an application id, a chain id), pass them here.
"""

from __future__ import annotations

import argparse

from zk_identity import ProofFormatError


def add_action_arguments(parser: argparse.ArgumentParser, verb: str) -> None:
    """--action / --signal, as the dapp sends them to /v1/verify."""
    parser.add_argument("--action", help=f"{verb} for a dapp action, encoded exactly as POST /v1/verify does")
    parser.add_argument(
        "--signal", help="the signal the proof is bound to, as sent to /v1/verify (default: empty)"
    )


def action_scope_message(action: str, signal: str | None) -> tuple[int, int | None]:
    """(scope, message) of `action` and `signal` as the API computes them (message None without a
    signal); ProofFormatError for lengths the API refuses."""
    # Imported here: governance loads web3, which `personhood --help` should not wait for.
    from governance.requests import MAX_ACTION_CHARS, MAX_SIGNAL_CHARS, action_scope, signal_message

    if not 1 <= len(action) <= MAX_ACTION_CHARS:
        raise ProofFormatError(f"--action must have 1..{MAX_ACTION_CHARS} characters, got {len(action)}")
    if signal is None:
        return action_scope(action), None
    if len(signal) > MAX_SIGNAL_CHARS:
        raise ProofFormatError(f"--signal must have at most {MAX_SIGNAL_CHARS} characters, got {len(signal)}")
    return action_scope(action), signal_message(signal)


def scope_and_message(args: argparse.Namespace, *, proving: bool) -> tuple[object, object]:
    """The proof's (scope, message) from --action/--signal or --scope/--message (not both kinds).

    Proving needs both (the signal defaults to empty, as World ID's does); verifying checks what is given
    (None: not checked). Raises ProofFormatError (exit 2) for a mix of the two kinds or a missing half.
    --scope/--message are Semaphore's own encoding (numbers or bytes32 text), returned as given.
    """
    by_action = args.action is not None or args.signal is not None
    if by_action and (args.scope is not None or args.message is not None):
        raise ProofFormatError("give either --action/--signal or --scope/--message, not both")
    if by_action:
        if args.action is None:
            raise ProofFormatError("--signal needs --action")
        signal = "" if proving and args.signal is None else args.signal
        return action_scope_message(args.action, signal)
    if proving and (args.scope is None or args.message is None):
        raise ProofFormatError("give --action (and --signal) for a dapp, or both --scope and --message")
    return args.scope, args.message
