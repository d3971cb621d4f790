"""The snarkjs command line as a subprocess: trusted-setup steps and the fresh-process prover.

snarkjs exits with 1 both for "invalid" and for "crashed", and some commands print an error
and still exit 0, so every call here also checks the files or the text it must produce.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from .errors import ProverError, SetupError
from .node_tools import node_bin, node_package

log = logging.getLogger(__name__)
DEFAULT_TIMEOUT_S = 1800.0
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@cache
def snarkjs_version(node_modules: Path | None = None) -> str:
    """The installed snarkjs version (from its package.json)."""
    meta = json.loads((node_package("snarkjs", node_modules) / "package.json").read_text(encoding="utf-8"))
    return str(meta["version"])


def run_snarkjs(
    args: list[str],
    *,
    node_modules: Path | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
    error: type[Exception] = SetupError,
    cwd: Path | None = None,
) -> str:
    """Run `snarkjs ARGS...`; return its stdout+stderr without colour codes.

    Raises `error` (SetupError by default) with snarkjs's output when it exits non-zero, prints
    `[ERROR]`, or times out.
    """
    command = [str(node_bin("snarkjs", node_modules)), *args]
    log.info("snarkjs %s", args[0:2])
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=cwd, check=False)
    except subprocess.TimeoutExpired as e:
        raise error(f"snarkjs {' '.join(args[:2])} timed out after {timeout:.0f} s") from e
    output = _ANSI.sub("", proc.stdout + proc.stderr)
    if proc.returncode != 0 or "[ERROR]" in output:
        raise error(f"snarkjs {' '.join(args[:2])} failed (exit {proc.returncode}): {output.strip()[-2000:]}")
    return output


def fullprove(
    inputs: dict[str, Any],
    wasm: Path,
    zkey: Path,
    *,
    node_modules: Path | None = None,
    timeout: float = 300.0,
) -> tuple[dict[str, Any], list[str]]:
    """`snarkjs groth16 fullprove` in a fresh process (fallback and benchmark baseline).

    Returns (proof, public_signals) as snarkjs writes them. Raises ProverError.
    """
    with tempfile.TemporaryDirectory(prefix="personhood-prove-") as tmp:
        folder = Path(tmp)
        (folder / "input.json").write_text(json.dumps(inputs), encoding="utf-8")
        run_snarkjs(
            ["groth16", "fullprove", "input.json", str(wasm), str(zkey), "proof.json", "public.json"],
            node_modules=node_modules,
            timeout=timeout,
            error=ProverError,
            cwd=folder,
        )
        try:
            proof = json.loads((folder / "proof.json").read_text(encoding="utf-8"))
            public = json.loads((folder / "public.json").read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as e:
            raise ProverError(f"snarkjs groth16 fullprove wrote no proof: {e}") from e
    return proof, public


def verify_cli(
    vkey: dict[str, Any], public: list[str], proof: dict[str, Any], node_modules: Path | None = None
) -> bool:
    """`snarkjs groth16 verify` in a fresh process: True iff it prints `OK!`."""
    with tempfile.TemporaryDirectory(prefix="personhood-verify-") as tmp:
        folder = Path(tmp)
        for name, value in (("vkey.json", vkey), ("public.json", public), ("proof.json", proof)):
            (folder / name).write_text(json.dumps(value), encoding="utf-8")
        command = [
            str(node_bin("snarkjs", node_modules)),
            "groth16",
            "verify",
            "vkey.json",
            "public.json",
            "proof.json",
        ]
        proc = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=folder, check=False)
    output = _ANSI.sub("", proc.stdout + proc.stderr)
    if "OK!" in output and proc.returncode == 0:
        return True
    if "Invalid proof" in output:
        return False
    raise ProverError(f"snarkjs groth16 verify crashed (exit {proc.returncode}): {output.strip()[-2000:]}")
