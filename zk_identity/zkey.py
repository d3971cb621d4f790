"""snarkjs `.zkey` Groth16 proving keys, read for the native prover.

Layout (snarkjs 0.7 src/zkey_utils.js; iden3 binfileutils container): "zkey", u32 version 1,
u32 section count, then sections (u32 type, u64 byte length, body). Groth16 uses:
  1 header: u32 protocol (1 = groth16)
  2 groth16 header: u32 n8q, q, u32 n8r, r, u32 nVars, u32 nPublic, u32 domainSize,
    alpha1, beta1 (G1), beta2, gamma2 (G2), delta1 (G1), delta2 (G2)
  3 IC (nPublic+1 G1)   4 coefficients: u32 count, then (u32 matrix, u32 constraint, u32 signal, Fr)
  5 A, 6 B1 (nVars G1)  7 B2 (nVars G2)  8 C (nVars-nPublic-1 G1)  9 H (domainSize G1)
Points are affine, coordinates little-endian in Montgomery form (R = 2^256), (0, 0) for infinity;
the prover reads them in place. `load_zkey` keeps parsed keys in memory by path and mtime.
"""

from __future__ import annotations

import struct
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from . import bn254_native
from .errors import ProverError

GROTH16_PROTOCOL = 1
FIELD_BYTES = 32  # n8q = n8r = 32 for BN254
G1_BYTES, G2_BYTES = 2 * FIELD_BYTES, 4 * FIELD_BYTES
COEF_BYTES = 12 + FIELD_BYTES
HEADER_POINTS_BYTES = 3 * G1_BYTES + 3 * G2_BYTES  # alpha1 beta1 beta2 gamma2 delta1 delta2
MAX_DOMAIN_LOG2 = 27  # snarkjs switches to a different coset at 2^28; we refuse that size
CACHE_SIZE = 8


@dataclass(frozen=True)
class ProvingKey:
    """The parts of a Groth16 zkey the prover needs, each section its own (aligned) bytes object."""

    path: Path
    n_vars: int
    n_public: int
    domain_size: int
    header_points: bytes  # alpha1 beta1 beta2 gamma2 delta1 delta2, Montgomery form
    coefs: bytes  # section 4 after its count: COEF_BYTES per record
    a: bytes
    b1: bytes
    b2: bytes
    c: bytes
    h: bytes


def _sections(data: bytes, path: Path) -> dict[int, tuple[int, int]]:
    if len(data) < 12 or data[:4] != b"zkey":
        raise ProverError(f"{path} is not a snarkjs zkey file (no 'zkey' magic)")
    version, count = struct.unpack_from("<II", data, 4)
    if version != 1:
        raise ProverError(f"{path}: zkey version {version} is not supported (expected 1)")
    sections: dict[int, tuple[int, int]] = {}
    pos = 12
    for _ in range(count):
        if pos + 12 > len(data):
            raise ProverError(f"{path}: truncated zkey section table")
        kind, length = struct.unpack_from("<IQ", data, pos)
        pos += 12
        if pos + length > len(data):
            raise ProverError(f"{path}: zkey section {kind} runs past the end of the file")
        if kind in sections:
            raise ProverError(f"{path}: zkey section {kind} appears twice")
        sections[kind] = (pos, length)
        pos += length
    missing = [k for k in range(1, 10) if k not in sections]
    if missing:
        raise ProverError(f"{path}: zkey sections {missing} are missing (not a Groth16 proving key?)")
    return sections


def parse_zkey(data: bytes, path: Path = Path("<memory>")) -> ProvingKey:
    """Parse and validate a Groth16 BN254 zkey; raise ProverError naming what is wrong.

    Checks the protocol, both field moduli, every section size and that every point is on its curve.
    """
    sections = _sections(data, path)

    def body(kind: int) -> bytes:
        start, length = sections[kind]
        return data[start : start + length]

    (protocol,) = struct.unpack_from("<I", body(1))
    if protocol != GROTH16_PROTOCOL:
        raise ProverError(f"{path}: zkey protocol {protocol} is not groth16 ({GROTH16_PROTOCOL})")
    header = body(2)
    want = 4 + FIELD_BYTES + 4 + FIELD_BYTES + 12 + HEADER_POINTS_BYTES
    if len(header) != want:
        raise ProverError(f"{path}: groth16 header is {len(header)} bytes, expected {want} (not bn128?)")
    n8q = struct.unpack_from("<I", header, 0)[0]
    q = int.from_bytes(header[4:36], "little")
    n8r = struct.unpack_from("<I", header, 36)[0]
    r = int.from_bytes(header[40:72], "little")
    if (n8q, q, n8r, r) != (FIELD_BYTES, bn254_native.Q, FIELD_BYTES, bn254_native.R):
        raise ProverError(f"{path}: the zkey's curve is not bn128 (BN254)")
    n_vars, n_public, domain_size = struct.unpack_from("<III", header, 72)
    if not 0 <= n_public < n_vars:
        raise ProverError(f"{path}: nPublic {n_public} must be below nVars {n_vars}")
    if domain_size < 2 or domain_size & (domain_size - 1) or domain_size > 1 << MAX_DOMAIN_LOG2:
        raise ProverError(
            f"{path}: domain size {domain_size} is not a power of two in 2..2^{MAX_DOMAIN_LOG2}"
        )
    coef_section = body(4)
    (n_coefs,) = struct.unpack_from("<I", coef_section)
    expected = {
        3: (n_public + 1) * G1_BYTES,
        4: 4 + n_coefs * COEF_BYTES,
        5: n_vars * G1_BYTES,
        6: n_vars * G1_BYTES,
        7: n_vars * G2_BYTES,
        8: (n_vars - n_public - 1) * G1_BYTES,
        9: domain_size * G1_BYTES,
    }
    for kind, size in expected.items():
        if sections[kind][1] != size:
            raise ProverError(f"{path}: zkey section {kind} is {sections[kind][1]} bytes, expected {size}")
    key = ProvingKey(
        path=path,
        n_vars=n_vars,
        n_public=n_public,
        domain_size=domain_size,
        header_points=header[84:],
        coefs=coef_section[4:],
        a=body(5),
        b1=body(6),
        b2=body(7),
        c=body(8),
        h=body(9),
    )
    _check_points(key)
    return key


def _check_points(key: ProvingKey) -> None:
    ext = bn254_native._ext()
    hp = key.header_points
    groups = {
        "alpha1/beta1": (hp[: 2 * G1_BYTES], 1),
        "beta2/gamma2": (hp[2 * G1_BYTES : 2 * G1_BYTES + 2 * G2_BYTES], 2),
        "delta1": (hp[2 * G1_BYTES + 2 * G2_BYTES : 3 * G1_BYTES + 2 * G2_BYTES], 1),
        "delta2": (hp[3 * G1_BYTES + 2 * G2_BYTES :], 2),
        "A": (key.a, 1),
        "B1": (key.b1, 1),
        "B2": (key.b2, 2),
        "C": (key.c, 1),
        "H": (key.h, 1),
    }
    for name, (points, group) in groups.items():
        bad = ext.check_points(points, group)
        if bad >= 0:
            raise ProverError(f"{key.path}: zkey point {name}[{bad}] is not on the curve")


_cache: OrderedDict[tuple[str, int, int], ProvingKey] = OrderedDict()
_cache_lock = threading.Lock()


def load_zkey(path: Path) -> ProvingKey:
    """The parsed key at `path`, read once per (path, mtime, size); the last CACHE_SIZE are kept."""
    path = Path(path).resolve()
    try:
        stat = path.stat()
    except OSError as e:
        raise ProverError(f"cannot read the proving key {path}: {e}") from e
    cache_key = (str(path), stat.st_mtime_ns, stat.st_size)
    with _cache_lock:
        if cache_key in _cache:
            _cache.move_to_end(cache_key)
            return _cache[cache_key]
    key = parse_zkey(path.read_bytes(), path)
    with _cache_lock:
        _cache[cache_key] = key
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return key
