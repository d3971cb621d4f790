"""All verifiers (py_ecc reference, node fast path, native C) agree on valid, tampered and malformed proofs.

One test body per case, parametrized over the backends, as py_ecc runs its tests over all
its curve backends. Malformed input must raise before any backend runs.
"""

from __future__ import annotations

import dataclasses
import json

import pytest
from py_ecc.fields import optimized_bn128_FQ2 as FQ2
from py_ecc.optimized_bn128 import G1, curve_order, is_inf, multiply, normalize

from zk_identity import (
    FieldRangeError,
    Identity,
    LeanIMT,
    MembershipProof,
    PointError,
    ProofFormatError,
    ProvingSetup,
    bn254_native,
    prove,
    verify,
)
from zk_identity.artifacts import official_artifacts
from zk_identity.bn254_checks import TWIST_B, P, g2_in_subgroup, g2_on_curve
from zk_identity.groth16_verify import verify_groth16

R = 21888242871839275222246405745257275088548364400416034343698204186575808495617
NATIVE = pytest.param(
    "native", marks=pytest.mark.skipif(not bn254_native.AVAILABLE, reason="native extension not built")
)
BACKENDS = ["py_ecc", "node", NATIVE]


@pytest.fixture(scope="module")
def group_and_member() -> tuple[LeanIMT, Identity]:
    members = [Identity(f"verify-member-{i}".encode()) for i in range(6)]
    return LeanIMT([m.commitment for m in members]), members[4]


@pytest.fixture(scope="module")
def proof(group_and_member, pool) -> MembershipProof:
    group, member = group_and_member
    return prove(member, group, "yes", "scope-A", setup=ProvingSetup(pool=pool))


@pytest.fixture(scope="module")
def proof_b(group_and_member, pool) -> MembershipProof:
    group, member = group_and_member
    return prove(member, group, "yes", "scope-B", setup=ProvingSetup(pool=pool))


def _with(proof: MembershipProof, **changes) -> dict:
    return proof.to_json() | {k: v if isinstance(v, (int, list)) else str(v) for k, v in changes.items()}


def _check(proof, backend: str, pool, vkey=None) -> bool:
    return verify(proof, vkey, setup=ProvingSetup(verifier=backend, pool=pool))


def _g2_off_subgroup() -> tuple[tuple[int, int], tuple[int, int]]:
    """A point on the twist outside G2: sqrt in F_p^2 for p = 3 mod 4 (Adj & Rodríguez-Henríquez, Alg. 9)."""
    b = FQ2(list(TWIST_B))
    for k in range(1, 100):
        x = FQ2([k, 1])
        a = x**3 + b
        a1 = a ** ((P - 3) // 4)
        alpha = a1 * a1 * a
        if alpha == FQ2([P - 1, 0]):
            y = FQ2([0, 1]) * a1 * a
        else:
            y = (FQ2.one() + alpha) ** ((P - 1) // 2) * a1 * a
        if y * y == a:
            point = ((int(x.coeffs[0]), int(x.coeffs[1])), (int(y.coeffs[0]), int(y.coeffs[1])))
            if not g2_in_subgroup(point):
                return point
    raise AssertionError("no point found")


@pytest.mark.parametrize("backend", BACKENDS)
def test_valid_proof_verifies(proof: MembershipProof, backend: str, pool) -> None:
    assert _check(proof, backend, pool) is True
    assert _check(proof.dumps(), backend, pool) is True  # JSON text round trip


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("field", ["merkleTreeRoot", "nullifier", "message", "scope"])
def test_changed_public_signal_fails(proof: MembershipProof, field: str, backend: str, pool) -> None:
    tampered = _with(proof, **{field: int(proof.to_json()[field]) + 1})
    assert _check(tampered, backend, pool) is False


@pytest.mark.parametrize("backend", BACKENDS)
def test_changed_proof_point_fails(proof: MembershipProof, backend: str, pool) -> None:
    other = normalize(multiply(G1, 7))  # a valid G1 point, just not A (or C)
    for slots in ((0, 1), (6, 7)):
        points = list(proof.to_json()["points"])
        points[slots[0]], points[slots[1]] = str(other[0].n), str(other[1].n)
        assert _check(_with(proof, points=points), backend, pool) is False
    swapped = list(proof.to_json()["points"])
    swapped[2:6] = swapped[4:6] + swapped[2:4]  # B's coordinates in the wrong order: off the twist
    with pytest.raises(PointError):
        _check(_with(proof, points=swapped), backend, pool)


@pytest.mark.parametrize("backend", BACKENDS)
def test_proof_for_scope_a_fails_for_scope_b(proof, proof_b, backend: str, pool) -> None:
    assert proof.nullifier != proof_b.nullifier
    assert _check(_with(proof, scope=proof_b.scope), backend, pool) is False
    assert _check(_with(proof, scope=proof_b.scope, nullifier=proof_b.nullifier), backend, pool) is False


@pytest.mark.parametrize("backend", BACKENDS)
def test_wrong_depth_fails(proof: MembershipProof, backend: str, pool) -> None:
    assert _check(_with(proof, merkleTreeDepth=4), backend, pool) is False
    keys = {proof.merkle_tree_depth: official_artifacts(proof.merkle_tree_depth).vkey()}
    assert _check(proof, backend, pool, vkey=keys) is True
    assert _check(_with(proof, merkleTreeDepth=5), backend, pool, vkey=keys) is False
    for depth in (0, 33, "3", True, 3.0):
        with pytest.raises(ProofFormatError):
            _check(proof.to_json() | {"merkleTreeDepth": depth}, backend, pool)


@pytest.mark.parametrize("backend", BACKENDS)
def test_field_boundaries(proof: MembershipProof, backend: str, pool) -> None:
    assert _check(_with(proof, merkleTreeRoot=R - 1), backend, pool) is False  # r-1: well-formed, wrong
    for field in ("merkleTreeRoot", "nullifier"):
        with pytest.raises(FieldRangeError):
            _check(_with(proof, **{field: R}), backend, pool)
    with pytest.raises(FieldRangeError):
        _check(_with(proof, message=1 << 256), backend, pool)
    points = list(proof.to_json()["points"])
    points[0] = str(int(points[0]) + P)  # same residue, not reduced
    with pytest.raises(FieldRangeError):
        _check(_with(proof, points=points), backend, pool)


@pytest.mark.parametrize("backend", BACKENDS)
def test_points_off_curve_or_outside_g2_are_refused(proof: MembershipProof, backend: str, pool) -> None:
    points = list(proof.to_json()["points"])
    points[1] = str((int(points[1]) + 1) % P)
    with pytest.raises(PointError, match="G1"):
        _check(_with(proof, points=points), backend, pool)
    (x0, x1), (y0, y1) = _g2_off_subgroup()
    points = list(proof.to_json()["points"])
    points[2:6] = [str(x1), str(x0), str(y1), str(y0)]
    with pytest.raises(PointError, match="subgroup"):
        _check(_with(proof, points=points), backend, pool)
    vkey = official_artifacts(proof.merkle_tree_depth).vkey()
    bad_key = vkey | {"vk_delta_2": [[str(x0), str(x1)], [str(y0), str(y1)], ["1", "0"]]}
    with pytest.raises(PointError, match="subgroup"):
        _check(proof, backend, pool, vkey=bad_key)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "bad",
    [
        "not json",
        "[]",
        '{"merkleTreeDepth": 3}',
        "points-7",
        "points-hex",
        "root-negative",
    ],
)
def test_malformed_json_is_refused(proof: MembershipProof, bad: str, backend: str, pool) -> None:
    data = proof.to_json()
    cases = {
        "points-7": json.dumps(data | {"points": data["points"][:7]}),
        "points-hex": json.dumps(data | {"points": [hex(int(p)) for p in data["points"]]}),
        "root-negative": json.dumps(data | {"merkleTreeRoot": "-1"}),
    }
    with pytest.raises(ProofFormatError):
        _check(cases.get(bad, bad), backend, pool)


def test_g2_subgroup_check_agrees_with_py_ecc() -> None:
    point = _g2_off_subgroup()
    assert g2_on_curve(point) and not g2_in_subgroup(point)
    projective = (FQ2(list(point[0])), FQ2(list(point[1])), FQ2.one())
    assert not is_inf(multiply(projective, curve_order))
    vkey = official_artifacts(1).vkey()
    beta = tuple(tuple(int(c) for c in coord) for coord in vkey["vk_beta_2"][:2])
    assert g2_in_subgroup(beta)  # type: ignore[arg-type]
    assert is_inf(multiply((FQ2(list(beta[0])), FQ2(list(beta[1])), FQ2.one()), curve_order))


def test_reference_verifier_checks_public_input_count(proof: MembershipProof) -> None:
    vkey = official_artifacts(proof.merkle_tree_depth).vkey()
    with pytest.raises(ProofFormatError, match="public signals"):
        verify_groth16(vkey, proof.public_signals()[:3], proof.snarkjs_proof())


@dataclasses.dataclass(frozen=True)
class _GivenSignals(MembershipProof):
    """A proof whose public signals are whatever a caller sends: `verify` must range-check each one.

    A `MembershipProof` parsed from JSON never holds r (from_json refuses it) and hashes message and
    scope below 2^248, so this is the only way to reach the verifier's own check (check_public) with
    r at every position: the check the backends share, which must not depend on the parser before it.
    """

    signals: tuple[int, ...] = ()

    def public_signals(self) -> list[int]:
        return list(self.signals)


def _given(proof: MembershipProof, signals: list[int]) -> _GivenSignals:
    return _GivenSignals(**dataclasses.asdict(proof), signals=tuple(signals))


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_public_signal_is_checked_at_r_and_r_minus_1(proof: MembershipProof, backend, pool) -> None:
    # r would be taken as 0 by the pairing (x * IC_i with x = r): it must be refused, not verified.
    honest = proof.public_signals()
    assert _check(_given(proof, honest), backend, pool) is True  # the signals path itself verifies
    for position in range(len(honest)):
        for value in (R, R + honest[position], 2**256 - 1, -1):  # r, an alias of the true value, extremes
            signals = list(honest)
            signals[position] = value
            with pytest.raises(FieldRangeError, match="public signal"):
                _check(_given(proof, signals), backend, pool)
        for value in (R - 1, 0):  # the largest and the smallest field element: well-formed, and wrong
            signals = list(honest)
            signals[position] = value
            assert _check(_given(proof, signals), backend, pool) is False


@pytest.mark.parametrize("position", range(4))
def test_reference_verifier_refuses_r_at_every_position(proof: MembershipProof, position: int) -> None:
    vkey = official_artifacts(proof.merkle_tree_depth).vkey()
    honest = proof.public_signals()
    for value in (R, R + honest[position]):
        signals = list(honest)
        signals[position] = value
        with pytest.raises(FieldRangeError, match="public signal"):
            verify_groth16(vkey, signals, proof.snarkjs_proof())
    signals = list(honest)
    signals[position] = R - 1
    assert verify_groth16(vkey, signals, proof.snarkjs_proof()) is False
    assert verify_groth16(vkey, [str(v) for v in honest], proof.snarkjs_proof()) is True
