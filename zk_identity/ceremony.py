"""Groth16 trusted setup with snarkjs: powers of tau (phase 1) and per-circuit keys (phase 2).

Development (`dev_ptau`): a local powers-of-tau ceremony with two random contributions and a
random beacon, then `prepare phase2`. It is only as trustworthy as this machine, which is fine
for tests and demos. Production (`checked_ptau`): the operator supplies a prepared public
ceremony file and its SHA-256; nothing is downloaded and a mismatch is refused.

Phase 2 (`setup_circuit`): `groth16 setup`, one random contribution, a beacon, `zkey verify`
and the verification key export, all into one folder with a manifest (see manifest.py).
Formats: iden3 `.ptau`/`.zkey` binary files as snarkjs writes them.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import struct
import tempfile
from collections.abc import Callable
from pathlib import Path

from .circom import CompiledCircuit
from .errors import SetupError
from .manifest import Manifest, check_files, file_sha256, read_manifest, write_manifest
from .snarkjs_cli import run_snarkjs

log = logging.getLogger(__name__)
BEACON_ITERATIONS_EXP = 10  # 2^10 hash iterations: a token beacon for dev ceremonies
Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def ptau_power(path: Path) -> int:
    """The power k of a .ptau file (it holds 2^k powers); raise SetupError if it is not one."""
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError as e:
        raise SetupError(f"cannot read powers-of-tau file {path}: {e}") from e
    if len(head) < 12 or head[:4] != b"ptau":
        raise SetupError(f"{path} is not a snarkjs powers-of-tau file (bad magic)")
    offset = 12
    kind, _size = struct.unpack_from("<IQ", head, offset)
    if kind != 1:
        raise SetupError(f"{path}: the header section is not first")
    (n8,) = struct.unpack_from("<I", head, offset + 12)
    (power,) = struct.unpack_from("<I", head, offset + 16 + n8)
    return int(power)


def dev_ptau(power: int, cache_dir: Path, *, progress: Progress = _quiet) -> Path:
    """A prepared powers-of-tau file of 2^power from a local dev ceremony, cached by power.

    Slow the first time (prepare phase2 ≈ 110 s at 2^12, 221 s at 2^13 on 2 cores).
    """
    if not 1 <= power <= 28:
        raise SetupError(f"powers-of-tau power must be in 1..28, got {power}")
    final = Path(cache_dir) / "ptau" / f"dev-{power}.ptau"
    if final.is_file():
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".ptau-", dir=final.parent) as tmp:
        work = Path(tmp)
        progress(f"powers of tau 2^{power}: new")
        run_snarkjs(["powersoftau", "new", "bn128", str(power), str(work / "p0.ptau")])
        for i in (1, 2):
            progress(f"powers of tau 2^{power}: contribution {i}")
            run_snarkjs(
                [
                    "powersoftau", "contribute", str(work / f"p{i - 1}.ptau"), str(work / f"p{i}.ptau"),
                    f"--name=dev contribution {i}", f"-e={secrets.token_hex(32)}",
                ]
            )  # fmt: skip
        progress(f"powers of tau 2^{power}: beacon")
        run_snarkjs(
            [
                "powersoftau", "beacon", str(work / "p2.ptau"), str(work / "beacon.ptau"),
                secrets.token_hex(32), str(BEACON_ITERATIONS_EXP), "-n=dev beacon",
            ]
        )  # fmt: skip
        progress(f"powers of tau 2^{power}: prepare phase2 (the slow step)")
        run_snarkjs(["powersoftau", "prepare", "phase2", str(work / "beacon.ptau"), str(work / "final.ptau")])
        os.replace(work / "final.ptau", final)
    return final


def checked_ptau(path: Path, expected_sha256: str) -> Path:
    """Accept an operator-supplied prepared .ptau only if its SHA-256 is `expected_sha256`."""
    path = Path(path)
    expected = expected_sha256.strip().lower()
    if len(expected) != 64 or any(c not in "0123456789abcdef" for c in expected):
        raise SetupError("--ptau-sha256 must be 64 hex digits")
    if not path.is_file():
        raise SetupError(f"powers-of-tau file {path} does not exist")
    actual = file_sha256(path)
    if actual != expected:
        raise SetupError(f"{path}: SHA-256 is {actual}, expected {expected}; refusing this file")
    ptau_power(path)
    return path


def setup_circuit(
    circuit: CompiledCircuit,
    ptau: Path,
    out_dir: Path,
    *,
    ptau_origin: str,
    progress: Progress = _quiet,
) -> Manifest:
    """Phase 2 for one compiled circuit into `out_dir`: zkey, vkey, copies of r1cs/wasm, manifest.

    Raises SetupError if the ptau is too small, a step fails or `zkey verify` does not pass.
    """
    power = ptau_power(ptau)
    if power < circuit.min_ptau_power:
        raise SetupError(
            f"{circuit.name} has {circuit.constraints} constraints and needs a 2^{circuit.min_ptau_power} "
            f"powers-of-tau file; {ptau} holds 2^{power}"
        )
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".setup-", dir=out_dir.parent) as tmp:
        work = Path(tmp)
        shutil.copy2(circuit.r1cs, work / "circuit.r1cs")
        shutil.copy2(circuit.wasm, work / "circuit.wasm")
        shutil.copy2(circuit.source, work / "circuit.circom")
        progress(f"{circuit.name}: groth16 setup ({circuit.constraints} constraints)")
        run_snarkjs(["groth16", "setup", str(work / "circuit.r1cs"), str(ptau), str(work / "z0.zkey")])
        progress(f"{circuit.name}: phase-2 contribution")
        contribute(work / "z0.zkey", work / "z1.zkey", name="dev phase-2 contribution")
        progress(f"{circuit.name}: phase-2 beacon")
        run_snarkjs(
            [
                "zkey", "beacon", str(work / "z1.zkey"), str(work / "circuit.zkey"),
                secrets.token_hex(32), str(BEACON_ITERATIONS_EXP), "-n=dev phase-2 beacon",
            ]
        )  # fmt: skip
        (work / "z0.zkey").unlink()
        (work / "z1.zkey").unlink()
        progress(f"{circuit.name}: zkey verify")
        verify_zkey(work / "circuit.r1cs", ptau, work / "circuit.zkey")
        export_vkey(work / "circuit.zkey", work / "vkey.json")
        manifest = write_manifest(
            work,
            circuit_name=circuit.name,
            max_depth=circuit.max_depth,
            constraints=circuit.constraints,
            ptau=ptau,
            ptau_origin=ptau_origin,
            compiler_version=circuit.compiler_version,
        )
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(work, out_dir)
        work.mkdir()  # let TemporaryDirectory clean up an empty folder
    return manifest.relocated(out_dir)


def contribute(zkey_in: Path, zkey_out: Path, *, name: str, entropy: str | None = None) -> str:
    """Add one phase-2 contribution; return the contribution hash snarkjs printed."""
    output = run_snarkjs(
        [
            "zkey",
            "contribute",
            str(zkey_in),
            str(zkey_out),
            f"--name={name}",
            f"-e={entropy or secrets.token_hex(32)}",
        ]
    )
    if not Path(zkey_out).is_file():
        raise SetupError(f"snarkjs zkey contribute wrote no {zkey_out}: {output[-500:]}")
    lines = output.splitlines()
    marker = [i for i, line in enumerate(lines) if "Contribution Hash" in line]
    return " ".join(" ".join(lines[marker[-1] + 1 : marker[-1] + 5]).split()) if marker else ""


def verify_zkey(r1cs: Path, ptau: Path, zkey: Path) -> None:
    """`snarkjs zkey verify`: raise SetupError unless it reports `ZKey Ok!`."""
    try:
        output = run_snarkjs(["zkey", "verify", str(r1cs), str(ptau), str(zkey)])
    except SetupError as e:
        raise SetupError(f"zkey verify rejected {zkey}: {e}") from e
    if "ZKey Ok!" not in output:
        raise SetupError(f"zkey verify did not accept {zkey}: {output.strip()[-1000:]}")


def export_vkey(zkey: Path, vkey_out: Path) -> dict:
    """Export the verification key (snarkjs JSON format, which the Solidity exporter reads)."""
    run_snarkjs(["zkey", "export", "verificationkey", str(zkey), str(vkey_out)])
    try:
        return json.loads(Path(vkey_out).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise SetupError(f"snarkjs wrote no verification key to {vkey_out}: {e}") from e


def verify_setup(directory: Path, *, ptau: Path | None = None) -> Manifest:
    """Re-check a set of artifacts: file hashes against the manifest, `zkey verify`, the vkey.

    `ptau` overrides the powers-of-tau path recorded in the manifest (its hash must still
    match). Raises SetupError naming what does not match.
    """
    manifest = read_manifest(directory)
    bad = check_files(manifest)
    if bad:
        raise SetupError(f"{directory}: files do not match the manifest: {', '.join(bad)}")
    ptau_path = Path(ptau) if ptau is not None else Path(manifest.ptau_path)
    if not ptau_path.is_file():
        raise SetupError(f"powers-of-tau file {ptau_path} not found; pass it with --ptau")
    if file_sha256(ptau_path) != manifest.ptau_sha256:
        raise SetupError(f"{ptau_path} does not match the manifest's powers-of-tau SHA-256")
    verify_zkey(manifest.r1cs, ptau_path, manifest.zkey)
    with tempfile.TemporaryDirectory(prefix="personhood-vkey-") as tmp:
        exported = export_vkey(manifest.zkey, Path(tmp) / "vkey.json")
    if exported != manifest.vkey():
        raise SetupError(f"{manifest.vkey_path} is not the verification key of {manifest.zkey}")
    return manifest


def add_contribution(directory: Path, *, name: str, entropy: str | None = None) -> tuple[Manifest, str]:
    """Add a phase-2 contribution to an artifact set in place (new zkey, vkey and manifest).

    Returns the new manifest and the contribution hash. The folder is checked first, and the
    new zkey is verified before it replaces the old one.
    """
    manifest = verify_setup(directory)
    folder = Path(directory)
    next_zkey = folder / "circuit.next.zkey"
    try:
        digest = contribute(manifest.zkey, next_zkey, name=name, entropy=entropy)
        verify_zkey(manifest.r1cs, Path(manifest.ptau_path), next_zkey)
        os.replace(next_zkey, manifest.zkey)
    finally:
        next_zkey.unlink(missing_ok=True)
    export_vkey(manifest.zkey, manifest.vkey_path)
    updated = write_manifest(
        folder,
        circuit_name=manifest.circuit,
        max_depth=manifest.max_depth,
        constraints=manifest.constraints,
        ptau=Path(manifest.ptau_path),
        ptau_origin=manifest.ptau_origin,
        compiler_version=manifest.tools.get("circom", ""),
    )
    return updated, digest
