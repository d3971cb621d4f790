"""Compile our circom circuits with circom 2 (npm `circom2`, WebAssembly build), cached by content.

circom2 only finds include folders given as a RELATIVE path below its working directory, so
each build runs in its own folder holding a copy of our sources and of circomlib's circuits.
A build is keyed by a SHA-256 over our sources, the generated main file, circomlib's circuits,
the compiler version and the flags: it is recompiled only when one of them changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import struct
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .errors import CircuitBuildError
from .node_tools import node_bin, node_package

CIRCUITS_DIR = Path(__file__).resolve().parent / "circuits"
MEMBERSHIP_SOURCE = "membership.circom"
MAX_SUPPORTED_DEPTH = 32  # as Semaphore v4; the index must fit Num2Bits(MAX_DEPTH)
COMPILE_TIMEOUT_S = 900.0


@dataclass(frozen=True)
class R1csHeader:
    """The counts in an .r1cs file's header section (iden3 r1cs binary format, section 1)."""

    n_wires: int
    n_public_outputs: int
    n_public_inputs: int
    n_private_inputs: int
    n_labels: int
    n_constraints: int


@dataclass(frozen=True)
class CompiledCircuit:
    """One compiled circuit in the cache: its files, size and the key it was built under."""

    name: str
    max_depth: int
    directory: Path
    r1cs: Path
    wasm: Path
    sym: Path
    source: Path
    header: R1csHeader
    build_key: str
    compiler_version: str

    @property
    def constraints(self) -> int:
        """Number of R1CS constraints (what sizes the powers-of-tau file: 2^k > constraints)."""
        return self.header.n_constraints

    @property
    def min_ptau_power(self) -> int:
        """Smallest powers-of-tau power k whose 2^k domain fits this circuit (snarkjs rule)."""
        needed = self.header.n_constraints + self.header.n_public_inputs + self.header.n_public_outputs + 1
        return max(1, (needed - 1).bit_length())


def read_r1cs_header(path: Path) -> R1csHeader:
    """Parse the header section of an iden3 .r1cs file; raise CircuitBuildError if malformed."""
    data = path.read_bytes()
    if data[:4] != b"r1cs":
        raise CircuitBuildError(f"{path} is not an r1cs file (bad magic)")
    (n_sections,) = struct.unpack_from("<I", data, 8)
    offset = 12
    for _ in range(n_sections):
        kind, size = struct.unpack_from("<IQ", data, offset)
        offset += 12
        if kind == 1:
            (field_size,) = struct.unpack_from("<I", data, offset)
            values = struct.unpack_from("<IIIIQI", data, offset + 4 + field_size)
            return R1csHeader(*values)
        offset += size
    raise CircuitBuildError(f"{path} has no header section")


@cache
def compiler_version(node_modules: Path | None = None) -> str:
    """`circom2 --version` output (npm wrapper and compiler versions), one line."""
    circom = node_bin("circom2", node_modules)
    proc = subprocess.run([str(circom), "--version"], capture_output=True, text=True, timeout=60, check=False)
    if proc.returncode != 0:
        raise CircuitBuildError(f"circom2 --version failed: {proc.stderr.strip()}", proc.stderr)
    return " / ".join(line.strip() for line in proc.stdout.splitlines() if line.strip())


def membership_main(max_depth: int) -> str:
    """The main component of the membership circuit for one MAX_DEPTH (public message, scope)."""
    if not isinstance(max_depth, int) or not 1 <= max_depth <= MAX_SUPPORTED_DEPTH:
        raise CircuitBuildError(f"max_depth must be an int in 1..{MAX_SUPPORTED_DEPTH}, got {max_depth!r}")
    return (
        "pragma circom 2.1.5;\n"
        f'include "{MEMBERSHIP_SOURCE}";\n'
        f"component main {{public [message, scope]}} = Membership({max_depth});\n"
    )


def _tree_digest(root: Path, digest: hashlib._Hash) -> None:
    for path in sorted(root.rglob("*.circom")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())


def build_key(main_source: str, sources: Path, circomlib: Path, version: str, flags: tuple[str, ...]) -> str:
    """SHA-256 (hex) over everything that determines the compiler's output."""
    digest = hashlib.sha256()
    for part in (main_source, version, " ".join(flags)):
        digest.update(part.encode() + b"\0")
    _tree_digest(sources, digest)
    _tree_digest(circomlib, digest)
    return digest.hexdigest()


def compile_membership(
    max_depth: int,
    cache_dir: Path,
    *,
    node_modules: Path | None = None,
    optimization: str = "--O2",
    sources: Path = CIRCUITS_DIR,
) -> CompiledCircuit:
    """Compile (or reuse from the cache) the membership circuit for `max_depth` (1..32).

    `sources` is the folder holding membership.circom (tests point it at a modified copy).
    Raises CircuitBuildError with circom's stderr when compilation fails.
    """
    main_source = membership_main(max_depth)
    circomlib = node_package("circomlib", node_modules) / "circuits"
    version = compiler_version(node_modules)
    flags = ("--r1cs", "--wasm", "--sym", optimization)
    key = build_key(main_source, sources, circomlib, version, flags)
    name = f"membership-{max_depth}"
    directory = Path(cache_dir) / "circuits" / f"{name}-{key[:16]}"
    if not (directory / "main.r1cs").is_file():
        _build(directory, main_source, sources, circomlib, flags, node_modules)
    return CompiledCircuit(
        name=name,
        max_depth=max_depth,
        directory=directory,
        r1cs=directory / "main.r1cs",
        wasm=directory / "main_js" / "main.wasm",
        sym=directory / "main.sym",
        source=directory / MEMBERSHIP_SOURCE,
        header=read_r1cs_header(directory / "main.r1cs"),
        build_key=key,
        compiler_version=version,
    )


def _build(
    directory: Path,
    main_source: str,
    sources: Path,
    circomlib: Path,
    flags: tuple[str, ...],
    node_modules: Path | None,
) -> None:
    directory.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".build-", dir=directory.parent))
    try:
        for path in sources.glob("*.circom"):
            shutil.copy2(path, work / path.name)
        shutil.copytree(circomlib, work / "circomlib")
        (work / "main.circom").write_text(main_source, encoding="utf-8")
        command = [
            str(node_bin("circom2", node_modules)),
            "main.circom",
            *flags,
            "-l",
            "circomlib",
            "-o",
            ".",
        ]
        try:
            proc = subprocess.run(
                command, cwd=work, capture_output=True, text=True, timeout=COMPILE_TIMEOUT_S
            )
        except subprocess.TimeoutExpired as e:
            raise CircuitBuildError(f"circom2 timed out after {COMPILE_TIMEOUT_S:.0f} s") from e
        # circom2 can print errors and still exit 0: require the outputs as well.
        if proc.returncode != 0 or "error" in proc.stderr.lower() or not (work / "main.r1cs").is_file():
            raise CircuitBuildError(
                f"circom2 failed (exit {proc.returncode}): {(proc.stderr or proc.stdout).strip()[-2000:]}",
                proc.stderr,
            )
        shutil.rmtree(work / "circomlib")
        try:
            os.replace(work, directory)  # atomic: a concurrent build of the same key may win
        except OSError:
            if not (directory / "main.r1cs").is_file():
                raise
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
