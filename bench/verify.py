"""Benchmark: one Groth16 membership-proof verification, the native C pairing against the pure-Python
reference (py_ecc) and snarkjs in the node worker, measured in the same run on the same proof.

    .venv/bin/python bench/verify.py [--depth 20] [--repeats 200] [--json]

Every backend validates first (ranges, curve and G2-subgroup membership); the figures are medians of
wall milliseconds on this process (the node path includes the round trip to its worker). Also timed:
the four-pair pairing product alone, the part of the native path the C pairing code owns.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from timing import median_ms

from zk_identity import Identity, LeanIMT, ProvingSetup, bn254_native, prove, verify
from zk_identity.groth16_verify import check_public, parse_groth16, parse_vkey
from zk_identity.proving_setup import DEFAULT_SETUP


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not bn254_native.AVAILABLE:
        raise SystemExit(f"the native extension is not built ({bn254_native.IMPORT_ERROR}); run `make setup`")
    members = [Identity(f"bench-verify-{i}".encode()) for i in range(8)]
    group = LeanIMT([m.commitment for m in members])
    proof = prove(members[3], group, "scope", "message", depth=args.depth)
    if not (
        verify(proof, setup=ProvingSetup(verifier="native"))
        and verify(proof, setup=ProvingSetup(verifier="py_ecc"))
    ):
        raise SystemExit("the proof does not verify: nothing to measure")

    key = parse_vkey(dict(DEFAULT_SETUP.verification_key(proof.merkle_tree_depth)))
    groth16 = parse_groth16(proof.snarkjs_proof())
    public = check_public(key, proof.public_signals())
    vk_x = bn254_native.g1_add(key.ic[0], bn254_native.msm_g1(key.ic[1:], public, threads=1))
    pairs = [
        ((groth16.a[0], (-groth16.a[1]) % bn254_native.Q), groth16.b),
        (key.alpha, key.beta),
        (vk_x, key.gamma),
        (groth16.c, key.delta),
    ]
    result = {
        "depth": args.depth,
        "py_ecc_ms": median_ms(lambda: verify(proof, setup=ProvingSetup(verifier="py_ecc")), 3),
        "node_ms": median_ms(
            lambda: verify(proof, setup=ProvingSetup(verifier="node")), max(10, args.repeats // 10)
        ),
        "native_ms": median_ms(lambda: verify(proof, setup=ProvingSetup(verifier="native")), args.repeats),
        "pairing_product_ms": median_ms(lambda: bn254_native.pairing_product_is_one(pairs), args.repeats),
    }
    result["native_vs_py_ecc"] = result["py_ecc_ms"] / result["native_ms"]
    result["native_vs_node"] = result["node_ms"] / result["native_ms"]
    result = {k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()}
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"verify (depth {args.depth}): py_ecc {result['py_ecc_ms']:.0f} ms, "
            f"node {result['node_ms']:.1f} ms, "
            f"native {result['native_ms']:.2f} ms ({result['native_vs_py_ecc']:.0f}x py_ecc, "
            f"{result['native_vs_node']:.1f}x node); the 4-pair pairing product alone "
            f"{result['pairing_product_ms']:.2f} ms"
        )


if __name__ == "__main__":
    main()
