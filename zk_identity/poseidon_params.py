"""Poseidon instances as circomlib uses them: x^5 S-box over BN254's scalar field, R_F = 8.

Constants are regenerated from the specification instead of shipped: the Grain LFSR of the Poseidon
paper (Appendix F) seeded with (field, S-box, n, t, R_F, R_P) gives (R_F + R_P) * t round constants by
rejection sampling, then the Cauchy MDS matrix M[i][j] = 1 / (x_i + y_j) from 2t further draws (§2.3,
reference script `create_mds_p`). Generation takes milliseconds per width and is cached per width.

The reference script also runs the invariant-subspace checks of Grassi, Rechberger, Schofnegger
("Proving resistance against infinitely long subspace trails", 2020) and redraws a matrix that fails.
We do not re-run those checks: for every circomlib width the first candidate is the published
matrix, which `tests/zk_identity/test_poseidon.py` confirms against poseidon-lite and circomlibjs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from .field import SNARK_SCALAR_FIELD
from .grain import FIELD_PRIME, SBOX_POWER, GrainSampler, seed_bits

P = SNARK_SCALAR_FIELD
FIELD_BITS = 254  # n = ceil(log2 r)
SBOX_EXPONENT = 5  # alpha = 5: the smallest alpha with gcd(alpha, r - 1) = 1 (Poseidon paper §2.3)
FULL_ROUNDS = 8
# Partial rounds for t = 2 .. 17 (inputs 1 .. 16): circomlib's table (poseidon.circom, N_ROUNDS_P),
# the Poseidon paper's round numbers for 128-bit security plus its 7.5% margin on R_P.
PARTIAL_ROUNDS = (56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68)
MIN_INPUTS, MAX_INPUTS = 1, len(PARTIAL_ROUNDS)

assert P.bit_length() == FIELD_BITS
assert (P - 1) % SBOX_EXPONENT != 0  # x^5 is a permutation of GF(r)


@dataclass(frozen=True)
class PoseidonParams:
    """One Poseidon permutation: width t = inputs + 1, its rounds, round constants and MDS matrix."""

    width: int
    full_rounds: int
    partial_rounds: int
    round_constants: tuple[tuple[int, ...], ...]  # one t-vector per round, added before the S-box
    mds: tuple[tuple[int, ...], ...]  # t x t, applied as new_state[i] = sum_j mds[i][j] * state[j]


def _cauchy_mds(sampler: GrainSampler, width: int) -> tuple[tuple[int, ...], ...]:
    """The reference script's first acceptable Cauchy matrix: 2t draws reduced mod r, all distinct,
    no x_i + y_j = 0 (otherwise draw again)."""
    while True:
        draws = [sampler.bits(FIELD_BITS) % P for _ in range(2 * width)]
        if len(set(draws)) != len(draws):
            continue
        xs, ys = draws[:width], draws[width:]
        if any((x + y) % P == 0 for x in xs for y in ys):
            continue
        return tuple(tuple(pow(x + y, -1, P) for y in ys) for x in xs)


@cache
def poseidon_params(width: int) -> PoseidonParams:
    """Parameters for state width `width` (2 .. 17), generated once per width from the Grain LFSR.

    Raises ValueError for an unsupported width.
    """
    if not MIN_INPUTS + 1 <= width <= MAX_INPUTS + 1:
        raise ValueError(f"Poseidon width must be in [{MIN_INPUTS + 1}, {MAX_INPUTS + 1}], got {width}")
    partial = PARTIAL_ROUNDS[width - 2]
    sampler = GrainSampler(seed_bits(FIELD_PRIME, SBOX_POWER, FIELD_BITS, width, FULL_ROUNDS, partial))
    flat = [sampler.field_element(FIELD_BITS, P) for _ in range((FULL_ROUNDS + partial) * width)]
    constants = tuple(tuple(flat[i : i + width]) for i in range(0, len(flat), width))
    return PoseidonParams(width, FULL_ROUNDS, partial, constants, _cauchy_mds(sampler, width))
