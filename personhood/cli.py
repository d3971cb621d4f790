"""`personhood` command line: subcommands by noun; exit codes 0 ok, 1 refused, 2 usage/malformed input."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from zk_identity.errors import PersonhoodError

from . import __version__
from .commands.error_lines import os_error_line
from .commands.exit_codes import EXIT_INTERRUPTED, EXIT_REFUSED, EXIT_USAGE
from .config import load_settings

# Each module in personhood/commands/ registers one noun (or verb); add new ones here.
COMMAND_MODULES: tuple[str, ...] = (
    "identity",  # id new|show
    "group",  # group root, export
    "zk",  # circuits and trusted setup
    "prove",
    "verify",
    "bio",  # iris: eval, synth, compare
    "pad",  # liveness evaluation
    "gallery",  # uniqueness gallery: stats, delete
    "device",  # station device key
    "audit",  # signed audit log
    "station",  # enrollment station operator UI
    "chain",  # contracts: build, up, deploy
    "registry",  # the registry owner: authorize/revoke devices, status
    "gov",  # proposals, results, API server
    "vote",  # anonymous vote through the relayer
    "demo",
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(prog="personhood", description=__doc__)
    parser.add_argument("--version", action="version", version=f"personhood {__version__}")
    parser.add_argument(
        "--config", help="TOML settings file (default: personhood.toml or $PERSONHOOD_CONFIG)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress at INFO level")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"personhood.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the process exit code (130 after Ctrl-C, at any point)."""
    try:
        return _run(argv)
    except KeyboardInterrupt:
        print("personhood: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        settings = load_settings(args.config)
        logging.basicConfig(level=logging.INFO if args.verbose else settings.log_level, stream=sys.stderr)
        return int(args.handler(args, settings))
    except PersonhoodError as e:
        print(f"personhood: error: {e}", file=sys.stderr)
        return EXIT_USAGE if isinstance(e, (ValueError, TypeError, FileNotFoundError)) else EXIT_REFUSED
    except OSError as e:  # a missing file, a node that does not answer: one line, not a traceback
        message, code = os_error_line(e)
        print(f"personhood: error: {message}", file=sys.stderr)
        return code
