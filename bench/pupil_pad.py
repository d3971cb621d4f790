"""The liveness decisions with the old and the new pupil finder, on the same held-out presentations.

    nice .venv/bin/python bench/pupil_pad.py --seed 41 --per-class 60 --workers 2 --json
    nice .venv/bin/python bench/pupil_pad.py --speed 15 --json   # cost only: old and new alternating

Each presentation of `personhood pad eval --seed S --per-class N` (the same indices) is generated
once and scored twice: with the pupil finder at OLD_COMMIT (read from git into a temporary
package at run time; the rest of liveness is today's, which at OLD_COMMIT differed only in
the finder) and with today's. Both score sets go through the evaluation's own report
(`liveness.evaluation.heldout.report`: APCER per species, BPCER, at the shipped threshold), so
the "new" figures are what `personhood pad eval` prints for that seed and size. Also reported:
the share of frames whose pupil estimate changed (found in one and not the other, or centre or
radius moved by more than 1 px / 3 px), and the median ms of finder + cues per assessment, old
and new alternating on the same frames (one core). `decisions_differ` lists every presentation the two
finders decide differently (how each decided: `Fusion.outcome`, and the texture logit each saw), so a
difference can be replayed and traced without scoring the seed again.

`--speed R` measures cost only, on the sequences bench/liveness.py times (held-out index 990,000
of every class): R rounds, each timing old then new (then new then old in the next round) on every
sequence, in CPU time of this process (what load on a shared machine inflates least) and wall time:
the finder over 20 frames, and finder + every cue (one assessment, less the fusion's arithmetic).
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import subprocess
import sys
import tempfile
import time
from multiprocessing import Pool
from pathlib import Path

import cv2
import numpy as np

# Run as a script, this folder comes first on sys.path and bench/liveness.py would shadow the
# liveness package: the repository root goes first.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from liveness import pupil_finder
from liveness.assess import cues_for_observations
from liveness.evaluation.heldout import SEED_STRIDE, ScoredSet, report
from liveness.fusion import BLUR, CUES, default_fusion
from liveness.texture_model import default_texture_model
from simulation.pad_dataset import CLASSES, presentation

OLD_COMMIT = "07dc381"  # main when issue 26's pupil work began: the finder fitted on renders only
REPO = Path(__file__).resolve().parent.parent
MOVED_PX = (1.0, 3.0)


def load_old_finder(workdir: Path, commit: str = OLD_COMMIT):
    """liveness/pupil_finder.py (and what it imports) at `commit`, as `liveness_at_<commit>.pupil_finder`."""
    name = f"liveness_at_{commit}"
    files = ["liveness/pupil_finder.py", "liveness/order_stats.py"]
    candidates = "liveness/pupil_candidates.py"  # split out of the finder after OLD_COMMIT
    if (
        subprocess.run(
            ["git", "-C", str(REPO), "cat-file", "-e", f"{commit}:{candidates}"], timeout=60
        ).returncode
        == 0
    ):
        files.append(candidates)
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", commit, *files], check=True, capture_output=True, timeout=60
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(workdir)], input=archive, check=True, timeout=60)
    (workdir / "liveness").rename(workdir / name)
    (workdir / name / "__init__.py").write_text("")
    sys.path.insert(0, str(workdir))
    return importlib.import_module(f"{name}.pupil_finder")


def moved(a, b) -> float:
    """How far two observations of one frame differ (px): inf when only one found a pupil."""
    if a.found != b.found:
        return math.inf
    if not a.found:
        return 0.0
    return max(math.hypot(a.x - b.x, a.y - b.y), abs(a.radius - b.radius))


def scored_set(rows: dict[str, list[dict[str, float]]], seconds: list[float]) -> ScoredSet:
    """The evaluation's ScoredSet from per-presentation cue dicts (as `score_heldout` builds it)."""
    names = (*CUES, "fused", BLUR, "evasive")
    scores = {c: {n: np.array([r[n] for r in rows[c]]) for n in names} for c in CLASSES}
    return ScoredSet(scores, float(np.median(seconds)))


def _score(job: tuple[str, int, bool]) -> tuple[str, dict, dict, list[float]]:
    """One presentation scored with both finders: (species, cues, seconds, per-frame distances)."""
    species, index, old_first = job
    fusion, model = default_fusion(), default_texture_model()
    p = presentation("heldout", species, index)
    observed, cues, seconds = {}, {}, {}
    for name in ("old", "new") if old_first else ("new", "old"):  # alternate which runs first
        start = time.perf_counter()
        observed[name] = _FINDERS[name].track_pupil(p.frames)
        cues[name] = cues_for_observations(p.frames, p.schedule, observed[name], model)
        seconds[name] = time.perf_counter() - start
        cues[name]["evasive"] = float(p.evasive)
        cues[name]["fused"] = fusion.probability(cues[name])
    moves = [moved(a, b) for a, b in zip(observed["old"], observed["new"], strict=True)]
    return species, cues, seconds, moves


def difference(species: str, index: int, cues: dict[str, dict[str, float]], fusion) -> dict | None:
    """How the two finders' cues were decided, when the decisions differ (None when they agree)."""
    outcome = {name: fusion.outcome(cues[name]) for name in ("old", "new")}
    if outcome["old"] == outcome["new"]:
        return None
    texture = {name: round(float(cues[name]["texture"]), 3) for name in ("old", "new")}
    return {
        "species": species,
        "index": index,
        "old": outcome["old"],
        "new": outcome["new"],
        "texture": texture,
    }


_FINDERS: dict[str, object] = {}  # set before the workers fork


SPEED_INDEX = 990_000  # the sequences bench/liveness.py times


def speed(rounds: int) -> dict[str, float]:
    """Median CPU and wall ms per 20-frame sequence, old and new finder, alternating (see above)."""
    model = default_texture_model()
    sequences = [presentation("heldout", c, SPEED_INDEX) for c in CLASSES]
    timed: dict[str, list[float]] = {}

    def run(name: str, stage: str, fn) -> None:
        cpu, wall = time.process_time(), time.perf_counter()
        fn()
        timed.setdefault(f"{stage}_{name}_cpu_ms", []).append(1000.0 * (time.process_time() - cpu))
        timed.setdefault(f"{stage}_{name}_wall_ms", []).append(1000.0 * (time.perf_counter() - wall))

    for p in sequences:  # warm: the ONNX session, the caches
        cues_for_observations(p.frames, p.schedule, pupil_finder.track_pupil(p.frames), model)
    for k in range(rounds):
        for p in sequences:
            for name in ("old", "new") if k % 2 == 0 else ("new", "old"):
                finder = _FINDERS[name]
                run(name, "finder", lambda f=finder, p=p: f.track_pupil(p.frames))
                run(
                    name,
                    "assessment",
                    lambda f=finder, p=p: cues_for_observations(
                        p.frames, p.schedule, f.track_pupil(p.frames), model
                    ),
                )
    out = {k: float(np.median(v)) for k, v in timed.items()}
    for stage in ("finder", "assessment"):
        for clock in ("cpu", "wall"):
            out[f"{stage}_new_over_old_{clock}"] = (
                out[f"{stage}_new_{clock}_ms"] / out[f"{stage}_old_{clock}_ms"]
            )
    return out


def main(argv: list[str] | None = None) -> int:
    """Score the held-out presentations with both finders; print a summary (or --json)."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=41)
    ap.add_argument("--per-class", type=int, default=60)
    ap.add_argument("--workers", type=int, default=1, help="processes (timings are per process)")
    ap.add_argument("--speed", type=int, metavar="ROUNDS", help="measure cost only, over ROUNDS rounds")
    ap.add_argument("--old-commit", default=OLD_COMMIT, help="the finder to compare with (a git commit)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.per_class < 1 or args.seed < 0 or args.workers < 1:
        print("--per-class and --workers must be >= 1 and --seed >= 0", file=sys.stderr)
        return 2
    cv2.setNumThreads(1)
    rows = {k: {c: [] for c in CLASSES} for k in ("old", "new")}
    seconds: dict[str, list[float]] = {"old": [], "new": []}
    distances: dict[str, list[float]] = {c: [] for c in CLASSES}
    decisions_differ: list[dict] = []
    fusion = default_fusion()
    with tempfile.TemporaryDirectory() as tmp:
        try:
            _FINDERS.update(old=load_old_finder(Path(tmp), args.old_commit), new=pupil_finder)
        except subprocess.CalledProcessError as e:
            stderr = e.stderr.decode(errors="replace").strip() if e.stderr else ""
            print(
                f"cannot read {args.old_commit} from git (a shallow clone? fetch it): {stderr}",
                file=sys.stderr,
            )
            return 2
        if args.speed:
            timing = speed(args.speed)
            load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
            timing["loadavg"] = " ".join(load)
            print(
                json.dumps(timing, sort_keys=True)
                if args.json
                else "\n".join(f"{k}: {v}" for k, v in timing.items())
            )
            return 0
        jobs = [(c, args.seed * SEED_STRIDE + i, i % 2 == 1) for c in CLASSES for i in range(args.per_class)]
        pool = Pool(args.workers) if args.workers > 1 else None
        try:
            results = pool.imap(_score, jobs) if pool else map(_score, jobs)
            for k, (species, cues, secs, moves) in enumerate(results):
                differs = difference(species, jobs[k][1], cues, fusion)
                if differs:
                    decisions_differ.append(differs)
                for name in ("old", "new"):
                    rows[name][species].append(cues[name])
                    seconds[name].append(secs[name])
                distances[species] += moves
                if (k + 1) % 25 == 0:
                    print(f"scored {k + 1}/{len(jobs)}", file=sys.stderr, flush=True)
        finally:
            if pool:
                pool.close()
                pool.join()
    reports = {name: report(scored_set(rows[name], seconds[name])) for name in ("old", "new")}
    changed = {
        f"over_{px:g}px": {c: float(np.mean(np.array(d) > px)) for c, d in distances.items()}
        for px in MOVED_PX
    }
    result = {
        "seed": args.seed,
        "per_class": args.per_class,
        "old_commit": args.old_commit,
        "old": {k: reports["old"][k] for k in ("apcer", "apcer_max", "bpcer", "threshold")},
        "new": {k: reports["new"][k] for k in ("apcer", "apcer_max", "bpcer", "threshold")},
        "frames_changed": changed,
        "ms_per_assessment_median": {k: 1000.0 * float(np.median(v)) for k, v in seconds.items()},
        "decisions_differ": decisions_differ,
    }
    result["new_over_old_time"] = (
        result["ms_per_assessment_median"]["new"] / result["ms_per_assessment_median"]["old"]
    )
    if args.json:
        print(json.dumps(result, sort_keys=True))
        return 0
    for name in ("old", "new"):
        r = result[name]
        apcer = " ".join(f"{s} {v:.2%}" for s, v in r["apcer"].items())
        print(f"{name}: BPCER {r['bpcer']:.2%}  APCER {apcer}  (max {r['apcer_max']:.2%})")
    for px, shares in changed.items():
        print(f"frames whose pupil moved {px}: " + " ".join(f"{c} {v:.1%}" for c, v in shares.items()))
    ms = result["ms_per_assessment_median"]
    ratio = result["new_over_old_time"]
    print(f"finder + cues, median ms: old {ms['old']:.1f}, new {ms['new']:.1f} ({ratio:.2f}x)")
    for d in decisions_differ:
        how = f"old {d['old']}, new {d['new']}, texture {d['texture']}"
        print(f"decided differently: {d['species']} {d['index']}: {how}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
