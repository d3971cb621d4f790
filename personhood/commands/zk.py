"""`personhood zk compile|setup|contribute|verify-setup`: our circuits and their trusted setup.

    personhood zk setup --dev --depth 20                      # local ceremony (tests, demos)
    personhood zk setup --ptau FILE --ptau-sha256 HEX --depth 20   # a public prepared ptau
    personhood zk contribute --depth 20 --name "alice"        # one more phase-2 contribution
    personhood zk verify-setup --depth 20                     # re-check hashes, zkey, vkey

Artifacts go to CACHE_DIR/setup/membership-<depth>/ with a manifest.json; nothing is downloaded.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from zk_identity.artifacts import setup_dir
from zk_identity.ceremony import add_contribution, checked_ptau, dev_ptau, setup_circuit, verify_setup
from zk_identity.circom import compile_membership
from zk_identity.errors import PersonhoodError

from ..config import Settings
from .exit_codes import EXIT_OK
from .output import emit, progress, working

DEFAULT_DEPTHS = (20,)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `zk` noun."""
    parser = subparsers.add_parser("zk", help="compile circuits, run and check trusted setups")
    sub = parser.add_subparsers(dest="zk_command", metavar="ACTION", required=True)

    comp = sub.add_parser("compile", help="compile the membership circuit; print constraint counts")
    comp.add_argument("--depth", type=int, action="append", help="MAX_DEPTH (repeatable; default 20)")
    comp.add_argument("--json", action="store_true", help="print one JSON object")
    comp.set_defaults(handler=cmd_compile)

    setup = sub.add_parser("setup", help="trusted setup for the membership circuit")
    source = setup.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--dev", action="store_true", help="run a local powers-of-tau ceremony (not for production)"
    )
    source.add_argument("--ptau", type=Path, help="a prepared public powers-of-tau file (phase 2 ready)")
    setup.add_argument("--ptau-sha256", help="the SHA-256 the --ptau file must have")
    setup.add_argument("--depth", type=int, action="append", help="MAX_DEPTH (repeatable; default 20)")
    setup.add_argument("--json", action="store_true", help="print one JSON object")
    setup.set_defaults(handler=cmd_setup)

    contrib = sub.add_parser("contribute", help="add a phase-2 contribution to an artifact set")
    contrib.add_argument("--depth", type=int, default=DEFAULT_DEPTHS[0], help="MAX_DEPTH of the set")
    contrib.add_argument(
        "--dir", type=Path, help="artifact folder (default: CACHE_DIR/setup/membership-DEPTH)"
    )
    contrib.add_argument("--name", required=True, help="contributor name recorded in the zkey")
    contrib.add_argument("--json", action="store_true", help="print one JSON object")
    contrib.set_defaults(handler=cmd_contribute)

    check = sub.add_parser("verify-setup", help="re-check an artifact set (hashes, zkey verify, vkey)")
    check.add_argument("--depth", type=int, default=DEFAULT_DEPTHS[0], help="MAX_DEPTH of the set")
    check.add_argument("--dir", type=Path, help="artifact folder (default: CACHE_DIR/setup/membership-DEPTH)")
    check.add_argument("--ptau", type=Path, help="powers-of-tau file (default: the path in the manifest)")
    check.add_argument("--json", action="store_true", help="print one JSON object")
    check.set_defaults(handler=cmd_verify_setup)


def cmd_compile(args: argparse.Namespace, settings: Settings) -> int:
    """Compile (cached) and print constraints per MAX_DEPTH."""
    rows = {}
    for depth in args.depth or DEFAULT_DEPTHS:
        with working(f"compiling the membership circuit for MAX_DEPTH {depth} (circom)"):
            circuit = compile_membership(depth, settings.cache_dir, node_modules=settings.node_modules)
        rows[str(depth)] = {"constraints": circuit.constraints, "ptau_power": circuit.min_ptau_power}
    text = "\n".join(
        f"MAX_DEPTH {d}: {r['constraints']} constraints (ptau 2^{r['ptau_power']})" for d, r in rows.items()
    )
    emit(rows, args.json, text)
    return EXIT_OK


def cmd_setup(args: argparse.Namespace, settings: Settings) -> int:
    """Compile, then phase 2 for each depth; refuse a --ptau whose hash does not match."""
    if args.ptau is not None and not args.ptau_sha256:
        raise SetupUsageError("--ptau needs --ptau-sha256 (the hash published with the ceremony file)")
    results = {}
    for depth in args.depth or DEFAULT_DEPTHS:
        with working(f"trusted setup, MAX_DEPTH {depth}") as step:
            step("compiling the membership circuit (circom)")
            circuit = compile_membership(depth, settings.cache_dir, node_modules=settings.node_modules)
            if args.dev:
                ptau, origin = dev_ptau(circuit.min_ptau_power, settings.cache_dir, progress=step), "dev"
            else:
                step("checking the powers-of-tau file's hash")
                ptau, origin = checked_ptau(args.ptau, args.ptau_sha256), f"operator file {args.ptau.name}"
            manifest = setup_circuit(
                circuit, ptau, setup_dir(settings.cache_dir, depth), ptau_origin=origin, progress=step
            )
        results[str(depth)] = {"directory": str(manifest.directory), "constraints": manifest.constraints}
    emit(results, args.json, "\n".join(f"MAX_DEPTH {d}: {r['directory']}" for d, r in results.items()))
    return EXIT_OK


def cmd_contribute(args: argparse.Namespace, settings: Settings) -> int:
    """Add one contribution (random entropy) and print its hash."""
    folder = args.dir or setup_dir(settings.cache_dir, args.depth)
    progress(f"contributing to {folder}")
    manifest, digest = add_contribution(folder, name=args.name)
    result = {"directory": str(folder), "contribution_hash": digest, "zkey": manifest.files["circuit.zkey"]}
    emit(result, args.json, f"contribution hash: {digest}")
    return EXIT_OK


def cmd_verify_setup(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 if the artifact set checks out; SetupError (exit 1) names what does not."""
    folder = args.dir or setup_dir(settings.cache_dir, args.depth)
    progress(f"checking {folder}")
    manifest = verify_setup(folder, ptau=args.ptau)
    emit({"directory": str(folder), "ok": True, "files": manifest.files}, args.json, f"{folder}: ok")
    return EXIT_OK


class SetupUsageError(PersonhoodError, ValueError):
    """Wrong combination of setup flags (exit 2)."""
