"""The native Groth16 prover (backend="native") with the official Semaphore v4 ceremony keys.

Its proofs must pass three independent verifiers (snarkjs, Semaphore's verifyProof, our py_ecc
reference), tampered ones must fail, and malformed keys and witnesses must be refused. Our own
circuit's keys are proved natively in test_setup.py (the dev ceremony lives there).
"""

from __future__ import annotations

import base64
import dataclasses
import logging
import shutil
import struct
from pathlib import Path

import pytest

from zk_identity import (
    Identity,
    LeanIMT,
    MembershipProof,
    ProverError,
    ProvingSetup,
    bn254_native,
    native_prover,
    nullifier,
    prove,
    verify,
)
from zk_identity import prover as prover_module
from zk_identity.artifacts import official_artifacts
from zk_identity.prover import circuit_inputs
from zk_identity.snarkjs_cli import verify_cli
from zk_identity.wtns import parse_wtns
from zk_identity.zkey import load_zkey, parse_zkey

pytestmark = [
    pytest.mark.node,
    pytest.mark.skipif(not bn254_native.AVAILABLE, reason=f"native extension: {bn254_native.IMPORT_ERROR}"),
]

SEMAPHORE_VERIFY = """
import { verifyProof } from "@semaphore-protocol/proof";
console.log(JSON.stringify(await verifyProof(JSON.parse(process.argv[1]))));
process.exit(0);
"""


@pytest.fixture(scope="module")
def members() -> list[Identity]:
    return [Identity(f"native-member-{i}".encode()) for i in range(6)]


@pytest.fixture(scope="module")
def group(members: list[Identity]) -> LeanIMT:
    return LeanIMT([m.commitment for m in members])


@pytest.fixture(scope="module")
def witness3(members, group, pool) -> bytes:
    """A depth-3 witness from the node worker's wasm witness calculator."""
    inputs = circuit_inputs(members[2].secret_scalar, group.generate_proof(2), 9, 8, 3)
    reply = pool.request({"op": "witness", "wasm": str(official_artifacts(3).wasm), "input": inputs})
    return parse_wtns(base64.b64decode(reply["wtns"]))


def _all_verifiers_accept(proof: MembershipProof, pool, run_node) -> None:
    vkey = official_artifacts(proof.merkle_tree_depth).vkey()
    assert verify(proof) is True  # py_ecc reference
    assert verify(proof, setup=ProvingSetup(verifier="native")) is True  # our C pairing
    assert verify(proof, setup=ProvingSetup(verifier="node", pool=pool)) is True  # snarkjs groth16.verify
    assert verify_cli(vkey, [str(v) for v in proof.public_signals()], proof.snarkjs_proof()) is True
    assert run_node(SEMAPHORE_VERIFY, proof.dumps()) is True


@pytest.mark.parametrize("depth", [3, 4])
def test_native_proof_passes_every_verifier(depth: int, members, group, pool, run_node) -> None:
    proof = prove(
        members[1],
        group,
        "native hello",
        "scope-1",
        depth=depth,
        setup=ProvingSetup(prover="native", pool=pool),
    )
    assert proof.merkle_tree_depth == depth and proof.merkle_tree_root == group.root
    assert proof.nullifier == nullifier(members[1], "scope-1")
    _all_verifiers_accept(proof, pool, run_node)


@pytest.mark.slow
@pytest.mark.parametrize("depth", [1, 20, 32])
def test_native_proof_at_other_depths(depth: int, pool, run_node) -> None:
    lonely = Identity(b"native-depth-member")
    tree = LeanIMT([lonely.commitment, Identity(b"native-depth-other").commitment])
    proof = prove(lonely, tree, 1, 2, depth=depth, setup=ProvingSetup(prover="native", pool=pool))
    _all_verifiers_accept(proof, pool, run_node)


def test_tampered_native_proof_fails(members, group, pool) -> None:
    proof = prove(members[4], group, 77, 78, setup=ProvingSetup(prover="native", pool=pool))
    assert verify(proof, setup=ProvingSetup(verifier="node", pool=pool)) is True
    other = prove(members[4], group, 77, 79, setup=ProvingSetup(prover="native", pool=pool))
    swapped = dataclasses.replace(proof, points=proof.points[:2] + other.points[2:])  # pi_b, pi_c of another
    assert verify(swapped) is False
    assert verify(swapped, setup=ProvingSetup(verifier="native")) is False
    assert verify(swapped, setup=ProvingSetup(verifier="node", pool=pool)) is False
    assert (
        verify(dataclasses.replace(proof, message=78), setup=ProvingSetup(verifier="node", pool=pool))
        is False
    )


def test_proofs_are_randomized(members, group, pool) -> None:
    first = prove(members[0], group, 5, 6, setup=ProvingSetup(prover="native", pool=pool))
    second = prove(members[0], group, 5, 6, setup=ProvingSetup(prover="native", pool=pool))
    assert first.points != second.points  # fresh r, s each time
    assert first.public_signals() == second.public_signals()
    assert verify(first, setup=ProvingSetup(verifier="node", pool=pool)) and verify(
        second, setup=ProvingSetup(verifier="node", pool=pool)
    )


def test_native_and_worker_prove_the_same_statement(members, group, pool) -> None:
    native = prove(members[3], group, "same", "statement", setup=ProvingSetup(prover="native", pool=pool))
    worker = prove(members[3], group, "same", "statement", setup=ProvingSetup(prover="worker", pool=pool))
    assert native.to_json() | {"points": None} == worker.to_json() | {"points": None}


def test_prover_uses_both_multiplications(members, group, pool) -> None:
    ext = bn254_native._ext()
    try:
        ext.use_adx(False)
        proof = prove(members[2], group, 1, 1, setup=ProvingSetup(prover="native", pool=pool))
    finally:
        ext.use_adx(True)
    assert verify(proof, setup=ProvingSetup(verifier="node", pool=pool)) is True


# ---- keys and witnesses ----


def test_zkey_is_parsed_and_cached(tmp_path: Path) -> None:
    key = load_zkey(official_artifacts(3).zkey)
    assert (key.n_public, key.domain_size) == (4, 4096)
    assert len(key.a) == 64 * key.n_vars and len(key.c) == 64 * (key.n_vars - 5)
    assert load_zkey(official_artifacts(3).zkey) is key
    copy = tmp_path / "k.zkey"
    shutil.copy(official_artifacts(3).zkey, copy)
    assert load_zkey(copy) is not key and load_zkey(copy) is load_zkey(copy)


def _section_offset(data: bytes, kind: int) -> int:
    pos = 12
    while True:
        k, length = struct.unpack_from("<IQ", data, pos)
        if k == kind:
            return pos + 12
        pos += 12 + length


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: b"zkez" + d[4:], "no 'zkey' magic"),
        (lambda d: d[: len(d) // 2], "past the end"),
        (lambda d: _patch(d, _section_offset(d, 1), struct.pack("<I", 2)), "not groth16"),
        (lambda d: _patch(d, _section_offset(d, 2) + 4, b"\x48"), "not bn128"),
        (lambda d: _patch(d, _section_offset(d, 5) + 64 * 7, b"\x05"), r"A\[7\] is not on the curve"),
        (lambda d: _patch(d, _section_offset(d, 7) + 128 * 3 + 5, b"\x01"), r"B2\[3\] is not on the curve"),
    ],
)
def test_malformed_zkeys_are_refused(edit, message: str) -> None:
    data = official_artifacts(1).zkey.read_bytes()
    with pytest.raises(ProverError, match=message):
        parse_zkey(edit(data))


def _patch(data: bytes, offset: int, new: bytes) -> bytes:
    return data[:offset] + new + data[offset + len(new) :]


def test_malformed_witnesses_are_refused(witness3: bytes) -> None:
    key = load_zkey(official_artifacts(3).zkey)
    with pytest.raises(ProverError, match="invalid witness length"):
        native_prover.groth16_prove(key, witness3[:-32])
    too_big = witness3[:64] + bn254_native.R.to_bytes(32, "little") + witness3[96:]
    with pytest.raises(ProverError, match="not below the scalar field"):
        native_prover.groth16_prove(key, too_big)
    with pytest.raises(ProverError, match="invalid witness length"):
        native_prover.groth16_prove(load_zkey(official_artifacts(4).zkey), witness3)
    with pytest.raises(ProverError, match="magic"):
        parse_wtns(b"wtnx" + bytes(40))


def test_proof_from_a_parsed_witness(witness3: bytes, run_node) -> None:
    proof, public = native_prover.groth16_prove(load_zkey(official_artifacts(3).zkey), witness3, threads=1)
    assert proof["protocol"] == "groth16" and proof["curve"] == "bn128"
    assert proof["pi_a"][2] == "1" and proof["pi_b"][2] == ["1", "0"]
    assert len(public) == 4
    assert verify_cli(official_artifacts(3).vkey(), public, proof) is True


# ---- backend choice ----


def test_auto_falls_back_to_the_worker(monkeypatch, members, group, pool, caplog) -> None:
    monkeypatch.setattr(bn254_native, "AVAILABLE", False)
    monkeypatch.setattr(bn254_native, "_bn254", None)
    monkeypatch.setattr(prover_module, "_fallback_logged", False)
    with caplog.at_level(logging.WARNING, logger="zk_identity.prover"):
        assert prover_module.resolve_backend("auto") == "worker"
    assert "node worker" in caplog.text
    proof = prove(members[0], group, 1, 2, setup=ProvingSetup(pool=pool))  # "auto"
    assert verify(proof, setup=ProvingSetup(verifier="node", pool=pool)) is True
    with pytest.raises(ProverError, match="not available"):
        prove(members[0], group, 1, 2, setup=ProvingSetup(prover="native", pool=pool))


def test_auto_prefers_native() -> None:
    assert prover_module.resolve_backend("auto") == "native"
    with pytest.raises(ProverError, match="backend must be one of"):
        prover_module.resolve_backend("gpu")
