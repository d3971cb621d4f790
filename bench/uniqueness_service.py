"""Benchmark: search-and-reserve at the uniqueness service, end to end, against the bare search.

    python bench/uniqueness_service.py --size 200000 --json

One run on this machine: a registry on an embedded anvil, a service holding `--size` synthetic
people (both eyes, encrypted at rest), five authorized stations. Figures, each a median:

* `bare_s`: the in-process search the service runs for a probe, at the service's threshold: the
  cascade of probe_search.py (first eye over the whole gallery, second eye among its matches), on
  the same Gallery objects the service uses; no signing, sealing, HTTP, journal or audit;
* `bare_full_s`: both eyes each searched over the whole gallery (what the service did before the
  cascade; the decisions are the same, tests/uniqueness/test_probe_search.py), for comparison;
* `reserve_unique_s`: a station's `UniquenessClient.reserve` over HTTP for a new person: request
  signed by the device key, probe sealed to the service (X25519 + AES-GCM), authorization against
  the registry, search, reservation (store append + fsync for both eyes, signed head, journal,
  audit entry), signed answer checked by the station; `overhead` = reserve_unique_s / bare_s - 1;
* `reserve_duplicate_s`: the same for a returning person (answered "duplicate"; nothing written);
* `concurrent`: 50 requests with the same person's eyes (recaptured) from 5 stations at once over
  HTTP: how many got a reservation (must be exactly 1) and the wall time;
* `cpu_s`: the same operations in CPU seconds (this process's threads plus the anvil node's),
  medians: on a loaded machine the wall times wait in the run queue, the CPU seconds much less;
* with `--ray`: the same probes answered by a service whose shards are 2 Ray actors per eye at
  `--ray-size` people: identical answers, and its per-query time against the local engine's.

Memory: the service holds 2 eyes x (2 KiB code + 2 KiB mask) = 8 KiB per person in the clear
(8 GiB at 1,000,000 people) and writes as much, encrypted, to a temporary directory (`--dir`).
The population is made in bulk, CHUNK people at a time (numpy random codes; masks drawn from a
bank of realistic ones: simulation/synthetic_templates.py) and imported through
`UniquenessService.import_committed`, so only one chunk is ever held twice. `max_rss_gib` reports
the process's peak resident memory. Unique probes are not released afterwards (a release rewrites a
shard file per eye: seconds at a million); the gallery grows by one record per query instead.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import numpy as np
from web3 import Web3

# the project before bench/ on the path: bench/liveness.py must not stand in for the liveness package
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from contracts import AnvilNode, RegistryClient, build_contracts, deploy_all  # noqa: E402
from enrollment.iris import IrisTemplate  # noqa: E402
from hardware import KeystoreDeviceKey, ScryptParams  # noqa: E402
from personhood.config import load_settings  # noqa: E402
from simulation.synthetic_templates import random_templates, recapture  # noqa: E402
from uniqueness import (  # noqa: E402
    Endpoint,
    HttpTransport,
    RegistryView,
    ServiceParams,
    UniquenessClient,
    UniquenessService,
    choose_threshold,
    serve_locally,
)
from uniqueness.probe_search import search_cascade, search_full  # noqa: E402
from zk_identity import Identity  # noqa: E402

FAST_SCRYPT = ScryptParams(n=2**14)
CHUNK = 50_000
STATIONS = 5
CONCURRENT = 50


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fill(service: UniquenessService, size: int, seed: int) -> tuple[float, list[dict[str, IrisTemplate]]]:
    """Import `size` synthetic people; returns the seconds it took and a few of them (to come back)."""
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    kept: list[dict[str, IrisTemplate]] = []
    for start in range(0, size, CHUNK):
        k = min(CHUNK, size - start)
        codes_l, masks_l = random_templates(rng, k)
        codes_r, masks_r = random_templates(rng, k)
        ids = np.arange(start + 1, start + k + 1, dtype=np.int64)
        service.import_committed(ids, {"L": codes_l, "R": codes_r}, {"L": masks_l, "R": masks_r})
        if not kept:
            kept = [
                {"L": IrisTemplate(codes_l[i], masks_l[i]), "R": IrisTemplate(codes_r[i], masks_r[i])}
                for i in range(min(8, k))
            ]
        log(f"  imported {start + k:,} / {size:,}")
    return time.perf_counter() - started, kept


def stranger(rng: np.random.Generator) -> dict[str, IrisTemplate]:
    codes, masks = random_templates(rng, 2)
    return {"L": IrisTemplate(codes[0], masks[0]), "R": IrisTemplate(codes[1], masks[1])}


def again(pair: dict[str, IrisTemplate], rng: np.random.Generator) -> dict[str, IrisTemplate]:
    return {eye: recapture(t, rng, 0.12, int(rng.integers(-6, 7))) for eye, t in pair.items()}


def process_cpu_s(pid: int) -> float:
    """CPU seconds (user + system, all threads) another process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Clocks:
    """Wall seconds, and CPU seconds of this process (every thread: client, server, kernel threads)
    plus the anvil node's, for one timed operation: CPU time is what load on a shared machine
    inflates least (it waits in the run queue without counting)."""

    def __init__(self, anvil_pid: int) -> None:
        self.anvil_pid = anvil_pid
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def __enter__(self) -> Clocks:
        self._t, self._c = time.perf_counter(), time.process_time() + process_cpu_s(self.anvil_pid)
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall.append(time.perf_counter() - self._t)
        self.cpu.append(time.process_time() + process_cpu_s(self.anvil_pid) - self._c)


def bare(
    service: UniquenessService,
    probe: dict[str, IrisTemplate],
    clocks: Clocks | None = None,
    full: bool = False,
) -> None:
    """The in-process search the service runs (or, with `full`, both eyes in full), timed on `clocks`."""
    choice = choose_threshold(service.size(), 2)
    search = search_full if full else search_cascade
    with clocks or Clocks(os.getpid()):
        search(service.galleries, probe, choice.threshold)


def run(args: argparse.Namespace) -> dict[str, object]:
    rng = np.random.default_rng(args.seed)
    contracts = build_contracts(load_settings(environ={}).cache_dir)
    load_before = os.getloadavg()
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="bench-uniqueness-", dir=args.dir) as tmp:
        node = AnvilNode.start()
        stack.callback(node.stop)
        w3 = Web3(Web3.HTTPProvider(node.url))
        owner = w3.eth.accounts[0]
        registry = RegistryClient(w3, contracts, deploy_all(w3, contracts, owner).registry)
        keys = []
        for n in range(STATIONS + 1):
            key = KeystoreDeviceKey.create(Path(tmp) / f"key-{n}.json", "bench-password", FAST_SCRYPT)
            stack.callback(key.close)
            keys.append(key)
        service_key, stations = keys[0], keys[1:]
        for key in stations:
            registry.authorize_device(key.address, owner)
        service = UniquenessService.open(
            Path(tmp) / "service", service_key, RegistryView(registry), ServiceParams(shards=args.shards)
        )
        stack.callback(service.close)
        log(f"filling the service with {args.size:,} people (both eyes, encrypted at rest) ...")
        fill_s, enrolled = fill(service, args.size, args.seed)
        url = stack.enter_context(serve_locally(Endpoint(service)))
        # generous timeout: 50 concurrent searches queue behind one lock (that is the point)
        clients = [UniquenessClient.connect(k, HttpTransport(url, timeout=900)) for k in stations]
        deadline = int(w3.eth.get_block("latest")["timestamp"]) + 3600

        log(f"{args.queries} queries each: bare search, reserve (new person), reserve (returning person) ...")
        bare(service, stranger(rng))  # warm-up (kernel threads, caches)
        pid = node.process.pid
        bare_c, full_c, unique_c, duplicate_c = Clocks(pid), Clocks(pid), Clocks(pid), Clocks(pid)
        for q in range(args.queries):
            new, returning = stranger(rng), again(enrolled[q % len(enrolled)], rng)
            commitments = (Identity().commitment, Identity().commitment)  # made on the phone, not timed
            bare(service, new, full_c, full=True)
            bare(service, new, bare_c)
            with unique_c:
                answer = clients[q % STATIONS].reserve(f"{q:032x}", new, commitments[0], deadline)
            assert answer.unique
            with duplicate_c:
                answer = clients[q % STATIONS].reserve(
                    f"{q + 10_000:032x}", returning, commitments[1], deadline
                )
            assert not answer.unique

        log(f"{CONCURRENT} concurrent requests with one person's eyes from {STATIONS} stations ...")
        person = stranger(rng)
        probes = [again(person, rng) for _ in range(CONCURRENT)]
        commitments = [Identity().commitment for _ in range(CONCURRENT)]
        results: list[bool] = []
        errors: list[str] = []
        barrier = threading.Barrier(CONCURRENT)

        def one(n: int) -> None:
            barrier.wait()
            try:
                answer = clients[n % STATIONS].reserve(
                    f"{n + 20_000:032x}", probes[n], commitments[n], deadline
                )
            except Exception as e:  # counted and reported, never hidden
                errors.append(type(e).__name__)
                return
            results.append(answer.unique)

        threads = [threading.Thread(target=one, args=(n,)) for n in range(CONCURRENT)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        concurrent_s = time.perf_counter() - started

        b, f, u, d = (statistics.median(c.wall) for c in (bare_c, full_c, unique_c, duplicate_c))
        bc, fc, uc, dc = (statistics.median(c.cpu) for c in (bare_c, full_c, unique_c, duplicate_c))
        figures: dict[str, object] = {
            "size": args.size,
            "records_at_end": service.size(),
            "load_average_before": [round(x, 1) for x in load_before],
            "load_average_after": [round(x, 1) for x in os.getloadavg()],
            "max_rss_gib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2),
            "eyes": 2,
            "shards_per_eye": args.shards,
            "queries": args.queries,
            "fill_s": round(fill_s, 1),
            "bare_s": round(b, 4),
            "bare_full_s": round(f, 4),
            "bare_s_all": [round(x, 4) for x in bare_c.wall],
            "reserve_unique_s_all": [round(x, 4) for x in unique_c.wall],
            "cpu_s": {
                "bare": round(bc, 4),
                "bare_full": round(fc, 4),
                "reserve_unique": round(uc, 4),
                "reserve_duplicate": round(dc, 4),
                "overhead_unique": round(uc / bc - 1, 3),
            },
            "reserve_unique_s": round(u, 4),
            "reserve_duplicate_s": round(d, 4),
            "overhead_unique": round(u / b - 1, 3),
            "overhead_duplicate": round(d / b - 1, 3),
            "overhead_unique_abs_s": round(u - b, 4),
            "concurrent": {
                "requests": CONCURRENT,
                "stations": STATIONS,
                "reservations": results.count(True),
                "duplicates": results.count(False),
                "errors": len(errors),
                "wall_s": round(concurrent_s, 2),
            },
        }
    if args.ray:
        figures["ray"] = ray_check(args)
    return figures


def ray_check(args: argparse.Namespace) -> dict[str, object]:
    """Local and Ray engines over the same small population: same answers, per-query times."""
    rng = np.random.default_rng(args.seed + 1)
    probes = [stranger(rng) for _ in range(args.queries)]
    answers, times = {}, {}
    queries: list[dict[str, IrisTemplate]] = []
    contracts = build_contracts(load_settings(environ={}).cache_dir)
    for engine in ("local", "ray"):
        with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="bench-uniqueness-ray-") as tmp:
            node = AnvilNode.start()
            stack.callback(node.stop)
            w3 = Web3(Web3.HTTPProvider(node.url))
            registry = RegistryClient(w3, contracts, deploy_all(w3, contracts, w3.eth.accounts[0]).registry)
            key = KeystoreDeviceKey.create(Path(tmp) / "key.json", "bench-password", FAST_SCRYPT)
            stack.callback(key.close)
            service = UniquenessService.open(
                Path(tmp) / "service", key, RegistryView(registry), ServiceParams(engine=engine, shards=2)
            )
            stack.callback(service.close)
            _, enrolled = fill(service, args.ray_size, args.seed)  # the same people for both engines
            if not queries:  # the same probes for both engines
                queries = probes + [again(p, rng) for p in enrolled[: args.queries]]
            choice = choose_threshold(service.size(), 2)
            got, spent = [], []
            for probe in queries:
                started = time.perf_counter()
                got.append(
                    tuple(
                        tuple(
                            (m.record_id, m.distance)
                            for m in service.galleries[e].search(t, choice.threshold).matches
                        )
                        for e, t in probe.items()
                    )
                )
                spent.append(time.perf_counter() - started)
            answers[engine], times[engine] = got, statistics.median(spent)
    return {
        "size": args.ray_size,
        "same_answers": answers["local"] == answers["ray"],
        "local_query_s": round(times["local"], 4),
        "ray_query_s": round(times["ray"], 4),
        "ray_overhead_per_query_s": round(times["ray"] - times["local"], 4),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20_000, help="people in the gallery (both eyes each)")
    parser.add_argument("--queries", type=int, default=5)
    parser.add_argument("--shards", type=int, default=2, help="shards per eye")
    parser.add_argument("--seed", type=int, default=20261204)
    parser.add_argument("--ray", action="store_true", help="also compare 2 Ray shard actors per eye")
    parser.add_argument("--ray-size", type=int, default=20_000)
    parser.add_argument(
        "--dir", default=None, help="where the encrypted gallery goes (default: the temp dir)"
    )
    parser.add_argument("--json", action="store_true", help="print only the JSON line on stdout")
    args = parser.parse_args()
    if args.size < 10 or args.queries < 1:
        parser.error("--size must be >= 10 and --queries >= 1")
    figures = run(args)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
