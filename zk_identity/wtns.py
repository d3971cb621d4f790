"""snarkjs/circom `.wtns` witness files, read for the native prover.

Layout (circom_runtime witness_calculator.js calculateWTNSBin; iden3 binfileutils container):
"wtns", u32 version 2, u32 section count; section 1: u32 n8, the prime (n8 bytes LE), u32 witness
count; section 2: the witness, n8 bytes per element, little-endian standard form.
"""

from __future__ import annotations

import struct

from .errors import ProverError
from .field import SNARK_SCALAR_FIELD

FIELD_BYTES = 32


def parse_wtns(data: bytes) -> bytes:
    """The witness elements (32-byte LE each, as one bytes object) of a BN254 .wtns file.

    Raises ProverError when the file is malformed or for another field; element ranges are
    checked by the prover.
    """
    if len(data) < 12 or data[:4] != b"wtns":
        raise ProverError("not a witness file (no 'wtns' magic)")
    version, count = struct.unpack_from("<II", data, 4)
    if version != 2:
        raise ProverError(f"witness file version {version} is not supported (expected 2)")
    sections: dict[int, tuple[int, int]] = {}
    pos = 12
    for _ in range(count):
        if pos + 12 > len(data):
            raise ProverError("truncated witness section table")
        kind, length = struct.unpack_from("<IQ", data, pos)
        pos += 12
        if pos + length > len(data) or kind in sections:
            raise ProverError(f"witness section {kind} is truncated or repeated")
        sections[kind] = (pos, length)
        pos += length
    if 1 not in sections or 2 not in sections:
        raise ProverError("witness file lacks its header or its values")
    start, length = sections[1]
    if length != 4 + FIELD_BYTES + 4:
        raise ProverError(f"witness header is {length} bytes; not a BN254 witness")
    n8 = struct.unpack_from("<I", data, start)[0]
    prime = int.from_bytes(data[start + 4 : start + 4 + FIELD_BYTES], "little")
    (n_witness,) = struct.unpack_from("<I", data, start + 4 + FIELD_BYTES)
    if n8 != FIELD_BYTES or prime != SNARK_SCALAR_FIELD:
        raise ProverError("the witness is not over the BN254 scalar field")
    start, length = sections[2]
    if length != n_witness * FIELD_BYTES:
        raise ProverError(f"witness has {length} bytes for {n_witness} elements")
    return data[start : start + length]
