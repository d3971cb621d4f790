"""Export Groth16 verifier contracts from proving keys with snarkjs, into the cache (never into git).

`snarkjs zkey export solidityverifier` turns a circuit's zkey into a `Groth16Verifier` contract. The output
is cached under `<cache_dir>/verifiers/<sha256 of snarkjs version + zkey hash>.sol`, so a changed key
(or snarkjs) regenerates its verifier and an unchanged one costs nothing. The official Semaphore v4
ceremony keys (one per tree depth) come from npm `@zk-kit/semaphore-artifacts`; an own circuit passes its
zkey path instead.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

from zk_identity.node_tools import node_bin, node_package

from .errors import ContractBuildError

EXPORT_TIMEOUT_S = 120.0
MIN_DEPTH, MAX_DEPTH = 1, 32  # the Semaphore v4 circuits' range of tree depths


def official_zkey(depth: int, node_modules: Path | None = None) -> Path:
    """The Semaphore v4 ceremony zkey for tree depth `depth` (1..32)."""
    if not isinstance(depth, int) or not MIN_DEPTH <= depth <= MAX_DEPTH:
        raise ContractBuildError(
            f"tree depth must be an integer in [{MIN_DEPTH}, {MAX_DEPTH}], got {depth!r}"
        )
    return node_package("@zk-kit/semaphore-artifacts", node_modules) / f"semaphore-{depth}.zkey"


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def export_verifier(zkey: Path, cache_dir: Path, node_modules: Path | None = None) -> str:
    """The Solidity source of the Groth16 verifier for `zkey` (exported once per key, then cached).

    Raises ContractBuildError when the key is missing or snarkjs fails (its stderr in the message).
    """
    if not zkey.is_file():
        raise ContractBuildError(f"proving key {zkey} does not exist")
    snarkjs = json.loads((node_package("snarkjs", node_modules) / "package.json").read_text(encoding="utf-8"))
    key = hashlib.sha256(f"snarkjs {snarkjs['version']} {_file_sha256(zkey)}".encode()).hexdigest()
    target = cache_dir / "verifiers" / f"{key}.sol"
    if target.is_file():
        return target.read_text(encoding="utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp.sol")
    try:
        proc = subprocess.run(
            [
                str(node_bin("snarkjs", node_modules)),
                "zkey",
                "export",
                "solidityverifier",
                str(zkey),
                str(tmp),
            ],
            capture_output=True,
            text=True,
            timeout=EXPORT_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as e:
        raise ContractBuildError(f"snarkjs did not export {zkey} within {EXPORT_TIMEOUT_S:.0f} s") from e
    # snarkjs may exit 0 on failure: trust only a file that holds the contract.
    source = tmp.read_text(encoding="utf-8") if tmp.is_file() else ""
    if proc.returncode != 0 or "contract Groth16Verifier" not in source:
        raise ContractBuildError(
            f"snarkjs could not export a verifier from {zkey} (exit {proc.returncode}):\n"
            f"{(proc.stderr or proc.stdout)[-4000:]}"
        )
    tmp.replace(target)
    return source
