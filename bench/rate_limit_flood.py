"""A flood of fresh client keys within one window (rotating addresses): how many keys and how much memory
a rate limiter holds afterwards. Ours (governance.RateLimiter, bounded table) against the storage that
Flask-Limiter uses (`limits` MemoryStorage, moving window), in the same run, when `limits` is importable.

    .venv/bin/python bench/rate_limit_flood.py [--keys 100000] [--limits-path DIR] [--json]

`limits` is not a dependency of the project: install it beside, e.g.
`pip install --target /tmp/flt flask-limiter==4.1.1` and pass `--limits-path /tmp/flt`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from governance.rate_limit import RateLimit, RateLimiter


def _flood(hit: Callable[[str], object], keys: int) -> tuple[float, float]:
    """(traced MiB held after the flood, µs per hit) for `keys` distinct client keys, one hit each."""
    tracemalloc.start()
    started = time.perf_counter()
    for i in range(keys):
        hit(f"198.51.{i // 256}.{i % 256}")
    elapsed = time.perf_counter() - started
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return held / 2**20, elapsed / keys * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=100_000)
    parser.add_argument("--limits-path", type=Path, help="a directory where `limits` is installed")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    ours = RateLimiter(RateLimit(60, 60.0))
    mib, us = _flood(ours.hit, args.keys)
    results["governance.RateLimiter"] = {"keys_held": len(ours), "mib": mib, "us_per_hit": us}
    if args.limits_path:
        sys.path.insert(0, str(args.limits_path))
    try:
        import limits
        from limits import parse, storage, strategies
    except ImportError:
        print("limits is not importable: only our limiter measured (see --limits-path)", file=sys.stderr)
    else:
        store = storage.MemoryStorage()
        limiter, item = strategies.MovingWindowRateLimiter(store), parse("60/minute")
        try:
            mib, us = _flood(lambda key: limiter.hit(item, key), args.keys)
            name = f"limits {limits.__version__} MemoryStorage"
            results[name] = {"keys_held": len(store.events), "mib": mib, "us_per_hit": us}
        finally:
            store.timer.cancel()
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{args.keys:,} fresh keys in one 60 s window, 60 requests each allowed:")
    base = results["governance.RateLimiter"]["mib"]
    for name, r in results.items():
        held, mib, us = r["keys_held"], r["mib"], r["us_per_hit"]
        print(f"  {name:34s} keys {held:>7,.0f}  memory {mib:6.1f} MiB ({mib / base:.1f}×)  {us:.1f} µs/hit")


if __name__ == "__main__":
    main()
