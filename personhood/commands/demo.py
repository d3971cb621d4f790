"""`personhood demo`: the system end to end on the embedded defaults, in one command.

Deploys the contracts on an embedded anvil, enrolls synthetic people through the real station (one
duplicate and one printed iris refused), opens a one-person-one-vote and a quadratic proposal, has
everyone vote through the relayer over HTTP (one double vote refused), checks the tallies against a
recount from events, writes the charts, and lets a dapp verify a unique-human claim once. Progress on
stderr; the last stdout line is the JSON summary. Exit 0 when every expectation held, 1 otherwise, 2 for
bad arguments. `--identity-only` runs the one-second identity/group/Merkle demo instead.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..config import Settings
from ..demo import MAX_PEOPLE, MIN_PEOPLE, DemoParams, run_demo, run_identity_demo
from .exit_codes import EXIT_OK, EXIT_REFUSED, EXIT_USAGE
from .output import notice, progress

DEFAULT_OUT = Path(".cache/demo")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `demo` noun."""
    parser = subparsers.add_parser(
        "demo", help="enroll, vote and verify end to end on a local chain (about 30-60 s)"
    )
    parser.add_argument(
        "--people",
        type=int,
        default=DemoParams.people,
        help=f"synthetic people, {MIN_PEOPLE}..{MAX_PEOPLE}, two refused (default {DemoParams.people})",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of their eyes and votes (default 0)")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"charts folder (default {DEFAULT_OUT})"
    )
    parser.add_argument(
        "--stations",
        type=int,
        default=DemoParams.stations,
        help=f"enrollment stations sharing one uniqueness service, 1..8 (default {DemoParams.stations})",
    )
    parser.add_argument(
        "--identity-only", action="store_true", help="only the offline identity/group/Merkle demo (~1 s)"
    )
    parser.set_defaults(handler=cmd_demo)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Run the demo; print the summary as the last stdout line."""
    try:
        if args.identity_only:
            summary = run_identity_demo(args.people, progress)
            print(json.dumps(summary, sort_keys=True))
            return EXIT_OK if summary["ok"] else EXIT_REFUSED
        params = DemoParams(people=args.people, seed=args.seed, out=args.out, stations=args.stations)
    except ValueError as e:
        notice(f"personhood: error: {e}")
        return EXIT_USAGE
    result = run_demo(settings, params, progress)
    for failure in result.failures():
        notice(f"EXPECTATION FAILED: {failure}")
    progress(f"done in {result.seconds:.0f} s; charts and summary.json in {params.out}")
    print(json.dumps(result.to_json()))
    return EXIT_OK if result.ok else EXIT_REFUSED
