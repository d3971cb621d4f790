"""The native BN254 extension's portable C field code, under AddressSanitizer, against py_ecc.

On x86-64 the installed build adds and subtracts with inline assembly (bn254_field_x86.h), so the portable
`fe_add_c` / `fe_sub_c` that every other host runs are never executed by the other tests; and a loop that
runs one limb or one point too far (`i <= 4`, `i <= n`) reads or writes next to its buffer, which a result
only sometimes shows (the mutation campaign's survivors, tests/mutation/BASELINE.md, "C: the native BN254
extension"). Here the extension is built from zk_identity/native/ with -DBN254_NO_ASM and
-fsanitize=address, and a child Python (the sanitizer preloaded, Python's allocator off so that every
bytes object is its own heap block) checks fields, both groups, the multi-scalar multiplication, the zkey
point check and the pairing against py_ecc, and the refusals at the boundary.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

NATIVE = Path(__file__).resolve().parents[2] / "zk_identity" / "native"
SOURCES = (
    "bn254_module.c",
    "bn254_field.c",
    "bn254_curve.c",
    "bn254_msm.c",
    "bn254_ntt.c",
    "bn254_pairing.c",
    "groth16_prove.c",
)

CHILD = r"""
import importlib.util, random, sys
from py_ecc.optimized_bn128 import G1, G2, add, double, multiply, neg, normalize
from py_ecc.optimized_bn128 import curve_order as R, field_modulus as Q
spec = importlib.util.spec_from_file_location("_bn254", sys.argv[1])
ext = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ext)
assert not ext.use_adx(True)  # -DBN254_NO_ASM: the portable multiplication only
le = lambda x: x.to_bytes(32, "little")
num = lambda b: int.from_bytes(b, "little")
mont = lambda c: le(c * 2**256 % Q)
def g1b(p, m=False):
    x, y = normalize(p)
    return (mont if m else le)(x.n) + (mont if m else le)(y.n)
def g2b(p, m=False):
    x, y = normalize(p)
    return b"".join((mont if m else le)(c) for c in (*x.coeffs, *y.coeffs))
rnd = random.Random(254)
for modulus, mul, inv in ((Q, ext.fq_mul, ext.fq_inv), (R, ext.fr_mul, ext.fr_inv)):
    pairs = [(rnd.randrange(modulus), rnd.randrange(modulus)) for _ in range(50)]
    for a, b in [(modulus - 1, modulus - 1), (modulus - 1, 2), (1, 1)] + pairs:
        assert num(mul(le(a), le(b))) == a * b % modulus, (a, b)
        assert num(inv(le(a))) == (pow(a, -1, modulus) if a else 0), a
for _ in range(3):
    a, b, k = rnd.randrange(1, R), rnd.randrange(1, R), rnd.randrange(R)
    p, q = multiply(G1, a), multiply(G1, b)
    assert ext.g1_add(g1b(p), g1b(q)) == ext.g1_add_mixed(g1b(p), g1b(q)) == g1b(add(p, q))
    assert ext.g1_add(g1b(p), g1b(neg(p))) == bytes(64)  # P - P: the subtraction reaches zero
    assert ext.g1_double(g1b(p)) == g1b(double(p)) and ext.g1_mul(g1b(p), le(k)) == g1b(multiply(p, k))
    p, q = multiply(G2, a), multiply(G2, b)
    assert ext.g2_add(g2b(p), g2b(q)) == ext.g2_add_mixed(g2b(p), g2b(q)) == g2b(add(p, q))
    assert ext.g2_double(g2b(p)) == g2b(double(p)) and ext.g2_mul(g2b(p), le(k)) == g2b(multiply(p, k))
ks = [rnd.randrange(R) for _ in range(5)]
pts = [multiply(G1, rnd.randrange(1, R)) for _ in range(5)]
want = None
for p, k in zip(pts, ks):
    want = multiply(p, k) if want is None else add(want, multiply(p, k))
assert ext.msm(1, b"".join(g1b(p, True) for p in pts), b"".join(le(k) for k in ks), 2) == g1b(want)
qs = [multiply(G2, rnd.randrange(1, R)) for _ in range(3)]
want = add(add(multiply(qs[0], ks[0]), multiply(qs[1], ks[1])), multiply(qs[2], ks[2]))
assert ext.msm(2, b"".join(g2b(q, True) for q in qs), b"".join(le(k) for k in ks[:3]), 1) == g2b(want)
assert ext.check_points(b"".join(g1b(p, True) for p in pts) + bytes(64), 1) == -1
assert ext.check_points(g1b(pts[0], True) + mont(1) + mont(3), 1) == 1
assert ext.check_points(b"".join(g2b(q, True) for q in qs), 2) == -1
a, b = rnd.randrange(1, R), rnd.randrange(1, R)
g1s = g1b(multiply(G1, a)) + g1b(neg(multiply(G1, a * b % R)))
g2s = g2b(multiply(G2, b)) + g2b(G2)
assert ext.pairing_is_one(g1s, g2s) is True
assert ext.pairing_is_one(g1s[:64], g2s[:128]) is False
ab = [(rnd.randrange(1, R), rnd.randrange(1, R)) for _ in range(15)]  # sixteen pairs, none at infinity
g1s = b"".join(g1b(multiply(G1, a)) for a, _ in ab) + g1b(neg(multiply(G1, sum(a * b for a, b in ab) % R)))
g2s = b"".join(g2b(multiply(G2, b)) for _, b in ab) + g2b(G2)
assert ext.pairing_is_one(g1s, g2s) is True
for call in (
    lambda: ext.fq_mul(b"\1" * 31, le(1)),
    lambda: ext.fq_mul(le(1), b"\1" * 31),
    lambda: ext.g1_add(g1b(G1)[:-1], g1b(G1)),
    lambda: ext.g2_add(g2b(G2), g2b(G2)[:-1]),
    lambda: ext.g1_mul(g1b(G1), b"\1" * 31),
    lambda: ext.check_points(bytes(65), 1),
    lambda: ext.msm(1, g1b(G1, True) * 2, le(1), 1),
    lambda: ext.pairing_is_one(g1s, g2s[:128]),
    lambda: ext.pairing_is_one(g1s[:64] + b"\0", g2s[:128]),
):
    try:
        call()
    except ValueError:
        continue
    raise AssertionError("a malformed call was not refused")
print("ok")
"""


def _asan_runtime(compiler: str) -> str | None:
    found = subprocess.run(
        [compiler, "-print-file-name=libasan.so"], capture_output=True, text=True, timeout=30, check=False
    ).stdout.strip()
    return found if os.path.isabs(found) and os.path.exists(found) else None


def test_the_portable_field_code_agrees_with_py_ecc_and_stays_in_bounds(tmp_path: Path) -> None:
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    runtime = _asan_runtime(compiler) if shutil.which(compiler) else None
    if runtime is None:
        pytest.skip(f"no {compiler} with AddressSanitizer's runtime (libasan.so) on this machine")
    built = tmp_path / f"_bn254{sysconfig.get_config_var('EXT_SUFFIX')}"
    command = [compiler, "-O1", "-g", "-fsanitize=address", "-fno-omit-frame-pointer", "-std=gnu11"]
    command += ["-DBN254_NO_ASM", "-pthread", "-fPIC", "-shared", f"-I{sysconfig.get_paths()['include']}"]
    command += [str(NATIVE / name) for name in SOURCES] + ["-o", str(built)]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    env = dict(os.environ, LD_PRELOAD=runtime, ASAN_OPTIONS="detect_leaks=0", PYTHONMALLOC="malloc")
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(built)], capture_output=True, text=True, timeout=300, env=env
    )
    assert "AddressSanitizer" not in child.stderr, child.stderr[-3000:]
    assert child.returncode == 0, child.stderr[-3000:]
    assert child.stdout.split() == ["ok"]
