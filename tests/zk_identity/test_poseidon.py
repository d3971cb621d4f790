"""Poseidon: Grain-generated constants and hash values against circomlibjs and poseidon-lite (run live)."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zk_identity import FieldRangeError, poseidon
from zk_identity.field import SNARK_SCALAR_FIELD as R
from zk_identity.poseidon_params import MAX_INPUTS, poseidon_params
from zk_identity.poseidon_reference import poseidon_reference

pytestmark = pytest.mark.node

CIRCOMLIBJS_CONSTANTS = """
import constants from './node_modules/circomlibjs/src/poseidon_constants.js';
const dec = (x) => BigInt(x).toString();
console.log(JSON.stringify({C: constants.C.map((row) => row.map(dec)),
                            M: constants.M.map((m) => m.map((row) => row.map(dec)))}));
"""

PEERS_HASH = """
import * as lite from 'poseidon-lite';
import { buildPoseidonReference } from 'circomlibjs';
const reference = await buildPoseidonReference();
const vectors = JSON.parse(process.argv[1]).map((v) => v.map(BigInt));
console.log(JSON.stringify(vectors.map((v) => [
  lite['poseidon' + v.length](v).toString(),
  reference.F.toObject(reference(v)).toString(),
])));
"""


def test_grain_constants_and_mds_equal_circomlibjs_tables(run_node) -> None:
    tables = run_node(CIRCOMLIBJS_CONSTANTS)
    for n_inputs in range(1, MAX_INPUTS + 1):
        params = poseidon_params(n_inputs + 1)
        flat = [str(c) for row in params.round_constants for c in row]
        assert flat == tables["C"][n_inputs - 1], f"round constants differ for t={n_inputs + 1}"
        assert [[str(x) for x in row] for row in params.mds] == tables["M"][n_inputs - 1]


def _vectors() -> list[list[int]]:
    rng = random.Random()  # fresh inputs every run; the peers are the oracle
    out: list[list[int]] = []
    for n in range(1, MAX_INPUTS + 1):
        out.append([0] * n)
        out.append([R - 1] * n)
        out.append([rng.choice((0, 1, R - 1, R - 2)) for _ in range(n)])
        out.extend([rng.randrange(R) for _ in range(n)] for _ in range(4))
    return out


def test_poseidon_equals_poseidon_lite_and_circomlibjs_for_every_width(run_node) -> None:
    vectors = _vectors()
    peers = run_node(PEERS_HASH, json.dumps([[str(x) for x in v] for v in vectors]))
    for vector, (lite, reference) in zip(vectors, peers, strict=True):
        ours = poseidon(vector)
        assert str(ours) == lite == reference, vector


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, R - 1), min_size=1, max_size=MAX_INPUTS))
def test_fast_form_equals_textbook_permutation(inputs: list[int]) -> None:
    assert poseidon(inputs) == poseidon_reference(inputs)


@pytest.mark.parametrize("hash_fn", [poseidon, poseidon_reference])
def test_field_boundary(hash_fn) -> None:
    assert 0 <= hash_fn([R - 1, R - 1]) < R
    with pytest.raises(FieldRangeError):
        hash_fn([R, 1])
    with pytest.raises(ValueError, match="must be in"):
        hash_fn([1, R + 5])
    with pytest.raises(FieldRangeError):
        hash_fn([-1])


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        ([], ValueError),
        (list(range(MAX_INPUTS + 1)), ValueError),
        ([True, 1], TypeError),
        ([1.0], TypeError),
        (["1"], TypeError),
        (b"\x01\x02", TypeError),
        (7, TypeError),
    ],
)
def test_bad_inputs_raise(bad, error) -> None:
    with pytest.raises(error):
        poseidon(bad)


def test_output_is_a_plain_int() -> None:
    assert type(poseidon([1, 2])) is int
    assert type(poseidon([1, 2, 3])) is int
