"""The manifest of a set of setup artifacts: what was built, from what, with which tools.

`manifest.json` sits beside `circuit.r1cs`, `circuit.wasm`, `circuit.zkey`, `vkey.json` and
`circuit.circom` and records the SHA-256 of each, of the powers-of-tau file, and the tool
versions. `check_files` re-hashes a folder against its manifest; ceremony.verify_setup adds
snarkjs's `zkey verify` on top.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import SetupError
from .snarkjs_cli import snarkjs_version

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
ARTIFACT_FILES = ("circuit.r1cs", "circuit.wasm", "circuit.zkey", "vkey.json", "circuit.circom")


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Manifest:
    """One artifact set: where it is, the circuit it serves and the hashes it must match."""

    directory: Path
    circuit: str
    max_depth: int
    constraints: int
    ptau_path: str
    ptau_origin: str
    ptau_sha256: str
    files: dict[str, str]
    tools: dict[str, str]

    @property
    def wasm(self) -> Path:
        """The witness generator."""
        return self.directory / "circuit.wasm"

    @property
    def zkey(self) -> Path:
        """The proving key."""
        return self.directory / "circuit.zkey"

    @property
    def r1cs(self) -> Path:
        """The constraint system."""
        return self.directory / "circuit.r1cs"

    @property
    def vkey_path(self) -> Path:
        """The verification key (snarkjs JSON)."""
        return self.directory / "vkey.json"

    def vkey(self) -> dict[str, Any]:
        """The verification key as parsed JSON."""
        return json.loads(self.vkey_path.read_text(encoding="utf-8"))

    def relocated(self, directory: Path) -> Manifest:
        """The same manifest for a folder that was moved."""
        return dataclasses.replace(self, directory=Path(directory))

    def to_json(self) -> dict[str, Any]:
        """The manifest.json content."""
        data = dataclasses.asdict(self)
        del data["directory"]
        return {"version": MANIFEST_VERSION, **data}


def write_manifest(
    directory: Path,
    *,
    circuit_name: str,
    max_depth: int,
    constraints: int,
    ptau: Path,
    ptau_origin: str,
    compiler_version: str,
) -> Manifest:
    """Hash the artifacts in `directory` and write its manifest.json."""
    manifest = Manifest(
        directory=Path(directory),
        circuit=circuit_name,
        max_depth=max_depth,
        constraints=constraints,
        ptau_path=str(Path(ptau).resolve()),
        ptau_origin=ptau_origin,
        ptau_sha256=file_sha256(ptau),
        files={name: file_sha256(Path(directory) / name) for name in ARTIFACT_FILES},
        tools={"circom": compiler_version, "snarkjs": snarkjs_version()},
    )
    (Path(directory) / MANIFEST_NAME).write_text(
        json.dumps(manifest.to_json(), indent=2) + "\n", encoding="utf-8"
    )
    return manifest


def read_manifest(directory: Path) -> Manifest:
    """Load a folder's manifest.json; raise SetupError if it is missing or malformed."""
    path = Path(directory) / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise SetupError(f"no readable manifest at {path}: {e}; run `personhood zk setup`") from e
    if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
        raise SetupError(f"{path}: unsupported manifest version")
    try:
        return Manifest(
            directory=Path(directory),
            circuit=str(data["circuit"]),
            max_depth=int(data["max_depth"]),
            constraints=int(data["constraints"]),
            ptau_path=str(data["ptau_path"]),
            ptau_origin=str(data["ptau_origin"]),
            ptau_sha256=str(data["ptau_sha256"]),
            files={str(k): str(v) for k, v in data["files"].items()},
            tools={str(k): str(v) for k, v in data["tools"].items()},
        )
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise SetupError(f"{path}: malformed manifest ({e})") from e


def check_files(manifest: Manifest) -> list[str]:
    """Names of the artifact files whose SHA-256 differs from the manifest (or are missing)."""
    bad = []
    for name in ARTIFACT_FILES:
        path = manifest.directory / name
        if not path.is_file() or file_sha256(path) != manifest.files.get(name):
            bad.append(name)
    return bad
