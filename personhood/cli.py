"""`personhood` command line: subcommands by noun; exit codes 0 ok, 1 refused, 2 usage/malformed input."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from . import __version__
from .commands.error_lines import os_error_line
from .commands.exit_codes import EXIT_INTERRUPTED, EXIT_REFUSED, EXIT_USAGE

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
    "uniqueness",  # the deployment's uniqueness service
    "chain",  # contracts: build, up, deploy
    "registry",  # the registry owner: authorize/revoke devices, status
    "gov",  # proposals, results, API server
    "vote",  # anonymous vote through the relayer
    "demo",
)


# The noun each lazily loaded module registers, with its line for `personhood --help`. Only the module of
# the noun being run is imported: most pull in web3, onnxruntime or matplotlib, seconds of start-up that
# `personhood --version` or `id new` should not pay. A module in COMMAND_MODULES missing here is simply
# imported every time (correct, only slower).
NOUNS: dict[str, tuple[str, str]] = {
    "id": ("identity", "create or inspect a Semaphore identity"),
    "group": ("group", "Semaphore groups of identity commitments"),
    "zk": ("zk", "compile circuits, run and check trusted setups"),
    "prove": ("prove", "prove membership in a group for a dapp action (or a scope and message)"),
    "verify": ("verify", "verify a membership proof (exit 0 valid, 1 invalid, 2 malformed)"),
    "bio": ("bio", "iris recognition: evaluate, synthesize data, compare images"),
    "pad": ("pad", "presentation-attack detection (liveness): evaluate"),
    "gallery": ("gallery", "the encrypted 1:N deduplication gallery"),
    "device": ("device", "create or inspect the station's device key"),
    "audit": ("audit", "verify or read a station audit log"),
    "station": ("station", "run the enrollment station (operator web UI)"),
    "uniqueness": ("uniqueness", "the deployment's uniqueness service: serve it, show its keys"),
    "chain": ("chain", "run a local chain, build and deploy the registry, verifier and ballots"),
    "registry": ("registry", "the registry owner's commands: station devices, status"),
    "gov": ("gov", "proposals and results on the deployed ballots"),
    "vote": ("vote", "vote anonymously on a proposal through the relayer"),
    "demo": ("demo", "enroll, vote and verify end to end on a local chain"),
}
_TOP_OPTIONS_WITH_VALUE = ("--config",)


def requested_noun(argv: Sequence[str]) -> str | None:
    """The subcommand named in `argv` (the first word that is not a top-level option), or None."""
    words = iter(argv)
    for word in words:
        if word in _TOP_OPTIONS_WITH_VALUE:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser. With `argv`, only the module of the noun it names is imported (the others get
    a placeholder with their help line); without, every subcommand is registered in full."""
    parser = argparse.ArgumentParser(prog="personhood", description=__doc__)
    parser.add_argument("--version", action="version", version=f"personhood {__version__}")
    parser.add_argument(
        "--config", help="TOML settings file (default: personhood.toml or $PERSONHOOD_CONFIG)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress at INFO level")
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no progress lines on stderr (errors are still printed)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = None if argv is None else requested_noun(argv)
    lazy = {module for module, _ in NOUNS.values()}
    for noun, (module, text) in NOUNS.items():
        if module not in COMMAND_MODULES:
            continue
        if argv is None or noun == wanted:
            importlib.import_module(f"personhood.commands.{module}").register(sub)
        else:
            sub.add_parser(noun, help=text)
    for module in COMMAND_MODULES:
        if module not in lazy:
            importlib.import_module(f"personhood.commands.{module}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the process exit code (130 after Ctrl-C, at any point)."""
    try:
        return _run(argv)
    except KeyboardInterrupt:
        print("personhood: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _run(argv: Sequence[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    # Imported after parsing: `--version` and `--help` exit inside parse_args without them.
    from zk_identity.errors import PersonhoodError

    from .commands.output import set_quiet
    from .config import load_settings

    set_quiet(args.quiet)
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
