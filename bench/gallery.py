"""Benchmark: one 1:N uniqueness search (31 shifts) over a synthetic gallery, against baselines.

    python bench/gallery.py --size 1000000 --json

Every figure comes from this run on this machine: the naive per-template loop (measured on a
subset and extrapolated, as it would take minutes), the numpy vectorized kernel (measured on a
subset and extrapolated), the fused kernel on 1 and 2 cores, 2 Ray shard actors, and the memory
bandwidth (a large numpy sum). `search_s` is the fused kernel on all cores; `bandwidth_gbs` is
the gallery bytes it covers per second (4 KiB per template) and `bandwidth_fraction` that over
the measured bandwidth. Projections to 10M / 1B templates are marked as such.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import tempfile
import time

import numpy as np

from enrollment.gallery import Gallery, GalleryShard, fused_kernel, pair_distance
from enrollment.gallery.distance import SHIFT_ORDER
from enrollment.gallery.synthetic_templates import random_templates, recapture
from enrollment.iris.template import IrisTemplate

TEMPLATE_BYTES = 4096  # 2 KiB code + 2 KiB mask
CHUNK = 65_536
BANDWIDTH_ARRAY_BYTES = 1 << 30
H100_HBM_BYTES_PER_S = 3.35e12  # NVIDIA H100 SXM datasheet: 3.35 TB/s HBM3


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def timed(fn, repeats: int) -> float:
    """Median wall time of `repeats` calls after one warm-up."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def memory_bandwidth_gbs() -> float:
    """Read bandwidth of one core: best of 5 sums over a 1 GiB array (GB/s)."""
    data = np.ones(BANDWIDTH_ARRAY_BYTES // 8, dtype=np.uint64)
    best = min(timed(lambda: data.sum(), 1) for _ in range(5))
    return BANDWIDTH_ARRAY_BYTES / best / 1e9


def chunks(size: int, seed: int):
    """The benchmark gallery, regenerated identically on demand: (ids, codes, masks) per chunk."""
    for start in range(0, size, CHUNK):
        codes, masks = random_templates(np.random.default_rng([seed, start]), min(CHUNK, size - start))
        yield np.arange(start, start + len(codes), dtype=np.int64), codes, masks


def measure_local(args: argparse.Namespace, size: int, seed: int):
    """Naive loop, numpy kernel and fused kernel (1 and 2 threads) on one in-process shard."""
    log(f"building a {size:,}-template gallery ...")
    shard = GalleryShard(capacity=size)
    for ids, codes, masks in chunks(size, seed):
        shard.extend(ids, codes, masks)
    planted_row = size // 2
    probe = recapture(shard.template(planted_row), np.random.default_rng(1), 0.2, 7)

    def search_checked() -> None:
        result = shard.search(probe, args.threshold)
        assert [m.record_id for m in result.matches] == [planted_row], "planted duplicate not found"

    log("naive per-template loop (subset) ...")
    subset = min(args.baseline_subset, size)
    templates = [shard.template(i) for i in range(subset)]
    naive = timed(lambda: [pair_distance(probe, t) for t in templates], 1) * size / subset

    log("numpy vectorized kernel (subset) ...")
    numpy_shard = GalleryShard(kernel="numpy", capacity=min(args.numpy_subset, size))
    numpy_shard.extend(*shard.rows(0, min(args.numpy_subset, size)))
    numpy_s = timed(lambda: numpy_shard.search(probe, args.threshold), 1) * size / len(numpy_shard)

    results = {}
    for threads in (1, 2):
        log(f"fused kernel, {threads} thread(s) ...")
        fused_kernel.set_threads(threads)
        results[threads] = timed(search_checked, args.repeats)
    return results, naive, numpy_s, probe, planted_row


def measure_ray(
    args: argparse.Namespace, size: int, seed: int, probe: IrisTemplate, planted_row: int
) -> float:
    """The same gallery in 2 Ray shard actors (a local Ray with 2 CPUs, started and stopped here)."""
    log("Ray, 2 shard actors ...")
    with Gallery.connect("ray", shards=2) as gallery:
        for ids, codes, masks in chunks(size, seed):
            gallery.add_many(ids, codes, masks)
        found = gallery.search(probe, args.threshold)
        assert [m.record_id for m in found.matches] == [planted_row], "planted duplicate not found (Ray)"
        return timed(lambda: gallery.search(probe, args.threshold), args.repeats)


def measure_store(size: int, seed: int) -> tuple[float, float]:
    """Seconds to write the gallery to a 2-shard encrypted store, and to open (decrypt, load) it."""
    log("encrypted store: write and load ...")
    key = secrets.token_bytes(32)
    with tempfile.TemporaryDirectory(prefix="gallery-bench-") as directory:
        start = time.perf_counter()
        with Gallery.connect("local", directory=directory, key=key, shards=2) as gallery:
            for ids, codes, masks in chunks(size, seed):
                gallery.add_many(ids, codes, masks)
        write_s = time.perf_counter() - start
        start = time.perf_counter()
        with Gallery.connect("local", directory=directory, key=key, shards=2) as gallery:
            assert len(gallery) == size
        return write_s, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="templates in the gallery")
    parser.add_argument("--threshold", type=float, default=0.33)
    parser.add_argument("--repeats", type=int, default=5, help="timed searches per configuration")
    parser.add_argument("--baseline-subset", type=int, default=2_000, help="templates for the naive loop")
    parser.add_argument("--numpy-subset", type=int, default=100_000, help="templates for the numpy kernel")
    parser.add_argument("--no-ray", action="store_true", help="skip the Ray measurement")
    parser.add_argument("--no-store", action="store_true", help="skip the encrypted store write/load timing")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    args = parser.parse_args()
    size, seed = args.size, 20261125
    if size < 1:
        parser.error("--size must be positive")

    log("measuring memory bandwidth ...")
    bandwidth = memory_bandwidth_gbs()

    local = measure_local(args, size, seed)
    results, naive, numpy_s, probe, planted_row = local
    ray_s = None if args.no_ray else measure_ray(args, size, seed, probe, planted_row)
    store_write_s, store_load_s = (None, None) if args.no_store else measure_store(size, seed)

    search_s = results[2]
    per_core_rate = size / results[1]  # template comparisons (31 shifts each) per second on one core
    gallery_gbs = size * TEMPLATE_BYTES / search_s / 1e9
    report = {
        "size": size,
        "shifts": len(SHIFT_ORDER),
        "threshold": args.threshold,
        "search_s": search_s,
        "cmp_per_s": size / search_s,
        "rotation_cmp_per_s": size * len(SHIFT_ORDER) / search_s,
        "bandwidth_gbs": gallery_gbs,
        "bandwidth_fraction": gallery_gbs / bandwidth,
        "memory_bandwidth_gbs": bandwidth,
        "baseline_search_s": naive,
        "baseline_note": f"naive per-template loop measured on {min(args.baseline_subset, size)} templates, "
        "extrapolated",
        "numpy_search_s": numpy_s,
        "numpy_note": f"numpy kernel measured on {min(args.numpy_subset, size)} templates, extrapolated",
        "fused_1core_search_s": results[1],
        "fused_2core_search_s": results[2],
        "ray_2workers_search_s": ray_s,
        "store_write_s": store_write_s,
        "store_note": "2 shard files, AES-GCM per record; write includes making the synthetic templates",
        "store_load_s": store_load_s,
        "speedup_vs_baseline": naive / search_s,
        "speedup_vs_numpy": numpy_s / search_s,
        "cpu_count": os.cpu_count(),
        "load_average": os.getloadavg()[0],
        "projection": {
            "note": "PROJECTION, not measured: measured per-core rate scaled linearly; GPU figure is the "
            "HBM bandwidth bound (4 KiB per template), not a measured kernel",
            "per_core_cmp_per_s": per_core_rate,
            "cpu_s_10M_on_1_machine_64_cores": 10_000_000 / (per_core_rate * 64),
            "cpu_s_1B_on_100_machines_64_cores": 1_000_000_000 / (per_core_rate * 64 * 100),
            "gpu_bound_s_10M_on_1_H100": 10_000_000 * TEMPLATE_BYTES / H100_HBM_BYTES_PER_S,
            "gpu_bound_s_1B_on_8_H100": 1_000_000_000 * TEMPLATE_BYTES / (8 * H100_HBM_BYTES_PER_S),
        },
    }
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key:28s} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
