"""Does the pupil track hold on REAL eyes through a live capture? Two finders on the same animated stills.

    nice -n 5 .venv/bin/python bench/pupil_real_tracks.py --subjects heldout --per-eye 10 --workers 2 --json

Each photograph of `--data` (the `bio eval` layout; `--subjects` as bench/pad_real_attacks.py) is
segmented by the iris pipeline and animated into the station's 20-frame live capture
(`simulation.real_photo_bona_fide.real_still_bona_fide`, seed = its place in the list, no denoising),
exactly as bench/pad_real_bona_fide.py animates it. The animation knows, for every frame, where it put
the pupil and how wide (`pupil_center_px`, `pupil_radius_px`, from the segmentation's circle moved by
the drawn eye motion and reflex). Both finders track the same frames: the one at `--old-commit` (read
from git into a temporary package, as bench/pupil_pad.py does) and today's.

A track is lost when any frame has no pupil, a centre more than max(CENTRE_PX, CENTRE_SHARE x r) from
the drawn one, or a radius more than RADIUS_SHARE x r + RADIUS_PX off (r: the drawn radius of that
frame). The reference is the segmentation's circle, not ground truth: a real pupil's dark region can
reach past it, so a finder that is right can count as lost (the bench also prints how many lost tracks
hold one steady circle on every frame, the reference's error rather than a jump). Also counted: the
pupil-reflex cue under the shipped veto floor with each track, which is how a lost track refuses a
live person. The photographs are read where they lie; only counts are printed and nothing is written.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from multiprocessing import Pool
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # before bench/: bench/liveness.py would shadow the liveness package

from pad_real_attacks import chosen_photographs, subject_filter  # noqa: E402
from pupil_pad import load_old_finder  # noqa: E402

from enrollment.iris.errors import QualityError  # noqa: E402
from enrollment.iris.segment import segment  # noqa: E402
from liveness import pupil_finder  # noqa: E402
from liveness.assess import cues_for_observations  # noqa: E402
from liveness.errors import LivenessError  # noqa: E402
from liveness.fusion import default_fusion  # noqa: E402
from simulation.real_photo_bona_fide import real_still_bona_fide  # noqa: E402

CENTRE_PX = 5.0  # a frame's pupil centre may be this far from the drawn one (px) ...
CENTRE_SHARE = 0.3  # ... or this share of the drawn radius, whichever is more
RADIUS_SHARE = 0.2  # its radius within this share of the drawn radius ...
RADIUS_PX = 2.0  # ... plus this (px): a segmentation circle is itself a few px off on real eyes
STEADY_PX = 2.0  # a lost track is "steady" when every frame found a pupil and its radius spread <= this

_finders: dict = {}


def _init(old_commit: str) -> None:
    """Each worker reads the old finder from git once, into a temporary package of its own."""
    _finders["old"] = load_old_finder(Path(tempfile.mkdtemp(prefix="pupil_real_tracks_")), old_commit)
    _finders["new"] = pupil_finder


def track_lost(observations, centres: np.ndarray, radii: np.ndarray) -> bool:
    """Whether any frame's pupil is missing or off the drawn one (the tolerances above)."""
    for o, (x, y), r in zip(observations, centres, radii, strict=True):
        if not o.found:
            return True
        if np.hypot(o.x - x, o.y - y) > max(CENTRE_PX, CENTRE_SHARE * r):
            return True
        if abs(o.radius - r) > RADIUS_SHARE * r + RADIUS_PX:
            return True
    return False


def steady(observations) -> bool:
    """Every frame found a pupil and the radii agree within STEADY_PX: one circle held throughout."""
    if not all(o.found for o in observations):
        return False
    radii = [o.radius for o in observations]
    return max(radii) - min(radii) <= STEADY_PX


def _one(job: tuple[int, str]) -> dict:
    index, path = job
    gray = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    if gray is None:
        raise SystemExit(f"{path} could not be read as an image")
    try:
        seg = segment(gray)
        still = real_still_bona_fide(
            gray, (seg.pupil.x, seg.pupil.y, seg.pupil.r), (seg.iris.x, seg.iris.y, seg.iris.r), seed=index
        )
    except (QualityError, LivenessError) as e:
        return {"animated": False, "why": type(e).__name__}
    p = still.presentation
    floor = default_fusion().vetoes["pupil_reflex"]
    out: dict = {"animated": True}
    for name, finder in _finders.items():
        obs = finder.track_pupil(p.frames)
        lost = track_lost(obs, still.pupil_center_px, still.pupil_radius_px)
        reflex = cues_for_observations(p.frames, p.schedule, obs)["pupil_reflex"]
        out[name] = {
            "lost": lost,
            "lost_steady": lost and steady(obs),
            "reflex_vetoed": bool(reflex < floor),
        }
    return out


def summary(rows: list[dict], name: str) -> dict:
    """Tracks lost (and how many of those held one steady circle) and reflex vetoes, for one finder."""
    mine = [r[name] for r in rows if r["animated"]]
    return {
        "tracks_lost": sum(r["lost"] for r in mine),
        "lost_but_steady": sum(r["lost_steady"] for r in mine),
        "reflex_vetoed": sum(r["reflex_vetoed"] for r in mine),
        "vetoed_with_track_lost": sum(r["reflex_vetoed"] and r["lost"] for r in mine),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "iris-dev" / "iitd")
    parser.add_argument("--per-eye", type=int, default=10)
    parser.add_argument("--skip", type=int, default=0, help="start after each eye's first N photographs")
    parser.add_argument("--limit", type=int, default=0, help="only the first N photographs (a smoke run)")
    parser.add_argument("--subjects", choices=("all", "heldout", "training"), default="heldout")
    parser.add_argument("--old-commit", default="bea137a", help="the finder to compare with (a git commit)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.per_eye < 1 or args.workers < 1 or args.limit < 0:
        parser.error("--per-eye and --workers must be at least 1, --limit not negative")
    images = chosen_photographs(
        parser, args.data, args.per_eye, args.limit, subject_filter(args.subjects), args.skip
    )
    start = time.time()
    jobs = [(i, str(p)) for i, p in enumerate(images)]
    with Pool(args.workers, initializer=_init, initargs=(args.old_commit,)) as pool:
        rows = pool.map(_one, jobs, chunksize=2)
    animated = sum(r["animated"] for r in rows)
    result = {
        "photographs": len(images),
        "subjects": len({p.parent.parent.name for p in images}),
        "subject_filter": args.subjects,
        "animated": animated,
        "not_animated": len(rows) - animated,
        "tolerances": {
            "centre": f"max({CENTRE_PX} px, {CENTRE_SHARE} r)",
            "radius": f"{RADIUS_SHARE} r + {RADIUS_PX} px",
        },
        f"old_finder_{args.old_commit}": summary(rows, "old"),
        "today_finder": summary(rows, "new"),
        "seconds": round(time.time() - start, 1),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    who = f"{result['subjects']} subjects, {args.subjects}"
    print(f"{animated} of {len(images)} photographs animated ({who})")
    for key in (f"old_finder_{args.old_commit}", "today_finder"):
        s = result[key]
        print(
            f"  {key}: tracks lost {s['tracks_lost']} ({s['lost_but_steady']} steady), "
            f"reflex vetoed {s['reflex_vetoed']} ({s['vetoed_with_track_lost']} with the track lost)"
        )


if __name__ == "__main__":
    main()
