"""The membership circuit: compilation and caching, and that its range constraints are live.

Forgery tests: for each guard constraint we compile a copy of the circuit with that one line
blanked out (same length, so circom's generated names stay the same), let the weakened
circuit's witness generator compute a witness for the forged inputs, copy it signal by signal
into the real circuit's layout, and ask `snarkjs wtns check` about both: the weakened circuit
accepts the witness (so the forgery is otherwise consistent) and ours rejects it. The honest
witness generator refuses the same inputs outright.
"""

from __future__ import annotations

import json
import struct
import subprocess
from pathlib import Path

import pytest

from zk_identity import Identity, LeanIMT, nullifier
from zk_identity.babyjubjub import SUBGROUP_ORDER
from zk_identity.circom import CIRCUITS_DIR, MEMBERSHIP_SOURCE, compile_membership, read_r1cs_header
from zk_identity.errors import CircuitBuildError
from zk_identity.message_hash import hash_to_field
from zk_identity.node_tools import node_bin
from zk_identity.prover import circuit_inputs

MAX_DEPTH = 8
FIELD_BYTES = 32
P_R = 21888242871839275222246405745257275088548364400416034343698204186575808495617


@pytest.fixture(scope="session")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("circuits")


@pytest.fixture(scope="session")
def circuit(build_dir: Path):
    return compile_membership(MAX_DEPTH, build_dir)


def _weakened(build_dir: Path, line: str):
    """The circuit compiled with one guard line replaced by spaces of the same length."""
    source = (CIRCUITS_DIR / MEMBERSHIP_SOURCE).read_text(encoding="utf-8")
    assert source.count(line) == 1, f"guard {line!r} not found exactly once"
    folder = build_dir / f"weak-{abs(hash(line))}"
    folder.mkdir(exist_ok=True)
    (folder / MEMBERSHIP_SOURCE).write_text(source.replace(line, " " * len(line)), encoding="utf-8")
    return compile_membership(MAX_DEPTH, build_dir, sources=folder)


def _snarkjs(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(node_bin("snarkjs")), *args], capture_output=True, text=True, timeout=120)


def _witness(circuit, inputs: dict, folder: Path) -> list[int]:
    """Run the circuit's own witness generator; AssertionError with its message if it refuses."""
    (folder / "input.json").write_text(json.dumps(inputs))
    proc = _snarkjs(
        "wtns", "calculate", str(circuit.wasm), str(folder / "input.json"), str(folder / "w.wtns")
    )
    if proc.returncode != 0 or not (folder / "w.wtns").exists():
        raise AssertionError(f"witness generator refused: {(proc.stderr + proc.stdout)[-300:]}")
    data = (folder / "w.wtns").read_bytes()
    (folder / "w.wtns").unlink()
    n = struct.unpack_from("<I", data, 12 + 12 + 4 + FIELD_BYTES)[0]
    start = len(data) - n * FIELD_BYTES
    return [int.from_bytes(data[start + i * 32 : start + (i + 1) * 32], "little") for i in range(n)]


def _write_wtns(path: Path, values: list[int]) -> None:
    """An iden3 .wtns file (version 2: header section, then the values, little-endian)."""
    header = struct.pack("<I", FIELD_BYTES) + P_R.to_bytes(32, "little") + struct.pack("<I", len(values))
    body = b"".join(v.to_bytes(32, "little") for v in values)
    out = b"wtns" + struct.pack("<II", 2, 2)
    out += struct.pack("<IQ", 1, len(header)) + header + struct.pack("<IQ", 2, len(body)) + body
    path.write_bytes(out)


def _witness_correct(circuit, values: list[int], folder: Path) -> bool:
    _write_wtns(folder / "check.wtns", values)
    proc = _snarkjs("wtns", "check", str(circuit.r1cs), str(folder / "check.wtns"))
    text = proc.stdout + proc.stderr
    if "WITNESS IS CORRECT" in text:
        return True
    assert "WITNESS IS NOT CORRECT" in text, f"snarkjs wtns check crashed: {text[-500:]}"
    return False


def _signal_slots(circuit) -> dict[str, int]:
    slots = {}
    for line in circuit.sym.read_text().splitlines():
        _label, witness_index, _component, name = line.split(",", 3)
        if int(witness_index) >= 0:
            slots[name] = int(witness_index)
    return slots


def _transplant(real, weak, weak_values: list[int]) -> list[int]:
    """A weak-circuit witness rearranged into the real circuit's witness layout (by signal name)."""
    real_slots, weak_slots = _signal_slots(real), _signal_slots(weak)
    missing = sorted(set(real_slots) - set(weak_slots))
    assert not missing, f"signals the weakened build lacks: {missing[:5]}"
    values = [1] + [0] * (real.header.n_wires - 1)
    for name, slot in real_slots.items():
        values[slot] = weak_values[weak_slots[name]]
    return values


def _member(max_secret: int = SUBGROUP_ORDER) -> tuple[Identity, LeanIMT]:
    """A member of a 5-leaf group (depth 3) whose secret scalar is below `max_secret`."""
    for seed in range(100):
        identity = Identity(f"forgery-{seed}".encode() * 2)
        if identity.secret_scalar < max_secret:
            others = [Identity(f"other-{i}".encode() * 2).commitment for i in range(4)]
            return identity, LeanIMT([others[0], others[1], identity.commitment, others[2], others[3]])
    raise AssertionError("no identity with a small enough secret")


def _inputs(identity: Identity, group: LeanIMT, **overrides) -> dict:
    proof = group.generate_proof(group.index_of(identity.commitment))
    inputs = circuit_inputs(identity.secret_scalar, proof, 7, 99, MAX_DEPTH)
    inputs.update({k: v if isinstance(v, list) else str(v) for k, v in overrides.items()})
    return inputs


def test_constraint_counts_and_header(circuit) -> None:
    header = read_r1cs_header(circuit.r1cs)
    assert (header.n_public_outputs, header.n_public_inputs) == (2, 2)
    assert header.n_private_inputs == 3 + MAX_DEPTH  # secret, length, index, siblings
    assert 3000 < circuit.constraints < 4096  # --O2; fits a 2^12 ceremony
    assert circuit.min_ptau_power == 12


def test_compilation_is_cached_by_content(circuit, build_dir: Path) -> None:
    again = compile_membership(MAX_DEPTH, build_dir)
    assert again.directory == circuit.directory
    assert again.r1cs.stat().st_mtime_ns == circuit.r1cs.stat().st_mtime_ns  # not rebuilt
    other = compile_membership(MAX_DEPTH - 1, build_dir)
    assert other.build_key != circuit.build_key


def test_compiler_errors_surface(build_dir: Path, tmp_path: Path) -> None:
    (tmp_path / MEMBERSHIP_SOURCE).write_text(
        "pragma circom 2.1.5;\ntemplate Membership(N) { signal x <== ; }\n"
    )
    with pytest.raises(CircuitBuildError, match="circom2 failed"):
        compile_membership(3, build_dir, sources=tmp_path)
    with pytest.raises(CircuitBuildError):
        compile_membership(33, build_dir)


def test_honest_witness_matches_python_identity_core(circuit, tmp_path: Path) -> None:
    identity, group = _member()
    values = _witness(circuit, _inputs(identity, group), tmp_path)
    assert values[1] == group.root
    assert values[2] == nullifier(identity, 99)
    assert values[3:5] == [hash_to_field(7), hash_to_field(99)]
    assert _witness_correct(circuit, values, tmp_path)
    # A witness for another group's root: the constraints tie the root to the path.
    forged = list(values)
    forged[1] = LeanIMT([1, 2, 3]).root
    assert not _witness_correct(circuit, forged, tmp_path)


# (guard line in membership.circom, forged inputs for an otherwise honest member)
FORGERIES = {
    "secret aliased by +l (a second nullifier for the same commitment)": (
        "secretInRange === 1;",
        lambda identity, group: {"secret": identity.secret_scalar + SUBGROUP_ORDER},
    ),
    "proof length beyond MAX_DEPTH": (
        "flags === 1;",
        lambda identity, group: {"merkleProofLength": MAX_DEPTH + 1},
    ),
    "index bits above the proof length": (
        "bits[i] * (1 - active[i]) === 0;",
        lambda identity, group: {"merkleProofIndex": group.generate_proof(2).index + (1 << 3)},
    ),
    "non-zero padding sibling": (
        "siblings[i] * (1 - active[i]) === 0;",
        lambda identity, group: {
            "merkleProofSiblings": [str(s) for s in group.generate_proof(2).siblings] + ["5"] * 5
        },
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_forged_witness_is_rejected_by_the_constraints(
    forgery: str, circuit, build_dir: Path, tmp_path: Path
) -> None:
    guard, forge = FORGERIES[forgery]
    # Aliasing needs secret + l < 2^251 so the forged secret still fits Num2Bits(251).
    identity, group = _member(max_secret=(1 << 251) - SUBGROUP_ORDER)
    forged_inputs = _inputs(identity, group, **forge(identity, group))
    with pytest.raises(AssertionError, match="refused"):
        _witness(circuit, forged_inputs, tmp_path)  # the honest generator will not make it
    weak = _weakened(build_dir, guard)
    weak_values = _witness(weak, forged_inputs, tmp_path)
    assert _witness_correct(weak, weak_values, tmp_path), "the forgery must satisfy the weakened circuit"
    assert not _witness_correct(circuit, _transplant(circuit, weak, weak_values), tmp_path)
    if guard == "secretInRange === 1;":
        assert weak_values[1] == group.root  # same commitment, same root ...
        assert weak_values[2] != nullifier(identity, 99)  # ... but a second nullifier: the attack


@pytest.mark.slow
@pytest.mark.parametrize(("depth", "power"), [(16, 13), (20, 13), (32, 14)])
def test_deep_circuits_compile(depth: int, power: int, build_dir: Path) -> None:
    compiled = compile_membership(depth, build_dir)
    assert compiled.header.n_private_inputs == 3 + depth
    assert compiled.min_ptau_power == power  # --O2 keeps depth 20 inside a 2^13 ceremony
