"""bench/pupil_pad.py lists the presentations its two finders decide differently: on a real held-out live
presentation (accepted with today's finder), the same cues agree and are not listed; a reflex cue under the
veto floor on one side is listed with how each side was decided and the texture logit each saw."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from pupil_pad import difference

from liveness.assess import cues_for_observations
from liveness.fusion import default_fusion
from liveness.pupil_finder import track_pupil
from simulation.pad_dataset import BONA_FIDE, presentation

INDEX = 690_100_000  # a mid-range live eye of the held-out split (tests/liveness/test_pupil_track_tails.py)


def test_agreeing_decisions_are_not_listed_and_differing_ones_say_how():
    fusion = default_fusion()
    p = presentation("heldout", BONA_FIDE, INDEX)
    cues = cues_for_observations(p.frames, p.schedule, track_pupil(p.frames))
    assert fusion.outcome(cues) == "accepted"
    assert difference(BONA_FIDE, INDEX, {"old": cues, "new": dict(cues)}, fusion) is None
    lost = cues | {"pupil_reflex": fusion.vetoes["pupil_reflex"] - 0.1, "texture": cues["texture"] - 1.0}
    listed = difference(BONA_FIDE, INDEX, {"old": lost, "new": cues}, fusion)
    assert listed == {
        "species": BONA_FIDE,
        "index": INDEX,
        "old": "veto:pupil_reflex",
        "new": "accepted",
        "texture": {"old": round(cues["texture"] - 1.0, 3), "new": round(cues["texture"], 3)},
    }
