"""Build every contract the system deploys: our Solidity, the generated Poseidon hasher, the verifiers.

`build_contracts()` compiles `contracts/*.sol` (cached by content hash), generates the Poseidon bytecode
and, per requested tree depth, exports and compiles the Groth16 verifier; the result is a frozen
`ContractSet` that deploy.py turns into a deployment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import ContractBuildError
from .poseidon_evm import creation_code as poseidon_creation_code
from .solc import CompiledContract, compile_sources
from .verifier_export import export_verifier, official_zkey

SOURCE_DIR = Path(__file__).resolve().parent
MAIN_CONTRACTS = ("PersonhoodRegistry", "PersonhoodVerifier", "OnePersonOneVote", "QuadraticVote")
POSEIDON_ABI: tuple[dict, ...] = ({"type": "fallback", "stateMutability": "nonpayable"},)


@dataclass(frozen=True)
class ContractSet:
    """Compiled contracts by name, plus Groth16 verifiers by tree depth."""

    contracts: Mapping[str, CompiledContract]
    verifiers: Mapping[int, CompiledContract]

    def __getitem__(self, name: str) -> CompiledContract:
        return self.contracts[name]

    def all_abis(self) -> tuple[dict, ...]:
        """Every ABI entry of every contract (to decode any custom error a call chain can revert with)."""
        return tuple(entry for c in (*self.contracts.values(), *self.verifiers.values()) for entry in c.abi)


def solidity_sources() -> dict[str, str]:
    """Our hand-written Solidity, by file name."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(SOURCE_DIR.glob("*.sol"))}


def build_contracts(
    cache_dir: Path,
    depths: Iterable[int] = (),
    node_modules: Path | None = None,
    zkeys: Mapping[int, Path] | None = None,
    *,
    progress: Callable[[str], None] | None = None,
) -> ContractSet:
    """Compile everything; export a verifier for each depth (official Semaphore keys unless `zkeys` maps
    a depth to another key). Raises ContractBuildError on any compiler or exporter failure.

    `progress(message)` is told as each step begins (the CLI shows it; cached steps pass at once).
    """
    step = progress or (lambda _message: None)
    step("compiling the Solidity sources (solc)")
    compiled = compile_sources(solidity_sources(), cache_dir, node_modules)
    contracts: dict[str, CompiledContract] = {}
    for name in MAIN_CONTRACTS:
        key = f"{name}.sol:{name}"
        if key not in compiled:
            raise ContractBuildError(f"solc produced no bytecode for {key}")
        contracts[name] = compiled[key]
    code = poseidon_creation_code()
    contracts["PoseidonT3"] = CompiledContract("PoseidonT3", POSEIDON_ABI, code.hex(), len(code) - 10)
    verifiers: dict[int, CompiledContract] = {}
    wanted = sorted(set(depths))
    for i, depth in enumerate(wanted, 1):
        step(f"verifier {i}/{len(wanted)} (depth {depth}): exporting from its zkey (snarkjs)")
        zkey = (zkeys or {}).get(depth) or official_zkey(depth, node_modules)
        source = export_verifier(zkey, cache_dir, node_modules)
        step(f"verifier {i}/{len(wanted)} (depth {depth}): compiling (solc)")
        out = compile_sources({"Groth16Verifier.sol": source}, cache_dir, node_modules)
        verifiers[depth] = out["Groth16Verifier.sol:Groth16Verifier"]
    return ContractSet(contracts, verifiers)
