"""Fusion: the logistic fit, the shipped coefficients and their provenance, malformed files."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest

from liveness.errors import LivenessModelError
from liveness.evaluation import bpcer
from liveness.fusion import CUES, FUSION_PATH, fit_logistic, load_fusion
from liveness.training.fit_fusion import bpcer_threshold, tail_threshold, veto_spec


def test_fit_logistic_recovers_the_direction_of_a_separating_feature():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 2))
    y = (X[:, 0] + 0.1 * rng.normal(size=400) > 0).astype(float)
    w, b = fit_logistic(X, y, np.ones(400), l2=1e-3)
    assert w[0] > 5 * abs(w[1]) and abs(b) < 1.0


def test_operating_threshold_is_empirical_on_large_samples_and_gaussian_on_small_ones():
    rng = np.random.default_rng(1)
    skewed = -rng.gamma(2.0, 1.0, size=400)  # a long low tail, like bona fide fused logits
    t, rule = bpcer_threshold(skewed, 0.02)
    assert rule.startswith("empirical") and 0.015 <= bpcer(skewed, t) <= 0.02
    small = skewed[:50]
    t_small, rule_small = bpcer_threshold(small, 0.02)
    assert rule_small.startswith("mean - z") and t_small == tail_threshold(small, 0.02)


def test_vetoed_bona_fide_count_against_the_target_and_the_rest_set_the_threshold():
    rng = np.random.default_rng(2)
    scores = rng.normal(size=400)
    vetoed = np.zeros(400, bool)
    vetoed[:3] = True  # three already refused by the veto: 8 - 3 = 5 left to the threshold
    t, rule = bpcer_threshold(scores, 0.02, vetoed)
    assert rule.startswith("empirical") and (scores[~vetoed] < t).sum() == 5
    t_all, _ = bpcer_threshold(scores, 0.02, np.ones(400, bool) & (np.arange(400) < 8))
    assert t_all == scores[8:].min()  # the vetoes used up the target: nothing more is refused
    with pytest.raises(ValueError):
        bpcer_threshold(scores, 0.02, np.ones(400, bool))


def _live_and_fake(f):
    live = {c: m + 3 * s * np.sign(w) for c, m, s, w in zip(f.cues, f.mean, f.std, f.weights, strict=True)}
    fake = {c: m - 3 * s * np.sign(w) for c, m, s, w in zip(f.cues, f.mean, f.std, f.weights, strict=True)}
    for cue in f.vetoes:  # a live eye has a strong reflex whatever the fused weight of the cue
        live[cue] = f.mean[f.cues.index(cue)] + 3 * f.std[f.cues.index(cue)]
    return live, fake


def test_shipped_fusion_covers_every_cue_and_states_its_provenance():
    f = load_fusion()
    assert f.cues == CUES and 0 < f.threshold < 1
    assert f.provenance["split"] == "train" and "command" in f.provenance and "veto_rule" in f.provenance
    live, fake = _live_and_fake(f)
    assert f.probability(live) > f.threshold > f.probability(fake)
    assert not f.vetoed(live)


def test_a_missing_pupil_reflex_vetoes_however_live_the_rest_looks():
    f = load_fusion()
    floor = f.vetoes["pupil_reflex"]
    assert floor < f.cue_thresholds["pupil_reflex"]  # the veto is rarer than the cue firing
    live, _ = _live_and_fake(f)
    assert f.probability({**live, "pupil_reflex": floor + 1e-6}) > 0.0
    no_reflex = {**live, "pupil_reflex": floor - 1e-6}
    assert f.vetoed(no_reflex) == ("pupil_reflex",) and f.probability(no_reflex) == 0.0


def test_every_shipped_veto_refuses_alone_below_its_floor():
    f = load_fusion()
    assert {"pupil_reflex", "illumination_response"} <= set(f.vetoes)  # a live eye reacts and reflects
    live, _ = _live_and_fake(f)
    for cue, floor in f.vetoes.items():
        below = {**live, cue: floor - 1e-6}
        assert f.vetoed(below) == (cue,) and f.probability(below) == 0.0


def _zone(penalty: object):
    """A mutation giving the file a ceiling of 2.35 px and this blur zone."""
    return lambda d: d.update(blur_ceiling_px=2.35, blur_penalty=penalty)


@pytest.mark.parametrize("mutate", [lambda d: d.pop("weights"), lambda d: d.update(threshold=2.0),
                                    lambda d: d.update(std=[0.0] * len(d["std"])),
                                    lambda d: d.update(vetoes={"heartbeat": 0.1}),
                                    lambda d: d.update(vetoes={"pupil_reflex": "NaN"}),
                                    lambda d: d.update(vetoes=[0.3]),
                                    # blur zones (the ceiling at 2.35, so each is refused for its own fault)
                                    _zone({"from_px": 2.4, "logit": 1.0}),
                                    _zone({"from_px": 0.0, "logit": 1.0}),
                                    _zone({"from_px": 2.3, "logit": -1.0}),
                                    _zone({"from_px": 2.3, "logit": "NaN"}),
                                    _zone({"from_px": 2.3}), _zone([2.3, 1.0]),
                                    _zone({"from_px": 2.3, "logit": 1.0, "until_px": 3.0})])  # fmt: skip
def test_malformed_fusion_files_are_refused(tmp_path, mutate):
    doc = json.loads(FUSION_PATH.read_text())
    mutate(doc)
    path = tmp_path / "fusion.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(LivenessModelError):
        load_fusion(path)


def test_a_capture_blurred_beyond_the_ceiling_is_refused_and_an_unmeasured_one_is_not():
    f = load_fusion()
    assert f.blur_ceiling_px is not None and 1.5 < f.blur_ceiling_px < 3.0
    live, _ = _live_and_fake(f)
    sharp = {**live, "glint_blur": f.blur_ceiling_px - 0.01}
    assert not f.vetoed(sharp) and f.probability(sharp) > f.threshold
    blurred = {**live, "glint_blur": f.blur_ceiling_px + 0.01}
    assert f.vetoed(blurred) == ("glint_blur",) and f.probability(blurred) == 0.0
    assert not f.vetoed({**live, "glint_blur": float("nan")})  # no reflection: other cues decide
    assert not f.vetoed(live)  # a score mapping without the measure at all


@pytest.mark.parametrize("ceiling", [0.0, -1.0, "NaN", "Infinity"])
def test_a_blur_ceiling_that_is_not_a_positive_width_is_refused(tmp_path, ceiling):
    doc = json.loads(FUSION_PATH.read_text())
    doc["blur_ceiling_px"] = ceiling
    path = tmp_path / "fusion.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(LivenessModelError, match="blur ceiling"):
        load_fusion(path)


def test_veto_specs_name_a_physical_cue_and_a_small_share():
    assert veto_spec("specular=0.002") == ("specular", 0.002)
    for bad in ("texture=0.01", "specular", "specular=0.5", "reflex=0.01", "specular=x", "specular=0"):
        with pytest.raises(argparse.ArgumentTypeError):
            veto_spec(bad)


def test_the_outcome_says_how_a_decision_came_about():
    f = load_fusion()
    live, fake = _live_and_fake(f)
    sharp, blurred = f.blur_ceiling_px - 0.01, f.blur_ceiling_px + 0.01
    assert f.outcome({**live, "glint_blur": sharp}) == "accepted"
    assert f.outcome({**fake, "glint_blur": sharp}) == "score"  # every cue far on the attack side...
    no_vetoes = {**fake, **{cue: live[cue] for cue in f.vetoes}, "glint_blur": sharp}
    assert f.outcome(no_vetoes) == "score"  # ...and with the vetoes passed, the fused score refuses
    assert f.outcome({**live, "glint_blur": blurred}) == "blurred"
    no_reflex = {**live, "pupil_reflex": f.vetoes["pupil_reflex"] - 1e-6}
    assert f.outcome(no_reflex) == "veto:pupil_reflex"
    both = {
        **no_reflex,
        "illumination_response": f.vetoes["illumination_response"] - 1e-6,
        "glint_blur": blurred,
    }
    vetoes = f.outcome(both).removeprefix("veto:").split(",")  # the vetoes name themselves, not the blur
    assert sorted(vetoes) == ["illumination_response", "pupil_reflex"]
