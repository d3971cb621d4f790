"""What the station tells the person when a step refuses: actionable, never which cue to defeat."""

from __future__ import annotations

from enrollment.station.steps import liveness_advice, quality_advice


def test_a_refusal_for_blur_alone_asks_to_hold_still_and_an_attack_is_only_named_as_such():
    assert liveness_advice(("texture", "frequency"), blurred=True).startswith("hold still")
    attack = liveness_advice(("texture", "pupil_reflex"))
    assert attack.startswith("presentation attack suspected") and "(2 cue(s) fired)" in attack
    assert "texture" not in attack and "pupil" not in attack
    assert liveness_advice(()) == "presentation attack suspected"


def test_quality_reasons_map_to_advice_and_unknown_ones_to_a_general_hint():
    assert "hold still" in quality_advice(("sharpness 0.40 < 1.00: the image is out of focus or blurred",))
    assert quality_advice(("something new",)).startswith("the image is not good enough")
