"""Groth16 proving in this process with the native BN254 prover (`zk_identity._bn254`).

The witness still comes from the circuit's wasm, computed by the persistent node worker (op
"witness"); everything after it (QAP evaluation, NTTs, the five multi-scalar multiplications)
runs in C on `default_threads()` threads with the GIL released. The result has exactly the shape
of snarkjs's `groth16.fullProve` output, and the same equations (see native/groth16_prove.h),
so snarkjs, Semaphore's verifyProof and our py_ecc verifier accept it.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from pathlib import Path
from typing import Any

from . import bn254_native
from .errors import ProverError
from .prover_pool import DEFAULT_TIMEOUT_S, ProverPool
from .wtns import FIELD_BYTES, parse_wtns
from .zkey import ProvingKey, load_zkey


def _blinding_scalar() -> int:
    # Groth16 §3.2: r, s uniform and fresh for every proof; reusing them across two proofs of
    # different witnesses lets anyone difference the proofs. Nonzero, as snarkjs's Fr.random is
    # in practice.
    return 1 + secrets.randbelow(bn254_native.R - 1)


def _decimal(b: bytes) -> str:
    return str(int.from_bytes(b, "little"))


def snarkjs_proof(raw: bytes) -> dict[str, Any]:
    """pi_a || pi_b || pi_c (affine, 32-byte LE coordinates) as snarkjs's proof JSON."""
    x = [_decimal(raw[i : i + FIELD_BYTES]) for i in range(0, len(raw), FIELD_BYTES)]
    return {
        "pi_a": [x[0], x[1], "1"],
        "pi_b": [[x[2], x[3]], [x[4], x[5]], ["1", "0"]],
        "pi_c": [x[6], x[7], "1"],
        "protocol": "groth16",
        "curve": "bn128",
    }


def groth16_prove(
    key: ProvingKey, witness: bytes, *, threads: int | None = None
) -> tuple[dict[str, Any], list[str]]:
    """A Groth16 proof for `witness` (nVars 32-byte LE elements) under `key`: (proof, publicSignals).

    Fresh blinding scalars come from `secrets` on every call. Raises ProverError for a witness of
    the wrong length or with an element >= r, or when the native extension is unavailable.
    """
    ext = bn254_native._ext()
    if len(witness) != key.n_vars * FIELD_BYTES:
        raise ProverError(
            f"invalid witness length: the circuit has {key.n_vars} signals, the witness "
            f"{len(witness) // FIELD_BYTES}"
        )
    r, s = _blinding_scalar(), _blinding_scalar()
    try:
        raw = ext.groth16_prove(
            key.coefs, key.a, key.b1, key.b2, key.c, key.h, key.header_points, bytes(witness),
            key.n_vars, key.n_public, key.domain_size,
            r.to_bytes(FIELD_BYTES, "little"), s.to_bytes(FIELD_BYTES, "little"),
            threads or bn254_native.default_threads(),
        )  # fmt: skip
    except (ValueError, MemoryError) as e:
        raise ProverError(f"native prover: {e}") from e
    public = [_decimal(witness[i * FIELD_BYTES : (i + 1) * FIELD_BYTES]) for i in range(1, key.n_public + 1)]
    return snarkjs_proof(raw), public


def fullprove(
    inputs: dict[str, Any],
    wasm: Path,
    zkey: Path,
    pool: ProverPool,
    timeout: float = DEFAULT_TIMEOUT_S,
    *,
    threads: int | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """What `snarkjs groth16 fullprove` does: the witness in the node worker, the proof natively."""
    key = load_zkey(zkey)
    reply = pool.request({"op": "witness", "wasm": str(Path(wasm).resolve()), "input": inputs}, timeout)
    try:
        wtns = base64.b64decode(reply["wtns"], validate=True)
    except (KeyError, TypeError, binascii.Error) as e:
        raise ProverError("the prover worker sent no valid witness") from e
    return groth16_prove(key, parse_wtns(wtns), threads=threads)
