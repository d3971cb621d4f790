"""Does the pupil tracker hold the pupil through a live capture, for dark irises and extreme pupils too?

    nice -n 5 .venv/bin/python bench/pupil_track_tails.py --count 400 --workers 2 --json

Stop 43's fresh seed 6901 refused 5 of its 200 live eyes by the pupil-reflex veto; each was a tracker
failure, not a pupil that did not answer the light: a large pupil (ratio >= 0.57) the track left for a
12 px dark blob after the light step, and small pupils in dark irises where the finder took the iris
boundary for the pupil. This bench measures how often that happens, by capture group, on live eyes of
the held-out split (`simulation.pad_dataset`, indices from `--start`, far from those `pad eval`,
bench/liveness.py and bench/pad_paired.py draw): each presentation's drawn eye centre, iris radius and
starting pupil ratio (`capture_draws`, nothing re-rendered to learn them) against `track_pupil`'s
frames. A track holds when every frame has a pupil within `CENTRE_TOLERANCE` iris radii of the drawn
centre and within `RADIUS_TOLERANCE` of the drawn starting radius (a live reflex constricts ~10-20%).
Also counted: the reflex cue under the shipped veto floor. The groups are `liveness.training.tails`'s
(a capture can be in two: dark and small). The baseline, in the same run, is the middle group (neither
dark nor extreme), whose share of lost tracks the tails' are compared with as a ratio.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from multiprocessing import Pool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench/liveness.py would shadow liveness

from liveness.assess import cues_for_observations
from liveness.fusion import default_fusion
from liveness.pupil_finder import PupilObservation, track_pupil
from liveness.training.tails import tail_groups
from simulation.pad_dataset import BONA_FIDE, capture_draws, presentation

CENTRE_TOLERANCE = 0.2  # iris radii between a frame's pupil centre and the drawn eye centre
RADIUS_TOLERANCE = 0.35  # relative: the drawn starting radius, less a reflex's constriction, plus error
START = 800_000
GROUPS = ("dark_iris", "small_pupil", "large_pupil", "middle")


def groups_of(iris_brightness: float, pupil_ratio: float) -> tuple[str, ...]:
    """The capture groups of a live eye (`liveness.training.tails.tail_groups`); "middle" when in none."""
    return tail_groups(iris_brightness, pupil_ratio) or ("middle",)


def track_holds(
    observations: tuple[PupilObservation, ...], centre: tuple[float, float], iris_px: float, pupil_px: float
) -> bool:
    """Whether every frame found a pupil near the drawn centre with about the drawn radius."""
    for o in observations:
        if not o.found:
            return False
        if (
            abs(o.x - centre[0]) > CENTRE_TOLERANCE * iris_px
            or abs(o.y - centre[1]) > CENTRE_TOLERANCE * iris_px
        ):
            return False
        if abs(o.radius - pupil_px) > RADIUS_TOLERANCE * pupil_px:
            return False
    return True


def _one(index: int) -> dict:
    eye, conditions = capture_draws("heldout", BONA_FIDE, index)
    p = presentation("heldout", BONA_FIDE, index)
    obs = track_pupil(p.frames)
    fusion = default_fusion()
    reflex = cues_for_observations(p.frames, p.schedule, obs)["pupil_reflex"]
    iris_px = conditions.iris_radius_px
    return {
        "groups": groups_of(eye.iris_brightness, conditions.pupil_ratio),
        "holds": track_holds(obs, conditions.center, iris_px, conditions.pupil_ratio * iris_px),
        "reflex_vetoed": bool(reflex < fusion.vetoes["pupil_reflex"]),
    }


def summary(rows: list[dict]) -> dict:
    """Per group: live eyes, tracks lost, reflex vetoes; and each tail's lost share over the middle's."""
    out: dict = {}
    for g in GROUPS:
        mine = [r for r in rows if g in r["groups"]]
        lost = sum(not r["holds"] for r in mine)
        out[g] = {
            "live_eyes": len(mine),
            "tracks_lost": lost,
            "lost_share": lost / len(mine) if mine else float("nan"),
            "reflex_vetoed": sum(r["reflex_vetoed"] for r in mine),
            "vetoed_with_track_lost": sum(r["reflex_vetoed"] and not r["holds"] for r in mine),
        }
    base = out["middle"]["lost_share"]
    for g in GROUPS[:-1]:
        out[g]["lost_share_vs_middle"] = out[g]["lost_share"] / base if base else float("inf")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=400, help="live eyes of the held-out split")
    parser.add_argument("--start", type=int, default=START, help="the first held-out index")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.count < 1 or args.workers < 1 or args.start < 0:
        parser.error("--count and --workers must be at least 1, --start not negative")
    start = time.time()
    with Pool(args.workers) as pool:
        rows = pool.map(_one, range(args.start, args.start + args.count), chunksize=4)
    result = {
        "live_eyes": len(rows),
        "indices": [args.start, args.start + args.count],
        "tolerances": {"centre_iris_radii": CENTRE_TOLERANCE, "radius_relative": RADIUS_TOLERANCE},
        "groups": summary(rows),
        "seconds": round(time.time() - start, 1),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{len(rows)} live eyes (held-out indices {args.start}-{args.start + args.count - 1})")
    for g, s in result["groups"].items():
        ratio = f", {s['lost_share_vs_middle']:.1f}x the middle" if "lost_share_vs_middle" in s else ""
        print(
            f"  {g:12s} {s['live_eyes']:4d} eyes: track lost {s['tracks_lost']} "
            f"({s['lost_share']:.1%}{ratio}), "
            f"reflex vetoed {s['reflex_vetoed']} ({s['vetoed_with_track_lost']} with the track lost)"
        )


if __name__ == "__main__":
    main()
