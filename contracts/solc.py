"""Compile Solidity with solc-js (npm `solc`, pinned in package.json) through its standard-JSON interface.

The compiler runs in a node subprocess (`solc_compile.mjs`, which writes the output to a file); the
output is cached under `<cache_dir>/solc/<sha256>.json`, keyed by the exact standard-JSON input and the
compiler's version, so an unchanged source never recompiles.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from zk_identity.node_tools import node_executable, node_package

from .errors import ContractBuildError

EVM_VERSION = "cancun"  # anvil and py-evm both run it; no newer opcode is needed
OPTIMIZER_RUNS = 1_000_000  # deployed once, called often: favour runtime gas over code size
COMPILE_TIMEOUT_S = 300.0
_RUNNER = Path(__file__).with_name("solc_compile.mjs")


@dataclass(frozen=True)
class CompiledContract:
    """One contract's ABI and creation bytecode (hex without 0x), as solc produced them."""

    name: str
    abi: tuple[dict, ...]
    bytecode: str
    deployed_size: int  # runtime code size in bytes (EIP-170 limits it to 24,576)


def solc_version(node_modules: Path | None = None) -> str:
    """The solc-js version installed in node_modules (read from its package.json)."""
    meta = json.loads((node_package("solc", node_modules) / "package.json").read_text(encoding="utf-8"))
    return str(meta["version"])


def standard_input(sources: Mapping[str, str]) -> dict:
    """The standard-JSON input for `sources` (unit name -> Solidity text) with our fixed settings."""
    return {
        "language": "Solidity",
        "sources": {name: {"content": text} for name, text in sorted(sources.items())},
        "settings": {
            "evmVersion": EVM_VERSION,
            "optimizer": {"enabled": True, "runs": OPTIMIZER_RUNS},
            "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]}},
        },
    }


def _run_solcjs(payload: str, node_modules: Path | None, workdir: Path) -> dict:
    workdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        in_path, out_path = Path(tmp) / "input.json", Path(tmp) / "output.json"
        in_path.write_text(payload, encoding="utf-8")
        args = [str(node_executable()), str(_RUNNER), str(node_package("solc", node_modules)), str(in_path)]
        try:
            proc = subprocess.run(
                [*args, str(out_path)], capture_output=True, text=True, timeout=COMPILE_TIMEOUT_S, check=False
            )
        except subprocess.TimeoutExpired as e:
            raise ContractBuildError(f"solc-js did not finish within {COMPILE_TIMEOUT_S:.0f} s") from e
        if proc.returncode != 0 or not out_path.is_file():
            raise ContractBuildError(f"solc-js exited {proc.returncode}; stderr:\n{proc.stderr[-4000:]}")
        try:
            output = json.loads(out_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as e:
            raise ContractBuildError(f"solc-js wrote malformed JSON: {e}") from e
    errors = [err for err in output.get("errors", []) if err.get("severity") == "error"]
    if errors:
        detail = "\n".join(err.get("formattedMessage", err.get("message", "")) for err in errors)
        raise ContractBuildError(f"solc rejected the sources:\n{detail}")
    return output


def compile_sources(
    sources: Mapping[str, str], cache_dir: Path, node_modules: Path | None = None
) -> dict[str, CompiledContract]:
    """Compile `sources` (unit name -> text); return every contract with bytecode, keyed "Unit.sol:Name".

    Raises ContractBuildError with solc's messages when compilation fails.
    """
    payload = json.dumps(standard_input(sources), sort_keys=True)
    key = hashlib.sha256(f"solc {solc_version(node_modules)}\n{payload}".encode()).hexdigest()
    cached = cache_dir / "solc" / f"{key}.json"
    if cached.is_file():
        output = json.loads(cached.read_text(encoding="utf-8"))
    else:
        output = _run_solcjs(payload, node_modules, cache_dir / "solc")
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        tmp.write_text(json.dumps(output), encoding="utf-8")
        tmp.replace(cached)
    contracts: dict[str, CompiledContract] = {}
    for unit, by_name in output.get("contracts", {}).items():
        for name, art in by_name.items():
            code = art["evm"]["bytecode"]["object"]
            if code:
                contracts[f"{unit}:{name}"] = CompiledContract(
                    name, tuple(art["abi"]), code, len(art["evm"]["deployedBytecode"]["object"]) // 2
                )
    return contracts
