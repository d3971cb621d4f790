"""The blur zone under the ceiling (`Fusion.blur_penalty`): a capture blurred into it is judged at a
stricter threshold, a sharp one as before, one past the ceiling not at all; malformed zones are refused.

The texture alone carries the fused score here (as in the shipped fusion), so "the CNN's score" below
maps one to one to the fused log-odds.
"""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest

from liveness.evaluation.heldout import ScoredSet, report
from liveness.fusion import BLUR, CUES, FUSION_PATH, Fusion, load_fusion
from simulation.pad_dataset import CLASSES

ZONE_FROM, CEILING, PENALTY = 2.25, 2.35, 2.0


def _fusion() -> Fusion:
    # logit = texture - 2 (mean 2, std 1, weight 1 on the texture; the other cues weigh nothing);
    # threshold p 0.5: a texture score of 2 in sharp captures, 4 in the zone
    weights = tuple(1.0 if c == "texture" else 0.0 for c in CUES)
    return Fusion(
        cues=CUES,
        mean=tuple(2.0 if c == "texture" else 0.0 for c in CUES),
        std=(1.0,) * len(CUES),
        weights=weights,
        bias=0.0,
        threshold=0.5,
        cue_thresholds=dict.fromkeys(CUES, 0.0),
        provenance={},
        vetoes={"pupil_reflex": 0.3},
        blur_ceiling_px=CEILING,
        blur_penalty={"from_px": ZONE_FROM, "logit": PENALTY},
    )


def _scores(texture: float, blur: float) -> dict[str, float]:
    return dict.fromkeys(CUES, 1.0) | {"texture": texture, BLUR: blur}


@pytest.mark.parametrize(
    ("texture", "blur", "outcome"),
    [
        (3.0, 2.0, "accepted"),  # sharp: the ordinary threshold (2)
        (3.0, ZONE_FROM, "accepted"),  # the zone starts past from_px
        (3.0, 2.30, "blurred"),  # in the zone: 3 < 4, and sharp it would pass: "hold still"
        (4.5, 2.30, "accepted"),  # a live texture in the zone passes
        (4.5, CEILING + 0.01, "blurred"),  # past the ceiling nothing is judged
        (1.0, 2.30, "score"),  # refused in the zone, and refused sharp too: the score's doing
        (3.0, math.nan, "accepted"),  # no reflection measured: no zone, no ceiling
    ],
)
def test_the_zone_judges_blurred_captures_at_a_stricter_threshold(texture, blur, outcome):
    f = _fusion()
    scores = _scores(texture, blur)
    assert f.outcome(scores) == outcome
    assert (f.probability(scores) >= f.threshold) == (outcome == "accepted")
    assert f.penalized(scores) == (math.isfinite(blur) and blur > ZONE_FROM)


def test_the_penalty_lowers_the_log_odds_by_its_amount_and_nothing_else():
    f = _fusion()
    assert f.logit(_scores(3.0, 2.30)) == pytest.approx(f.logit(_scores(3.0, 2.0)) - PENALTY)
    assert f.vetoed(_scores(3.0, 2.30)) == ()  # the zone is not a veto: a live texture still passes
    no_zone = dataclasses.replace(f, blur_penalty=None)
    assert no_zone.outcome(_scores(3.0, 2.30)) == "accepted"


def test_a_zone_survives_the_file_and_a_file_without_one_has_none(tmp_path):
    f = _fusion()
    path = tmp_path / "fusion.json"
    path.write_text(json.dumps(f.as_json()))
    assert load_fusion(path) == f
    doc = f.as_json()
    del doc["blur_penalty"]
    path.write_text(json.dumps(doc))
    assert load_fusion(path).blur_penalty is None


def test_a_zone_under_the_ceiling_loads_from_the_shipped_file_shape(tmp_path):
    # the malformed zones are refused in test_fusion's test_malformed_fusion_files_are_refused
    doc = json.loads(FUSION_PATH.read_text())
    doc["blur_ceiling_px"] = CEILING
    doc["blur_penalty"] = {"from_px": 2.3, "logit": 1.0}
    (tmp_path / "good.json").write_text(json.dumps(doc))
    assert load_fusion(tmp_path / "good.json").blur_penalty == {"from_px": 2.3, "logit": 1.0}


def test_the_held_out_report_counts_zone_refusals_as_blurred():
    # per class: a sharp live texture, a live texture in the zone, a weak texture in the zone (refused
    # sharp too: the score's), and one past the ceiling
    f = _fusion()
    textures, blurs = np.array([3.0, 3.0, 1.0, 5.0]), np.array([2.0, 2.3, 2.3, 2.5])
    rows = [_scores(t, b) for t, b in zip(textures, blurs, strict=True)]
    per_class = {name: np.array([r[name] for r in rows]) for name in (*CUES, BLUR)}
    per_class |= {"fused": np.array([f.probability(r) for r in rows]), "evasive": np.zeros(4)}
    figures = report(ScoredSet(dict.fromkeys(CLASSES, per_class), 0.05), fusion=f)
    assert figures["refused_as_blurred"]["bona_fide"] == pytest.approx(2 / 4)  # the zone's and the ceiling's
    assert figures["contact_lens_by_wearer"]["ordinary"]["refused_as_blurred"] == pytest.approx(2 / 4)
