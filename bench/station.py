"""Benchmark: compute time of one enrollment at the station, per stage, with a large gallery.

    python bench/station.py --gallery-size 100000 --enrollments 5 --json

Excluded: the person (the synthetic camera's rendering stands in for the camera's 1 s of frames)
and the chain's block time (the embedded anvil mines each transaction at once; the two chain
round trips are reported apart as `chain_s`). Included: quality gate, liveness (physical cues
and the texture CNN, fused), template (ONNX Gabor encoder), 1:N uniqueness over `--gallery-size`
synthetic people (`--eyes`) at the deployment's uniqueness service (over HTTP on loopback: signed,
sealed search-and-reserve into its encrypted, sharded gallery), EIP-712 attestation and capture
manifest signing with the device key, and the record (commit at the service, audit-log entry,
journal). With both eyes, the other eye's quality, liveness and template time is counted in those
stages (its rendering, like the first eye's, is not). Each figure is the median over
`--enrollments` accepted enrollments of distinct synthetic people, after one warm-up enrollment
(model loading, kernel compilation); people the station refuses on the way (liveness has a non-zero
bona fide rejection rate) are counted apart.
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

# Run as a script, this folder comes first on sys.path and bench/liveness.py would shadow the
# liveness package: drop it (the project itself is installed in the virtualenv).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import numpy as np  # noqa: E402
from web3 import Web3  # noqa: E402

from contracts import AnvilNode, RegistryClient, build_contracts, deploy_all  # noqa: E402
from enrollment.station import Station  # noqa: E402
from enrollment.station.chain_port import ChainPort  # noqa: E402
from hardware import KeystoreDeviceKey, ScryptParams  # noqa: E402
from hardware.capture import StepIlluminator  # noqa: E402
from personhood.config import load_settings  # noqa: E402
from simulation.synthetic_camera import SyntheticEyeCamera  # noqa: E402
from simulation.synthetic_templates import random_templates  # noqa: E402
from uniqueness import (  # noqa: E402
    EYES,
    Endpoint,
    HttpTransport,
    RegistryView,
    ServiceParams,
    UniquenessClient,
    UniquenessService,
    serve_locally,
)
from zk_identity import Identity  # noqa: E402

COMPUTE_STAGES = ("quality", "liveness", "template", "uniqueness", "attestation", "record")
CHAIN_STAGES = ("commitment", "chain")  # a registry read, then dry run + transaction + read
CHUNK = 20_000
GOAL_S = 1.5


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fill_gallery(service: UniquenessService, size: int, seed: int) -> float:
    """Add `size` synthetic people (random record ids) to the service's gallery; returns seconds."""
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    done = 0
    while done < size:
        n = min(CHUNK, size - done)
        ids = rng.choice(2**62, size=n, replace=False).astype(np.int64)
        made = {eye: random_templates(rng, n) for eye in service.params.eyes}
        service.import_committed(
            ids, {e: c for e, (c, _) in made.items()}, {e: m for e, (_, m) in made.items()}
        )
        done += n
        log(f"  gallery {done:,}/{size:,}")
    return time.perf_counter() - start


def enroll_once(station: Station, subject: int) -> dict[str, float] | None:
    """One enrollment of synthetic subject `subject`: its per-stage seconds, or None if refused."""
    illuminator = StepIlluminator()
    camera = SyntheticEyeCamera(subject, "L", seed=subject, illuminator=illuminator)
    outcome = station.enroll(camera, illuminator, Identity(f"bench-station-{subject}").commitment)
    if not outcome.enrolled:
        log(f"  subject {subject} refused at {outcome.failed_step.step}: {outcome.reason}")
        return None
    return {s.step: s.seconds for s in outcome.steps}


def enroll_many(station: Station, first_subject: int, count: int) -> tuple[list[dict[str, float]], int]:
    """`count` accepted enrollments of consecutive subjects; also how many were refused on the way."""
    runs, refused, subject = [], 0, first_subject
    while len(runs) < count:
        run = enroll_once(station, subject)
        subject += 1
        if run is None:
            refused += 1
            if refused > 3 * count:
                raise SystemExit("bench: too many synthetic people refused; is the liveness model right?")
            continue
        runs.append(run)
        log(f"  enrollment {len(runs)}/{count}: {sum(run[s] for s in COMPUTE_STAGES):.3f} s")
    return runs, refused


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gallery-size", type=int, default=100_000)
    parser.add_argument("--enrollments", type=int, default=5, help="timed enrollments (after 1 warm-up)")
    parser.add_argument("--shards", type=int, default=2, help="gallery shards per eye (one per core)")
    parser.add_argument("--eyes", default="LR", choices=["LR", "L"], help="eyes the service stores")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    args = parser.parse_args()
    if args.gallery_size < 0 or args.enrollments < 1:
        parser.error("--gallery-size must be >= 0 and --enrollments >= 1")

    settings = load_settings()
    contracts = build_contracts(settings.cache_dir)
    with tempfile.TemporaryDirectory(prefix="bench-station-") as tmp:
        key = KeystoreDeviceKey.create(
            Path(tmp) / "device.json", secrets.token_hex(16), ScryptParams(n=2**14)
        )
        service_key = KeystoreDeviceKey.create(
            Path(tmp) / "service.json", secrets.token_hex(16), ScryptParams(n=2**14)
        )
        node = AnvilNode.start()
        try:
            w3 = Web3(Web3.HTTPProvider(node.url))
            owner, relayer = w3.eth.accounts[0], w3.eth.accounts[1]
            registry = RegistryClient(w3, contracts, deploy_all(w3, contracts, owner).registry)
            registry.authorize_device(key.address, owner)
            eyes = tuple(e for e in EYES if e in args.eyes)
            service = UniquenessService.open(
                Path(tmp) / "uniqueness",
                service_key,
                RegistryView(registry),
                ServiceParams(eyes=eyes, shards=args.shards),
            )
            try:
                log(f"filling the service's gallery with {args.gallery_size:,} people ({'+'.join(eyes)}) ...")
                fill_s = fill_gallery(service, args.gallery_size, 20261125)
                with serve_locally(Endpoint(service)) as url:
                    client = UniquenessClient.connect(key, HttpTransport(url))
                    station = Station.open(
                        Path(tmp) / "station", key, ChainPort(registry, relayer), uniqueness=client
                    )
                    try:
                        log("warm-up enrollment ...")
                        enroll_many(station, 1000, 1)
                        runs, refused = enroll_many(station, 1100, args.enrollments)
                        gallery_size = service.size()
                    finally:
                        station.close()
            finally:
                service.close()
        finally:
            node.stop()
            key.close()
            service_key.close()

    median = {
        stage: statistics.median(run[stage] for run in runs) for stage in (*COMPUTE_STAGES, *CHAIN_STAGES)
    }
    totals = [sum(run[s] for s in COMPUTE_STAGES) for run in runs]
    report = {
        "gallery_size": gallery_size,
        "enrollments": args.enrollments,
        "stages_s": {s: round(median[s], 4) for s in COMPUTE_STAGES},
        "compute_s": round(statistics.median(totals), 4),
        "compute_max_s": round(max(totals), 4),
        "goal_s": GOAL_S,
        "meets_goal": statistics.median(totals) < GOAL_S,
        "chain_s": round(sum(median[s] for s in CHAIN_STAGES), 4),
        "capture_note": "the capture (1 s of frames from the person) and block time are excluded",
        "refused_on_the_way": refused,
        "gallery_fill_s": round(fill_s, 1),
        "shards": args.shards,
        "eyes": len(args.eyes),
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for stage in COMPUTE_STAGES:
            print(f"{stage:12s} {report['stages_s'][stage] * 1000:8.1f} ms")
        print(f"{'compute':12s} {report['compute_s'] * 1000:8.1f} ms (goal < {GOAL_S * 1000:.0f} ms)")
        print(f"{'chain (anvil)':12s} {report['chain_s'] * 1000:8.1f} ms, not counted")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
