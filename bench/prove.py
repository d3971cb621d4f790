"""Benchmark: membership proving and verifying, persistent worker vs a fresh snarkjs process.

    .venv/bin/python bench/prove.py                 # depths 16 20 32, 5 proofs each
    .venv/bin/python bench/prove.py --depths 20 --repeats 9 --json

Measures, in one run so the ratios compare like with like (official Semaphore v4 artifacts):
  * median proof time per depth: the warm node worker, and `snarkjs groth16 fullprove` as a
    fresh process (the naive baseline), and their ratio; also CPU seconds per proof (from
    /proc and getrusage), which stays meaningful when other jobs share the cores;
  * median verify time (depth 20): py_ecc reference vs the node fast path (both validate first);
  * pool throughput (proofs/s) with 1 worker and with one per CPU;
  * constraint counts of our own membership circuit at the same depths (circom --O2 and --O1).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from zk_identity import Identity, LeanIMT, ProverPool, prove, verify
from zk_identity.circom import compile_membership
from zk_identity.node_tools import PROJECT_ROOT


def _median_s(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _process_cpu_s(pid: int) -> float:
    """CPU seconds (user + system, all threads) a running process has used, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _cpu_per_call(fn, repeats: int, meter) -> float:
    """Mean CPU seconds per call as seen by `meter` (load-independent, unlike wall time)."""
    before = meter()
    for _ in range(repeats):
        fn()
    return (meter() - before) / repeats


def _throughput(pool: ProverPool, member: Identity, group: LeanIMT, depth: int, count: int) -> float:
    with ThreadPoolExecutor(max_workers=pool.size) as executor:
        list(
            executor.map(lambda i: prove(member, group, i, 1, depth=depth, pool=pool), range(pool.size))
        )  # warm
        start = time.perf_counter()
        list(executor.map(lambda i: prove(member, group, i, 1, depth=depth, pool=pool), range(count)))
        return count / (time.perf_counter() - start)


def run(depths: list[int], repeats: int, cache_dir: Path) -> dict:
    members = [Identity(f"bench-{i}".encode()) for i in range(20)]
    group = LeanIMT([m.commitment for m in members])
    member = members[7]
    results: dict = {"cpus": os.cpu_count(), "repeats": repeats, "prove": {}, "constraints": {}}
    with ProverPool(size=1) as pool:
        for depth in depths:
            prove(member, group, "warm-up", 1, depth=depth, pool=pool)
            worker = _median_s(lambda d=depth: prove(member, group, "m", 1, depth=d, pool=pool), repeats)
            fresh = _median_s(lambda d=depth: prove(member, group, "m", 1, depth=d, backend="cli"), repeats)
            [pid] = pool.pids()
            worker_cpu = _cpu_per_call(
                lambda d=depth: prove(member, group, "m", 1, depth=d, pool=pool),
                repeats,
                lambda p=pid: _process_cpu_s(p),
            )
            fresh_cpu = _cpu_per_call(
                lambda d=depth: prove(member, group, "m", 1, depth=d, backend="cli"), repeats, _children_cpu_s
            )
            results["prove"][depth] = {
                "worker_s": worker,
                "fresh_cli_s": fresh,
                "speedup": fresh / worker,
                "worker_cpu_s": worker_cpu,
                "fresh_cli_cpu_s": fresh_cpu,
                "cpu_ratio": fresh_cpu / worker_cpu,
            }
            print(f"prove depth {depth}: worker {worker * 1000:.0f} ms, fresh CLI {fresh * 1000:.0f} ms "
                  f"({fresh / worker:.2f}x)", file=sys.stderr, flush=True)  # fmt: skip
        proof = prove(member, group, "m", 1, depth=20, pool=pool)
        verify(proof, backend="node", pool=pool)  # warm
        results["verify_depth20"] = {
            "py_ecc_s": _median_s(lambda: verify(proof), max(3, repeats // 2)),
            "node_s": _median_s(lambda: verify(proof, backend="node", pool=pool), repeats * 4),
        }
        print(f"verify: {results['verify_depth20']}", file=sys.stderr, flush=True)
    count = max(4, repeats * 2)
    results["throughput_depth20"] = {}
    for size in sorted({1, os.cpu_count() or 1}):
        with ProverPool(size=size) as pool:
            results["throughput_depth20"][size] = _throughput(pool, member, group, 20, count)
        print(
            f"pool of {size}: {results['throughput_depth20'][size]:.2f} proofs/s", file=sys.stderr, flush=True
        )
    for depth in depths:
        o2 = compile_membership(depth, cache_dir).constraints
        o1 = compile_membership(depth, cache_dir, optimization="--O1").constraints
        results["constraints"][depth] = {"O2": o2, "O1": o1}
    return results


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--depths", type=int, nargs="+", default=[16, 20, 32])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cache-dir", type=Path, default=PROJECT_ROOT / ".cache")
    parser.add_argument("--json", action="store_true", help="print the raw results as JSON")
    args = parser.parse_args()
    results = run(args.depths, args.repeats, args.cache_dir)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"{results['cpus']} CPUs, median of {results['repeats']}")
    print("| depth | worker wall / CPU (ms) | fresh snarkjs CLI wall / CPU (ms) | speed-up wall / CPU "
          "| ours --O2 / --O1 |")  # fmt: skip
    print("|---|---|---|---|---|")
    for depth, row in results["prove"].items():
        c = results["constraints"][depth]
        print(f"| {depth} | {row['worker_s'] * 1000:.0f} / {row['worker_cpu_s'] * 1000:.0f} "
              f"| {row['fresh_cli_s'] * 1000:.0f} / {row['fresh_cli_cpu_s'] * 1000:.0f} "
              f"| {row['speedup']:.2f}x / {row['cpu_ratio']:.2f}x | {c['O2']:,} / {c['O1']:,} |")  # fmt: skip
    v = results["verify_depth20"]
    print(f"\nverify (depth 20): py_ecc {v['py_ecc_s'] * 1000:.0f} ms, node {v['node_s'] * 1000:.1f} ms")
    for size, rate in results["throughput_depth20"].items():
        print(f"pool of {size} worker(s): {rate:.2f} proofs/s (depth 20)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
