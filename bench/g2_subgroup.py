"""The G2 subgroup check a verifier runs on every proof and key point: the pure-Python [r]Q loop against
the native extension's, measured in the same run (the API checks 4 G2 points per request).

    .venv/bin/python bench/g2_subgroup.py [--repeats 30] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from timing import median_ms

from zk_identity import bn254_native
from zk_identity.artifacts import official_artifacts
from zk_identity.bn254_checks import g2_in_subgroup, g2_in_subgroup_py


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not bn254_native.AVAILABLE:
        raise SystemExit(f"the native extension is not built ({bn254_native.IMPORT_ERROR}); run `make setup`")
    vkey = official_artifacts(2).vkey()
    point = tuple(tuple(int(c) for c in p) for p in vkey["vk_delta_2"][:2])
    python_ms = median_ms(lambda: g2_in_subgroup_py(point), args.repeats)
    native_ms = median_ms(lambda: g2_in_subgroup(point), args.repeats)
    result = {
        "python_ms": round(python_ms, 3),
        "native_ms": round(native_ms, 3),
        "ratio": round(python_ms / native_ms, 1),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"G2 subgroup check: Python {python_ms:.2f} ms, native {native_ms:.3f} ms ({result['ratio']}x)")


if __name__ == "__main__":
    main()
