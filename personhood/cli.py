"""`personhood` command line: subcommands by noun; exit codes 0 ok, 1 refused, 2 usage/malformed input."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from zk_identity.errors import PersonhoodError

from . import __version__
from .config import load_settings

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2

# Each module in personhood/commands/ registers one noun; add new nouns here.
COMMAND_MODULES: tuple[str, ...] = ("audit", "device", "identity", "group", "demo", "pad")
COMMAND_MODULES += ("zk", "prove", "verify")  # membership proofs: circuits and setup, prove, verify
COMMAND_MODULES += ("bio",)  # iris pipeline: eval, synth, compare
COMMAND_MODULES += ("chain",)  # contracts: build, deploy
COMMAND_MODULES += ("station",)  # enrollment station: operator web UI
COMMAND_MODULES += ("gov", "vote")  # governance: proposals, results, anonymous votes via the relayer
COMMAND_MODULES += ("gallery",)  # uniqueness gallery: stats, delete


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
    """Run the CLI; return the process exit code."""
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
    except KeyboardInterrupt:
        print("personhood: interrupted", file=sys.stderr)
        return EXIT_REFUSED
