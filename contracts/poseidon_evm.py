"""Generate the EVM bytecode of a Poseidon(2) hashing contract (width 3, circomlib's parameters).

The permutation is emitted in the Poseidon paper's Appendix B form from `zk_identity.poseidon_optimized`
(constants regenerated from the specification's Grain LFSR): partial rounds add one constant and mix
with a sparse matrix (5 multiplications instead of 9), so the chain hashes exactly as
`zk_identity.poseidon`, circomlib and Semaphore's LeanIMT, for about half the gas of the textbook form.
The bytecode is generated at build time, never committed.

Interface: call with exactly 64 bytes of calldata, the two inputs (each a canonical field element
< r, which the caller guarantees); the 32-byte hash is returned. Other lengths revert.

Gas: the state lives on the stack with r below it. BN254's r < 2^254, so four values < r add without
overflowing 256 bits: full-round mixes use plain ADD and let the next MULMOD reduce (after a dense mix
every word is < 3r, after a round constant < 4r). Cells a sparse round never S-boxes are kept reduced
(ADDMOD), since they would otherwise grow every round. Only the output is reduced with MOD. The two dense
matrices sit in memory (PUSH1 + MLOAD); per-round constants are pushed. The last round computes only the
output word. The code stays under EIP-170's 24,576 bytes.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from zk_identity.field import SNARK_SCALAR_FIELD
from zk_identity.poseidon_optimized import SparseRound, optimized_params

WIDTH = 3  # capacity word + two inputs: the hash of a Merkle node's two children
_MDS_AT, _LAST_PARTIAL_AT = 0x000, 0x120  # memory offsets of the two dense 3x3 matrices
assert 4 * SNARK_SCALAR_FIELD < 2**256  # the lazy-reduction bound above

_OP = {"STOP": 0x00, "ADD": 0x01, "ADDMOD": 0x08, "MULMOD": 0x09, "MOD": 0x06, "EQ": 0x14, "POP": 0x50,
       "MLOAD": 0x51, "MSTORE": 0x52, "JUMPI": 0x57, "JUMPDEST": 0x5B, "PUSH0": 0x5F, "CALLDATALOAD": 0x35,
       "CALLDATASIZE": 0x36, "CODECOPY": 0x39, "RETURN": 0xF3, "REVERT": 0xFD}  # fmt: skip


class _Assembler:
    """Straight-line EVM code with a symbolic stack, so every DUP/SWAP depth is computed, not hand-counted."""

    def __init__(self) -> None:
        self.code = bytearray()
        self.stack: list[str] = []  # bottom .. top

    def op(self, name: str, pops: int = 0, pushes: str | None = None) -> None:
        self.code.append(_OP[name])
        del self.stack[len(self.stack) - pops :]
        if pushes is not None:
            self.stack.append(pushes)

    def push(self, value: int, label: str = "const") -> None:
        if value == 0:
            self.op("PUSH0", pushes=label)
            return
        size = (value.bit_length() + 7) // 8
        self.code += bytes([0x5F + size]) + value.to_bytes(size, "big")
        self.stack.append(label)

    def dup(self, label: str) -> None:
        depth = len(self.stack) - max(i for i, x in enumerate(self.stack) if x == label)
        assert 1 <= depth <= 16, f"{label} is out of DUP reach"
        self.code.append(0x7F + depth)
        self.stack.append(label)

    def swap(self, depth: int) -> None:
        self.code.append(0x8F + depth)
        s = self.stack
        s[-1], s[-1 - depth] = s[-1 - depth], s[-1]


def _sbox(asm: _Assembler, name: str) -> None:
    """x -> x^5 for the word on top of the stack (reduced mod r)."""
    asm.dup("p")
    asm.dup(name)
    asm.dup(name)
    asm.op("MULMOD", 3, "x2")
    asm.dup("p")
    asm.swap(1)
    asm.dup("x2")
    asm.op("MULMOD", 3, "x4")
    asm.dup("p")
    asm.swap(2)
    asm.op("MULMOD", 3, name)


def _dense_row(asm: _Assembler, matrix_at: int, row: int, out: str) -> None:
    """Push out = sum_j M[row][j] * s_j for the matrix stored at memory `matrix_at` (sum < 3r)."""
    for j in range(WIDTH):
        asm.dup("p")
        asm.dup(f"s{j}")
        asm.push(matrix_at + (row * WIDTH + j) * 32, "off")
        asm.op("MLOAD", 1, "m")
        asm.op("MULMOD", 3, out if j == 0 else "term")
        if j:
            asm.op("ADD", 2, out)


def _sparse_row(asm: _Assembler, sparse: SparseRound, row: int, out: str) -> None:
    """Push row `row` of a sparse partial-round mix: first_row . s for row 0 (sum < 3r), else
    s_row + column[row - 1] * s0 reduced (ADDMOD: these cells are never S-boxed, so they must not grow)."""
    if row == 0:
        for j, factor in enumerate(sparse.first_row):
            asm.dup("p")
            asm.dup(f"s{j}")
            asm.push(factor)
            asm.op("MULMOD", 3, out if j == 0 else "term")
            if j:
                asm.op("ADD", 2, out)
        return
    asm.dup("p")
    asm.dup(f"s{row}")
    asm.dup("p")
    asm.dup("s0")
    asm.push(sparse.column[row - 1])
    asm.op("MULMOD", 3, "term")
    asm.op("ADDMOD", 3, out)


@dataclass(frozen=True)
class _Round:
    """One round of the Appendix B form: add `constants`, S-box the first `sboxes` cells, then mix."""

    constants: tuple[int, ...]
    sboxes: int
    dense_at: int | None  # memory offset of a dense matrix, or None for a sparse round
    sparse: SparseRound | None = None


def _rounds() -> list[_Round]:
    opt = optimized_params(WIDTH)
    zero = (0,) * (WIDTH - 1)
    rounds = [_Round(c, WIDTH, _MDS_AT) for c in opt.first_full]
    rounds += [_Round((r.constant, *zero), 1, None, r) for r in opt.sparse_rounds]
    rounds.append(_Round((opt.last_partial_constant, *zero), 1, _LAST_PARTIAL_AT))
    rounds += [_Round(c, WIDTH, _MDS_AT) for c in opt.last_full]
    return rounds


def runtime_code() -> bytes:
    """The deployed code of the Poseidon(2) contract."""
    opt = optimized_params(WIDTH)
    rounds = _rounds()
    asm = _Assembler()
    asm.push(64)
    asm.op("CALLDATASIZE", pushes="size")
    asm.op("EQ", 2, "ok")
    asm.push(0xFFFF, "dest")  # patched below
    dest_at = len(asm.code) - 2
    asm.op("JUMPI", 2)
    asm.op("PUSH0", pushes="z")
    asm.op("PUSH0", pushes="z")
    asm.op("REVERT", 2)
    asm.code[dest_at : dest_at + 2] = len(asm.code).to_bytes(2, "big")
    asm.op("JUMPDEST")
    for base, matrix in ((_MDS_AT, opt.mds), (_LAST_PARTIAL_AT, opt.last_partial_mds)):
        for i, row in enumerate(matrix):
            for j, value in enumerate(row):
                asm.push(value)
                asm.push(base + (i * WIDTH + j) * 32)
                asm.op("MSTORE", 2)
    asm.push(SNARK_SCALAR_FIELD, "p")
    # Round 0's constants and S-boxes on the initial state (0, a, b).
    for i, c in enumerate(rounds[0].constants):
        if i == 0:
            asm.push(c, "s0")
        else:
            asm.push(32 * (i - 1), "off")
            asm.op("CALLDATALOAD", 1, "in")
            asm.push(c)
            asm.op("ADD", 2, f"s{i}")
        if i < rounds[0].sboxes:
            _sbox(asm, f"s{i}")
    # Each round's mix, fused with the next round's constants and S-boxes.
    for here, after in itertools.pairwise(rounds):
        for i, c in enumerate(after.constants):
            if here.dense_at is not None:
                _dense_row(asm, here.dense_at, i, f"n{i}")
            else:
                assert here.sparse is not None
                _sparse_row(asm, here.sparse, i, f"n{i}")
            if c:
                asm.push(c)
                asm.op("ADD", 2, f"n{i}")
            if i < after.sboxes:
                _sbox(asm, f"n{i}")
        for _ in range(WIDTH):  # (p s0 s1 s2 n0 n1 n2) -> (p n0 n1 n2)
            asm.swap(WIDTH)
            asm.op("POP", 1)
        asm.stack[-WIDTH:] = [f"s{i}" for i in range(WIDTH)]
    assert rounds[-1].dense_at is not None
    _dense_row(asm, rounds[-1].dense_at, 0, "out")  # the last round: only the first word is the hash
    asm.dup("p")
    asm.swap(1)
    asm.op("MOD", 2, "h")
    asm.op("PUSH0", pushes="z")
    asm.op("MSTORE", 2)
    asm.push(32)
    asm.op("PUSH0", pushes="z")
    asm.op("RETURN", 2)
    return bytes(asm.code)


def creation_code() -> bytes:
    """Init code that deploys `runtime_code()` (copies it to memory and returns it)."""
    runtime = runtime_code()
    assert len(runtime) <= 24_576, "EIP-170 code size limit"
    # PUSH2 len, DUP1, PUSH1 10, PUSH0, CODECOPY, PUSH0, RETURN  (10 bytes)
    init = bytes([0x61]) + len(runtime).to_bytes(2, "big") + bytes([0x80, 0x60, 10, 0x5F, 0x39, 0x5F, 0xF3])
    assert len(init) == 10
    return init + runtime
