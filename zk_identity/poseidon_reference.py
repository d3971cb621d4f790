"""Poseidon exactly as specified, round by round: the slow, obviously-correct definition.

Poseidon paper §2 (HADES design): R_F/2 full rounds, R_P partial rounds, R_F/2 full rounds; each round
adds its constants (ARK), applies x^5 to every cell (full) or to cell 0 only (partial), then mixes
with the MDS matrix. circomlib's sponge: state = [0, inputs...], output state[0] after one permutation.
The fast path in `poseidon.py` is tested against this.
"""

from __future__ import annotations

from collections.abc import Sequence

from .field import SNARK_SCALAR_FIELD, require_field_elements
from .poseidon_params import MAX_INPUTS, MIN_INPUTS, SBOX_EXPONENT, poseidon_params

P = SNARK_SCALAR_FIELD


def permute_reference(state: Sequence[int]) -> list[int]:
    """The Poseidon permutation of a width-t state (t = 2 .. 17), textbook order; returns the new state."""
    params = poseidon_params(len(state))
    half = params.full_rounds // 2
    state = list(state)
    for r, constants in enumerate(params.round_constants):
        state = [(s + c) % P for s, c in zip(state, constants, strict=True)]
        if r < half or r >= half + params.partial_rounds:
            state = [pow(s, SBOX_EXPONENT, P) for s in state]
        else:
            state[0] = pow(state[0], SBOX_EXPONENT, P)
        state = [sum(m * s for m, s in zip(row, state, strict=True)) % P for row in params.mds]
    return state


def poseidon_reference(inputs: Sequence[int]) -> int:
    """circomlib Poseidon of 1 .. 16 field elements, computed by the textbook permutation."""
    values = require_field_elements(inputs)
    if not MIN_INPUTS <= len(values) <= MAX_INPUTS:
        raise ValueError(f"Poseidon takes {MIN_INPUTS} to {MAX_INPUTS} inputs, got {len(values)}")
    return permute_reference([0, *values])[0]
