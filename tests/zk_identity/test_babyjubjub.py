"""Baby Jubjub (EIP-2494): group laws, subgroup and curve checks, and agreement with @zk-kit/baby-jubjub."""

from __future__ import annotations

import itertools
import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zk_identity import PointError, babyjubjub
from zk_identity.babyjubjub import (
    BASE8,
    GENERATOR,
    IDENTITY,
    SUBGROUP_ORDER,
    add,
    in_subgroup,
    is_on_curve,
    mul,
)
from zk_identity.field import SNARK_SCALAR_FIELD as R

PEER = """
import { Base8, addPoint, mulPointEscalar, inCurve, subOrder, order } from '@zk-kit/baby-jubjub';
const scalars = JSON.parse(process.argv[1]).map(BigInt);
const s = (p) => p.map(String);
const points = scalars.map((k) => mulPointEscalar(Base8, k));
console.log(JSON.stringify({
  subOrder: subOrder.toString(), order: order.toString(), base8: s(Base8),
  points: points.map(s),
  sums: points.slice(1).map((p, i) => s(addPoint(points[i], p))),
  inCurve: [inCurve(Base8), inCurve([1n, 1n])],
}));
"""

scalars = st.integers(0, SUBGROUP_ORDER - 1)


@pytest.mark.node
def test_agrees_with_zk_kit_baby_jubjub(run_node) -> None:
    rng = random.Random()
    ks = [0, 1, 2, SUBGROUP_ORDER - 1, SUBGROUP_ORDER, *(rng.randrange(1 << 256) for _ in range(12))]
    js = run_node(PEER, json.dumps([str(k) for k in ks]))
    assert int(js["subOrder"]) == SUBGROUP_ORDER and int(js["order"]) == babyjubjub.CURVE_ORDER
    assert tuple(map(int, js["base8"])) == BASE8
    points = [mul(BASE8, k) for k in ks]
    assert [[str(c) for c in p] for p in points] == js["points"]
    assert [[str(c) for c in add(a, b)] for a, b in itertools.pairwise(points)] == js["sums"]
    assert [is_on_curve(BASE8), is_on_curve((1, 1))] == js["inCurve"]


@settings(max_examples=25, deadline=None)
@given(scalars, scalars)
def test_scalar_multiplication_is_a_homomorphism(a: int, b: int) -> None:
    assert add(mul(BASE8, a), mul(BASE8, b)) == mul(BASE8, (a + b) % SUBGROUP_ORDER)
    assert mul(mul(BASE8, a), b) == mul(BASE8, a * b % SUBGROUP_ORDER)


@settings(max_examples=25, deadline=None)
@given(scalars)
def test_identity_negation_and_subgroup(a: int) -> None:
    p = mul(BASE8, a)
    assert add(p, IDENTITY) == p
    assert add(p, babyjubjub.negate(p)) == IDENTITY
    assert is_on_curve(p) and in_subgroup(p)


def test_generator_is_outside_the_subgroup_but_eight_times_it_is_base8() -> None:
    assert is_on_curve(GENERATOR) and not in_subgroup(GENERATOR)
    assert mul(GENERATOR, 8) == BASE8
    assert mul(BASE8, SUBGROUP_ORDER) == IDENTITY


def test_bad_points_and_scalars() -> None:
    assert not is_on_curve((1, 1))
    assert not is_on_curve((BASE8[0] + R, BASE8[1]))  # same point mod r, but not canonical
    with pytest.raises(PointError):
        add((1, 1), BASE8)
    with pytest.raises(PointError):
        mul((BASE8[0], BASE8[1] + R), 2)
    with pytest.raises(PointError, match="subgroup"):
        babyjubjub.require_point(GENERATOR, subgroup=True)
    with pytest.raises(TypeError):
        is_on_curve((True, 1))
    with pytest.raises(TypeError):
        is_on_curve((1, 2, 3))
    with pytest.raises(ValueError):
        mul(BASE8, -1)
    with pytest.raises(TypeError):
        mul(BASE8, 2.0)  # type: ignore[arg-type]
