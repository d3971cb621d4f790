"""Benchmark: membership proving and verifying, native prover vs persistent worker vs a fresh snarkjs.

    .venv/bin/python bench/prove.py                 # depths 16 20 32, 5 proofs each
    .venv/bin/python bench/prove.py --depths 20 --repeats 9 --json

Measures, in one run so the ratios compare like with like (official Semaphore v4 artifacts):
  * median proof time per depth: the native C prover (witness in the node worker, proof in this
    process), the warm node worker (snarkjs as a library), and `snarkjs groth16 fullprove` as a
    fresh process (the naive baseline), and the ratios to the baseline; also CPU seconds per proof
    (from /proc, process_time and getrusage; native = this process + the worker's witness), which
    stays meaningful when other jobs share the cores;
  * median verify time (depth 20): py_ecc reference vs the node path vs the native C pairing
    (all validate first);
  * throughput (proofs/s, depth 20) of the worker backend with 1 worker and with one per CPU,
    and of the native backend called from as many Python threads;
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

from zk_identity import Identity, LeanIMT, ProverPool, ProvingSetup, bn254_native, prove, verify
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


def _throughput(
    pool: ProverPool, member: Identity, group: LeanIMT, depth: int, count: int, backend: str
) -> float:
    def one(i: int) -> object:
        return prove(member, group, i, 1, depth=depth, setup=ProvingSetup(pool=pool, prover=backend))

    with ThreadPoolExecutor(max_workers=pool.size) as executor:
        list(executor.map(one, range(pool.size)))  # warm
        start = time.perf_counter()
        list(executor.map(one, range(count)))
        return count / (time.perf_counter() - start)


def run(depths: list[int], repeats: int, cache_dir: Path) -> dict:
    members = [Identity(f"bench-{i}".encode()) for i in range(20)]
    group = LeanIMT([m.commitment for m in members])
    member = members[7]
    native = bn254_native.AVAILABLE
    results: dict = {
        "cpus": os.cpu_count(),
        "repeats": repeats,
        "native": native,
        "prove": {},
        "constraints": {},
    }
    if not native:
        print(f"native prover unavailable: {bn254_native.IMPORT_ERROR}", file=sys.stderr, flush=True)
    with ProverPool(size=1) as pool:
        for depth in depths:

            def run_with(backend: str, d: int = depth) -> object:
                return prove(member, group, "m", 1, depth=d, setup=ProvingSetup(pool=pool, prover=backend))

            run_with("worker")  # warm: keys loaded, wasm compiled
            [pid] = pool.pids()
            row: dict = {}
            if native:
                run_with("native")
                row["native_s"] = _median_s(lambda: run_with("native"), repeats)
                row["native_cpu_s"] = _cpu_per_call(
                    lambda: run_with("native"), repeats, lambda p=pid: time.process_time() + _process_cpu_s(p)
                )
            row["worker_s"] = _median_s(lambda: run_with("worker"), repeats)
            row["fresh_cli_s"] = _median_s(lambda: run_with("cli"), repeats)
            row["worker_cpu_s"] = _cpu_per_call(
                lambda: run_with("worker"), repeats, lambda p=pid: _process_cpu_s(p)
            )
            row["fresh_cli_cpu_s"] = _cpu_per_call(lambda: run_with("cli"), repeats, _children_cpu_s)
            row["speedup"] = row["fresh_cli_s"] / row["worker_s"]
            row["cpu_ratio"] = row["fresh_cli_cpu_s"] / row["worker_cpu_s"]
            if native:
                row["native_speedup"] = row["fresh_cli_s"] / row["native_s"]
                row["native_cpu_ratio"] = row["fresh_cli_cpu_s"] / row["native_cpu_s"]
            results["prove"][depth] = row
            print(f"prove depth {depth}: " + ", ".join(f"{k} {v:.3f}" for k, v in row.items()),
                  file=sys.stderr, flush=True)  # fmt: skip
        proof = prove(member, group, "m", 1, depth=20, setup=ProvingSetup(pool=pool, prover="worker"))
        verify(proof, setup=ProvingSetup(verifier="node", pool=pool))  # warm
        results["verify_depth20"] = {
            "py_ecc_s": _median_s(lambda: verify(proof), max(3, repeats // 2)),
            "node_s": _median_s(
                lambda: verify(proof, setup=ProvingSetup(verifier="node", pool=pool)), repeats * 4
            ),
        }
        if native:
            verify(proof, setup=ProvingSetup(verifier="native"))  # warm
            results["verify_depth20"]["native_s"] = _median_s(
                lambda: verify(proof, setup=ProvingSetup(verifier="native")), repeats * 4
            )
        print(f"verify: {results['verify_depth20']}", file=sys.stderr, flush=True)
    count = max(4, repeats * 2)
    results["throughput_depth20"] = {}
    for backend in ("native", "worker") if native else ("worker",):
        for size in sorted({1, os.cpu_count() or 1}):
            with ProverPool(size=size) as pool:
                rate = _throughput(pool, member, group, 20, count, backend)
            results["throughput_depth20"][f"{backend}/{size}"] = rate
            print(f"{backend}, {size} thread(s): {rate:.2f} proofs/s", file=sys.stderr, flush=True)
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
    print(
        f"{results['cpus']} CPUs, median of {results['repeats']}; wall / CPU in ms, speed-up vs the fresh CLI"
    )
    print("| depth | native wall / CPU | speed-up | worker wall / CPU | speed-up "
          "| fresh snarkjs CLI wall / CPU | ours --O2 / --O1 |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for depth, row in results["prove"].items():
        c = results["constraints"][depth]
        native_cells = (
            f"{row['native_s'] * 1000:.0f} / {row['native_cpu_s'] * 1000:.0f} "
            f"| {row['native_speedup']:.2f}x / {row['native_cpu_ratio']:.2f}x"
            if "native_s" in row
            else "n/a | n/a"
        )
        print(f"| {depth} | {native_cells} "
              f"| {row['worker_s'] * 1000:.0f} / {row['worker_cpu_s'] * 1000:.0f} "
              f"| {row['speedup']:.2f}x / {row['cpu_ratio']:.2f}x "
              f"| {row['fresh_cli_s'] * 1000:.0f} / {row['fresh_cli_cpu_s'] * 1000:.0f} "
              f"| {c['O2']:,} / {c['O1']:,} |")  # fmt: skip
    v = results["verify_depth20"]
    native_verify = f", native {v['native_s'] * 1000:.1f} ms" if "native_s" in v else ""
    print(f"\nverify (depth 20): py_ecc {v['py_ecc_s'] * 1000:.0f} ms, node {v['node_s'] * 1000:.1f} ms"
          f"{native_verify}")  # fmt: skip
    for label, rate in results["throughput_depth20"].items():
        backend, size = label.split("/")
        print(f"{backend} backend, {size} concurrent prover(s): {rate:.2f} proofs/s (depth 20)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
