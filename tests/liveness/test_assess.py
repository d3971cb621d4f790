"""End to end: the shipped models reject every attack species and accept live eyes (fixed seeds)."""

from __future__ import annotations

import numpy as np
import pytest

from hardware.illumination import IlluminationSchedule, capture_bona_fide_sequence
from hardware.synthetic_eye import CaptureConditions, EyeIdentity
from liveness import CUES, assess
from liveness.attacks import SPECIES
from liveness.attacks.recapture import station_leds
from liveness.dataset import presentation

TEST_INDEX = 950_000  # far from the indices `pad eval` and the benchmark use
# Textured contact lenses are only partly detected (held-out APCER ~30-50%, see
# liveness/models/MODEL_CARD.md): one lens presentation happening to be rejected would prove
# nothing, so lenses are held to a detection rate over several presentations instead.
DETECTED_SPECIES = tuple(s for s in SPECIES if s != "contact_lens")
LENS_SAMPLE, LENS_MIN_REJECTED = 12, 4  # the old detector (APCER 80%) rejected ~2 in 12


def test_the_lens_gap_is_the_only_species_left_out():
    assert set(SPECIES) - set(DETECTED_SPECIES) == {"contact_lens"}


@pytest.mark.slow
def test_textured_lenses_are_rejected_at_a_useful_rate():
    rejected = 0
    for i in range(LENS_SAMPLE):
        p = presentation("heldout", "contact_lens", TEST_INDEX + 100 + i)
        result = assess(p.frames, p.schedule)
        rejected += not result.is_live
        assert result.is_live or result.fired
    assert rejected >= LENS_MIN_REJECTED, f"only {rejected} of {LENS_SAMPLE} lens presentations rejected"


@pytest.mark.slow
@pytest.mark.parametrize("species", DETECTED_SPECIES)
def test_each_attack_species_is_rejected(species):
    p = presentation("heldout", species, TEST_INDEX)
    result = assess(p.frames, p.schedule)
    assert not result.is_live, (species, result)
    assert result.fired, "a rejection must name the cues that fired"
    assert {c.name for c in result.cues} == set(CUES)


@pytest.mark.slow
@pytest.mark.parametrize("index", [TEST_INDEX, TEST_INDEX + 1])
def test_bona_fide_is_accepted(index):
    p = presentation("heldout", "bona_fide", index)
    result = assess(p.frames, p.schedule)
    assert result.is_live, result
    assert 0.0 <= result.score <= 1.0 and result.score >= result.threshold


@pytest.mark.slow
def test_a_sequence_that_ignores_the_light_step_is_rejected():
    # A live-looking eye filmed under constant light, presented as if the station had stepped it:
    # neither the pupil nor the brightness answers the claimed step.
    rng = np.random.default_rng(17)
    claimed = IlluminationSchedule.step(n_frames=20, step_frame=4)
    constant = IlluminationSchedule(claimed.times_s, (1.0,) * 20)
    conditions = CaptureConditions.random(rng, leds=station_leds(rng))
    frames = capture_bona_fide_sequence(EyeIdentity.from_seed(777_001, "R"), constant, conditions, rng)
    result = assess(frames, claimed)
    assert not result.is_live
    assert {"pupil_reflex", "illumination_response"} <= set(result.fired)


@pytest.mark.slow
def test_frames_as_a_list_give_the_same_result_as_a_stack():
    p = presentation("heldout", "print", TEST_INDEX + 2)
    a, b = assess(p.frames, p.schedule), assess(list(p.frames), p.schedule)
    assert a == b
